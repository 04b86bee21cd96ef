// web/party/explain.js — how a failure, a denial and a key release's timing
// are shown, wherever they occur (attestation, own release, partner release,
// cross-company attempt, what-if).
//
//   errorDetails(data)   message, "🔍 Failure Reason:", "💡 Diagnosis:", the
//                        sidecar's answer and the note (seed-app.md 9.3); never logs
//   denialView(data)     "Denied by: identity (access policy)" vs "Denied by:
//                        attestation (release policy)", and the failed clauses
//                        (claim / expected / actual / reason)
//   clausesTable(ev)     an evaluation's failedClauses (claim / expected / actual /
//                        reason, one small table each: readable in a narrow pane),
//                        authority mismatches, token errors
//   timingsView(t)       time per step of a release (transfer key, report, token,
//                        identity, vault, unwrap, total) as a small bar table
import {box, h, kvTable} from './dom.js';

const LAYERS = {
  device: {
    who: 'no TEE (no attestation = no key)',
    why: 'This container has no AMD SEV-SNP guest device, so it cannot produce an attestation ' +
      'report; without an attestation token the vault releases nothing.',
  },
  access_policy: {
    who: 'identity (access policy)',
    why: 'The managed identity that asked has no access policy on this Key Vault: the vault ' +
      'refused before looking at any attestation.',
  },
  attestation_token: {
    who: 'attestation (token refused)',
    why: 'The vault did not accept the attestation token (signature, issuer or lifetime).',
  },
  release_policy: {
    who: 'attestation (release policy)',
    why: "The identity may release the key, but the attestation token's claims do not satisfy " +
      "the key's release policy.",
  },
  key: {
    who: 'key (not releasable)',
    why: 'The key cannot be released: not found, not exportable, or disabled.',
  },
};

function show(value) {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function clausesTable(evaluation) {
  if (!evaluation || typeof evaluation !== 'object') return null;
  const clauses = Array.isArray(evaluation.failedClauses) ? evaluation.failedClauses : [];
  const mismatches = Array.isArray(evaluation.authorityMismatches) ? evaluation.authorityMismatches : [];
  const tokenErrors = Array.isArray(evaluation.tokenErrors) ? evaluation.tokenErrors : [];
  return h('div', {class: 'clauses', 'data-testid': 'clauses'},
    clauses.map((c) => h('table', {class: 'kv clause', 'data-testid': 'failed-clause', 'data-claim': c.claim || ''},
      h('tbody', null,
        h('tr', null, h('th', null, 'Claim'), h('td', {class: 'mono claim'}, show(c.claim))),
        h('tr', null, h('th', null, 'Expected'),
          h('td', {class: 'mono expected'}, `${show(c.operator)} ${show(c.expected)}`)),
        h('tr', null, h('th', null, 'Actual'), h('td', {class: 'mono actual'}, c.missing ? '(missing)' : show(c.actual))),
        h('tr', null, h('th', null, 'Reason'), h('td', null, show(c.reason))),
        h('tr', null, h('th', null, 'Clause'), h('td', {class: 'mono small'}, show(c.path)))))),
    mismatches.length ? h('div', null, h('b', null, 'Authority mismatches: '),
      h('ul', null, mismatches.map((m) => h('li', {class: 'mono'},
        `${m.path}: authority ${m.authority} ≠ token issuer ${m.issuer}`)))) : null,
    tokenErrors.length ? h('div', null, h('b', null, 'Token errors: '),
      h('ul', null, tokenErrors.map((e) => h('li', null, show(e))))) : null);
}

// Why a key release was refused, or null when the answer says nothing.
export function denialView(data) {
  if (!data || typeof data !== 'object') return null;
  const reason = data.vault_reason && typeof data.vault_reason === 'object' ? data.vault_reason : null;
  const layer = data.step === 'device' ? 'device' : reason?.layer;
  if (!layer) return null;
  const info = LAYERS[layer] || {who: layer, why: ''};
  return h('div', {class: `denial denial-${layer}`, 'data-testid': 'denial', 'data-layer': layer},
    h('div', {class: 'denial-who'}, `Denied by: ${info.who}`),
    info.why ? h('p', {class: 'denial-why'}, info.why) : null,
    reason?.message ? h('p', {class: 'mono small'}, reason.message) : null,
    reason?.code ? h('p', {class: 'small'}, `Vault error code: ${reason.code}`) : null,
    clausesTable(reason?.evaluation));
}

// Failure reason, diagnosis, the sidecar's answer and the note.
export function errorDetails(data) {
  if (!data || typeof data !== 'object') return null;
  const d = data.diagnosis && typeof data.diagnosis === 'object' ? data.diagnosis : null;
  return h('div', {class: 'error-details'},
    data.message ? h('p', {class: 'error-message', 'data-testid': 'error-message'}, h('b', null, 'Error: '), data.message) : null,
    data.failure_reason ? box('fail', '🔍 Failure Reason:',
      h('span', {'data-testid': 'failure-reason'}, data.failure_reason)) : null,
    d ? box('warn', '💡 Diagnosis:', kvTable([
      ['Likely Cause', d.likely_cause], ['Detail', d.detail || d.explanation],
      ['Solution', d.solution], ['SKU', d.sku],
    ]), d.command ? h('code', {class: 'command-chip'}, d.command) : null) : null,
    data.sidecar_response ? h('div', {class: 'sidecar-response'},
      h('b', null, `Sidecar Response (Status ${data.sidecar_status_code ?? '?'}):`),
      h('pre', {class: 'code-box small wrap'}, String(data.sidecar_response))) : null,
    data.note ? h('p', {class: 'note'}, data.note) : null);
}

const STEPS = [
  ['transfer_key', 'transfer key'], ['report', 'SNP report'], ['token', 'MAA token'], ['identity', 'identity token'],
  ['vault', 'vault release'], ['unwrap', 'unwrap'],
];

// The time per step of a key release ({transfer_key, report, token,
// identity, vault, unwrap, total} in ms; only the steps that ran).
export function timingsView(timings) {
  if (!timings || typeof timings !== 'object') return null;
  const steps = STEPS.filter(([k]) => typeof timings[k] === 'number');
  if (!steps.length && typeof timings.total !== 'number') return null;
  const total = typeof timings.total === 'number' ? timings.total
    : steps.reduce((a, [k]) => a + timings[k], 0);
  const scale = Math.max(total, ...steps.map(([k]) => timings[k]), 1);
  const row = (key, label, ms) => {
    const bar = h('span', {class: `timing-bar timing-${key}`});
    bar.style.width = `${Math.max(1, (100 * ms) / scale).toFixed(1)}%`;
    return h('tr', {'data-step': key},
      h('th', null, label), h('td', {class: 'timing-cell'}, bar), h('td', {class: 'num'}, `${ms.toFixed(1)} ms`));
  };
  return h('div', {class: 'timings', 'data-testid': 'timings'},
    h('div', {class: 'box-title'}, '⏱️ Time per step'),
    h('table', {class: 'timings-table'}, h('tbody', null,
      steps.map(([k, label]) => row(k, label, timings[k])),
      row('total', 'total', total))));
}
