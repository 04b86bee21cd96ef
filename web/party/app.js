// web/party/app.js — the party page's entry point (an ES module, loaded by
// index.html from /static/app.js; no inline script, per the page's CSP).
//
// 1. The operator token: #token=... from the four-pane view (kept in
//    sessionStorage, removed from the address bar), or the sign-in panel
//    (paste DIR/parties/<party>/operator-token) when there is none. A 401
//    anywhere clears it and shows the panel again.
// 2. GET /skr/config says who this page is (role: owner | analyst |
//    observer — never guessed from names or a timer) and how it looks.
// 3. Each section's module is started for the roles that have it.
import {api, onUnauthorized, storedToken, storeToken, takeTokenFromHash} from './api.js';
import {initAnalysis} from './analysis.js';
import {initAttestation} from './attestation.js';
import {applyBranding, setTeeStatus, startTimer} from './branding.js';
import {$, box, replace, show} from './dom.js';
import {initEncrypt} from './encrypt.js';
import {initGrants} from './grants.js';
import {initInfo} from './info.js';
import {initKeys, loadKeyStatus} from './keys.js';
import {initRecords} from './records.js';
import {initStorage} from './storage.js';
import {initWhatIf} from './whatif.js';

// Which sections each role has (others stay hidden).
const SECTIONS = {
  owner: ['sec-cross', 'sec-grants', 'sec-records'],
  analyst: ['sec-analysis'],
  observer: ['snooper-explainer', 'snooper-records-wrap'],
};
// Sections a role does not have although the others do.
const WITHOUT = {observer: ['sec-encrypt']};

async function showSignIn(reason) {
  show($('app'), false);
  show($('signin'), true);
  document.body.dataset.theme = 'signin';
  $('signin-error').textContent = reason || '';
  const health = await fetch('/health', {cache: 'no-store'}).then((r) => r.json()).catch(() => ({}));
  const party = typeof health.party === 'string' && /^[a-z0-9_-]+$/.test(health.party) ? health.party : '<party>';
  $('signin-party').textContent = party;
  $('signin-hint').textContent = `DIR/parties/${party}/operator-token`;
  $('signin-token').focus();
}

function signIn() {
  const token = $('signin-token').value.trim();
  if (!token) {
    $('signin-error').textContent = 'Paste the operator token first.';
    return;
  }
  storeToken(token);
  window.location.reload();
}

function roleOf(cfg) {
  if (['owner', 'analyst', 'observer'].includes(cfg.role)) return cfg.role;
  if (cfg.is_snooper) return 'observer';
  return cfg.is_woodgrove ? 'analyst' : 'owner';
}

async function start() {
  const r = await api('GET', '/skr/config');
  if (r.status === 401) return;  // the handler shows the sign-in panel
  if (!r.ok) {
    show($('app'), true);
    replace($('startup-error'), box('fail', '❌ This page cannot start', r.data.message || `HTTP ${r.status}`));
    return;
  }
  const cfg = r.data;
  const role = roleOf(cfg);
  const ctx = {cfg, role, state: {lastToken: '', keyReleased: false}, bus: new EventTarget(), setTeeStatus};
  document.body.dataset.role = role;
  applyBranding(cfg);
  setTeeStatus(null);
  for (const ids of Object.values(SECTIONS)) for (const id of ids) show($(id), false);
  for (const id of SECTIONS[role]) show($(id), true);
  for (const id of WITHOUT[role] || []) show($(id), false);
  show($('signin'), false);
  show($('app'), true);

  initAttestation(ctx);
  initKeys(ctx);
  initEncrypt(ctx);
  initStorage(ctx);
  initWhatIf(ctx);
  initInfo(ctx);
  if (role === 'owner') {
    initGrants(ctx);
    initRecords(ctx);
  }
  if (role === 'analyst') initAnalysis(ctx);
  await loadKeyStatus(ctx);
  document.body.dataset.ready = 'true';
}

function main() {
  startTimer();
  takeTokenFromHash();
  onUnauthorized((message) => showSignIn(`The token was refused (401): ${message}`));
  $('btn-signin').addEventListener('click', signIn);
  $('signin-token').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      signIn();
    }
  });
  if (!storedToken()) {
    showSignIn('');
    return;
  }
  start();
}

main();
