/**
 * @file Seeded synthetic datasets: 2-D classification toys (spiral, circles, moons, xor, gaussian
 * blobs; the shapes of sklearn's make_* and CS231n's spiral) and function-fitting sets such as the
 * KAN paper's exp(sin(pi x) + y^2) (Liu et al. 2024, arXiv:2404.19756). Each call owns a Generator
 * seeded from `seed` (default 0), so the same options give the same tensors and the global
 * generator is untouched.
 */
import type { FloatDType } from '../core/dtype.js';
import { ValueError } from '../core/errors.js';
import { Generator } from '../core/rng.js';
import type { Split } from './dataset.js';
import { fromTyped } from './rows.js';
import { shuffleInPlace } from './split.js';

export interface SyntheticOptions {
  seed?: number;
  /** dtype of x (and of y for regression sets); default float32. */
  dtype?: FloatDType;
}

function count(op: string, name: string, v: number, min = 1): number {
  if (!Number.isInteger(v) || v < min) throw new ValueError(`${op}: ${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

function nonNegative(op: string, name: string, v: number): number {
  if (!(v >= 0) || !Number.isFinite(v)) throw new ValueError(`${op}: ${name} must be a finite number >= 0, got ${v}`);
  return v;
}

/** Packs 2-D points and labels (shuffled together when `shuffle`) into x [n,2] and int32 y [n]. */
function pack(pts: number[], labels: number[], g: Generator, opts: SyntheticOptions, shuffle: boolean): Split {
  const n = labels.length;
  const dim = pts.length / n;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  if (shuffle) shuffleInPlace(order, g);
  const x = new Float64Array(n * dim);
  const y = new Int32Array(n);
  order.forEach((src, i) => {
    for (let d = 0; d < dim; d++) x[i * dim + d] = pts[src * dim + d]!;
    y[i] = labels[src]!;
  });
  return { x: fromTyped(x, [n, dim], opts.dtype ?? 'float32'), y: fromTyped(y, [n], 'int32') };
}

/**
 * Interleaved spiral arms (CS231n): class k has radius r = i/(n-1) and angle 4k .. 4(k+1) plus
 * N(0, noise) jitter. Samples are ordered by class.
 * @example const { x, y } = spiral({ nPerClass: 100, classes: 3, noise: 0.2, seed: 0 });
 */
export function spiral(opts: SyntheticOptions & { nPerClass?: number; classes?: number; noise?: number } = {}): Split {
  const n = count('spiral', 'nPerClass', opts.nPerClass ?? 100);
  const k = count('spiral', 'classes', opts.classes ?? 3);
  const noise = nonNegative('spiral', 'noise', opts.noise ?? 0.2);
  const g = new Generator(opts.seed ?? 0);
  const pts: number[] = [];
  const labels: number[] = [];
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < n; i++) {
      const r = n > 1 ? i / (n - 1) : 0;
      const t = c * 4 + (n > 1 ? (4 * i) / (n - 1) : 0) + g.nextNormal() * noise;
      pts.push(r * Math.sin(t), r * Math.cos(t));
      labels.push(c);
    }
  }
  return pack(pts, labels, g, opts, false);
}

/**
 * Two concentric circles (sklearn make_circles): outer radius 1 is class 0, inner radius `factor`
 * is class 1, plus N(0, noise) per coordinate; shuffled.
 */
export function circles(opts: SyntheticOptions & { n?: number; noise?: number; factor?: number } = {}): Split {
  const n = count('circles', 'n', opts.n ?? 200, 2);
  const noise = nonNegative('circles', 'noise', opts.noise ?? 0.05);
  const factor = opts.factor ?? 0.5;
  if (!(factor > 0 && factor < 1)) throw new ValueError(`circles: factor must be in (0, 1), got ${factor}`);
  const g = new Generator(opts.seed ?? 0);
  const nOut = Math.floor(n / 2);
  const pts: number[] = [];
  const labels: number[] = [];
  const ring = (m: number, radius: number, label: number): void => {
    for (let i = 0; i < m; i++) {
      const a = (2 * Math.PI * i) / m; // endpoint excluded, as sklearn
      pts.push(radius * Math.cos(a) + noise * g.nextNormal(), radius * Math.sin(a) + noise * g.nextNormal());
      labels.push(label);
    }
  };
  ring(nOut, 1, 0);
  ring(n - nOut, factor, 1);
  return pack(pts, labels, g, opts, true);
}

/** Two interleaving half circles (sklearn make_moons), plus N(0, noise); shuffled. */
export function moons(opts: SyntheticOptions & { n?: number; noise?: number } = {}): Split {
  const n = count('moons', 'n', opts.n ?? 200, 2);
  const noise = nonNegative('moons', 'noise', opts.noise ?? 0.1);
  const g = new Generator(opts.seed ?? 0);
  const nOut = Math.floor(n / 2);
  const nIn = n - nOut;
  const pts: number[] = [];
  const labels: number[] = [];
  const t = (i: number, m: number): number => (m > 1 ? (Math.PI * i) / (m - 1) : 0);
  for (let i = 0; i < nOut; i++) {
    pts.push(Math.cos(t(i, nOut)) + noise * g.nextNormal(), Math.sin(t(i, nOut)) + noise * g.nextNormal());
    labels.push(0);
  }
  for (let i = 0; i < nIn; i++) {
    pts.push(1 - Math.cos(t(i, nIn)) + noise * g.nextNormal(), 0.5 - Math.sin(t(i, nIn)) + noise * g.nextNormal());
    labels.push(1);
  }
  return pack(pts, labels, g, opts, true);
}

/**
 * XOR: points uniform in [-1,1]^2, label 1 when the coordinates' signs differ (decided before the
 * N(0, noise) jitter is added, so noise makes the classes overlap near the axes).
 */
export function xor(opts: SyntheticOptions & { n?: number; noise?: number } = {}): Split {
  const n = count('xor', 'n', opts.n ?? 200);
  const noise = nonNegative('xor', 'noise', opts.noise ?? 0);
  const g = new Generator(opts.seed ?? 0);
  const pts: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = 2 * g.nextFloat() - 1;
    const b = 2 * g.nextFloat() - 1;
    labels.push(a > 0 !== b > 0 ? 1 : 0);
    pts.push(noise > 0 ? a + noise * g.nextNormal() : a, noise > 0 ? b + noise * g.nextNormal() : b);
  }
  return pack(pts, labels, g, opts, false);
}

/**
 * Gaussian blobs (sklearn make_blobs): `nPerCenter` points around each center with standard deviation
 * `std`; class = center index. `centers` is a list of points (any dimension) or a count of random
 * centers drawn uniformly in [-10, 10]^dim. Shuffled.
 */
export function gaussians(opts: SyntheticOptions & { centers?: number[][] | number; nPerCenter?: number; std?: number; dim?: number } = {}): Split {
  const g = new Generator(opts.seed ?? 0);
  const per = count('gaussians', 'nPerCenter', opts.nPerCenter ?? 100);
  const std = nonNegative('gaussians', 'std', opts.std ?? 1);
  const spec = opts.centers ?? 3;
  let centers: number[][];
  if (typeof spec === 'number') {
    const dim = count('gaussians', 'dim', opts.dim ?? 2);
    centers = Array.from({ length: count('gaussians', 'centers', spec) }, () => Array.from({ length: dim }, () => 20 * g.nextFloat() - 10));
  } else {
    centers = spec;
    const dim = centers[0]?.length ?? 0;
    if (dim === 0 || centers.some((c) => c.length !== dim || c.some((v) => !Number.isFinite(v)))) {
      throw new ValueError('gaussians: centers must be a non-empty list of finite points of equal dimension');
    }
  }
  const pts: number[] = [];
  const labels: number[] = [];
  centers.forEach((c, k) => {
    for (let i = 0; i < per; i++) {
      for (const v of c) pts.push(v + std * g.nextNormal());
      labels.push(k);
    }
  });
  return pack(pts, labels, g, opts, true);
}

export interface FitFunctionOptions extends SyntheticOptions {
  /** Samples (default 1000). */
  n?: number;
  /** Input dimension (default 2). */
  dim?: number;
  /** Inputs uniform in [lo, hi] per coordinate (default [-1, 1]). */
  range?: [number, number];
  /** Standard deviation of Gaussian noise added to y (default 0). */
  noise?: number;
}

/**
 * A regression set: x uniform in range^dim [n, dim], y = f(x row) [n, 1] (KAN's create_dataset layout).
 * @example const { x, y } = fitFunction(([a, b]) => a * b, { n: 500, dim: 2, seed: 3 });
 */
export function fitFunction(f: (x: number[]) => number, opts: FitFunctionOptions = {}): Split {
  const n = count('fitFunction', 'n', opts.n ?? 1000);
  const dim = count('fitFunction', 'dim', opts.dim ?? 2);
  const noise = nonNegative('fitFunction', 'noise', opts.noise ?? 0);
  const [lo, hi] = opts.range ?? [-1, 1];
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) throw new ValueError(`fitFunction: range must be finite [lo, hi] with lo < hi, got [${lo}, ${hi}]`);
  const g = new Generator(opts.seed ?? 0);
  const x = new Float64Array(n * dim);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const row: number[] = [];
    for (let d = 0; d < dim; d++) row.push((x[i * dim + d] = lo + (hi - lo) * g.nextFloat()));
    const v = f(row);
    if (!Number.isFinite(v)) throw new ValueError(`fitFunction: f returned ${v} at sample ${i}, x = [${row.join(', ')}]`);
    y[i] = noise > 0 ? v + noise * g.nextNormal() : v;
  }
  const dtype = opts.dtype ?? 'float32';
  return { x: fromTyped(x, [n, dim], dtype), y: fromTyped(y, [n, 1], dtype) };
}

/** exp(sin(pi x) + y^2), the toy function of the KAN paper, on [-1,1]^2 by default. */
export function expSinSquare(opts: Omit<FitFunctionOptions, 'dim'> = {}): Split {
  return fitFunction(([a, b]) => Math.exp(Math.sin(Math.PI * a!) + b! * b!), { ...opts, dim: 2 });
}
