/**
 * @file Small dense least squares in plain float64 loops, for refitting KAN coefficients
 * (pykan's `curve2coef`, efficient-kan's `curve2coeff`): one problem per input feature, with
 * m = samples rows, n = bases columns (tens) and r = outputs right-hand sides.
 *
 * Method: ridge-regularised least squares
 *     X = argmin ||A X - B||_F^2 + lambda ||X||_F^2
 * solved by Householder QR of the stacked matrix [A; sqrt(lambda) I]. Why not the normal equations
 * A^T A X = A^T B: they square the condition number (B-spline design matrices with sparsely
 * sampled end bases reach cond(A) ~ 1e6, so cond(A^T A) ~ 1e12 would eat 12 of our 16 digits).
 * Why the ridge: the system may be rank deficient or underdetermined (pykan's initialisation fits
 * G + k coefficients through G + 1 noise points, where torch.linalg.lstsq returns the minimum-norm
 * solution); a tiny lambda makes the stacked matrix full rank and its solution tends to the
 * minimum-norm one as lambda -> 0.
 */

export interface LstsqOptions {
  /**
   * Ridge lambda relative to the mean squared column norm of A (scale-free). Default 1e-14: it
   * biases a well-posed fit by ~1e-14 cond(A)^2 (exact refits stay at ~1e-12), yet pins null
   * directions to 0 with rounding noise amplified only by 1/sqrt(lambda) ~ 1e7.
   */
  relRidge?: number;
  /** Absolute ridge added on top of the relative one (default 0). */
  ridge?: number;
}

/**
 * Solves min ||A X - B||^2 + lambda ||X||^2. A is [m, n] and B is [m, r], both row-major; returns
 * X [n, r] row-major. Works for any m (including m < n and m = 0).
 * @example lstsq(Float64Array.of(1, 0, 0, 1, 1, 1), 3, 2, Float64Array.of(1, 2, 3), 1) // ~[1, 2]
 */
export function lstsq(A: ArrayLike<number>, m: number, n: number, B: ArrayLike<number>, r: number, opts: LstsqOptions = {}): Float64Array {
  if (A.length !== m * n || B.length !== m * r) throw new RangeError(`lstsq: A has ${A.length} values for [${m}, ${n}], B ${B.length} for [${m}, ${r}]`);
  let frob = 0;
  for (let i = 0; i < m * n; i++) frob += A[i]! * A[i]!;
  const lambda = (opts.relRidge ?? 1e-14) * (n > 0 ? frob / n : 0) + (opts.ridge ?? 0);
  // Stacked system, stored column-major for A (so a Householder sweep runs down contiguous memory).
  const M = m + n;
  const Q = new Float64Array(M * n);
  const Y = new Float64Array(M * r);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) Q[j * M + i] = A[i * n + j]!;
    for (let c = 0; c < r; c++) Y[c * M + i] = B[i * r + c]!;
  }
  // A zero lambda still gets a floor so that an all-zero column cannot divide by zero below.
  const s = Math.sqrt(lambda > 0 ? lambda : Number.MIN_VALUE);
  for (let j = 0; j < n; j++) Q[j * M + m + j] = s;
  householderQR(Q, M, n, Y, r);
  return backSubstitute(Q, M, n, Y, r);
}

/**
 * In place: Q (column-major [M, n]) becomes R in its upper triangle; the reflections are applied
 * to Y (column-major [M, r]) as they are made, so Y becomes Q^T Y. Rows below the diagonal are
 * left holding Householder vectors (never read again).
 */
function householderQR(Q: Float64Array, M: number, n: number, Y: Float64Array, r: number): void {
  const v = new Float64Array(M);
  for (let j = 0; j < n; j++) {
    const cj = j * M;
    let norm = 0;
    for (let i = j; i < M; i++) norm += Q[cj + i]! * Q[cj + i]!;
    norm = Math.sqrt(norm);
    if (norm === 0) continue;
    // alpha has the opposite sign of the pivot, so v = x - alpha e1 has no cancellation.
    const alpha = Q[cj + j]! > 0 ? -norm : norm;
    let vnorm2 = 0;
    for (let i = j; i < M; i++) {
      v[i] = Q[cj + i]! - (i === j ? alpha : 0);
      vnorm2 += v[i]! * v[i]!;
    }
    if (vnorm2 === 0) continue;
    const reflect = (data: Float64Array, col: number): void => {
      let dot = 0;
      for (let i = j; i < M; i++) dot += v[i]! * data[col + i]!;
      const f = (2 * dot) / vnorm2;
      if (f !== 0) for (let i = j; i < M; i++) data[col + i] = data[col + i]! - f * v[i]!;
    };
    Q[cj + j] = alpha;
    for (let i = j + 1; i < M; i++) Q[cj + i] = 0;
    for (let c = j + 1; c < n; c++) reflect(Q, c * M);
    for (let c = 0; c < r; c++) reflect(Y, c * M);
  }
}

/** Solves R X = (Q^T Y)[:n] with R the upper triangle of Q; X row-major [n, r]. */
function backSubstitute(Q: Float64Array, M: number, n: number, Y: Float64Array, r: number): Float64Array {
  const X = new Float64Array(n * r);
  for (let c = 0; c < r; c++) {
    for (let i = n - 1; i >= 0; i--) {
      let acc = Y[c * M + i]!;
      for (let j = i + 1; j < n; j++) acc -= Q[j * M + i]! * X[j * r + c]!;
      const d = Q[i * M + i]!;
      X[i * r + c] = d === 0 ? 0 : acc / d;
    }
  }
  return X;
}
