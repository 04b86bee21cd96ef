// web/party/charts.js — small SVG bar charts for the analysis summary (no
// chart library: built with createElementNS, coloured by style.css).
//
//   barChart({title: 'Age groups', items: [{label: 'Gen Z', value: 21}], testid: 'chart-generations'})
import {h, s} from './dom.js';

const WIDTH = 420;
const ROW = 24;
const VALUE = 46;

export function barChart({title, items, testid, unit = ''}) {
  const rows = items.filter((i) => typeof i.value === 'number');
  const max = Math.max(1, ...rows.map((i) => i.value));
  const height = rows.length * ROW + 4;
  // The label column fits the longest label (about 6.3 px a character at 11 px).
  const labelWidth = Math.min(220, Math.max(60, Math.max(...rows.map((i) => String(i.label).length), 0) * 6.3 + 10));
  const barSpace = WIDTH - labelWidth - VALUE;
  const chart = s('svg', {
    class: 'chart', viewBox: `0 0 ${WIDTH} ${height}`, role: 'img',
    'aria-label': title, preserveAspectRatio: 'xMinYMin meet',
  },
  rows.map((item, i) => {
    const y = i * ROW + 2;
    const w = Math.max(2, (barSpace * item.value) / max);
    return s('g', {class: `chart-row chart-row-${i % 6}`, 'data-label': item.label, 'data-value': item.value},
      s('text', {class: 'chart-label', x: labelWidth - 6, y: y + ROW / 2 + 4, 'text-anchor': 'end'}, item.label),
      s('rect', {class: 'chart-bar', x: labelWidth, y: y + 3, width: w.toFixed(1), height: ROW - 6, rx: 3}),
      s('text', {class: 'chart-value', x: labelWidth + w + 5, y: y + ROW / 2 + 4}, `${item.value}${unit}`));
  }));
  return h('figure', {class: 'chart-figure', 'data-testid': testid},
    h('figcaption', null, title), chart);
}
