/**
 * @file Thin singular value decomposition in float64 by one-sided Jacobi (Hestenes 1958; Demmel &
 * Veselić 1992): the columns of A are rotated in pairs until they are mutually orthogonal, so
 * A V = U diag(s) with V the product of the rotations. Unlike eigh(A^T A) it never squares the
 * condition number: small singular values keep full relative accuracy, which the tails of weight
 * spectra and the rank cut-offs of CCA rely on. O(sweeps · n² · m) for m >= n (a wide matrix is
 * decomposed transposed), about 6-10 sweeps. Host float64 arrays, outside autograd.
 */
import { tensor } from '../core/create.js';
import { ShapeError, ValueError, fmtShape } from '../core/errors.js';
import { checkArgCount } from '../core/args.js';
import { Tensor } from '../core/tensor.js';

/** torch.linalg.svd(A, full_matrices=False): A = U diag(S) Vh, k = min(m, n). */
export interface Svd {
  /** [m, k] float64, orthonormal columns (a column of a zero singular value is zero). */
  U: Tensor;
  /** [k] float64, descending, >= 0. */
  S: Tensor;
  /** [k, n] float64, orthonormal rows. */
  Vh: Tensor;
}

/** Host result: u [m, k], vt [k, n] row-major (null when not asked for), s descending. */
export interface SvdArrays { u: Float64Array | null; s: Float64Array; vt: Float64Array | null; k: number }

const EPS = 2 ** -52;
const MAX_SWEEPS = 80;

/** A rank-2 float tensor or an array of equal-length rows as a row-major Float64Array copy. */
export function readMatrix(x: unknown, where: string, name = 'matrix'): { a: Float64Array; rows: number; cols: number } {
  let a: Float64Array;
  let rows: number;
  let cols: number;
  if (x instanceof Tensor) {
    if (x.rank !== 2) throw new ShapeError(`${where}: ${name} must be 2-D [rows, cols], got shape ${fmtShape(x.shape)}`);
    if (x.dtype !== 'float32' && x.dtype !== 'float64') throw new ValueError(`${where}: ${name} must be float32 or float64, got ${x.dtype}`);
    [rows, cols] = x.shape as [number, number];
    a = Float64Array.from(x._peek() as Float32Array | Float64Array);
  } else if (Array.isArray(x)) {
    rows = x.length;
    cols = rows ? (Array.isArray(x[0]) ? (x[0] as unknown[]).length : -1) : 0;
    a = new Float64Array(rows * Math.max(cols, 0));
    x.forEach((row: unknown, i) => {
      if (!Array.isArray(row) || row.length !== cols) throw new ShapeError(`${where}: ${name} must be an array of equal-length rows; row ${i} has ${Array.isArray(row) ? row.length : 'no'} entries, row 0 has ${cols}`);
      row.forEach((v: unknown, j) => {
        if (typeof v !== 'number') throw new ValueError(`${where}: ${name}[${i}][${j}] must be a number, got ${typeof v}`);
        a[i * cols + j] = v;
      });
    });
  } else {
    throw new ValueError(`${where}: ${name} must be a Tensor or an array of rows, got ${x === null ? 'null' : typeof x}`);
  }
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) throw new ValueError(`${where}: ${name} has a non-finite entry at [${Math.floor(i / cols)}, ${i % cols}]`);
  return { a, rows, cols };
}

/**
 * @internal One-sided Jacobi SVD of the row-major m x n array `a` (not modified). With `uv: false`
 * only the singular values are returned (and the rotations of V are skipped).
 */
export function svdArray(a: Float64Array, m: number, n: number, uv = true): SvdArrays {
  if (m < n) {
    // A^T = V S U^T: decompose the tall transpose, swap the factors.
    const t = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = a[i * n + j]!;
    const r = svdArray(t, n, m, uv);
    if (!uv) return r;
    const k = r.k;
    const u = new Float64Array(m * k);
    const vt = new Float64Array(k * n);
    // r.u is [n, k] (columns = right vectors of A), r.vt is [k, m] (rows = left vectors of A).
    for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) u[i * k + j] = r.vt![j * m + i]!;
    for (let j = 0; j < k; j++) for (let c = 0; c < n; c++) vt[j * n + c] = r.u![c * k + j]!;
    return { u, s: r.s, vt, k };
  }
  const k = n;
  // Column-major working copies: column j of G at g[j*m .. j*m+m), of V at v[j*n .. j*n+n).
  const g = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) g[j * m + i] = a[i * n + j]!;
  const v = uv ? new Float64Array(n * n) : null;
  if (v) for (let j = 0; j < n; j++) v[j * n + j] = 1;
  const norms = new Float64Array(n);
  for (let j = 0; j < n; j++) { let s = 0; for (let i = 0; i < m; i++) s += g[j * m + i]! ** 2; norms[j] = s; }
  const tol = m * EPS;
  let sweep = 0;
  for (;;) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const alpha = norms[p]!;
        const beta = norms[q]!;
        if (alpha === 0 || beta === 0) continue;
        const op = p * m, oq = q * m;
        let gamma = 0;
        for (let i = 0; i < m; i++) gamma += g[op + i]! * g[oq + i]!;
        if (Math.abs(gamma) <= tol * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        let np = 0, nq = 0;
        for (let i = 0; i < m; i++) {
          const x = g[op + i]!, y = g[oq + i]!;
          const xn = c * x - s * y, yn = s * x + c * y;
          g[op + i] = xn; g[oq + i] = yn;
          np += xn * xn; nq += yn * yn;
        }
        norms[p] = np; norms[q] = nq;
        if (v) {
          const vp = p * n, vq = q * n;
          for (let i = 0; i < n; i++) {
            const x = v[vp + i]!, y = v[vq + i]!;
            v[vp + i] = c * x - s * y; v[vq + i] = s * x + c * y;
          }
        }
      }
    }
    if (!rotated) break;
    if (++sweep > MAX_SWEEPS) throw new ValueError(`svd: one-sided Jacobi did not converge in ${MAX_SWEEPS} sweeps (${m} x ${n})`, 'NO_CONVERGENCE');
  }
  const order = Array.from({ length: n }, (_, j) => j).sort((p, q) => norms[q]! - norms[p]! || p - q);
  const s = new Float64Array(k);
  order.forEach((src, j) => { s[j] = Math.sqrt(norms[src]!); });
  if (!v) return { u: null, s, vt: null, k };
  const u = new Float64Array(m * k);
  const vt = new Float64Array(k * n);
  order.forEach((src, j) => {
    const sj = s[j]!;
    // Sign convention: the largest-magnitude entry of each right vector is positive (deterministic).
    let big = 0;
    for (let i = 0; i < n; i++) if (Math.abs(v[src * n + i]!) > Math.abs(big)) big = v[src * n + i]!;
    const sign = big < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) vt[j * n + i] = sign * v[src * n + i]!;
    if (sj > 0) for (let i = 0; i < m; i++) u[i * k + j] = (sign * g[src * m + i]!) / sj;
  });
  return { u, s, vt, k };
}

/**
 * Thin SVD in float64 (torch.linalg.svd with full_matrices=False): A [m, n] = U diag(S) Vh with
 * k = min(m, n) singular values, descending.
 * @example const { S } = analysis.svd([[3, 0], [0, 4]]);   // S = [4, 3]
 */
export function svd(matrix: Tensor | readonly (readonly number[])[], ...rest: unknown[]): Svd {
  checkArgCount('svd', 1 + rest.length, 1, 'svd(matrix)');
  const { a, rows, cols } = readMatrix(matrix, 'svd');
  const r = svdArray(a, rows, cols);
  return {
    U: tensor(r.u!, { dtype: 'float64', shape: [rows, r.k] }),
    S: tensor(r.s, { dtype: 'float64', shape: [r.k] }),
    Vh: tensor(r.vt!, { dtype: 'float64', shape: [r.k, cols] }),
  };
}

/** Singular values only (torch.linalg.svdvals), [min(m, n)] float64, descending. */
export function svdvals(matrix: Tensor | readonly (readonly number[])[], ...rest: unknown[]): Tensor {
  checkArgCount('svdvals', 1 + rest.length, 1, 'svdvals(matrix)');
  const { a, rows, cols } = readMatrix(matrix, 'svdvals');
  return tensor(svdArray(a, rows, cols, false).s, { dtype: 'float64' });
}

