// web/party/attestation.js — "🛡️ Security Features" and "🔍 Remote
// Attestation" (seed-app.md 9.3 items 1-2).
//
// "Request Attestation Token" -> POST /attest/maa: the decoded MAA token's
// claims (the API decodes the JWT; shown as JSON text, never as markup),
// and the security features checked against them. "Get Raw Attestation
// Report" -> POST /attest/raw: the decoded SNP report (fields a presenter
// points at first) and the hex. The last token goes to ctx.state.lastToken
// and a "token" event on ctx.bus (the what-if panel prefills with it).
import {api} from './api.js';
import {$, badge, box, busy, h, jsonBox, kvTable, replace} from './dom.js';
import {errorDetails} from './explain.js';

// Each feature and its claim test (seed-app.md 9.3 item 1); a test that is
// exactly false marks the feature unverified.
const FEATURES = {
  tee: (c) => 'x-ms-isolation-tee' in c || c['x-ms-sevsnpvm-is-debuggable'] === false,
  memory: (c) => 'x-ms-sevsnpvm-vmpl' in c || 'x-ms-isolation-tee' in c,
  confidentiality: (c) => String(c['x-ms-compliance-status'] || '').startsWith('azure-compliant') ||
    'x-ms-isolation-tee' in c,
  policy: (c) => 'x-ms-sevsnpvm-hostdata' in c,
  attestation: () => true,
  protection: (c) => c['x-ms-sevsnpvm-is-debuggable'] === false || 'x-ms-isolation-tee' in c,
};

function markFeatures(claims) {
  for (const li of document.querySelectorAll('#security-list li')) {
    const ok = claims ? FEATURES[li.dataset.feature]?.(claims) !== false : false;
    li.classList.remove('pending', 'verified', 'unverified');
    li.classList.add(ok ? 'verified' : 'unverified');
    li.querySelector('.mark').textContent = ok ? '✓' : '✗';
  }
}

function setFeatureStatus(ok, message) {
  const el = $('security-status');
  el.textContent = ok ? '✓ Attestation verified successfully' : `✗ Attestation failed: ${message}`;
  el.classList.toggle('ok', ok);
  el.classList.toggle('fail', !ok);
}

// The report fields a presenter explains first.
function reportSummary(r) {
  return kvTable([
    ['Version', r.version], ['VMPL', r.vmpl], ['Debug allowed', String(r.policy?.debug_allowed)],
    ['Host data (security policy hash)', h('span', {class: 'mono', 'data-testid': 'report-host-data'}, r.host_data)],
    ['Measurement', h('span', {class: 'mono'}, r.measurement)],
    ['Report data', h('span', {class: 'mono'}, r.report_data)],
    ['Chip ID', h('span', {class: 'mono'}, r.chip_id)],
    ['Reported TCB', r.reported_tcb ? `bootloader ${r.reported_tcb.boot_loader}, TEE ${r.reported_tcb.tee}, ` +
      `SNP ${r.reported_tcb.snp}, microcode ${r.reported_tcb.microcode}` : null],
    ['Signing key', r.key_info?.signing_key],
  ], {'data-testid': 'report-summary'});
}

// The claims a release policy looks at.
function claimSummary(c) {
  return kvTable([
    ['Attestation type', c['x-ms-attestation-type']],
    ['Compliance status', c['x-ms-compliance-status']],
    ['Host data', h('span', {class: 'mono', 'data-testid': 'claim-host-data'}, c['x-ms-sevsnpvm-hostdata'])],
    ['Debuggable', String(c['x-ms-sevsnpvm-is-debuggable'])],
    ['Issuer', c.iss],
    ['Expires', typeof c.exp === 'number' ? new Date(c.exp * 1000).toISOString() : null],
  ]);
}

async function requestToken(ctx, button) {
  const out = $('attest-maa-result');
  const r = await busy(button, 'Requesting Attestation', () => api('POST', '/attest/maa', {}));
  if (r.status === 0) {
    replace(out, badge('Request Failed', 'fail', 'attest-maa-badge'), h('p', null, r.data.message));
    return;
  }
  if (!r.ok) {
    replace(out, badge('Attestation Failed', 'fail', 'attest-maa-badge'), errorDetails(r.data));
    markFeatures(null);
    setFeatureStatus(false, r.data.failure_reason || r.data.message);
    ctx.setTeeStatus(false);
    return;
  }
  const claims = r.data.claims && typeof r.data.claims === 'object' ? r.data.claims : null;
  ctx.state.lastToken = r.data.attestation_token || '';
  ctx.bus.dispatchEvent(new CustomEvent('token', {detail: ctx.state.lastToken}));
  if (!claims) {
    replace(out, badge('Attestation Token Received (Parse Error)', 'warn', 'attest-maa-badge'),
      h('pre', {class: 'code-box'}, ctx.state.lastToken));
    return;
  }
  replace(out, badge('Attestation Successful', 'ok', 'attest-maa-badge'),
    h('p', null, h('b', null, 'MAA Endpoint: '), r.data.maa_endpoint || ''),
    claimSummary(claims),
    h('p', null, h('b', null, 'Token Claims:')),
    jsonBox(claims, {'data-testid': 'token-claims'}));
  markFeatures(claims);
  setFeatureStatus(true);
  ctx.setTeeStatus(true);
}

async function rawReport(ctx, button) {
  const out = $('attest-raw-result');
  const runtime = btoa(`Raw Report - ${new Date().toISOString()}`);
  const r = await busy(button, 'Getting Report', () => api('POST', '/attest/raw', {runtime_data: runtime}));
  if (!r.ok) {
    replace(out, badge(r.status === 0 ? 'Request Failed' : 'Raw Attestation Failed', 'fail', 'attest-raw-badge'),
      errorDetails(r.data));
    if (r.status !== 0) ctx.setTeeStatus(false);
    return;
  }
  const report = r.data.report && typeof r.data.report === 'object' ? r.data.report : null;
  const hex = String(r.data.attestation_report || '');
  replace(out, badge('Raw Report Retrieved', 'ok', 'attest-raw-badge'),
    h('p', null, `AMD SEV-SNP attestation report, ${hex.length / 2} bytes, signed by the chip's VCEK.`),
    report ? reportSummary(report) : box('warn', null, 'The report could not be decoded.'),
    report ? h('details', {class: 'fold'}, h('summary', null, 'Decoded report (all fields)'), jsonBox(report)) : null,
    h('details', {class: 'fold'}, h('summary', null, 'Raw report (hex)'),
      h('pre', {class: 'code-box wrap', 'data-testid': 'report-hex'}, hex)));
}

export function initAttestation(ctx) {
  const maa = $('btn-attest-maa');
  const raw = $('btn-attest-raw');
  maa.addEventListener('click', () => requestToken(ctx, maa));
  raw.addEventListener('click', () => rawReport(ctx, raw));
}
