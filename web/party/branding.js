// web/party/branding.js — the page's look per party (seed-app.md 9.2), the
// header's TEE status line, and the elapsed-time pill.
//
// Branding comes from GET /skr/config "branding" {title, subtitle, icon,
// header_from, header_to, body_from, body_to, favicon_letter, favicon_color,
// theme}; colours go into CSS custom properties (CSSOM, allowed by the CSP),
// the theme into <body data-theme> (style.css knows contoso, fabrikam,
// woodgrove, snooper); empty members keep the defaults. The seed's table
// (seed-app.md 9.2) is in the deployment file (deploy/local.json).
import {$} from './dom.js';

const COLOR = /^#[0-9a-fA-F]{3,8}$/;

// Without branding in the answer: the CSS defaults, the company's name, and
// the attacker theme for the observer.
function defaults(cfg) {
  const observer = cfg.is_snooper || cfg.role === 'observer';
  return {title: cfg.company_name || 'Confidential Computing', icon: observer ? '🕵️' : '🔒',
    theme: observer ? 'snooper' : cfg.party, favicon_letter: (cfg.company_name || '?').slice(0, 1)};
}

function favicon(letter, color) {
  const l = /^[A-Za-z0-9]$/.test(letter || '') ? letter : '?';
  const c = COLOR.test(color || '') ? color : '#0078d4';
  const svg = "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 64 64'>" +
    `<rect width='64' height='64' rx='14' fill='${c}'/>` +
    "<text x='32' y='45' font-size='38' font-family='sans-serif' font-weight='bold' " +
    `text-anchor='middle' fill='white'>${l}</text></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

export function applyBranding(cfg) {
  const given = cfg.branding && typeof cfg.branding === 'object' ? cfg.branding : {};
  const b = defaults(cfg);
  for (const [k, v] of Object.entries(given)) if (typeof v === 'string' && v) b[k] = v;
  const root = document.documentElement.style;
  for (const k of ['header_from', 'header_to', 'body_from', 'body_to']) {
    if (COLOR.test(b[k] || '')) root.setProperty(`--${k.replace('_', '-')}`, b[k]);
  }
  document.body.dataset.theme = /^[a-z0-9-]{1,32}$/.test(b.theme || '') ? b.theme : 'default';
  $('brand-icon').textContent = b.icon || '🔒';
  $('brand-title').textContent = b.title || cfg.company_name || 'Confidential Computing';
  $('brand-subtitle').textContent = b.subtitle || '';
  document.title = `${b.title || cfg.company_name} - Confidential Computing`;
  $('favicon').setAttribute('href', favicon(b.favicon_letter, b.favicon_color));
  if (!cfg.is_confidential) $('header-kicker').textContent = '⚠️ Standard Azure Container Instances';
  return b;
}

// The header's line about the TEE: null = still checking.
export function setTeeStatus(attested) {
  const el = $('tee-status');
  el.classList.remove('tee-ok', 'tee-fail', 'tee-pending');
  if (attested === null) {
    el.classList.add('tee-pending');
    el.textContent = '⏳ Checking the Trusted Execution Environment...';
  } else if (attested) {
    el.classList.add('tee-ok');
    el.textContent = '✅ Running in AMD SEV-SNP Trusted Execution Environment';
  } else {
    el.classList.add('tee-fail');
    el.textContent = '⚠️ NOT running on confidential hardware - Attestation Failed';
  }
}

// "⏱️ mm:ss" since page load (hh:mm:ss after an hour).
export function startTimer() {
  const start = Date.now();
  const pill = $('timer');
  const pad = (n) => String(n).padStart(2, '0');
  const tick = () => {
    const t = Math.floor((Date.now() - start) / 1000);
    const hh = Math.floor(t / 3600);
    const mm = Math.floor((t % 3600) / 60);
    pill.textContent = `⏱️ ${hh ? `${pad(hh)}:` : ''}${pad(mm)}:${pad(t % 60)}`;
  };
  tick();
  setInterval(tick, 1000);
}
