// web/party/analysis.js — "📊 Partner Demographic Analysis" (Woodgrove
// only; seed-app.md 8.1 and 9.3 item 5).
//
// "Start Partner Demographic Analysis": for each partner in /skr/config's
// partner_configs, POST /skr/release-partner (its card shows ⏳, then ✅ or
// ❌ with why and the time per step), then read /partner/analyze-stream
// (fetch + stream reader, since it needs the Authorization header): status,
// fetch, progress, error and complete events drive the progress panel, the
// log and the summary.
import {api, streamEvents} from './api.js';
import {$, busy, h, replace} from './dom.js';
import {denialView, errorDetails, timingsView} from './explain.js';
import {renderSummary} from './summary.js';

const PHASE_ICONS = {fetch: '📥', decrypt: '🔐', analyze: '📊'};

function partners(ctx) {
  return Object.entries(ctx.cfg.partner_configs || {}).map(([id, p]) => ({...p, id, name: p.name || id}));
}

function log(line, kind = '') {
  const el = $('analysis-log');
  el.appendChild(h('div', {class: `log-line ${kind}`}, `${new Date().toLocaleTimeString()}  ${line}`));
  el.scrollTop = el.scrollHeight;
}

function setCard(p, state, text, ...details) {
  const card = $(`partner-card-${p.id}`);
  card.dataset.state = state;
  $(`partner-status-${p.id}`).textContent = text;
  replace($(`partner-detail-${p.id}`), ...details);
}

async function releasePartner(p) {
  setCard(p, 'loading', '⏳ Requesting key release...');
  const r = await api('POST', '/skr/release-partner', {partner: p.id});
  if (r.ok) {
    setCard(p, 'ok', '✅ Key released successfully',
      h('p', {class: 'small'}, r.data.note || ''), timingsView(r.data.timings_ms));
    log(`🔑 ${p.name}: key released (${r.data.key_name}, version ${r.data.key_version || '?'})`, 'ok');
  } else {
    setCard(p, 'fail', `❌ ${r.data.message || `HTTP ${r.status}`}`,
      denialView(r.data), errorDetails({...r.data, message: null}), timingsView(r.data.timings_ms));
    log(`❌ ${r.data.message || 'key release failed'}${r.data.failure_reason ? `: ${r.data.failure_reason}` : ''}`, 'fail');
  }
  return r.ok;
}

function progress(ev) {
  const pct = typeof ev.percent === 'number' ? ev.percent : 0;
  $('analysis-status-text').textContent = 'Decrypting records...';
  $('analysis-percent').textContent = `${pct.toFixed(1)}%`;
  $('analysis-bar').style.width = `${Math.min(100, pct)}%`;
  $('analysis-count').textContent = `${ev.decrypted} / ${ev.total} records`;
  $('analysis-time').textContent = `Elapsed: ${ev.elapsed}s | Remaining: ~${ev.remaining}s`;
  $('analysis-partner').textContent = `🔐 Decrypting ${ev.current_partner} records...`;
}

function finish(ctx, ev) {
  replace($('analysis-summary'), renderSummary(ctx, ev));
  const errors = Array.isArray(ev.errors) ? ev.errors : [];
  replace($('analysis-message'), h('div', {class: 'box box-ok', 'data-testid': 'analysis-done'},
    `✓ Partner analysis complete! Successfully decrypted and analyzed ${ev.total_count} records in ` +
    `${ev.total_time} seconds.`,
    errors.length ? h('div', null, h('b', null, 'Notes:'), h('ul', null, errors.map((e) => h('li', null, e)))) : null));
  $('analysis-status-text').textContent = 'Analysis complete';
  $('analysis-partner').textContent = '';
  log(`✓ Analysis complete: ${ev.total_count} records`, 'ok');
}

function failed(message, errors = []) {
  replace($('analysis-message'), h('div', {class: 'box box-fail', 'data-testid': 'analysis-failed'}, message,
    errors.length ? h('ul', null, errors.map((e) => h('li', null, e))) : null));
  $('analysis-status-text').textContent = message;
  log(`❌ ${message}`, 'fail');
}

async function run(ctx) {
  for (const id of ['analysis-log', 'analysis-summary', 'analysis-message']) replace($(id));
  $('analysis-progress').hidden = false;
  $('analysis-status-text').textContent = 'Initializing...';
  $('analysis-percent').textContent = '0%';
  $('analysis-bar').style.width = '0%';
  $('analysis-count').textContent = '';
  $('analysis-time').textContent = '';
  $('analysis-partner').textContent = '';
  for (const p of partners(ctx)) setCard(p, 'idle', '⏳ Not started');
  for (const p of partners(ctx)) await releasePartner(p);
  let outcome = null;
  const stream = await streamEvents('/partner/analyze-stream', (ev) => {
    switch (ev.type) {
      case 'status':
        $('analysis-status-text').textContent = ev.message;
        log(`${PHASE_ICONS[ev.phase] || 'ℹ️'} ${ev.message}`);
        break;
      case 'fetch':
        log(`✓ Found ${ev.count} encrypted records from ${ev.partner}`, 'ok');
        break;
      case 'progress':
        progress(ev);
        break;
      case 'complete':
        outcome = 'complete';
        finish(ctx, ev);
        break;
      case 'error':
        outcome = 'error';
        failed(`Analysis failed: ${ev.message}`, Array.isArray(ev.errors) ? ev.errors : []);
        break;
      default:
        break;
    }
  });
  if (!outcome) {
    failed(stream.ok ? 'Connection error: the stream ended without a result.'
      : 'Connection error: Lost connection to server.');
  }
}

export function initAnalysis(ctx) {
  const cards = $('partner-cards');
  replace(cards, partners(ctx).map((p) => h('div', {
    class: 'partner-card', id: `partner-card-${p.id}`, 'data-testid': `partner-card-${p.id}`, 'data-state': 'idle',
  },
  h('div', {class: 'partner-title'}, `${p.name} Key`),
  h('div', {class: 'small mono'}, `${p.key_name} @ ${p.akv_endpoint}`),
  h('div', {id: `partner-status-${p.id}`, class: 'partner-status'}, '⏳ Not started'),
  h('div', {id: `partner-detail-${p.id}`, class: 'partner-detail'}))));
  const start = $('btn-analysis-start');
  start.addEventListener('click', () => busy(start, '📊 Analyzing Partner Data', () => run(ctx)));
}
