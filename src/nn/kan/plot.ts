/**
 * @file `plotKAN`: the KAN diagram of Liu et al. 2024 (arXiv 2404.19756, Fig. 2.4; pykan's
 * `plot`) as a dependency-free SVG: node rows from the inputs (bottom) to the outputs (top), and
 * between two rows one small panel per edge drawing phi_ji over the samples' range of x_i. An
 * edge's strokes fade with its importance (opacity tanh(beta * score), score = mean |phi| over the
 * layer's largest, as pruning uses), symbolic edges are drawn red with their function's name,
 * and S-KAN nodes carry the letter of their selected space (B-spline, RBF, Chebyshev, Fourier).
 * The picture is built once as a vector scene (src/viz) and rendered to SVG or to PNG. Writing it
 * to a file (`path`) is plexus/node's nn.plotKAN (plot-file.ts).
 */
import { type Scene, type Shape } from '../../viz/scene.js';
import { sceneToSvg } from '../../viz/svg.js';
import { rasterize } from '../../viz/raster.js';
import { encodePng } from '../../viz/png.js';
import { ValueError } from '../../core/errors.js';
import { noGrad } from '../../core/grad-mode.js';
import type { Tensor } from '../../core/tensor.js';
import { abs, mean } from '../../ops/index.js';
import type { KAN } from './kan.js';
import { SKAN, SKANLinear, range } from './s-kan.js';
import { SymbolicKAN } from './symbolic.js';

export interface PlotKANOptions {
  /** plexus/node only: write the picture to this file too, PNG when it ends in .png, else SVG. */
  path?: string;
  /** PNG pixels per SVG unit (default 2). */
  scale?: number;
  /** Contrast of the importance fading (default 3, as pykan). */
  beta?: number;
  /** Points per edge curve (default 64). */
  points?: number;
  /** Input names (default x1, x2, ...) and output names (default y1, ...). */
  inputNames?: readonly string[];
  outputNames?: readonly string[];
  title?: string;
  /** Refuse models with more edges than this (default 5000; a [784, 64, 10] KAN has 50 816). */
  maxEdges?: number;
}

export type PlotModel = KAN | SKAN | SymbolicKAN;

const BOX_W = 44;
const BOX_H = 32;
const GAP = 8;
const ROW = 44; // vertical space between a node row and an edge-panel row
const MARGIN = 30;
const SPACE_LETTER: Record<string, string> = { bspline: 'B', rbf: 'R', chebyshev: 'C', fourier: 'F' };

/**
 * Draws every edge function of `model` on samples x [N, n_0] and returns the SVG text (plexus/node's
 * nn.plotKAN also writes it with `path`, as PNG for `path: 'kan.png'`).
 * @example const svg = nn.plotKAN(model, xTrain);
 */
export function plotKAN(model: PlotModel, x: Tensor, opts: PlotKANOptions = {}): string {
  return renderKAN(model, x, opts, 'plotKAN').svg;
}

/** The SVG text, and the PNG bytes when `path` names a .png file (shared with plot-file.ts). */
export function renderKAN(model: PlotModel, x: Tensor, opts: PlotKANOptions, who: string, allowPath = false): { svg: string; png: Uint8Array | null } {
  if (opts.path !== undefined && !allowPath) noPath(who, opts.path);
  const scene = kanScene(model, x, opts);
  const svg = sceneToSvg(scene);
  const png = opts.path !== undefined && /\.png$/i.test(opts.path) ? pngOf(scene, opts.scale) : null;
  return { svg, png };
}

function noPath(who: string, path: string): never {
  throw new ValueError(`${who}: writing a file (path ${JSON.stringify(path)}) needs plexus/node's nn.${who}; here use the returned ${who === 'plotKAN' ? 'SVG text' : 'PNG bytes'}`, 'INVALID_ARGUMENT');
}

/** The same picture as PNG bytes (8-bit RGB, `scale` pixels per SVG unit, default 2). */
export function plotKANPng(model: PlotModel, x: Tensor, opts: PlotKANOptions = {}): Uint8Array {
  if (opts.path !== undefined) noPath('plotKANPng', opts.path);
  return pngBytes(model, x, opts);
}

/** plotKANPng's bytes, whatever `path` says (shared with plot-file.ts). */
export function pngBytes(model: PlotModel, x: Tensor, opts: PlotKANOptions): Uint8Array {
  return pngOf(kanScene(model, x, opts), opts.scale);
}

function pngOf(scene: Scene, scale = 2): Uint8Array {
  if (!(scale > 0 && scale <= 8)) throw new ValueError(`plotKAN: scale must be in (0, 8], got ${scale}`);
  const r = rasterize(scene, scale);
  return encodePng(r.width, r.height, r.bytes());
}

/** The diagram as a vector scene (what plotKAN renders). */
export function kanScene(model: PlotModel, x: Tensor, opts: PlotKANOptions = {}): Scene {
  const W = model.widths;
  const L = W.length - 1;
  const nEdges = range(L).reduce((n, l) => n + W[l]! * W[l + 1]!, 0);
  const maxEdges = opts.maxEdges ?? 5000;
  if (nEdges > maxEdges) throw new ValueError(`plotKAN: the model has ${nEdges} edges, more than maxEdges ${maxEdges}; plot a smaller (pruned) model or raise maxEdges`);
  const beta = opts.beta ?? 3;
  const points = opts.points ?? 64;
  const { edges, inputs } = noGrad(() => model.forwardWithEdges(x));
  const N = inputs[0]!.shape[0]!;
  const scores = noGrad(() => edges.map((e) => Float64Array.from(mean(abs(e), 0).values)));
  const rowWidth = (l: number): number => W[l]! * W[l + 1]! * (BOX_W + GAP);
  const width = Math.max(...range(L).map(rowWidth), ...W.map((n) => n * 40)) + 2 * MARGIN;
  const height = 2 * MARGIN + L * (2 * ROW + BOX_H) + 20 + (opts.title ? 20 : 0);
  const nodeY = (l: number): number => height - MARGIN - 10 - l * (2 * ROW + BOX_H);
  const nodeX = (l: number, i: number): number => (width * (i + 0.5)) / W[l]!;
  const parts: Shape[] = [];
  if (opts.title) parts.push({ kind: 'text', x: width / 2, y: MARGIN - 8, text: opts.title, size: 13, anchor: 'middle', color: '#000000' });
  for (let l = 0; l < L; l++) {
    const top = Math.max(...scores[l]!);
    const out = W[l + 1]!;
    const inN = W[l]!;
    const x0 = (width - rowWidth(l)) / 2;
    const boxY = nodeY(l) - ROW - BOX_H;
    const xs = inputs[l]!.values;
    const ev = edges[l]!.values;
    const fixed = model instanceof SymbolicKAN ? model.layer(l) : null;
    for (let i = 0; i < inN; i++) {
      const order = range(N).sort((p, q) => xs[p * inN + i]! - xs[q * inN + i]!);
      const pick = range(Math.min(points, N)).map((r) => order[Math.round((r * (N - 1)) / Math.max(1, Math.min(points, N) - 1))]!);
      for (let j = 0; j < out; j++) {
        const bx = x0 + (i * out + j) * (BOX_W + GAP) + GAP / 2;
        const score = top > 0 ? scores[l]![j * inN + i]! / top : 0;
        const alpha = Math.tanh(beta * score);
        const fn = fixed ? fixed.edgeFunction(j, i) : '';
        const color = fn ? '#c62828' : '#222222';
        const ys = pick.map((n) => ev[(n * out + j) * inN + i]!);
        const xv = pick.map((n) => xs[n * inN + i]!);
        const paint = { color, opacity: Math.max(alpha, 0.05) };
        parts.push({ kind: 'line', x1: nodeX(l, i), y1: nodeY(l), x2: bx + BOX_W / 2, y2: boxY + BOX_H, width: 0.8, ...paint });
        parts.push({ kind: 'line', x1: bx + BOX_W / 2, y1: boxY, x2: nodeX(l + 1, j), y2: nodeY(l + 1), width: 0.8, ...paint });
        parts.push({ kind: 'rect', x: bx, y: boxY, w: BOX_W, h: BOX_H, fill: '#ffffff', strokeWidth: 0.6, ...paint });
        parts.push({ kind: 'polyline', points: curve(xv, ys, bx, boxY), width: 1.2, ...paint });
        if (fn) parts.push({ kind: 'text', x: bx + BOX_W / 2, y: boxY - 2, text: fn, size: 8, anchor: 'middle', ...paint });
      }
    }
  }
  parts.push(...nodeMarks(model, W, nodeX, nodeY, opts));
  return { width, height, background: '#ffffff', shapes: parts };
}

/** Polyline points of (xv, ys) scaled into the box at (bx, by) with a small inset. */
function curve(xv: number[], ys: number[], bx: number, by: number): [number, number][] {
  const pad = 3;
  const [xl, xh] = [Math.min(...xv), Math.max(...xv)];
  const [yl, yh] = [Math.min(...ys), Math.max(...ys)];
  const sx = (v: number): number => bx + pad + (xh > xl ? ((v - xl) / (xh - xl)) * (BOX_W - 2 * pad) : (BOX_W - 2 * pad) / 2);
  const sy = (v: number): number => by + BOX_H - pad - (yh > yl ? ((v - yl) / (yh - yl)) * (BOX_H - 2 * pad) : (BOX_H - 2 * pad) / 2);
  return xv.map((v, k) => [sx(v), sy(ys[k]!)]);
}

/** Node circles, input/output names and S-KAN space letters. */
function nodeMarks(model: PlotModel, W: readonly number[], nodeX: (l: number, i: number) => number, nodeY: (l: number) => number, opts: PlotKANOptions): Shape[] {
  const L = W.length - 1;
  const out: Shape[] = [];
  const spaces = (l: number): (string | null)[] | null => {
    const layer = model instanceof SKAN ? model.layer(l) : model instanceof SymbolicKAN ? model.layer(l).numeric : null;
    return layer instanceof SKANLinear ? layer.nodeSpaces() : null;
  };
  for (let l = 0; l <= L; l++) {
    const sp = l < L ? spaces(l) : null;
    for (let i = 0; i < W[l]!; i++) {
      const cx = nodeX(l, i);
      const cy = nodeY(l);
      out.push({ kind: 'circle', cx, cy, r: 4, color: '#222222' });
      const letter = sp?.[i];
      if (letter) out.push({ kind: 'text', x: cx + 7, y: cy - 4, text: SPACE_LETTER[letter]!, size: 9, anchor: 'start', color: '#1565c0' });
      if (l === 0) out.push({ kind: 'text', x: cx, y: cy + 16, text: opts.inputNames?.[i] ?? `x${i + 1}`, size: 11, anchor: 'middle', color: '#000000' });
      if (l === L) out.push({ kind: 'text', x: cx, y: cy - 9, text: opts.outputNames?.[i] ?? `y${i + 1}`, size: 11, anchor: 'middle', color: '#000000' });
    }
  }
  return out;
}
