/**
 * @file Dense float64 linear algebra for analysis: the symmetric eigendecomposition `eigh`.
 *
 * Householder reduction to tridiagonal form followed by the implicit QL iteration with Wilkinson
 * shifts (EISPACK tred2/tql2, as in JAMA's EigenvalueDecomposition), O(n^3) with small constants:
 * a 784 x 784 matrix (an image-sized interaction matrix) takes about a second in plain JS. Runs on
 * host float64 arrays, outside autograd: analysis reads models, it does not train them.
 */
import { tensor } from '../core/create.js';
import { ShapeError, ValueError, fmtShape } from '../core/errors.js';
import { Tensor } from '../core/tensor.js';

/** Eigenvalues (descending) and the matching unit eigenvectors, as the columns of `vectors`. */
export interface Eigh {
  /** [n] float64, sorted descending. */
  values: Tensor;
  /** [n, n] float64; column j is the eigenvector of values[j] (torch.linalg.eigh's layout). */
  vectors: Tensor;
}

/** A square matrix as a row-major Float64Array copy, checked for symmetry. */
function readSymmetric(matrix: Tensor | readonly (readonly number[])[], where: string, tol: number): { a: Float64Array; n: number } {
  let a: Float64Array;
  let n: number;
  if (matrix instanceof Tensor) {
    if (matrix.rank !== 2 || matrix.shape[0] !== matrix.shape[1]) throw new ShapeError(`${where}: matrix must be square [n, n], got ${fmtShape(matrix.shape)}`);
    if (matrix.dtype !== 'float32' && matrix.dtype !== 'float64') throw new ValueError(`${where}: matrix must be float32 or float64, got ${matrix.dtype}`);
    n = matrix.shape[0]!;
    a = Float64Array.from(matrix._peek() as Float32Array | Float64Array);
  } else if (Array.isArray(matrix)) {
    n = matrix.length;
    a = new Float64Array(n * n);
    matrix.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== n) throw new ShapeError(`${where}: matrix must be square [n, n]; row ${i} has ${Array.isArray(row) ? row.length : 'no'} entries, n = ${n}`);
      row.forEach((v, j) => {
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`${where}: matrix[${i}][${j}] must be a finite number, got ${String(v)}`);
        a[i * n + j] = v;
      });
    });
  } else {
    throw new ValueError(`${where}: matrix must be a Tensor or an array of rows, got ${typeof matrix}`);
  }
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]!)) throw new ValueError(`${where}: matrix has a non-finite entry at [${Math.floor(i / n)}, ${i % n}]`);
    scale = Math.max(scale, Math.abs(a[i]!));
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if (Math.abs(a[i * n + j]! - a[j * n + i]!) > tol * Math.max(scale, Number.MIN_VALUE)) {
        throw new ValueError(`${where}: matrix is not symmetric: [${i}, ${j}] = ${a[i * n + j]} but [${j}, ${i}] = ${a[j * n + i]}`);
      }
    }
  }
  return { a, n };
}

/**
 * Householder tridiagonalisation in place: on return `v` holds the orthogonal transform Q
 * (A = Q T Q^T) TRANSPOSED, row j = column j of Q (the layout tql2 wants), `d` the diagonal of T and
 * `e` its subdiagonal (e[0] unused). The input is symmetric, so reading it transposed changes nothing.
 */
function tred2(v: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  // Stored transposed (entry (i, j) at v[j * n + i]): the inner loops below run down columns, now contiguous.
  const V = (i: number, j: number): number => v[j * n + i]!;
  const set = (i: number, j: number, x: number): void => { v[j * n + i] = x; };
  for (let j = 0; j < n; j++) d[j] = V(n - 1, j);
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) { d[j] = V(i - 1, j); set(i, j, 0); set(j, i, 0); }
    } else {
      for (let k = 0; k < i; k++) { d[k] = d[k]! / scale; h += d[k]! * d[k]!; }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        set(j, i, f);
        g = e[j]! + V(j, j) * f;
        for (let k = j + 1; k <= i - 1; k++) { g += V(k, j) * d[k]!; e[k] = e[k]! + V(k, j) * f; }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) { e[j] = e[j]! / h; f += e[j]! * d[j]!; }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] = e[j]! - hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        for (let k = j; k <= i - 1; k++) set(k, j, V(k, j) - (f * e[k]! + g * d[k]!));
        d[j] = V(i - 1, j);
        set(i, j, 0);
      }
    }
    d[i] = h;
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    set(n - 1, i, V(i, i));
    set(i, i, 1);
    const h = d[i + 1]!;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V(k, i + 1) / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += V(k, i + 1) * V(k, j);
        for (let k = 0; k <= i; k++) set(k, j, V(k, j) - g * d[k]!);
      }
    }
    for (let k = 0; k <= i; k++) set(k, i + 1, 0);
  }
  for (let j = 0; j < n; j++) { d[j] = V(n - 1, j); set(n - 1, j, 0); }
  set(n - 1, n - 1, 1);
  e[0] = 0;
}

/**
 * Implicit QL with shifts on the tridiagonal (d, e). `w` holds the eigenvector matrix TRANSPOSED
 * (row j = vector j), so the rotations touch contiguous rows. Throws when an eigenvalue needs more
 * than 64 iterations (never seen for finite symmetric input; a guard against a silent hang).
 */
function tql2(w: Float64Array, n: number, d: Float64Array, e: Float64Array, where: string): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n && Math.abs(e[m]!) > eps * tst1) m++;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 64) throw new ValueError(`${where}: the QL iteration did not converge for eigenvalue ${l}`, 'NO_CONVERGENCE');
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i] = d[i]! - h;
        f += h;
        p = d[m]!;
        let c = 1, c2 = 1, c3 = 1, s = 0, s2 = 0;
        const el1 = e[l + 1]!;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2; c2 = c; s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          const ri = i * n, rj = (i + 1) * n;
          for (let k = 0; k < n; k++) {
            const hk = w[rj + k]!;
            w[rj + k] = s * w[ri + k]! + c * hk;
            w[ri + k] = c * w[ri + k]! - s * hk;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > eps * tst1);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
}

/**
 * Eigendecomposition of a real symmetric matrix (float64 throughout): A = V diag(values) V^T with
 * V orthogonal. Values sorted descending; each eigenvector's sign is fixed so that its entry of
 * largest magnitude is positive (deterministic output). Like torch.linalg.eigh but descending.
 * A non-square matrix is a ShapeError; an asymmetric one (beyond `symmetryTol` relative to the
 * largest entry, default 1e-10) or a non-finite entry a ValueError.
 * @example const { values, vectors } = analysis.eigh([[2, 1], [1, 2]]);   // values [3, 1]
 */
export function eigh(matrix: Tensor | readonly (readonly number[])[], opts: { symmetryTol?: number } = {}): Eigh {
  const where = 'eigh';
  if (opts === null || typeof opts !== 'object') throw new ValueError(`${where}: options must be an object, got ${typeof opts}`);
  for (const k of Object.keys(opts)) if (k !== 'symmetryTol') throw new ValueError(`${where}: unknown option ${JSON.stringify(k)} (allowed: symmetryTol)`);
  const tol = opts.symmetryTol ?? 1e-10;
  if (typeof tol !== 'number' || !(tol >= 0)) throw new ValueError(`${where}: symmetryTol must be a number >= 0, got ${String(tol)}`);
  const { a, n } = readSymmetric(matrix, where, tol);
  const { values, vectors } = eighArray(a, n, where);
  return { values: tensor(values, { dtype: 'float64' }), vectors: tensor(vectors, { dtype: 'float64', shape: [n, n] }) };
}

/**
 * @internal eigh on a row-major symmetric n x n Float64Array (overwritten): values descending,
 * vectors row-major with eigenvector j in column j. For analysis code that already holds host arrays
 * (no tensor round trip, no view of backend memory held across allocations).
 */
export function eighArray(a: Float64Array, n: number, where = 'eigh'): { values: Float64Array; vectors: Float64Array } {
  // Symmetrise exactly (the reduction reads the lower triangle's mirror image).
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) { const m = (a[i * n + j]! + a[j * n + i]!) / 2; a[i * n + j] = m; a[j * n + i] = m; }
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n > 0) {
    tred2(a, n, d, e);   // a now holds Q^T: row j is column j of Q
    tql2(a, n, d, e, where);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((p, q) => d[q]! - d[p]! || p - q);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, j) => {
    values[j] = d[src]!;
    let big = 0;
    for (let k = 0; k < n; k++) if (Math.abs(a[src * n + k]!) > Math.abs(big)) big = a[src * n + k]!;
    const sign = big < 0 ? -1 : 1;
    for (let k = 0; k < n; k++) vectors[k * n + j] = sign * a[src * n + k]!;
  });
  return { values, vectors };
}
