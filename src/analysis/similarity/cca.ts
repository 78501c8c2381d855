/**
 * @file Canonical correlation analysis between two representations, and the two CCA similarities
 * built on it: SVCCA (Raghu, Gilmer, Yosinski & Sohl-Dickstein 2017, https://arxiv.org/abs/1706.05806:
 * keep each layer's top singular directions explaining `keep` of its variance, then the mean canonical
 * correlation) and PWCCA (Morcos, Raghu & Bengio 2018, https://arxiv.org/abs/1806.05759: canonical
 * correlations weighted by how much of the representation each canonical variate accounts for).
 *
 * CCA here is the numerically stable form: with orthonormal bases Qx, Qy of the centred column
 * spaces (thin SVDs, rank cut at a relative 1e-10), the canonical correlations are the singular
 * values of Qxᵀ Qy. Shapes: X [n, p1], Y [n, p2] of the same n samples.
 */
import { tensor } from '../../core/create.js';
import { ShapeError, ValueError } from '../../core/errors.js';
import { checkArgCount, checkOptions } from '../../core/args.js';
import type { Tensor } from '../../core/tensor.js';
import { svdArray } from '../svd.js';
import { type Features, centerColumns, readPair } from './features.js';

type Rep = Tensor | readonly (readonly number[])[];

/** Orthonormal basis [n, r] of the centred columns, with the singular values and right vectors. */
interface Basis { q: Float64Array; n: number; r: number; s: Float64Array; vt: Float64Array; p: number }

function basis(f: Features, rel = 1e-10): Basis {
  const { u, s, vt, k } = svdArray(f.a, f.n, f.p);
  let r = 0;
  while (r < k && s[r]! > rel * s[0]!) r++;
  const q = new Float64Array(f.n * r);
  for (let i = 0; i < f.n; i++) for (let j = 0; j < r; j++) q[i * r + j] = u![i * k + j]!;
  return { q, n: f.n, r, s, vt: vt!, p: f.p };
}

/** Canonical correlations (descending) and X's canonical variates H = Qx A [n, m], m = min(rx, ry). */
function canonical(bx: Basis, by: Basis): { rho: Float64Array; hx: Float64Array; hy: Float64Array; m: number } {
  const n = bx.n;
  const m0 = new Float64Array(bx.r * by.r);
  for (let i = 0; i < bx.r; i++) {
    for (let j = 0; j < by.r; j++) {
      let s = 0;
      for (let t = 0; t < n; t++) s += bx.q[t * bx.r + i]! * by.q[t * by.r + j]!;
      m0[i * by.r + j] = s;
    }
  }
  const { u, s, vt, k } = svdArray(m0, bx.r, by.r);
  const m = k;
  const rho = Float64Array.from(s, (v) => Math.min(1, v));
  const hx = new Float64Array(n * m);
  const hy = new Float64Array(n * m);
  for (let t = 0; t < n; t++) {
    for (let c = 0; c < m; c++) {
      let a = 0;
      for (let i = 0; i < bx.r; i++) a += bx.q[t * bx.r + i]! * u![i * k + c]!;
      let b = 0;
      for (let j = 0; j < by.r; j++) b += by.q[t * by.r + j]! * vt![c * by.r + j]!;
      hx[t * m + c] = a;
      hy[t * m + c] = b;
    }
  }
  return { rho, hx, hy, m };
}

function centredPair(X: Rep, Y: Rep, where: string): [Features, Features] {
  const [fx, fy] = readPair(X, Y, where, 2);
  return [centerColumns(fx), centerColumns(fy)];
}

function noVariance(where: string, b: Basis, name: string): void {
  if (b.r === 0) throw new ValueError(`${where}: ${name} has no variance (every sample has the same representation)`, 'NO_VARIANCE');
}

/**
 * Canonical correlations between X [n, p1] and Y [n, p2]: [min(rank X, rank Y)] float64, descending.
 * @example analysis.cca(x, x.matmul(q)).values   // all 1 for an invertible q
 */
export function cca(X: Rep, Y: Rep, ...rest: unknown[]): Tensor {
  checkArgCount('cca', 2 + rest.length, 2, 'cca(X, Y)');
  const [fx, fy] = centredPair(X, Y, 'cca');
  const bx = basis(fx), by = basis(fy);
  noVariance('cca', bx, 'X');
  noVariance('cca', by, 'Y');
  return tensor(canonical(bx, by).rho, { dtype: 'float64' });
}

export interface SVCCAOptions {
  /** Fraction of each representation's variance its kept directions explain (default 0.99, Raghu et al.). */
  keep?: number;
  /** Keep exactly this many top directions of each instead (overrides `keep`). */
  dims?: number;
}

export interface CCASimilarity {
  /** The similarity (mean or weighted mean of the canonical correlations), in [0, 1]. */
  similarity: number;
  /** The canonical correlations, descending. */
  correlations: number[];
}

/** SVCCA's kept directions of one side: U_k diag(s_k) (the reduced representation), [n, k]. */
function reduced(f: Features, keep: number, dims: number | undefined, where: string, name: string): Features {
  const { u, s, k } = svdArray(f.a, f.n, f.p);
  const total = s.reduce((a, v) => a + v * v, 0);
  if (!(total > 0)) throw new ValueError(`${where}: ${name} has no variance (every sample has the same representation)`, 'NO_VARIANCE');
  let r: number;
  if (dims !== undefined) {
    if (dims > k) throw new ShapeError(`${where}: dims ${dims} exceeds min(samples, features) = ${k} of ${name}`);
    r = dims;
  } else {
    let acc = 0;
    r = 0;
    while (r < k && acc < keep * total * (1 - 1e-12)) acc += s[r++]! ** 2;
  }
  const a = new Float64Array(f.n * r);
  for (let i = 0; i < f.n; i++) for (let j = 0; j < r; j++) a[i * r + j] = u![i * k + j]! * s[j]!;
  return { a, n: f.n, p: r };
}

/**
 * SVCCA similarity (Raghu et al. 2017): the mean canonical correlation between the top singular
 * directions of X and of Y; `dims` gives the numbers kept of each ([kx, ky]).
 * @example analysis.svcca(actsA, actsB).similarity
 */
export function svcca(X: Rep, Y: Rep, opts?: SVCCAOptions, ...rest: unknown[]): CCASimilarity & { dims: [number, number] } {
  checkArgCount('svcca', 3 + rest.length, 3, 'svcca(X, Y, options?)');
  const o = checkOptions('svcca', opts, ['keep', 'dims']);
  const keep = o.keep ?? 0.99;
  if (typeof keep !== 'number' || !(keep > 0 && keep <= 1)) throw new ValueError(`svcca: keep must be a number in (0, 1], got ${String(keep)}`);
  if (o.dims !== undefined && !(Number.isInteger(o.dims) && o.dims >= 1)) throw new ValueError(`svcca: dims must be an integer >= 1, got ${String(o.dims)}`);
  const [fx, fy] = centredPair(X, Y, 'svcca');
  const rx = reduced(fx, keep, o.dims, 'svcca', 'X');
  const ry = reduced(fy, keep, o.dims, 'svcca', 'Y');
  const bx = basis(rx), by = basis(ry);
  const { rho } = canonical(bx, by);
  const correlations = Array.from(rho);
  return { similarity: correlations.reduce((a, v) => a + v, 0) / correlations.length, correlations, dims: [rx.p, ry.p] };
}

/**
 * PWCCA similarity (Morcos et al. 2018): Σ α_i ρ_i with α_i ∝ Σ_j |<h_i, x_j>| over the centred
 * units x_j of the side with fewer units (X on a tie) and its orthonormal canonical variates h_i.
 * Not symmetric in general. `weights` are the α_i (summing to 1), matching `correlations`.
 * @example analysis.pwcca(actsA, actsB).similarity
 */
export function pwcca(X: Rep, Y: Rep, ...rest: unknown[]): CCASimilarity & { weights: number[] } {
  checkArgCount('pwcca', 2 + rest.length, 2, 'pwcca(X, Y)');
  const [fx, fy] = centredPair(X, Y, 'pwcca');
  const bx = basis(fx), by = basis(fy);
  noVariance('pwcca', bx, 'X');
  noVariance('pwcca', by, 'Y');
  const { rho, hx, hy, m } = canonical(bx, by);
  const useX = fx.p <= fy.p;
  const f = useX ? fx : fy;
  const h = useX ? hx : hy;
  const w = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < f.p; j++) {
      let d = 0;
      for (let t = 0; t < f.n; t++) d += h[t * m + i]! * f.a[t * f.p + j]!;
      s += Math.abs(d);
    }
    w[i] = s;
  }
  const total = w.reduce((a, v) => a + v, 0);
  const weights = Array.from(w, (v) => v / total);
  return { similarity: weights.reduce((a, v, i) => a + v * rho[i]!, 0), correlations: Array.from(rho), weights };
}
