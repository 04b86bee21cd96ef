// web/party/info.js — "📊 Deployment Information" (GET /info: the sidecar
// and a live attestation; it also sets the header's TEE line) and "📦
// Container Image Information" (GET /container/info), seed-app.md 9.3
// items 9-10.
import {api} from './api.js';
import {$, box, h, kvTable, replace} from './dom.js';

function card(label, value) {
  return h('div', {class: 'info-card'}, h('div', {class: 'info-label'}, label), h('div', {class: 'info-value'}, value));
}

async function deployment(ctx) {
  const r = await api('GET', '/info');
  if (!r.ok) {
    replace($('deployment-info'), box('warn', null, `Deployment information unavailable: ${r.data.message}`));
    ctx.setTeeStatus(false);
    return;
  }
  const d = r.data;
  const works = Boolean(d.status?.attestation_works);
  ctx.setTeeStatus(works);
  replace($('deployment-info'),
    h('div', {class: 'info-cards'},
      card('Platform', d.platform || ''), card('SKU', works ? 'Confidential' : 'Standard (No TEE)'),
      card('Hardware', works ? 'AMD SEV-SNP' : 'No Hardware Security'),
      card('Attestation', works ? 'Microsoft Azure Attestation (mpcc)' : 'Not Available')),
    box(works ? 'ok' : 'fail', works ? '✓ Live Attestation Status: VERIFIED' : '✗ Live Attestation Status: FAILED',
      kvTable([
        ['Sidecar Available', d.status?.sidecar_available ? 'Yes' : 'No'],
        ['Attestation Works', works ? 'Yes' : 'No'],
        ['Attestation Error', d.status?.attestation_error],
        ['Attestation Service', d.attestation_service],
      ])),
    h('ul', {class: 'features'}, (Array.isArray(d.features) ? d.features : []).map((f) => h('li', null, f))));
}

async function container() {
  const r = await api('GET', '/container/info');
  if (!r.ok) {
    replace($('container-info'), box('warn', null, `Container information unavailable: ${r.data.message}`));
    return;
  }
  const c = r.data;
  const sev = c.sev_device || {};
  const skr = c.skr_status || {};
  replace($('container-info'),
    box('info', '🏷️ Container Identity', kvTable([
      ['Hostname', c.hostname], ['Container ID', c.container_id], ['OS', c.os?.pretty_name],
      ['Image', c.image], ['Image digest', h('span', {class: 'mono small'}, c.image_digest || '')],
    ])),
    box(skr.running ? 'ok' : 'fail', 'SKR Service Status',
      skr.running ? `✅ Running at ${skr.url}` : `❌ Not Running (${skr.url || 'no sidecar'})`),
    box(sev.available ? 'ok' : 'fail', 'AMD SEV-SNP Device',
      sev.available ? `${sev.device_path}` : 'Not found (no /dev/sev-guest)',
      h('p', {class: 'small'}, sev.explanation || '')));
}

export function initInfo(ctx) {
  deployment(ctx);
  container();
}
