/**
 * @file js kernels of layerNormForward / layerNormBackward (contract in ops/primitives/layer-norm.ts):
 * one row at a time, statistics in doubles, the same arithmetic as the reference so float64 agrees
 * to the last bit. Dtype-agnostic, so the wasm backend uses them as they are on heap views.
 */
import type { Kernel } from '../../core/primitive.js';

interface LayerNormAttrs { dims: number; eps: number }

const rowSize = (shape: readonly number[], dims: number): number => shape.slice(shape.length - dims).reduce((p, d) => p * d, 1);

/** Mean and 1/sqrt(biased variance + eps) of xs[s, e), written to STATS (no allocation per row). */
const STATS = new Float64Array(2);
function rowStats(xs: ArrayLike<number>, s: number, e: number, eps: number): void {
  const n = e - s;
  let m = 0;
  for (let i = s; i < e; i++) m += xs[i]!;
  m /= n;
  let v = 0;
  for (let i = s; i < e; i++) {
    const d = xs[i]! - m;
    v += d * d;
  }
  STATS[0] = m;
  STATS[1] = 1 / Math.sqrt(v / n + eps);
}

export const layerNormForward: Kernel<LayerNormAttrs> = (out, [x], { dims, eps }) => {
  const xs = x!.values;
  const o = out.values;
  const n = rowSize(x!.shape, dims);
  for (let s = 0; s < xs.length; s += n) {
    const e = s + n;
    rowStats(xs, s, e, eps);
    const m = STATS[0]!;
    const r = STATS[1]!;
    for (let i = s; i < e; i++) o[i] = (xs[i]! - m) * r;
  }
};

export const layerNormBackward: Kernel<LayerNormAttrs> = (out, [g, x], { dims, eps }) => {
  const xs = x!.values;
  const gs = g!.values;
  const o = out.values;
  const n = rowSize(x!.shape, dims);
  for (let s = 0; s < xs.length; s += n) {
    const e = s + n;
    rowStats(xs, s, e, eps);
    const m = STATS[0]!;
    const r = STATS[1]!;
    let sg = 0;
    let sgx = 0;
    for (let i = s; i < e; i++) {
      const gi = gs[i]!;
      sg += gi;
      sgx += gi * (xs[i]! - m) * r;
    }
    sg /= n;
    sgx /= n;
    for (let i = s; i < e; i++) o[i] = r * (gs[i]! - sg - (xs[i]! - m) * r * sgx);
  }
};
