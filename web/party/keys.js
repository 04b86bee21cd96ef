// web/party/keys.js — "🔑 Secure Key Release" and "🚫 Attempt to Use Key
// from Other Company" (seed-app.md 9.3 items 3-4).
//
// POST /skr/release answers the PUBLIC JWK only (the private key stays in
// the TEE); success and failure both carry timings_ms, shown per step. A
// failure shows why: the failure reason, the diagnosis, and which layer
// refused (identity / attestation) with the failed clauses. The cross-company
// attempt (POST /skr/release-other) is expected to be denied; it is shown
// for owners only (not for the Snooper, whose role comes from /skr/config).
//
// releaseOwnKey(ctx) is also used by "Protect Data" when the key is not
// released yet. A success sets ctx.state.keyReleased and fires "key-released"
// on ctx.bus.
import {api} from './api.js';
import {$, badge, box, busy, h, jsonBox, kvTable, replace} from './dom.js';
import {denialView, errorDetails, timingsView} from './explain.js';

function released(ctx, data) {
  ctx.state.keyReleased = true;
  ctx.bus.dispatchEvent(new CustomEvent('key-released', {detail: data}));
}

function renderRelease(out, r) {
  const d = r.data;
  if (r.ok) {
    replace(out,
      h('div', {class: 'big-mark ok'}, '✓'),
      badge('Secure Key Release Successful', 'ok', 'skr-badge'),
      h('p', null, 'The key was successfully released by Azure Key Vault to this verified confidential container.'),
      box('info', '🔑 Key Release Details', kvTable([
        ['Key Vault', d.akv_endpoint], ['Key Name', d.key_name], ['Key Version', d.key_version],
        ['MAA Endpoint', d.maa_endpoint],
      ])),
      timingsView(d.timings_ms),
      h('p', null, h('b', null, 'Released Key (public JWK):')),
      jsonBox(d.key, {'data-testid': 'released-jwk'}),
      h('p', {class: 'note'}, d.note || 'The private key was released into this TEE and stays there.'));
    return;
  }
  replace(out,
    h('div', {class: 'big-mark fail'}, '✗'),
    badge(r.status === 0 ? 'Request Failed' : 'Secure Key Release Failed', 'fail', 'skr-badge'),
    box('info', '🔧 SKR Configuration', kvTable([
      ['Key Vault', d.akv_endpoint], ['Key Name', d.key_name], ['MAA Endpoint', d.maa_endpoint],
    ])),
    denialView(d),
    errorDetails(d),
    timingsView(d.timings_ms));
}

// Releases the own key (as the button does); resolves to whether it worked.
export async function releaseOwnKey(ctx) {
  const button = $('btn-skr-release');
  $('sec-skr').open = true;
  const r = await busy(button, '🔐 Releasing Key', () => api('POST', '/skr/release'));
  renderRelease($('skr-result'), r);
  if (r.ok) released(ctx, r.data);
  else if (r.status !== 0 && r.data.step === 'device') ctx.setTeeStatus(false);
  return r.ok;
}

async function attemptOther(ctx, button) {
  const out = $('cross-result');
  const r = await busy(button, '🚫 Attempting Access...', () => api('POST', '/skr/release-other'));
  const d = r.data;
  if (r.ok && d.status === 'access_denied') {
    replace(out, box('ok', '✅ Access Correctly Denied',
      kvTable([
        ['Our Company', d.our_company], ['Attempted Key', d.attempted_key],
        ['Target Key Vault', d.attempted_keyvault || d.attempted_akv], ['HTTP status', d.http_status],
      ]),
      h('p', null, h('b', null, 'This proves: '), d.explanation || ''),
      h('p', {class: 'small'}, h('b', null, 'Error: '), d.error_detail || d.error || 'Access denied'),
      denialView(d),
      timingsView(d.timings_ms)));
    out.dataset.state = 'denied';
  } else if (r.ok && d.status === 'unexpected_success') {
    replace(out, box('fail', '⚠ SECURITY ALERT - Unexpected Success!',
      h('p', null, d.message), h('p', null, d.security_warning || ''), timingsView(d.timings_ms)));
    out.dataset.state = 'released';
  } else {
    replace(out, box('fail', r.status === 0 ? '❌ Request Failed' : '❌ Error', errorDetails(d)));
    out.dataset.state = 'error';
  }
}

export function initKeys(ctx) {
  const cfg = ctx.cfg;
  $('skr-key-name').textContent = `🔑 ${cfg.key_name || '(not configured)'}`;
  $('skr-vault').textContent = cfg.akv_endpoint || '(not configured)';
  $('skr-maa').textContent = cfg.maa_endpoint || '';
  const release = $('btn-skr-release');
  if (cfg.configured === false) {
    release.disabled = true;
    replace($('skr-result'), box('warn', null,
      '⚠️ SKR not configured. Deploy with a key vault and key to enable Secure Key Release.'));
  }
  release.addEventListener('click', () => releaseOwnKey(ctx));

  if (ctx.role === 'owner' && cfg.other_company) {
    const o = cfg.other_company;
    $('cross-ours').replaceChildren(kvTable([
      ['Name', cfg.company_name], ['Key', cfg.key_name], ['Key Vault', cfg.akv_endpoint]]));
    $('cross-other').replaceChildren(kvTable([
      ['Name', o.name], ['Key', o.key_name], ['Key Vault', o.akv_endpoint]]));
    $('cross-other-name').textContent = o.name;
    const b = $('btn-cross-release');
    b.addEventListener('click', () => attemptOther(ctx, b));
  }
}

// On load: is the key already released (GET /skr/key-status)?
export async function loadKeyStatus(ctx) {
  const r = await api('GET', '/skr/key-status');
  if (r.ok && r.data.released) {
    $('skr-status-line').textContent =
      `🔑 ${r.data.key_name || ctx.cfg.key_name} is released into this TEE (version ${r.data.key_version || '?'}).`;
    released(ctx, r.data);
  }
}
