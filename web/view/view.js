// web/view/view.js — the four-pane view: Contoso, Fabrikam, Woodgrove Bank
// and Snooper side by side (seed-app.md 10), each party's app in a frame.
//
// The URL `mpcc up` prints is https://127.0.0.1:V/#contoso=<tok>&fabrikam=<tok>&...
// (base64url operator tokens). This script reads the fragment, removes it
// from the address bar at once (history.replaceState), fetches GET
// /view/config (the parties' app URLs and labels, no tokens) and sets each
// frame's src to <app>/#token=<tok>; the party page moves its token into its
// own sessionStorage and drops the fragment too. Without a token for a party
// its frame opens the app bare (the page then asks for the token). So the
// tokens live only in the presenter's browser.
//
// 6 px dividers between the panes resize the neighbours (200 px minimum
// each; the frames ignore the pointer while dragging); a double-click on a
// divider makes all panes equal again.

const MIN_WIDTH = 200;
const TOKEN = /^[A-Za-z0-9_-]+={0,2}$/;

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function takeTokens() {
  const hash = window.location.hash.replace(/^#/, '');
  history.replaceState(null, '', window.location.pathname + window.location.search);
  const tokens = {};
  for (const [k, v] of new URLSearchParams(hash)) {
    if (TOKEN.test(v)) tokens[k] = v;
  }
  return tokens;
}

function label(p) {
  const confidential = p.sku === 'confidential';
  const name = (p.display_name || p.name).toUpperCase();
  const vault = String(p.vault || '').replace(/^https?:\/\//, '');
  let subtitle;
  let chip;
  if (!confidential) {
    subtitle = `Cannot attest • Tries to access: ${vault}`;
    chip = '🔒 ACCESS DENIED';
  } else if (p.role === 'analyst') {
    subtitle = `AMD SEV-SNP TEE • Key Vault: ${vault} • Cross-company access`;
    chip = `🔑 ${p.key} + Partners`;
  } else {
    subtitle = `AMD SEV-SNP TEE • Key Vault: ${vault}`;
    chip = `🔑 ${p.key}`;
  }
  return el('div', {class: `pane-label ${confidential ? 'label-ok' : 'label-fail'}`, 'data-testid': `label-${p.name}`},
    el('div', {class: 'label-text'},
      el('div', {class: 'label-title'}, confidential ? `✅ ${name} (Confidential)` : `❌ ${name} (Standard - No TEE)`),
      el('div', {class: 'label-subtitle'}, subtitle)),
    el('span', {class: 'chip'}, chip));
}

function frameUrl(app, token) {
  const u = new URL(app);
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error(`not a web URL: ${app}`);
  u.pathname = '/';
  u.search = '';
  u.hash = token ? `token=${token}` : '';
  return u.toString();
}

function pane(p, token) {
  const frame = el('iframe', {
    name: p.name, id: `frame-${p.name}`, title: p.display_name || p.name,
    src: frameUrl(p.app, token), 'data-testid': `frame-${p.name}`,
  });
  return el('section', {class: 'pane', id: `pane-${p.name}`, 'data-party': p.name}, label(p), frame);
}

function makeResizable(container) {
  const panes = () => [...container.querySelectorAll('.pane')];
  const freeze = () => {
    for (const p of panes()) p.style.flex = `0 0 ${p.getBoundingClientRect().width}px`;
  };
  for (const divider of container.querySelectorAll('.divider')) {
    divider.addEventListener('pointerdown', (down) => {
      down.preventDefault();
      freeze();
      const left = divider.previousElementSibling;
      const right = divider.nextElementSibling;
      const lw = left.getBoundingClientRect().width;
      const rw = right.getBoundingClientRect().width;
      container.classList.add('dragging');
      divider.setPointerCapture(down.pointerId);
      const move = (ev) => {
        const dx = Math.max(MIN_WIDTH - lw, Math.min(rw - MIN_WIDTH, ev.clientX - down.clientX));
        left.style.flex = `0 0 ${lw + dx}px`;
        right.style.flex = `0 0 ${rw - dx}px`;
      };
      const up = () => {
        container.classList.remove('dragging');
        divider.removeEventListener('pointermove', move);
        divider.removeEventListener('pointerup', up);
        divider.removeEventListener('pointercancel', up);
      };
      divider.addEventListener('pointermove', move);
      divider.addEventListener('pointerup', up);
      divider.addEventListener('pointercancel', up);
    });
    divider.addEventListener('dblclick', () => {
      for (const p of panes()) p.style.flex = '';
    });
  }
}

function fail(message) {
  const e = document.getElementById('view-error');
  e.textContent = message;
  e.hidden = false;
}

async function main() {
  const tokens = takeTokens();
  let config;
  try {
    const r = await fetch('/view/config', {cache: 'no-store', headers: {Accept: 'application/json'}});
    if (!r.ok) throw new Error(`GET /view/config answered HTTP ${r.status}`);
    config = await r.json();
  } catch (e) {
    fail(`Cannot load the view configuration: ${e.message}`);
    return;
  }
  if (config.title) document.getElementById('view-title').textContent = `🔐 ${config.title}`;
  const parties = Array.isArray(config.parties) ? config.parties : [];
  const container = document.getElementById('panes');
  const missing = [];
  parties.forEach((p, i) => {
    if (i > 0) container.append(el('div', {class: 'divider', title: 'Drag to resize, double-click to reset'}));
    try {
      container.append(pane(p, tokens[p.name]));
    } catch (e) {
      fail(`${p.name}: ${e.message}`);
    }
    if (!tokens[p.name]) missing.push(p.display_name || p.name);
  });
  if (missing.length && Object.keys(tokens).length) {
    fail(`No token in the URL for: ${missing.join(', ')} (those panes ask for one).`);
  }
  makeResizable(container);
  document.body.dataset.ready = 'true';
}

main();
