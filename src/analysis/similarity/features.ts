/**
 * @file Shared plumbing of the representation-similarity measures: reading a feature matrix
 * [n samples, p features] (a Tensor of rank >= 2 is flattened per sample, as a conv map would be),
 * checking that two representations describe the same samples, centring, and Gram matrices.
 * Everything is a host float64 copy: similarity reads activations, it never touches autograd.
 */
import { ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import { Tensor } from '../../core/tensor.js';
import { readMatrix } from '../svd.js';

/** Row-major [n, p] float64 features. */
export interface Features { a: Float64Array; n: number; p: number }

/** Features of `x` ([n, ...] Tensor flattened to [n, p], or rows), named `name` in errors. */
export function readFeatures(x: unknown, where: string, name: string): Features {
  if (x instanceof Tensor && x.rank > 2) {
    if (x.dtype !== 'float32' && x.dtype !== 'float64') throw new ValueError(`${where}: ${name} must be float32 or float64, got ${x.dtype}`);
    const n = x.shape[0]!;
    const a = Float64Array.from(x._peek() as Float32Array | Float64Array);
    for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) throw new ValueError(`${where}: ${name} has a non-finite entry (flat index ${i})`);
    return { a, n, p: n ? x.size / n : 0 };
  }
  if (x instanceof Tensor && x.rank < 2) throw new ShapeError(`${where}: ${name} must be [samples, features], got shape ${fmtShape(x.shape)}`);
  const { a, rows, cols } = readMatrix(x, where, name);
  return { a, n: rows, p: cols };
}

/** Both representations of the same n >= minRows samples. */
export function readPair(x: unknown, y: unknown, where: string, minRows = 2): [Features, Features] {
  const fx = readFeatures(x, where, 'X');
  const fy = readFeatures(y, where, 'Y');
  if (fx.n !== fy.n) throw new ShapeError(`${where}: X and Y must hold the same samples (rows): X is [${fx.n}, ${fx.p}], Y is [${fy.n}, ${fy.p}]`);
  if (fx.n < minRows) throw new ShapeError(`${where}: needs at least ${minRows} samples, got ${fx.n}`);
  return [fx, fy];
}

/** Subtracts each column's mean, in place. Returns `f`. */
export function centerColumns(f: Features): Features {
  const { a, n, p } = f;
  for (let j = 0; j < p; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += a[i * p + j]!;
    const m = s / n;
    for (let i = 0; i < n; i++) a[i * p + j] = a[i * p + j]! - m;
  }
  return f;
}

/** The linear Gram matrix X X^T, [n, n] row-major. */
export function gramLinear(f: Features): Float64Array {
  const { a, n, p } = f;
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const oi = i * p;
    for (let j = i; j < n; j++) {
      const oj = j * p;
      let s = 0;
      for (let c = 0; c < p; c++) s += a[oi + c]! * a[oj + c]!;
      k[i * n + j] = s;
      k[j * n + i] = s;
    }
  }
  return k;
}

/** Squared Euclidean distances between rows, [n, n]. */
export function sqDistances(f: Features): Float64Array {
  const { n } = f;
  const k = gramLinear(f);
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) d[i * n + j] = Math.max(0, k[i * n + i]! + k[j * n + j]! - 2 * k[i * n + j]!);
  return d;
}

/** H K H with H = I - 11^T/n (double centring), in place. Returns `k`. */
export function centerGram(k: Float64Array, n: number): Float64Array {
  const row = new Float64Array(n);
  let all = 0;
  for (let i = 0; i < n; i++) { let s = 0; for (let j = 0; j < n; j++) s += k[i * n + j]!; row[i] = s / n; all += s; }
  all /= n * n;
  // K is symmetric, so column means equal row means.
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) k[i * n + j] = k[i * n + j]! - row[i]! - row[j]! + all;
  return k;
}

/** Frobenius inner product <A, B> of two equal-length arrays. */
export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
