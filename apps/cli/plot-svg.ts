/**
 * @file A small dependency-free SVG line plot (axes, "nice" ticks, grid, legend) for the training
 * curves of a run folder. Non-finite points (a diverged loss) break the line instead of sending it
 * to infinity; a flat series gets a padded range so it is drawn mid-panel rather than on an edge.
 */

export interface Series {
  name: string;
  values: readonly number[];
  /** CSS colour (default from a colour-blind-safe palette). */
  color?: string;
  /** Dashed line (e.g. for validation curves). */
  dashed?: boolean;
}

export interface PanelOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** x value of each point (default 1, 2, 3, ...: epochs). */
  x?: readonly number[];
  width?: number;
  height?: number;
}

/** Okabe-Ito colours: distinguishable with the common colour-vision deficiencies. */
const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9'];
const MARGIN = { left: 58, right: 16, top: 30, bottom: 44 };

/** Escapes text for SVG content and attributes. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Up to 4 significant digits without trailing zeros: 0.25, 1200, 1.5e-5. */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(1).replace('.0e', 'e');
  return String(Number(v.toPrecision(4)));
}

/**
 * About `count` evenly spaced round values covering [lo, hi] (steps 1, 2, 2.5 or 5 times a power of
 * ten), with the range widened to the outer ticks. `integer` keeps steps >= 1 (epoch axes).
 */
export function niceTicks(lo: number, hi: number, count = 5, integer = false): { lo: number; hi: number; ticks: number[] } {
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) return { lo: 0, hi: 1, ticks: [0, 0.5, 1] };
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  let step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  if (integer) step = Math.max(1, Math.round(step));
  const start = Math.floor(lo / step + 1e-9) * step;
  const end = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0; start + i * step <= end + step * 1e-9; i++) ticks.push(Number((start + i * step).toPrecision(12)));
  return { lo: start, hi: end, ticks };
}

/** Path data for one series, split at non-finite values. */
function pathData(xs: readonly number[], ys: readonly number[], sx: (v: number) => number, sy: (v: number) => number): string {
  let d = '';
  let pen = false;
  for (let i = 0; i < ys.length; i++) {
    const y = ys[i]!;
    const x = xs[i]!;
    if (!Number.isFinite(y) || !Number.isFinite(x)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${sx(x).toFixed(2)},${sy(y).toFixed(2)}`;
    pen = true;
  }
  return d;
}

/** One panel as an SVG `<g>` of size width x height (translate it to place it). */
export function panel(opts: PanelOptions): string {
  const W = opts.width ?? 420;
  const H = opts.height ?? 300;
  const n = Math.max(0, ...opts.series.map((s) => s.values.length));
  const xs = opts.x ?? Array.from({ length: n }, (_, i) => i + 1);
  const finite = opts.series.flatMap((s) => s.values.filter(Number.isFinite));
  const xr = niceTicks(Math.min(...xs, Infinity) === Infinity ? 0 : Math.min(...xs), xs.length ? Math.max(...xs) : 1, 6, true);
  const yr = niceTicks(finite.length ? Math.min(...finite) : 0, finite.length ? Math.max(...finite) : 1, 5);
  const px0 = MARGIN.left;
  const px1 = W - MARGIN.right;
  const py0 = H - MARGIN.bottom;
  const py1 = MARGIN.top;
  const sx = (v: number): number => px0 + ((v - xr.lo) / (xr.hi - xr.lo)) * (px1 - px0);
  const sy = (v: number): number => py0 - ((v - yr.lo) / (yr.hi - yr.lo)) * (py0 - py1);
  const out: string[] = [];
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${W / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(opts.title)}</text>`);
  for (const t of yr.ticks) {
    const y = sy(t).toFixed(2);
    out.push(`<line x1="${px0}" x2="${px1}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${px0 - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="11">${escapeXml(formatTick(t))}</text>`);
  }
  for (const t of xr.ticks) {
    const x = sx(t).toFixed(2);
    out.push(`<line x1="${x}" x2="${x}" y1="${py0}" y2="${py0 + 5}" stroke="#333333"/>`);
    out.push(`<text x="${x}" y="${py0 + 18}" text-anchor="middle" font-size="11">${escapeXml(formatTick(t))}</text>`);
  }
  out.push(`<line x1="${px0}" x2="${px1}" y1="${py0}" y2="${py0}" stroke="#333333"/>`);
  out.push(`<line x1="${px0}" x2="${px0}" y1="${py0}" y2="${py1}" stroke="#333333"/>`);
  out.push(`<text x="${(px0 + px1) / 2}" y="${H - 8}" text-anchor="middle" font-size="12">${escapeXml(opts.xLabel)}</text>`);
  out.push(`<text transform="translate(14 ${(py0 + py1) / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escapeXml(opts.yLabel)}</text>`);
  opts.series.forEach((s, i) => {
    const color = escapeXml(s.color ?? PALETTE[i % PALETTE.length]!);
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    const d = pathData(xs, s.values, sx, sy);
    if (d) out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${dash}><title>${escapeXml(s.name)}</title></path>`);
    // Legend, top right inside the plot area.
    const ly = py1 + 12 + i * 16;
    out.push(`<line x1="${px1 - 110}" x2="${px1 - 88}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${px1 - 82}" y="${ly}" dominant-baseline="middle" font-size="11">${escapeXml(s.name)}</text>`);
  });
  return `<g>${out.join('')}</g>`;
}

/** A standalone SVG document with the panels side by side. */
export function svgRow(panels: readonly PanelOptions[]): string {
  const widths = panels.map((p) => p.width ?? 420);
  const height = Math.max(0, ...panels.map((p) => p.height ?? 300));
  let x = 0;
  const groups = panels.map((p, i) => {
    const g = `<g transform="translate(${x} 0)">${panel(p)}</g>`;
    x += widths[i]!;
    return g;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${x}" height="${height}" viewBox="0 0 ${x} ${height}" font-family="sans-serif">${groups.join('')}</svg>\n`;
}
