/**
 * @file The inputs Forward-Forward (https://arxiv.org/abs/2212.13345) trains on, built on the host
 * from a batch: the label overlay (section 3.3: the first C features are replaced by a one-hot of
 * the label), wrong-label negatives, the neutral overlay for one-pass prediction, and the hybrid
 * images of the unsupervised variant (section 3.2: a mask with large regions, made by blurring a
 * random bit image repeatedly with [1/4, 1/2, 1/4] horizontally and vertically and thresholding at
 * 1/2, mixes an image with another one from the batch). Shapes: x [N, F] float, y [N] int.
 */
import { tensor } from '../../core/create.js';
import { ValueError } from '../../core/errors.js';
import type { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';

/** x with its first `classes` features replaced by `value` * one-hot(labels[n]); a label of -1 writes `value / classes` everywhere (neutral). */
export function overlay(x: Tensor, labels: ArrayLike<number>, classes: number, value: number): Tensor {
  const [n, f] = x.shape as [number, number];
  const out = Float64Array.from(x._peek());
  for (let r = 0; r < n; r++) {
    const l = labels[r]!;
    for (let c = 0; c < classes; c++) out[r * f + c] = l < 0 ? value / classes : c === l ? value : 0;
  }
  return tensor(out, { dtype: x.dtype, shape: [n, f] });
}

/** The labels of y, checked to lie in [0, classes). */
export function labelsOf(y: Tensor, classes: number, who: string): Int32Array {
  if (y.rank !== 1 || y.dtype !== 'int32') throw new ValueError(`${who}: targets must be int32 class indices [N], got ${y.dtype} of rank ${y.rank}`, 'INVALID_DATA');
  const v = y._peek();
  const out = new Int32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const l = v[i]!;
    if (!(Number.isInteger(l) && l >= 0 && l < classes)) throw new ValueError(`${who}: target ${l} at sample ${i} is not a class index in [0, ${classes})`, 'INVALID_DATA');
    out[i] = l;
  }
  return out;
}

/** For each label, a different one drawn uniformly from the other classes. */
export function wrongLabels(labels: Int32Array, classes: number, g: Generator): Int32Array {
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = (labels[i]! + 1 + g.nextInt(0, classes - 1)) % classes;
  return out;
}

/** One [h, w] mask of large regions: random bits, blurred `rounds` times each way, thresholded at 1/2. */
export function hybridMask(h: number, w: number, g: Generator, rounds = 6): Uint8Array {
  let a = new Float64Array(h * w);
  for (let i = 0; i < a.length; i++) a[i] = g.nextU32() & 1;
  let b = new Float64Array(h * w);
  // Borders repeat the edge pixel, so the filter keeps a constant image constant.
  const at = (v: Float64Array, r: number, c: number): number => v[Math.min(h - 1, Math.max(0, r)) * w + Math.min(w - 1, Math.max(0, c))]!;
  for (let k = 0; k < rounds; k++) {
    for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) b[r * w + c] = 0.25 * at(a, r, c - 1) + 0.5 * at(a, r, c) + 0.25 * at(a, r, c + 1);
    [a, b] = [b, a];
    for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) b[r * w + c] = 0.25 * at(a, r - 1, c) + 0.5 * at(a, r, c) + 0.25 * at(a, r + 1, c);
    [a, b] = [b, a];
  }
  const m = new Uint8Array(h * w);
  for (let i = 0; i < m.length; i++) m[i] = a[i]! > 0.5 ? 1 : 0;
  return m;
}

/** Negatives of the unsupervised variant: each image mixed by a fresh mask with another image of the batch. */
export function hybridImages(x: Tensor, width: number, g: Generator): Tensor {
  const [n, f] = x.shape as [number, number];
  const h = f / width;
  const v = x._peek();
  const out = new Float64Array(n * f);
  for (let r = 0; r < n; r++) {
    // Another image of the batch (itself only when the batch has one image).
    const other = n > 1 ? (r + 1 + g.nextInt(0, n - 1)) % n : r;
    const m = hybridMask(h, width, g);
    for (let j = 0; j < f; j++) out[r * f + j] = m[j] ? v[r * f + j]! : v[other * f + j]!;
  }
  return tensor(out, { dtype: x.dtype, shape: [n, f] });
}
