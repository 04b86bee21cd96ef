// web/party/summary.js — "📊 Aggregate Demographics Summary": the
// `complete` event of /partner/analyze-stream (seed-app.md 8.3) as cards,
// tables and bar charts (age groups, countries, top cities, eye colours).
import {barChart} from './charts.js';
import {h, money, table} from './dom.js';

function card(label, value, testid, kind = '') {
  return h('div', {class: `stat-card ${kind}`, 'data-testid': testid},
    h('div', {class: 'stat-value'}, value), h('div', {class: 'stat-label'}, label));
}

const MEDALS = ['🥇', '🥈', '🥉'];

// The partners' display names, in the configured order.
function partnerNames(ctx, ev) {
  const names = Object.values(ctx.cfg.partner_configs || {}).map((p) => p.name).filter(Boolean);
  return names.length ? names : Object.keys(ev.avg_salaries || {}).filter((k) => k !== 'Combined');
}

function count(ev, name) {
  const key = `${name.toLowerCase().split(' ')[0]}_count`;
  if (typeof ev[key] === 'number') return ev[key];
  return ev.company_staff?.[name] ?? 0;
}

// Every city of the top countries, ranked (ties keep first-seen order).
function topCities(countries) {
  const cities = [];
  for (const c of countries) {
    for (const city of c.top_cities || []) cities.push({label: `${city.city} (${c.country})`, value: city.count});
  }
  return cities.map((c, i) => ({...c, i})).sort((a, b) => b.value - a.value || a.i - b.i).slice(0, 10);
}

export function renderSummary(ctx, ev) {
  const names = partnerNames(ctx, ev);
  const countries = Array.isArray(ev.top_10_countries) ? ev.top_10_countries : [];
  const generations = Array.isArray(ev.generations) ? ev.generations : [];
  const eyes = ev.eye_colors || {};
  const favourites = Array.isArray(ev.top_3_favorite_colors) ? ev.top_3_favorite_colors : [];
  const salaries = ev.avg_salaries || {};
  const suppressed = Object.entries(ev.suppressed || {}).filter(([, n]) => n > 0);
  return h('div', {class: 'summary', 'data-testid': 'analysis-summary'},
    h('h3', null, '📊 Aggregate Demographics Summary'),
    h('div', {class: 'stat-row'},
      names.map((n) => card(`${n} Staff`, String(count(ev, n)), `staff-${n.toLowerCase().split(' ')[0]}`)),
      card('Total Combined', String(ev.total_count ?? 0), 'staff-total', 'total')),
    h('div', {class: 'stat-row'},
      names.map((n) => card(`${n} Avg`, money(salaries[n]), `salary-${n.toLowerCase().split(' ')[0]}`, 'salary')),
      card('Combined Avg', money(salaries.Combined), 'salary-combined', 'salary total')),
    h('h4', null, '👥 Workforce by Generation'),
    h('div', {class: 'tiles', 'data-testid': 'generation-tiles'}, generations.map((g, i) =>
      h('div', {class: `tile tile-${i % 6}`, 'data-generation': g.generation},
        h('div', {class: 'tile-value'}, String(g.count)), h('div', {class: 'tile-label'}, g.generation)))),
    h('div', {class: 'charts'},
      barChart({title: 'Age groups (generation)', testid: 'chart-generations',
        items: generations.map((g) => ({label: g.generation, value: g.count}))}),
      barChart({title: 'Staff by country (top 10)', testid: 'chart-countries',
        items: countries.map((c) => ({label: c.country, value: c.count}))}),
      barChart({title: 'Top cities', testid: 'chart-cities', items: topCities(countries)}),
      barChart({title: 'Eye colours', testid: 'chart-eyes',
        items: (eyes.all || []).map((e) => ({label: e.color, value: e.count}))})),
    h('div', {class: 'stat-row'},
      card('👁️ Most Common Eye Colour', `${eyes.most_common?.color ?? 'N/A'} (${eyes.most_common?.count ?? 0})`, 'eye-most'),
      card('👁️ Least Common Eye Colour', `${eyes.least_common?.color ?? 'N/A'} (${eyes.least_common?.count ?? 0})`, 'eye-least')),
    h('h4', null, '🎨 Top 3 Favourite Colours'),
    h('div', {class: 'stat-row', 'data-testid': 'favourite-colours'}, favourites.map((f, i) =>
      card(`${MEDALS[i] || ''} ${f.count} people`, f.color, `favourite-${i + 1}`))),
    h('h4', null, '🌍 Top 10 Countries (with Top 3 Cities)'),
    table(['Rank', 'Country', 'Staff', 'Top 3 Cities'], countries.map((c, i) =>
      h('tr', {'data-country': c.country},
        h('td', null, `#${i + 1}`), h('td', null, `🌍 ${c.country}`), h('td', {class: 'num'}, String(c.count)),
        h('td', null, (c.top_cities || []).map((t) => `${t.city} (${t.count})`).join(', ')))),
    {'data-testid': 'countries-table'}),
    suppressed.length ? h('p', {class: 'note'}, `Groups smaller than ${ev.min_group_size} are suppressed: ` +
      suppressed.map(([k, n]) => `${k} ${n}`).join(', ')) : null);
}
