// The AU-intensity timeline as SVG: one line per AU that reaches the threshold (or the top three), the threshold,
// every detected peak and the overall peak.
import { esc } from './app.js';

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

export function timelineSvg(au, threshold, peakTimes, overallPeak) {
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
