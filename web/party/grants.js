// web/party/grants.js — "🤝 Partner Access" on Contoso and Fabrikam: which
// analysts may release this company's key, with a button that withdraws
// (or restores) a grant live. After "Revoke Woodgrove Bank's access",
// Woodgrove's next partner release is refused by the release policy
// (its host_data is no longer admitted).
//
//   GET /grants -> {grants: [{analyst, display_name, granted}], can_revoke, key_name}
//   POST /grants/<analyst>/revoke | /restore -> the same shape (+ changed)
import {api} from './api.js';
import {$, badge, box, busy, h, replace} from './dom.js';
import {errorDetails} from './explain.js';

function render(ctx, data) {
  const grants = Array.isArray(data.grants) ? data.grants : [];
  const canChange = data.can_revoke !== false && ctx.cfg.can_revoke !== false;
  const list = $('grants-list');
  if (!grants.length) {
    replace(list, h('p', {class: 'note'}, 'No analyst is granted this key.'));
    return;
  }
  replace(list, grants.map((g) => {
    const name = g.display_name || g.analyst;
    const revoke = h('button', {id: `btn-revoke-${g.analyst}`, class: 'btn btn-danger', type: 'button'},
      `⛔ Revoke ${name}'s access`);
    const restore = h('button', {id: `btn-restore-${g.analyst}`, class: 'btn btn-success', type: 'button'},
      `♻️ Restore ${name}'s access`);
    revoke.hidden = !g.granted;
    restore.hidden = g.granted;
    revoke.disabled = !canChange;
    restore.disabled = !canChange;
    revoke.addEventListener('click', () => change(ctx, g, 'revoke', revoke));
    restore.addEventListener('click', () => change(ctx, g, 'restore', restore));
    return h('div', {class: 'grant-row', 'data-testid': `grant-${g.analyst}`, 'data-granted': String(g.granted)},
      h('div', {class: 'grant-name'}, `🏦 ${name}`),
      h('div', {id: `grant-state-${g.analyst}`, class: 'grant-state'},
        g.granted ? badge(`✅ ${name} may release ${ctx.cfg.company_name}'s key (when attested)`, 'ok')
          : badge(`⛔ ${name}'s access is revoked`, 'fail')),
      h('div', {class: 'actions'}, revoke, restore),
      canChange ? null : h('p', {class: 'small'}, 'This deployment does not let the key owner change grants.'));
  }));
}

async function change(ctx, grant, action, button) {
  const name = grant.display_name || grant.analyst;
  const r = await busy(button, action === 'revoke' ? '⛔ Revoking...' : '♻️ Restoring...',
    () => api('POST', `/grants/${encodeURIComponent(grant.analyst)}/${action}`));
  if (!r.ok) {
    replace($('grants-result'), box('fail', `❌ Could not ${action} ${name}'s access`, errorDetails(r.data)));
    return;
  }
  render(ctx, r.data);
  replace($('grants-result'), h('p', {class: 'note', 'data-testid': 'grants-message'},
    action === 'revoke'
      ? `${name}'s grant is withdrawn: its next release of ${ctx.cfg.company_name}'s key will be denied.`
      : `${name}'s grant is restored: its next release of ${ctx.cfg.company_name}'s key can succeed.`));
}

export async function initGrants(ctx) {
  const r = await api('GET', '/grants');
  if (!r.ok) {
    replace($('grants-list'), box('warn', null, `Grants are not available: ${r.data.message || r.status}`));
    return;
  }
  render(ctx, r.data);
}
