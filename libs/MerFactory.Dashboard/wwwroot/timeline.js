// The AU-intensity timeline as SVG: one line per AU that reaches the threshold (or the top three), the threshold,
// every detected peak and the overall peak.
import { esc } from './app.js';

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

export function timelineSvg(au, threshold, peakTimes, overallPeak) {
  if (au.times.length < 2) return intensityBars(au, threshold);
  const W = 800, H = 180, pad = 20;
  const t0 = au.times[0] ?? 0, t1 = au.times[au.times.length - 1] ?? 1;
  const maxOf = s => Math.max(...s.values);
  let shown = au.series.filter(s => maxOf(s) >= threshold);
  if (shown.length === 0) shown = [...au.series].sort((a, b) => maxOf(b) - maxOf(a)).slice(0, 3);
  shown = shown.slice(0, COLORS.length);
  const vmax = Math.max(threshold * 1.2, ...shown.map(maxOf), 1);
  const x = t => pad + (t - t0) / Math.max(1e-9, t1 - t0) * (W - 2 * pad);
  const y = v => H - pad - v / vmax * (H - 2 * pad);
  const lines = shown.map((s, i) => `<polyline fill="none" stroke="${COLORS[i]}" stroke-width="1.5" data-au="${esc(s.au)}"
      points="${s.values.map((v, k) => `${x(au.times[k]).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}"/>`).join('');
  const peaks = (peakTimes || []).map(t => `<line class="peak" x1="${x(t)}" x2="${x(t)}" y1="${pad}" y2="${H - pad}" stroke="#e0383e" stroke-dasharray="3 3"/>`).join('');
  const overall = overallPeak != null ? `<line id="overall-peak-line" x1="${x(overallPeak)}" x2="${x(overallPeak)}" y1="${pad - 8}" y2="${H - pad}" stroke="#e0383e" stroke-width="2.5"/>` : '';
  return `<svg class="timeline" viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" data-t0="${t0}" data-t1="${t1}">
      <line id="threshold-line" x1="${pad}" x2="${W - pad}" y1="${y(threshold)}" y2="${y(threshold)}" stroke="#888" stroke-dasharray="6 4"/>
      ${lines}${peaks}${overall}
      <text x="${pad}" y="${H - 4}" font-size="11">${t0.toFixed(1)}s</text><text x="${W - pad - 30}" y="${H - 4}" font-size="11">${t1.toFixed(1)}s</text>
    </svg>
    <div class="legend">${shown.map((s, i) => `<span style="color:${COLORS[i]}">■ ${esc(s.au)}</span>`).join('')}<span>– – threshold</span><span style="color:#e0383e">| peaks</span></div>`;
}

/** One frame (an image): each AU's intensity as a bar against the threshold, strongest first. */
function intensityBars(au, threshold) {
  const rows = au.series.map(s => ({ au: s.au, v: s.values[0] ?? 0 })).filter(r => r.v > 0).sort((a, b) => b.v - a.v).slice(0, 12);
  const W = 800, row = 18, pad = 60, H = Math.max(1, rows.length) * row + 20;
  const vmax = Math.max(threshold * 1.2, ...rows.map(r => r.v), 1);
  const x = v => pad + v / vmax * (W - pad - 40);
  const bars = rows.map((r, i) => `<text x="4" y="${i * row + 13}" font-size="11">${esc(r.au)}</text>
      <rect data-au="${esc(r.au)}" x="${pad}" y="${i * row + 3}" width="${(x(r.v) - pad).toFixed(1)}" height="${row - 6}" fill="${r.v >= threshold ? COLORS[1] : COLORS[0]}"/>
      <text x="${(x(r.v) + 4).toFixed(1)}" y="${i * row + 13}" font-size="11">${r.v.toFixed(2)}</text>`).join('');
  return `<svg class="timeline bars" viewBox="0 0 ${W} ${H}" data-frames="1">
      ${bars}<line id="threshold-line" x1="${x(threshold)}" x2="${x(threshold)}" y1="0" y2="${H - 16}" stroke="#888" stroke-dasharray="6 4"/>
    </svg>
    <div class="legend"><span>one frame: intensity per AU</span><span>– – threshold</span></div>`;
}
