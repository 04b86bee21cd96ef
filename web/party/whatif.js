// web/party/whatif.js — "⚖️ Release Policy What-If": would a vault release a
// key with this release policy to the holder of this attestation token?
//
//   GET /policy/release  -> {key_name, vault, policy}  (prefills the policy)
//   POST /policy/what-if {token?, policy?} -> {decision, satisfiedBy?,
//        failedClauses, authorityMismatches, tokenErrors, signature_checked}
//
// The token box is prefilled with this party's last MAA token (the
// attestation section's "token" event); an empty box lets the server use
// that same token. Paste another party's policy (e.g. Contoso's into
// Woodgrove's panel) to see which clause decides.
import {api} from './api.js';
import {$, badge, box, busy, h, replace} from './dom.js';
import {clausesTable, errorDetails} from './explain.js';

async function loadPolicy() {
  const r = await api('GET', '/policy/release');
  if (!r.ok) {
    $('whatif-policy-source').textContent = `Release policy unavailable: ${r.data.message || r.status}`;
    return;
  }
  $('whatif-policy').value = JSON.stringify(r.data.policy, null, 2);
  $('whatif-policy-source').textContent = `Release policy of ${r.data.key_name} in ${r.data.vault}`;
}

async function evaluate(button) {
  const out = $('whatif-result');
  const body = {};
  const token = $('whatif-token').value.trim();
  const policyText = $('whatif-policy').value.trim();
  if (token) body.token = token;
  if (policyText) {
    try {
      body.policy = JSON.parse(policyText);
    } catch (e) {
      replace(out, box('fail', '❌ The policy is not valid JSON', e.message));
      return;
    }
  }
  const r = await busy(button, '⚖️ Evaluating...', () => api('POST', '/policy/what-if', body));
  if (!r.ok) {
    replace(out, box('fail', '❌ Cannot evaluate', errorDetails(r.data)));
    out.dataset.decision = 'error';
    return;
  }
  const d = r.data;
  const release = d.decision === 'release';
  out.dataset.decision = d.decision;
  replace(out,
    badge(release ? '✅ Decision: release' : '⛔ Decision: deny', release ? 'ok' : 'fail', 'whatif-decision'),
    release && d.satisfiedBy !== undefined
      ? h('p', null, h('b', null, 'Satisfied by: '), h('span', {class: 'mono'},
        typeof d.satisfiedBy === 'string' ? d.satisfiedBy : JSON.stringify(d.satisfiedBy))) : null,
    release ? null : clausesTable(d),
    h('p', {class: 'note'}, d.signature_checked === false
      ? "Claims only: the token's signature, issuer and lifetime are not checked here (the vault checks them)."
      : ''));
}

export function initWhatIf(ctx) {
  const tokenBox = $('whatif-token');
  let autofilled = true;
  tokenBox.addEventListener('input', () => { autofilled = false; });
  ctx.bus.addEventListener('token', (e) => {
    if (autofilled || !tokenBox.value.trim()) {
      tokenBox.value = e.detail;
      autofilled = true;
    }
  });
  const evaluateButton = $('btn-whatif-evaluate');
  evaluateButton.addEventListener('click', () => evaluate(evaluateButton));
  const reset = $('btn-whatif-reset');
  reset.addEventListener('click', () => busy(reset, '↺ Loading...', loadPolicy));
  loadPolicy();
}
