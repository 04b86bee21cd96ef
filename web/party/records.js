// web/party/records.js — "👥 Protect Data in a Multi-Party Environment"
// (Contoso and Fabrikam; seed-app.md 9.3 item 6).
//
// Opening the section the first time imports the company's CSV
// (POST /company/populate; idempotent on the server, so a second import adds
// nothing). The import needs the company's key in this TEE: if it is not
// released yet, opening the section releases it first (shown in "🔑 Secure
// Key Release" with its timings). "📄 List Saved Records" shows the stored
// JWEs (GET /company/list, paged); "🔓 Press to Decrypt" opens each one inside
// the TEE (POST /decrypt: own records only) and shows the plaintext, until
// "🔒 Press to Encrypt" returns to the ciphertext.
import {api} from './api.js';
import {$, box, busy, h, kvTable, mapLimit, replace, table, truncate} from './dom.js';
import {errorDetails} from './explain.js';
import {releaseOwnKey} from './keys.js';

const view = {records: [], total: 0, listing: null, decrypted: false, imported: false};

async function populate(ctx, auto) {
  const button = $('btn-records-populate');
  const out = $('records-populate-result');
  if (!ctx.state.keyReleased) {
    replace(out, h('p', {class: 'note'}, `🔑 Releasing ${ctx.cfg.company_name}'s key into this TEE first...`));
    if (!(await releaseOwnKey(ctx))) {
      replace(out, box('fail', '📋 Import Failed',
        'The key could not be released: see "🔑 Secure Key Release" above for why.'));
      button.textContent = '📋 Import Failed';
      return false;
    }
  }
  const r = await busy(button, auto ? '📋 Auto-importing CSV...' : '📋 Importing CSV...',
    () => api('POST', '/company/populate'));
  if (!r.ok) {
    replace(out, box('fail', '📋 Import Failed', errorDetails(r.data)));
    button.textContent = '📋 Import Failed';
    return false;
  }
  view.imported = true;
  button.textContent = '📋 CSV Imported';
  button.disabled = true;
  button.classList.add('done');
  replace(out, box('ok', `✔ ${r.data.message}`, kvTable([
    ['Source', r.data.source_file],
    ['Records added', h('span', {'data-testid': 'records-added'}, String(r.data.records_added))],
    ['Already present', String(r.data.records_already_present ?? 0)],
    ['Total records', h('span', {'data-testid': 'records-total'}, String(r.data.total_records))],
    ['Destination', r.data.destination],
  ]), h('p', {class: 'note'}, r.data.note || '')));
  return true;
}

async function save(ctx, button) {
  const name = $('record-name').value.trim();
  const phone = $('record-phone').value.trim();
  const out = $('record-save-result');
  if (!name && !phone) {
    replace(out, box('warn', null, 'Please enter at least a name or phone number.'));
    return;
  }
  const r = await busy(button, '💾 Encrypting & Saving...', () => api('POST', '/company/save', {name, phone}),
    '💾 Save Encrypted Data');
  if (!r.ok) {
    replace(out, box('fail', '❌ Save failed', errorDetails(r.data)));
    return;
  }
  $('record-name').value = '';
  $('record-phone').value = '';
  replace(out, box('ok', `✔ ${r.data.message}`, kvTable([
    ['Company', r.data.company], ['Total records', String(r.data.record_count ?? '')],
  ]), h('p', {class: 'note'}, r.data.note || '')));
}

// Every page of the listing.
async function fetchAll() {
  const records = [];
  let marker = '';
  let first = null;
  for (let page = 0; page < 100; page++) {
    const q = marker ? `&marker=${encodeURIComponent(marker)}` : '';
    const r = await api('GET', `/company/list?max_results=1000${q}`);
    if (!r.ok) return {error: r.data};
    first = first || r.data;
    records.push(...(Array.isArray(r.data.records) ? r.data.records : []));
    marker = r.data.next_marker || '';
    if (!marker) break;
  }
  return {listing: first, records};
}

function renderEncrypted() {
  const rows = view.records.map((rec, i) => h('tr', {class: 'own-row', 'data-record-id': rec.record_id},
    h('td', null, String(i + 1)),
    h('td', {class: 'mono'}, truncate(rec.record_id, 12)),
    h('td', null, rec.timestamp || ''),
    h('td', {class: 'mono cipher'}, truncate(rec.ciphertext, 40))));
  replace($('records-table-wrap'), table(['ID', 'Record ID', 'Timestamp', 'Record (Encrypted)'], rows,
    {'data-testid': 'records-table', 'data-view': 'encrypted'}));
  replace($('records-footer'), `🔒 Note: ${view.listing?.note || 'records are stored encrypted.'}`);
  $('records-banner').textContent = '';
  $('records-banner').classList.remove('decrypted');
}

function renderDecrypted(results) {
  const rows = view.records.map((rec, i) => {
    const d = results[i];
    if (!d) {
      return h('tr', {class: 'own-row failed'}, h('td', null, String(i + 1)),
        h('td', {class: 'unable', colspan: '5'}, '🔒 Unable to Decrypt Contents'));
    }
    return h('tr', {class: 'own-row', 'data-record-id': rec.record_id},
      h('td', null, String(i + 1)), h('td', {class: 'name'}, d.name || ''), h('td', null, d.phone || ''),
      h('td', null, d.age || ''), h('td', null, [d.city, d.country].filter(Boolean).join(', ')),
      h('td', {class: 'num'}, d.salary ? `$${Number(d.salary).toLocaleString('en-US')}` : ''));
  });
  replace($('records-table-wrap'), table(['ID', 'Name', 'Phone', 'Age', 'City', 'Salary'], rows,
    {'data-testid': 'records-table', 'data-view': 'decrypted'}));
  $('records-banner').textContent = '🔓 DECRYPTED VIEW';
  $('records-banner').classList.add('decrypted');
  replace($('records-footer'), '🔓 Decrypted: Plaintext values shown. Release button to return to encrypted view.');
}

async function list(button) {
  const got = await busy(button, '📄 Loading...', fetchAll, '📄 List Saved Data');
  if (got.error) {
    replace($('records-header'), box('fail', '❌ Listing failed', errorDetails(got.error)));
    return;
  }
  view.records = got.records;
  view.listing = got.listing;
  view.decrypted = false;
  const total = got.listing.total_records_in_file ?? got.records.length;
  replace($('records-header'), kvTable([
    ['Company', got.listing.company],
    ['Storage URL', h('span', {class: 'mono'}, got.listing.full_blob_url || '')],
    ['Records', h('span', {'data-testid': 'records-count'}, `${got.records.length} of ${total} total`)],
  ]));
  renderEncrypted();
  const toggle = $('btn-records-decrypt');
  toggle.disabled = got.records.length === 0;
  toggle.textContent = '🔓 Press to Decrypt';
  toggle.classList.remove('encrypt-mode');
}

async function toggleDecrypt(button) {
  if (view.decrypted) {
    view.decrypted = false;
    renderEncrypted();
    button.textContent = '🔓 Press to Decrypt';
    button.classList.remove('encrypt-mode');
    return;
  }
  const results = await busy(button, '🔓 Decrypting...', () => mapLimit(view.records, 8, async (rec) => {
    const r = await api('POST', '/decrypt', {ciphertext: rec.ciphertext, record_id: rec.record_id});
    if (!r.ok) return null;
    if (r.data.record && typeof r.data.record === 'object') return r.data.record;
    try {
      return JSON.parse(r.data.plaintext);
    } catch {
      return {name: String(r.data.plaintext ?? '')};
    }
  }));
  view.decrypted = true;
  renderDecrypted(results);
  button.textContent = '🔒 Press to Encrypt';
  button.classList.add('encrypt-mode');
}

export function initRecords(ctx) {
  $('records-company').textContent = (ctx.cfg.party || ctx.cfg.company_name || '').toUpperCase();
  const section = $('sec-records');
  section.addEventListener('toggle', () => {
    if (section.open && !view.imported && !view.autoStarted) {
      view.autoStarted = true;
      populate(ctx, true);
    }
  });
  const populateButton = $('btn-records-populate');
  populateButton.addEventListener('click', () => populate(ctx, false));
  const saveButton = $('btn-record-save');
  saveButton.addEventListener('click', () => save(ctx, saveButton));
  const listButton = $('btn-records-list');
  listButton.addEventListener('click', () => list(listButton));
  const decrypt = $('btn-records-decrypt');
  decrypt.disabled = true;
  decrypt.addEventListener('click', () => toggleDecrypt(decrypt));
}
