// web/party/storage.js — "📁 External Blob Storage Access" (seed-app.md 9.3
// item 8): what anyone with storage access sees. GET /storage/config,
// /storage/list, /storage/download/<blob>.
//
// On the Snooper the section opens by itself and an attacker's view of the
// records refreshes every 5 seconds: every record blob (records/<owner>/...)
// is listed and downloaded once (blobs are write-once, so each is cached by
// name and etag), its JWE protected header (public by design: owner, record
// id, time) is decoded, and the ciphertext is shown — and nothing more,
// because the Snooper holds no key.
import {api} from './api.js';
import {$, box, busy, formatBytes, h, kvTable, mapLimit, replace, table, truncate} from './dom.js';
import {errorDetails} from './explain.js';

const REFRESH_MS = 5000;
const cache = new Map();  // blob name -> {etag, content}

function blobPath(name) {
  return name.split('/').map(encodeURIComponent).join('/');
}

async function loadConfig() {
  const r = await api('GET', '/storage/config');
  if (!r.ok) {
    replace($('storage-config'), box('warn', null, `Storage configuration unavailable: ${r.data.message}`));
    return;
  }
  const c = r.data;
  const sas = c.sas_expiry;
  replace($('storage-config'),
    h('div', {class: 'config-kicker'}, 'EXTERNAL BLOB STORAGE (SHARED ACCESS)'),
    kvTable([
      ['Storage', c.storage_account], ['Container', c.container_name], ['Endpoint', c.blob_endpoint],
      ['Authentication', c.auth_method],
      ['SAS Token Expiry', sas && sas.expiry_formatted ? `${sas.expiry_formatted} (${sas.days_remaining} days remaining)`
        : 'No SAS token configured'],
    ]));
}

async function view(name) {
  const out = $('storage-viewer');
  replace(out, h('p', {class: 'note'}, `Downloading ${name}...`));
  const r = await api('GET', `/storage/download/${blobPath(name)}`);
  if (!r.ok) {
    replace(out, box('fail', '❌ Download failed', errorDetails(r.data)));
    return;
  }
  replace(out, h('div', {class: 'box-title'}, '📄 Blob Content Viewer'),
    h('pre', {class: 'code-box wrap', 'data-testid': 'blob-content'},
      `// File: ${name} (${formatBytes(r.data.size)})\n// ${r.data.security_note || ''}\n`,
      r.data.is_text ? r.data.content : '(binary content)'));
  out.scrollIntoView({block: 'nearest'});
}

async function list(button) {
  const r = await busy(button, '📂 Loading', () => api('GET', '/storage/list'));
  $('btn-storage-refresh').disabled = false;
  const out = $('storage-result');
  if (!r.ok) {
    replace(out, box('fail', '❌ Cannot list the storage container', errorDetails(r.data)));
    return;
  }
  const blobs = Array.isArray(r.data.blobs) ? r.data.blobs : [];
  if (!blobs.length) {
    replace(out, box('info', null, '📭 No blobs found in container'));
    return;
  }
  replace(out, box('ok', '✓ Successfully accessed external storage!', r.data.security_note || ''),
    h('p', {'data-testid': 'blob-count'}, `Found ${blobs.length} blob(s)`),
    h('div', {class: 'scroll'}, table(['Name', 'Size', 'Type', 'Actions'], blobs.map((b) => {
      const v = h('button', {class: 'btn btn-small', type: 'button'}, '👁️ View');
      v.addEventListener('click', () => view(b.name));
      return h('tr', null, h('td', {class: 'mono'}, b.name), h('td', {class: 'num'}, formatBytes(b.size)),
        h('td', null, b.content_type || ''), h('td', null, v));
    }), {'data-testid': 'blob-table'})));
}

// The protected header of a compact JWE (base64url JSON), or {}.
function jweHeader(jwe) {
  try {
    const b64 = jwe.split('.')[0].replace(/-/g, '+').replace(/_/g, '/');
    const json = new TextDecoder().decode(Uint8Array.from(atob(b64 + '==='.slice((b64.length + 3) % 4)), (c) => c.charCodeAt(0)));
    const header = JSON.parse(json);
    return header && typeof header === 'object' ? header : {};
  } catch {
    return {};
  }
}

async function interceptRecords() {
  const r = await api('GET', '/storage/list?prefix=records/');
  if (!r.ok) {
    replace($('snooper-records'), box('fail', '❌ Cannot list the shared storage', errorDetails(r.data)));
    return;
  }
  const blobs = (Array.isArray(r.data.blobs) ? r.data.blobs : []).filter((b) => b.name.endsWith('.jwe'));
  await mapLimit(blobs.filter((b) => cache.get(b.name)?.etag !== b.etag), 6, async (b) => {
    const d = await api('GET', `/storage/download/${blobPath(b.name)}`);
    if (d.ok) cache.set(b.name, {etag: b.etag, content: String(d.data.content || '')});
  });
  const rows = blobs.filter((b) => cache.has(b.name)).map((b) => {
    const content = cache.get(b.name).content;
    const hdr = jweHeader(content);
    return {owner: hdr.mpcc_owner || b.name.split('/')[1] || '', rid: hdr.mpcc_rid || '', ts: hdr.mpcc_ts || b.last_modified || '', content};
  }).sort((a, b) => String(a.ts).localeCompare(String(b.ts)));
  $('snooper-last-update').textContent = new Date().toLocaleTimeString();
  if (!rows.length) {
    replace($('snooper-records'), box('info', null,
      '🔍 No records found yet. Companies need to populate their data first.'));
    return;
  }
  const owners = [...new Set(rows.map((x) => x.owner))];
  replace($('snooper-records'),
    h('div', {class: 'box-title'}, '🕵 Intercepted Encrypted Records (records/*)'),
    h('p', {class: 'intercepted', 'data-testid': 'intercepted-count', 'data-count': String(rows.length)},
      `✔ Successfully intercepted ${rows.length} encrypted records!`),
    h('p', {class: 'small'}, `Owners: ${owners.join(', ')} — the JWE headers are public; the contents are not.`),
    h('div', {class: 'scroll'}, table(['#', 'Owner', 'Record (Encrypted)', 'Timestamp'], rows.map((x, i) =>
      h('tr', {'data-testid': 'intercepted-row'}, h('td', null, String(i + 1)), h('td', null, x.owner),
        h('td', {class: 'mono cipher'}, `🔒 ${truncate(x.content, 30)}`), h('td', null, x.ts))),
    {'data-testid': 'intercepted-table'})),
    h('div', {class: 'box box-fail no-keys'},
      '🚫 No access to keys to decrypt data - This snooper cannot access the SKR keys needed to reveal the plaintext!'));
}

function startSnooperView() {
  $('sec-storage').open = true;
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await interceptRecords();
    } finally {
      running = false;
    }
  };
  tick();
  setInterval(tick, REFRESH_MS);
}

export function initStorage(ctx) {
  loadConfig();
  const listButton = $('btn-storage-list');
  const refresh = $('btn-storage-refresh');
  refresh.disabled = true;
  listButton.addEventListener('click', () => list(listButton));
  refresh.addEventListener('click', () => list(refresh));
  if (ctx.role === 'observer') {
    replace($('snooper-indicator'), h('span', {class: 'badge badge-live'},
      '● Auto-refreshing every 5 seconds | Last update: ', h('span', {id: 'snooper-last-update'}, '—')));
    startSnooperView();
  }
}
