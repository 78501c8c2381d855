/**
 * @file The float64 numerics behind KAN grid updates, grid extension and initialisation: evaluate
 * the current edge functions on samples, place new knots at sample percentiles, and refit the
 * coefficients of a (new) basis by least squares (pykan's curve2coef / coef2curve).
 *
 * Layouts (row-major, plain Float64Arrays): samples xs [N, F]; per-edge targets Y [F][N, out]
 * (one array per input feature, since each feature is its own least-squares problem); spline
 * weights W [out, F * nb] (the KANLinear layout, bases of one feature contiguous).
 */
import { tensor } from '../../core/create.js';
import { noGrad } from '../../core/grad-mode.js';
import { ValueError } from '../../core/errors.js';
import { type BasisModule, basisFromConfig } from './basis.js';
import { lstsq } from './lstsq.js';

/** The basis values B(xs) [N, F, nb] in float64 (a float64 twin is built for float32 bases). */
export function basisValues(basis: BasisModule, xs: Float64Array, N: number): Float64Array {
  const b64 = float64Twin(basis);
  return noGrad(() => Float64Array.from(b64.evaluate(tensor(xs, { dtype: 'float64', shape: [N, basis.inFeatures] })).values));
}

/** `basis` itself when its state is float64, else a copy with float64 state (same knot values). */
function float64Twin(basis: BasisModule): BasisModule {
  const state = basis.buffers();
  if (state.every((b) => b.dtype === 'float64')) return basis;
  const cfg = basis.getConfig();
  const twin = basisFromConfig('dtype' in cfg ? { ...cfg, dtype: 'float64' } : cfg);
  const mine = new Map(basis.namedBuffers());
  noGrad(() => {
    for (const [name, b] of twin.namedBuffers()) b.assign(mine.get(name)!);
  });
  return twin;
}

/**
 * Per-feature edge values sum_c B[n, f, c] W[o, f * nb + c] of the given (unscaled) weights:
 * returns Y[f] = [N, out] for each feature f.
 */
export function edgeValues(B: Float64Array, W: ArrayLike<number>, N: number, F: number, nb: number, out: number): Float64Array[] {
  const Y = Array.from({ length: F }, () => new Float64Array(N * out));
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      const b = (n * F + f) * nb;
      const y = Y[f]!;
      for (let o = 0; o < out; o++) {
        const w = o * F * nb + f * nb;
        let acc = 0;
        for (let c = 0; c < nb; c++) acc += B[b + c]! * W[w + c]!;
        y[n * out + o] = acc;
      }
    }
  }
  return Y;
}

/**
 * Least-squares coefficients W [out, F * nb] so that each edge of feature f reproduces Y[f] on
 * the samples (B = basis values [N, F, nb]).
 */
export function fitWeights(B: Float64Array, Y: readonly Float64Array[], N: number, F: number, nb: number, out: number): Float64Array {
  const W = new Float64Array(out * F * nb);
  const A = new Float64Array(N * nb);
  for (let f = 0; f < F; f++) {
    for (let n = 0; n < N; n++) for (let c = 0; c < nb; c++) A[n * nb + c] = B[(n * F + f) * nb + c]!;
    const X = lstsq(A, N, nb, Y[f]!, out); // [nb, out]
    for (let o = 0; o < out; o++) for (let c = 0; c < nb; c++) W[o * F * nb + f * nb + c] = X[c * out + o]!;
  }
  return W;
}

/**
 * pykan's `update_grid_from_samples` knots: per feature, the sorted samples at ranks
 * floor(N i / G) (i < G) and N - 1, mixed with the uniform grid on [min - margin, max + margin]:
 * knot = eps * uniform + (1 - eps) * percentile; then the end knots move out by padding * (max - min).
 * A feature whose mixed knots are not strictly
 * increasing (ties, discrete inputs) gets the uniform grid; a constant feature keeps `fallback`.
 * Returns interior knots [F, G + 1].
 */
export function percentileKnots(xs: Float64Array, N: number, F: number, G: number, eps: number, margin: number, padding: number, fallback: Float64Array): Float64Array {
  if (N < 2) throw new ValueError(`updateGrid: need at least 2 samples to place a grid, got ${N}`);
  const out = new Float64Array(F * (G + 1));
  const col = new Float64Array(N);
  const ids = [...Array.from({ length: G }, (_, i) => Math.floor((N / G) * i)), N - 1];
  for (let f = 0; f < F; f++) {
    for (let n = 0; n < N; n++) col[n] = xs[n * F + f]!;
    col.sort();
    const lo = col[0]! - margin;
    const h = (col[N - 1]! - col[0]! + 2 * margin) / G;
    const row = out.subarray(f * (G + 1), (f + 1) * (G + 1));
    if (!(h > 0)) {
      row.set(fallback.subarray(f * (G + 1), (f + 1) * (G + 1)));
      continue;
    }
    for (let i = 0; i <= G; i++) row[i] = eps * (lo + i * h) + (1 - eps) * col[ids[i]!]!;
    let increasing = true;
    for (let i = 0; i < G; i++) if (!(row[i + 1]! > row[i]!)) increasing = false;
    if (!increasing) for (let i = 0; i <= G; i++) row[i] = lo + i * h;
    const pad = padding * (col[N - 1]! - col[0]!);
    row[0] = row[0]! - pad;
    row[G] = row[G]! + pad;
  }
  return out;
}

/** Sample points [M, F]: M evenly spaced points over each feature's basis domain (refits without data). */
export function domainSamples(basis: BasisModule, M: number): Float64Array {
  const F = basis.inFeatures;
  const xs = new Float64Array(M * F);
  for (let f = 0; f < F; f++) {
    const [lo, hi] = basis.domain(f);
    for (let n = 0; n < M; n++) xs[n * F + f] = lo + ((hi - lo) * n) / (M - 1);
  }
  return xs;
}
