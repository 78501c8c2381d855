/**
 * @file `plotKAN`: the KAN diagram of Liu et al. 2024 (arXiv 2404.19756, Fig. 2.4; pykan's
 * `plot`) as a dependency-free SVG: node rows from the inputs (bottom) to the outputs (top), and
 * between two rows one small panel per edge drawing phi_ji over the samples' range of x_i. An
 * edge's strokes fade with its importance (opacity tanh(beta * score), score = mean |phi| over the
 * layer's largest, as pruning uses), symbolic edges are drawn red with their function's name,
 * and S-KAN nodes carry the letter of their selected space (B-spline, RBF, Chebyshev, Fourier).
 */
import { writeFileSync } from 'node:fs';
import { ValueError } from '../../core/errors.js';
import { noGrad } from '../../core/grad-mode.js';
import type { Tensor } from '../../core/tensor.js';
import { abs, mean } from '../../ops/index.js';
import type { KAN } from './kan.js';
import { SKAN, SKANLinear, range } from './s-kan.js';
import { SymbolicKAN } from './symbolic.js';

export interface PlotKANOptions {
  /** Write the SVG to this file too (Node). */
  path?: string;
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

type PlotModel = KAN | SKAN | SymbolicKAN;

const BOX_W = 44;
const BOX_H = 32;
const GAP = 8;
const ROW = 44; // vertical space between a node row and an edge-panel row
const MARGIN = 30;
const SPACE_LETTER: Record<string, string> = { bspline: 'B', rbf: 'R', chebyshev: 'C', fourier: 'F' };

const f2 = (v: number): string => (Math.round(v * 100) / 100).toString();
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Draws every edge function of `model` on samples x [N, n_0] and returns the SVG text.
 * @example fs.writeFileSync('kan.svg', nn.plotKAN(model, xTrain)); // or { path: 'kan.svg' }
 */
export function plotKAN(model: PlotModel, x: Tensor, opts: PlotKANOptions = {}): string {
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
  const parts: string[] = [];
  if (opts.title) parts.push(`<text x="${width / 2}" y="${MARGIN - 8}" text-anchor="middle" font-size="13">${esc(opts.title)}</text>`);
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
        const color = fn ? '#c62828' : '#222';
        const ys = pick.map((n) => ev[(n * out + j) * inN + i]!);
        const xv = pick.map((n) => xs[n * inN + i]!);
        parts.push(`<g opacity="${f2(Math.max(alpha, 0.05))}">`);
        parts.push(`<line x1="${f2(nodeX(l, i))}" y1="${f2(nodeY(l))}" x2="${f2(bx + BOX_W / 2)}" y2="${f2(boxY + BOX_H)}" stroke="${color}" stroke-width="0.8"/>`);
        parts.push(`<line x1="${f2(bx + BOX_W / 2)}" y1="${f2(boxY)}" x2="${f2(nodeX(l + 1, j))}" y2="${f2(nodeY(l + 1))}" stroke="${color}" stroke-width="0.8"/>`);
        parts.push(`<rect x="${f2(bx)}" y="${f2(boxY)}" width="${BOX_W}" height="${BOX_H}" fill="white" stroke="${color}" stroke-width="0.6"/>`);
        parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.2" points="${curve(xv, ys, bx, boxY)}"/>`);
        if (fn) parts.push(`<text x="${f2(bx + BOX_W / 2)}" y="${f2(boxY - 2)}" text-anchor="middle" font-size="8" fill="${color}">${esc(fn)}</text>`);
        parts.push('</g>');
      }
    }
  }
  parts.push(...nodeMarks(model, W, nodeX, nodeY, opts));
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...parts,
    '</svg>',
  ].join('\n');
  if (opts.path) writeFileSync(opts.path, `${svg}\n`);
  return svg;
}

/** Polyline points of (xv, ys) scaled into the box at (bx, by) with a small inset. */
function curve(xv: number[], ys: number[], bx: number, by: number): string {
  const pad = 3;
  const [xl, xh] = [Math.min(...xv), Math.max(...xv)];
  const [yl, yh] = [Math.min(...ys), Math.max(...ys)];
  const sx = (v: number): number => bx + pad + (xh > xl ? ((v - xl) / (xh - xl)) * (BOX_W - 2 * pad) : (BOX_W - 2 * pad) / 2);
  const sy = (v: number): number => by + BOX_H - pad - (yh > yl ? ((v - yl) / (yh - yl)) * (BOX_H - 2 * pad) : (BOX_H - 2 * pad) / 2);
  return xv.map((v, k) => `${f2(sx(v))},${f2(sy(ys[k]!))}`).join(' ');
}

/** Node circles, input/output names and S-KAN space letters. */
function nodeMarks(model: PlotModel, W: readonly number[], nodeX: (l: number, i: number) => number, nodeY: (l: number) => number, opts: PlotKANOptions): string[] {
  const L = W.length - 1;
  const out: string[] = [];
  const spaces = (l: number): (string | null)[] | null => {
    const layer = model instanceof SKAN ? model.layer(l) : model instanceof SymbolicKAN ? model.layer(l).numeric : null;
    return layer instanceof SKANLinear ? layer.nodeSpaces() : null;
  };
  for (let l = 0; l <= L; l++) {
    const sp = l < L ? spaces(l) : null;
    for (let i = 0; i < W[l]!; i++) {
      const cx = f2(nodeX(l, i));
      const cy = f2(nodeY(l));
      out.push(`<circle cx="${cx}" cy="${cy}" r="4" fill="#222"/>`);
      const letter = sp?.[i];
      if (letter) out.push(`<text x="${f2(nodeX(l, i) + 7)}" y="${f2(nodeY(l) - 4)}" font-size="9" fill="#1565c0">${SPACE_LETTER[letter]}</text>`);
      if (l === 0) out.push(`<text x="${cx}" y="${f2(nodeY(l) + 16)}" text-anchor="middle" font-size="11">${esc(opts.inputNames?.[i] ?? `x${i + 1}`)}</text>`);
      if (l === L) out.push(`<text x="${cx}" y="${f2(nodeY(l) - 9)}" text-anchor="middle" font-size="11">${esc(opts.outputNames?.[i] ?? `y${i + 1}`)}</text>`);
    }
  }
  return out;
}
