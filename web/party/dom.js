// web/party/dom.js — DOM building blocks for the party page.
//
// Everything the page shows is built with createElement/textContent: server
// data never goes through innerHTML (seed-app.md 9.4), and the page's CSP
// forbids inline styles and scripts, so there are no style="" attributes and
// no on*="" handlers either (listeners are added with addEventListener).
//
//   h('p', {class: 'note', id: 'x'}, 'text', h('b', null, 'bold'))
//   replace($('skr-result'), badge('Secure Key Release Successful', 'ok'))
//   await busy(button, '🔐 Releasing Key', async () => { ... })

const SVG_NS = 'http://www.w3.org/2000/svg';

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
  return el;
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.setAttribute('class', v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'style') throw new Error('no style attributes (CSP): use a class');
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  return el;
}

// An HTML element with attributes and children (strings become text nodes).
export function h(tag, attrs, ...children) {
  return append(setAttrs(document.createElement(tag), attrs), children);
}

// An SVG element (charts).
export function s(tag, attrs, ...children) {
  return append(setAttrs(document.createElementNS(SVG_NS, tag), attrs), children);
}

export const $ = (id) => document.getElementById(id);

export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

export function show(el, visible = true) {
  if (el) el.hidden = !visible;
}

// A status badge: kind is ok | fail | warn | info.
export function badge(text, kind = 'info', id) {
  return h('span', {class: `badge badge-${kind}`, 'data-testid': id}, text);
}

// Pretty JSON in a dark box (textContent: never interpreted as markup).
export function jsonBox(value, attrs = {}) {
  return h('pre', {class: 'code-box', ...attrs}, JSON.stringify(value, null, 2));
}

// A two-column table of [label, value] rows; null values are left out.
export function kvTable(rows, attrs = {}) {
  return h('table', {class: 'kv', ...attrs},
    h('tbody', null, rows.filter(([, v]) => v !== null && v !== undefined && v !== '')
      .map(([k, v]) => h('tr', null, h('th', null, k), h('td', null, v)))));
}

// A table with a header row; rows are arrays of cells (strings or nodes).
export function table(headers, rows, attrs = {}) {
  return h('table', {class: 'grid', ...attrs},
    h('thead', null, h('tr', null, headers.map((x) => h('th', null, x)))),
    h('tbody', null, rows.map((r) => (r instanceof Node ? r : h('tr', null, r.map((c) => h('td', null, c)))))));
}

// A box with a heading line: kind is ok | fail | warn | info | dark.
export function box(kind, title, ...children) {
  return h('div', {class: `box box-${kind}`}, title ? h('div', {class: 'box-title'}, title) : null, children);
}

// Runs fn with the button disabled and relabelled; restores (or sets
// doneText) afterwards. The label is kept in data-label.
export async function busy(button, busyText, fn, doneText) {
  if (!button.dataset.label) button.dataset.label = button.textContent;
  button.disabled = true;
  button.classList.add('busy');
  replace(button, h('span', {class: 'spinner'}), busyText);
  try {
    return await fn();
  } finally {
    button.classList.remove('busy');
    button.disabled = false;
    button.textContent = doneText || button.dataset.label;
    if (doneText) button.dataset.label = doneText;
  }
}

// "12.3 KB" style sizes.
export function formatBytes(n) {
  if (typeof n !== 'number') return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function truncate(text, n) {
  const t = String(text ?? '');
  return t.length > n ? `${t.slice(0, n)}...` : t;
}

export function money(n) {
  return `$${Number(n || 0).toLocaleString('en-US')}`;
}

// Runs `worker` over items with at most `limit` in flight; results in order.
export async function mapLimit(items, limit, worker) {
  const out = new Array(items.length);
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await worker(items[i], i);
    }
  };
  await Promise.all(Array.from({length: Math.min(limit, items.length)}, run));
  return out;
}
