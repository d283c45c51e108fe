// The trust-history plot: score (0–1000) over time as an SVG line with one point per
// snapshot, over the assessment bands of the trust model (alsorn.md §4).
const SVG = 'http://www.w3.org/2000/svg';
const BANDS = [
  {name: 'Verified', from: 900, to: 1000},
  {name: 'Trusted', from: 700, to: 900},
  {name: 'Caution', from: 400, to: 700},
  {name: 'High Risk', from: 0, to: 400},
];

function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) el.append(c);
  return el;
}

// history: snapshots {score, assessment, reason, created_at}, any order.
export function trustPlot(history) {
  const W = 720, H = 260, L = 48, R = 92, T = 12, B = 28;
  const pts = [...history].sort((a, b) => a.created_at.localeCompare(b.created_at));
  const times = pts.map((p) => Date.parse(p.created_at));
  let t0 = Math.min(...times), t1 = Math.max(...times);
  if (!pts.length) t0 = t1 = Date.now();
  if (t1 === t0) { t0 -= 3600e3; t1 += 3600e3; }
  const x = (t) => L + (W - L - R) * (t - t0) / (t1 - t0);
  const y = (v) => T + (H - T - B) * (1 - v / 1000);
  const svg = s('svg', {viewBox: `0 0 ${W} ${H}`, class: 'plot', role: 'img',
    'aria-label': `Trust score history, ${pts.length} points`});
  for (const b of BANDS) {
    svg.append(s('rect', {x: L, y: y(b.to), width: W - L - R, height: y(b.from) - y(b.to),
      class: 'band band-' + b.name.toLowerCase().replace(' ', '-')}));
    svg.append(s('text', {x: W - R + 6, y: (y(b.from) + y(b.to)) / 2 + 4, class: 'band-label'}, b.name));
  }
  for (const v of [0, 400, 700, 900, 1000]) {
    svg.append(s('line', {x1: L - 4, x2: L, y1: y(v), y2: y(v), class: 'axis'}));
    svg.append(s('text', {x: L - 8, y: y(v) + 4, class: 'tick', 'text-anchor': 'end'}, String(v)));
  }
  svg.append(s('line', {x1: L, x2: W - R, y1: H - B, y2: H - B, class: 'axis'}));
  const fmt = (t) => new Date(t).toISOString().slice(0, 16).replace('T', ' ');
  svg.append(s('text', {x: L, y: H - 8, class: 'tick'}, fmt(t0)));
  svg.append(s('text', {x: W - R, y: H - 8, class: 'tick', 'text-anchor': 'end'}, fmt(t1)));
  if (pts.length) {
    const d = pts.map((p, i) => `${i ? 'L' : 'M'}${x(times[i]).toFixed(1)},${y(p.score).toFixed(1)}`).join(' ');
    svg.append(s('path', {d, class: 'line'}));
    pts.forEach((p, i) => svg.append(s('circle', {cx: x(times[i]), cy: y(p.score), r: 4, class: 'point',
      'data-score': p.score}, s('title', {}, `${p.created_at}: ${p.score} ${p.assessment} (${p.reason})`))));
  }
  return svg;
}
