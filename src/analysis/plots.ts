/**
 * @file Plots of analysis results as vector scenes (src/viz), rendered to SVG text or PNG bytes, so
 * the CLI's `plexus analyse` and users draw the same pictures: `linePlot` (linear or log axes, lines,
 * dashed lines, points, vertical markers: spectra, curves over training), `heatmap` (a labelled
 * matrix with a colour bar: CKA between layers) and `esdPlot` (a weight matrix's ESD on log-log
 * axes with its fitted power-law tail and the Marchenko–Pastur reference). New analyses (an NTK
 * eigen-spectrum, layer-rotation curves) are one `linePlot` call each.
 */
import { ValueError } from '../core/errors.js';
import { checkOptions } from '../core/args.js';
import type { Scene, Shape } from '../viz/scene.js';
import { sceneToSvg } from '../viz/svg.js';
import { rasterize } from '../viz/raster.js';
import { encodePng } from '../viz/png.js';
import { marchenkoPastur } from './spectra/marchenko-pastur.js';
import type { WeightSpectrum } from './spectra/index.js';

export interface LineSeries {
  name: string;
  x: readonly number[];
  y: readonly number[];
  /** 'line' (default), 'dashed' or 'points'. */
  style?: 'line' | 'dashed' | 'points';
  /** '#rrggbb' (default from the Okabe-Ito palette). */
  color?: string;
}

export interface LinePlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly LineSeries[];
  logX?: boolean;
  logY?: boolean;
  /** Vertical marker lines with a label (e.g. the MP bulk edge). */
  markers?: readonly { x: number; label: string }[];
  width?: number;
  height?: number;
}

const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];
const M = { left: 62, right: 16, top: 30, bottom: 44 };
const INK = '#333333';

/** Up to 4 significant digits: 0.25, 1200, 1e-5. */
export function formatNumber(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(0);
  return String(Number(v.toPrecision(4)));
}

/**
 * Round ticks covering [lo, hi]: 1-2-2.5-5 steps; on a log axis (lo, hi are log10 values) powers of
 * ten, with 2 and 5 times them when the range spans under two decades.
 */
function ticks(lo: number, hi: number, log: boolean): number[] {
  if (log) {
    const a = Math.floor(lo), b = Math.ceil(hi);
    if (b - a > 2) {
      const step = Math.max(1, Math.ceil((b - a) / 6));
      const out: number[] = [];
      for (let e = a; e <= b; e += step) out.push(e);
      return out;
    }
    const out: number[] = [];
    for (let e = a; e <= b; e++) for (const m of [1, 2, 5]) out.push(e + Math.log10(m));
    return out;
  }
  const raw = (hi - lo) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

/** [lo, hi] of the finite values, padded when flat. */
function range(v: number[]): [number, number] {
  const f = v.filter(Number.isFinite);
  if (!f.length) return [0, 1];
  let lo = Math.min(...f), hi = Math.max(...f);
  if (lo === hi) { const p = lo === 0 ? 1 : Math.abs(lo) * 0.1; lo -= p; hi += p; }
  return [lo, hi];
}

/**
 * A line plot as a scene. On a log axis, non-positive values are left out (a gap), as are
 * non-finite ones.
 * @example const svg = analysis.renderSvg(analysis.linePlot({ title: 'NTK spectrum', xLabel: 'k', yLabel: 'λ_k', logY: true, series: [{ name: 'λ', x, y }] }));
 */
export function linePlot(opts: LinePlotOptions): Scene {
  const o = checkOptions('linePlot', opts, ['title', 'xLabel', 'yLabel', 'series', 'logX', 'logY', 'markers', 'width', 'height']);
  const series: readonly LineSeries[] = o.series;
  if (!Array.isArray(series as unknown)) throw new ValueError('linePlot: series must be an array of { name, x, y }');
  const W = o.width ?? 480, H = o.height ?? 320;
  const tx = (v: number): number => (o.logX ? (v > 0 ? Math.log10(v) : NaN) : v);
  const ty = (v: number): number => (o.logY ? (v > 0 ? Math.log10(v) : NaN) : v);
  for (const s of series) if (s.x.length !== s.y.length) throw new ValueError(`linePlot: series ${JSON.stringify(s.name)} has ${s.x.length} x values and ${s.y.length} y values`);
  const [x0, x1] = range([...series.flatMap((s) => s.x.map(tx)), ...(o.markers ?? []).map((m) => tx(m.x))]);
  const [y0, y1] = range(series.flatMap((s) => s.y.map(ty)));
  const [px0, px1, py0, py1] = [M.left, W - M.right, H - M.bottom, M.top];
  const sx = (v: number): number => px0 + ((v - x0) / (x1 - x0)) * (px1 - px0);
  const sy = (v: number): number => py0 - ((v - y0) / (y1 - y0)) * (py0 - py1);
  const shapes: Shape[] = [];
  const text = (x: number, y: number, s: string, size: number, anchor: 'start' | 'middle' = 'middle'): void => { shapes.push({ kind: 'text', x, y, text: s, size, anchor, color: '#000000' }); };
  text(W / 2, 18, o.title, 14);
  const label = (t: number, log: boolean | undefined): string => formatNumber(log ? Number((10 ** t).toPrecision(6)) : t);
  for (const t of ticks(y0, y1, !!o.logY)) {
    if (t < y0 - 1e-9 || t > y1 + 1e-9) continue;
    shapes.push({ kind: 'line', x1: px0, x2: px1, y1: sy(t), y2: sy(t), width: 1, color: '#e5e5e5' });
    text(px0 - 30, sy(t) + 4, label(t, o.logY), 10);
  }
  for (const t of ticks(x0, x1, !!o.logX)) {
    if (t < x0 - 1e-9 || t > x1 + 1e-9) continue;
    shapes.push({ kind: 'line', x1: sx(t), x2: sx(t), y1: py0, y2: py0 + 5, width: 1, color: INK });
    text(sx(t), py0 + 17, label(t, o.logX), 10);
  }
  shapes.push({ kind: 'line', x1: px0, x2: px1, y1: py0, y2: py0, width: 1, color: INK }, { kind: 'line', x1: px0, x2: px0, y1: py0, y2: py1, width: 1, color: INK });
  text((px0 + px1) / 2, H - 8, o.xLabel + (o.logX ? ' (log)' : ''), 12);
  text(4, M.top - 8, o.yLabel + (o.logY ? ' (log)' : ''), 11, 'start');
  for (const m of o.markers ?? []) {
    const x = sx(tx(m.x));
    if (!Number.isFinite(x)) continue;
    shapes.push({ kind: 'line', x1: x, x2: x, y1: py0, y2: py1, width: 1, color: '#888888' });
    text(x, py0 - 6, m.label, 9);
  }
  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]!;
    const pts = s.x.map((x, k) => [sx(tx(x)), sy(ty(s.y[k]!))] as [number, number]);
    if (s.style === 'points') {
      for (const [x, y] of pts) if (Number.isFinite(x) && Number.isFinite(y)) shapes.push({ kind: 'circle', cx: x, cy: y, r: 2.2, color });
    } else {
      let run: [number, number][] = [];
      const flush = (): void => {
        if (run.length > 1) {
          if (s.style === 'dashed') {
            for (let k = 0; k + 1 < run.length; k += 2) shapes.push({ kind: 'line', x1: run[k]![0], y1: run[k]![1], x2: run[k + 1]![0], y2: run[k + 1]![1], width: 1.6, color });
          } else shapes.push({ kind: 'polyline', points: run, width: 1.8, color });
        }
        run = [];
      };
      for (const p of pts) { if (Number.isFinite(p[0]) && Number.isFinite(p[1])) run.push(p); else flush(); }
      flush();
    }
    const ly = py1 + 12 + i * 15;
    shapes.push({ kind: 'line', x1: px1 - 150, x2: px1 - 130, y1: ly, y2: ly, width: 2, color });
    text(px1 - 126, ly + 4, s.name, 10, 'start');
  });
  return { width: W, height: H, background: '#ffffff', shapes };
}

export interface HeatmapOptions {
  title: string;
  rowLabels: readonly string[];
  colLabels: readonly string[];
  /** values[i][j], row i, column j; NaN is drawn grey. */
  values: readonly (readonly number[])[];
  /** Colour scale (default the values' range; [0, 1] suits CKA). */
  min?: number;
  max?: number;
  rowTitle?: string;
  colTitle?: string;
}

/** Light yellow to dark blue (viridis-like, monotone in lightness). */
function shade(t: number): string {
  const stops = [[253, 231, 37], [94, 201, 98], [33, 145, 140], [59, 82, 139], [68, 1, 84]];
  const u = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(u));
  const f = u - i;
  const c = stops[i]!.map((a, k) => Math.round(a + f * (stops[i + 1]![k]! - a)));
  return `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * A labelled heatmap of a matrix (each cell printed to 2 decimals) with a colour bar.
 * @example analysis.renderSvg(analysis.heatmap({ title: 'CKA', rowLabels: r.rows, colLabels: r.cols, values: r.matrix, min: 0, max: 1 }))
 */
export function heatmap(opts: HeatmapOptions): Scene {
  const o = checkOptions('heatmap', opts, ['title', 'rowLabels', 'colLabels', 'values', 'min', 'max', 'rowTitle', 'colTitle']);
  const R = o.rowLabels.length, C = o.colLabels.length;
  if (o.values.length !== R || o.values.some((r) => r.length !== C)) throw new ValueError(`heatmap: values must be ${R} rows of ${C} (the label counts)`);
  const flat = o.values.flat().filter(Number.isFinite);
  const lo = o.min ?? (flat.length ? Math.min(...flat) : 0);
  const hi = o.max ?? (flat.length ? Math.max(...flat) : 1);
  const cell = Math.max(22, Math.min(56, Math.floor(480 / Math.max(R, C))));
  const labelW = 8 + 6.5 * Math.max(4, ...o.rowLabels.map((l) => l.length));
  const left = labelW + 20, top = 48;
  const W = left + C * cell + 90, H = top + R * cell + 60;
  const shapes: Shape[] = [{ kind: 'text', x: W / 2, y: 20, text: o.title, size: 14, anchor: 'middle', color: '#000000' }];
  const textIn = (t: number): string => (t > 0.55 ? '#ffffff' : '#000000');
  for (let i = 0; i < R; i++) {
    shapes.push({ kind: 'text', x: 6, y: top + i * cell + cell / 2 + 4, text: o.rowLabels[i]!, size: 10, anchor: 'start', color: '#000000' });
    for (let j = 0; j < C; j++) {
      const v = o.values[i]![j]!;
      const t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
      const x = left + j * cell, y = top + i * cell;
      shapes.push({ kind: 'rect', x, y, w: cell, h: cell, fill: Number.isFinite(v) ? shade(t) : '#bbbbbb', strokeWidth: 0.5, color: '#ffffff' });
      if (cell >= 28) shapes.push({ kind: 'text', x: x + cell / 2, y: y + cell / 2 + 3, text: Number.isFinite(v) ? v.toFixed(2) : 'NaN', size: 8, anchor: 'middle', color: textIn(t) });
    }
  }
  for (let j = 0; j < C; j++) shapes.push({ kind: 'text', x: left + j * cell + cell / 2, y: top + R * cell + 14, text: o.colLabels[j]!, size: 9, anchor: 'middle', color: '#000000' });
  if (o.colTitle) shapes.push({ kind: 'text', x: left + (C * cell) / 2, y: top + R * cell + 34, text: o.colTitle, size: 11, anchor: 'middle', color: '#000000' });
  if (o.rowTitle) shapes.push({ kind: 'text', x: 6, y: top - 10, text: o.rowTitle, size: 11, anchor: 'start', color: '#000000' });
  // Colour bar.
  const bx = left + C * cell + 24, bh = R * cell;
  for (let k = 0; k < 32; k++) shapes.push({ kind: 'rect', x: bx, y: top + (bh * k) / 32, w: 14, h: bh / 32 + 0.5, fill: shade(1 - k / 31), strokeWidth: 0, color: '#000000' });
  shapes.push({ kind: 'text', x: bx + 18, y: top + 8, text: formatNumber(hi), size: 9, anchor: 'start', color: '#000000' });
  shapes.push({ kind: 'text', x: bx + 18, y: top + bh, text: formatNumber(lo), size: 9, anchor: 'start', color: '#000000' });
  return { width: W, height: H, background: '#ffffff', shapes };
}

/**
 * A weight matrix's ESD on log-log axes: the histogram density of its eigenvalues (log-spaced bins),
 * the fitted power-law tail p(λ) = (n_tail / n)(alpha - 1)/xmin (λ/xmin)^-alpha from xmin on, the
 * Marchenko–Pastur density of a random matrix of the same shape and entry variance, and markers at
 * xmin and the MP bulk edge.
 */
export function esdPlot(s: WeightSpectrum, opts: { bins?: number; title?: string } = {}): Scene {
  const o = checkOptions('esdPlot', opts, ['bins', 'title']);
  const ev = s.eigenvalues.filter((v) => v > 0);
  const bins = o.bins ?? Math.max(8, Math.min(60, Math.round(Math.sqrt(ev.length) * 2)));
  const lo = Math.log10(Math.min(...ev)), hi = Math.log10(Math.max(...ev));
  const w = (hi - lo || 1) / bins;
  const count = new Array<number>(bins).fill(0);
  for (const v of ev) count[Math.min(bins - 1, Math.floor((Math.log10(v) - lo) / w))]!++;
  const centers = count.map((_, i) => 10 ** (lo + (i + 0.5) * w));
  const density = count.map((c, i) => c / (ev.length * (10 ** (lo + (i + 1) * w) - 10 ** (lo + i * w))));
  const series: LineSeries[] = [{ name: 'ESD of W^T W', x: centers, y: density, style: 'points' }];
  const markers: { x: number; label: string }[] = [];
  if (s.fit) {
    const { alpha, xmin, n } = s.fit;
    const xs = Array.from({ length: 40 }, (_, i) => xmin * (Math.max(...ev) / xmin) ** (i / 39));
    series.push({ name: `power law, alpha ${alpha.toFixed(2)}`, x: xs, y: xs.map((x) => (n / ev.length) * ((alpha - 1) / xmin) * (x / xmin) ** -alpha), color: '#D55E00' });
    markers.push({ x: xmin, label: 'xmin' });
  }
  const mp = marchenkoPastur(s.shape[0], s.shape[1], s.sigma2);
  if (mp.lambdaMax > mp.lambdaMin) {
    const xs = Array.from({ length: 60 }, (_, i) => mp.lambdaMin + ((mp.lambdaMax - mp.lambdaMin) * (i + 0.5)) / 60);
    series.push({ name: 'Marchenko-Pastur', x: xs, y: xs.map((x) => mp.pdf(x)), style: 'dashed', color: '#009E73' });
    markers.push({ x: mp.lambdaMax, label: 'MP' });
  }
  return linePlot({ title: o.title ?? `${s.name} [${s.shape.join('x')}]`, xLabel: 'eigenvalue of W^T W', yLabel: 'density', series, logX: true, logY: true, markers });
}

/** The scene as a standalone SVG document. */
export function renderSvg(scene: Scene): string {
  return `${sceneToSvg(scene)}\n`;
}

/** The scene as PNG bytes (8-bit RGB, `scale` pixels per unit, default 2). */
export function renderPng(scene: Scene, scale = 2): Uint8Array {
  if (!(typeof scale === 'number' && scale > 0 && scale <= 8)) throw new ValueError(`renderPng: scale must be in (0, 8], got ${String(scale)}`);
  const r = rasterize(scene, scale);
  return encodePng(r.width, r.height, r.bytes());
}

/** Scenes side by side in rows of `columns` (default 3), each cell as large as the largest scene. */
export function plotGrid(scenes: readonly Scene[], opts: { columns?: number } = {}): Scene {
  const o = checkOptions('plotGrid', opts, ['columns']);
  const cols = o.columns ?? 3;
  if (!(Number.isInteger(cols) && cols >= 1)) throw new ValueError(`plotGrid: columns must be an integer >= 1, got ${String(cols)}`);
  const cw = Math.max(1, ...scenes.map((s) => s.width)), ch = Math.max(1, ...scenes.map((s) => s.height));
  const shapes: Shape[] = [];
  scenes.forEach((s, i) => {
    const dx = (i % cols) * cw, dy = Math.floor(i / cols) * ch;
    for (const sh of s.shapes) shapes.push(offset(sh, dx, dy));
  });
  const n = Math.max(1, scenes.length);
  return { width: cw * Math.min(cols, n), height: ch * Math.ceil(n / cols), background: '#ffffff', shapes };
}

function offset(s: Shape, dx: number, dy: number): Shape {
  switch (s.kind) {
    case 'line': return { ...s, x1: s.x1 + dx, x2: s.x2 + dx, y1: s.y1 + dy, y2: s.y2 + dy };
    case 'polyline': return { ...s, points: s.points.map(([x, y]) => [x + dx, y + dy] as [number, number]) };
    case 'rect': return { ...s, x: s.x + dx, y: s.y + dy };
    case 'circle': return { ...s, cx: s.cx + dx, cy: s.cy + dy };
    case 'text': return { ...s, x: s.x + dx, y: s.y + dy };
  }
}
