/**
 * @file A fast splineBasis kernel (shape contract in ops/primitives/spline.ts): per element it
 * finds the knot interval by binary search and computes only the k+1 non-zero bases with de Boor's
 * triangular recurrence (Piegl & Tiller, The NURBS Book, algorithm A2.2), instead of the reference's
 * full Cox-de Boor table over every knot (O(K·k) divisions per element). Dtype-agnostic, so the
 * wasm backend uses it on its heap views too (the basis is ~half of a KAN layer's time otherwise).
 *
 * On uniform knots (KAN's grids) the triangle runs on u = (v - t_i)/h and reads no knots, so it is
 * valid in every interval, including the k at either end of the grid (inputs beyond the grid's core
 * range, common in hidden layers): there it computes bases past the vector's ends too, and only
 * the existing ones, 0 <= j < nb, are stored. On other knots, elements within k knots of either end
 * (where the triangle would read past the knot vector) take the reference's full recurrence.
 */
import type { Kernel, View } from '../../core/primitive.js';
import { bsplineTable } from '../../core/special.js';

interface SplineAttrs { k: number }

/** Index i with t[g+i] <= v < t[g+i+1], for v in [t_0, t_last). */
function interval(t: View['values'], g: number, K: number, v: number): number {
  let lo = 0;
  let hi = K - 1; // invariant: t[lo] <= v < t[hi]
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (v >= t[g + mid]!) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * Per feature, 1/h when its knots are uniform (every spacing within a few ulps of the mean h: grids
 * from uniformGrid, KAN's default), else 0. On uniform knots the triangle's denominators are j·h
 * and its numerators multiples of h, so it runs on u = (v - t_i)/h with no division.
 */
function uniformSpacing(t: View['values'], F: number, K: number, f64: boolean): Float64Array {
  const inv = new Float64Array(F);
  const eps = f64 ? 2 ** -52 : 2 ** -23;
  for (let f = 0; f < F; f++) {
    const g = f * K;
    const h = (t[g + K - 1]! - t[g]!) / (K - 1);
    const tol = 8 * eps * Math.max(Math.abs(t[g]!), Math.abs(t[g + K - 1]!), h);
    let ok = h > 0;
    for (let j = 0; ok && j < K - 1; j++) ok = Math.abs(t[g + j + 1]! - t[g + j]! - h) <= tol;
    inv[f] = ok ? 1 / h : 0;
  }
  return inv;
}

/**
 * The per-element computation of the kernel below for out = splineBasis(x, grid, k): `invH` holds
 * each feature's 1/h when its knots are uniform (else 0); `element(e, f)` writes element e's bases
 * (feature f = e mod F) into an output that is already zero there. The wasm backend runs uniform
 * cubic features in wasm (assembly/spline.as, the same arithmetic) and this for the others.
 */
export function splineElements(out: View, x: View, grid: View, k: number): { invH: Float64Array; element: (e: number, f: number) => void } {
  const F = x.shape[x.shape.length - 1]!;
  const K = grid.shape[1]!;
  const nb = K - k - 1;
  const xs = x.values;
  const t = grid.values;
  const o = out.values;
  const N = new Float64Array(k + 1);
  const left = new Float64Array(k + 1);
  const right = new Float64Array(k + 1);
  const table = new Float64Array(K);
  const invH = uniformSpacing(t, F, K, grid.dtype === 'float64');
  const invJ = Float64Array.from({ length: k + 1 }, (_, j) => (j ? 1 / j : 0));
  // f = e mod F, passed in: callers walking e in order track it without a division per element.
  const element = (e: number, f: number): void => {
    const v = xs[e]!;
    const g = f * K;
    if (!(v >= t[g]! && v < t[g + K - 1]!)) return; // outside the knots (or NaN): all 0
    const ih = invH[f]!;
    let i: number;
    if (ih > 0) {
      // Guess from the spacing, then settle on t[i] <= v < t[i+1] exactly (rounding moves it by 1 at most).
      i = Math.min(K - 2, Math.floor((v - t[g]!) * ih));
      while (i > 0 && v < t[g + i]!) i--;
      while (i < K - 2 && v >= t[g + i + 1]!) i++;
    } else {
      i = interval(t, g, K, v);
    }
    const base = e * nb;
    if (ih <= 0 && (i < k || i > K - k - 2)) {
      bsplineTable(t, g, K, k, v, table);
      for (let j = 0; j < nb; j++) o[base + j] = table[j]!;
      return;
    }
    // Bases j = i-k .. i are the non-zero ones; at the grid's ends (uniform knots) only 0 <= j < nb exist.
    const first = i - k;
    // N[r] = B_{i-k+r, k}(v), r = 0..k. Non-uniform knots get here only for k <= i <= K-k-2, so
    // t[i-k+1] .. t[i+k] are inside the vector; the uniform recurrences read no knots.
    if (ih > 0 && k === 3) {
      // Uniform cubic (KAN's default), the triangle below written out in u: 3x faster.
      const u = (v - t[g + i]!) * ih;
      const w = 1 - u;
      const u2 = u * u;
      const u3 = u2 * u;
      const n0 = (w * w * w) / 6;
      const n1 = (3 * u3 - 6 * u2 + 4) / 6;
      const n2 = (-3 * u3 + 3 * u2 + 3 * u + 1) / 6;
      const n3 = u3 / 6;
      if (first >= 0 && i < nb) {
        // Interior (the common case): straight stores, no bounds per base.
        const b = base + first;
        o[b] = n0;
        o[b + 1] = n1;
        o[b + 2] = n2;
        o[b + 3] = n3;
        return;
      }
      N[0] = n0;
      N[1] = n1;
      N[2] = n2;
      N[3] = n3;
    } else if (ih > 0) {
      N[0] = 1;
      // Uniform: left_j = (u + j - 1)·h, right_j = (j - u)·h, denominators j·h.
      const u = (v - t[g + i]!) * ih;
      for (let j = 1; j <= k; j++) {
        let saved = 0;
        for (let r = 0; r < j; r++) {
          const temp = N[r]! * invJ[j]!;
          N[r] = saved + (r + 1 - u) * temp;
          saved = (u + j - 1 - r) * temp;
        }
        N[j] = saved;
      }
    } else {
      N[0] = 1;
      for (let j = 1; j <= k; j++) {
        left[j] = v - t[g + i + 1 - j]!;
        right[j] = t[g + i + j]! - v;
        let saved = 0;
        for (let r = 0; r < j; r++) {
          const temp = N[r]! / (right[r + 1]! + left[j - r]!);
          N[r] = saved + right[r + 1]! * temp;
          saved = left[j - r]! * temp;
        }
        N[j] = saved;
      }
    }
    for (let r = Math.max(0, -first), last = Math.min(k, nb - 1 - first); r <= last; r++) o[base + first + r] = N[r]!;
  };
  return { invH, element };
}

export const splineBasis: Kernel<SplineAttrs> = (out, [x, grid], { k }) => {
  const { element } = splineElements(out, x!, grid!, k);
  out.values.fill(0);
  const n = x!.values.length;
  const F = x!.shape[x!.shape.length - 1]!;
  for (let e = 0, f = 0; e < n; e++, f = f + 1 === F ? 0 : f + 1) element(e, f);
};
