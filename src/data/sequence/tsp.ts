/**
 * @file Small planar travelling-salesman problems by pointing (Vinyals et al., "Pointer Networks"
 * 2015, https://arxiv.org/abs/1506.03134, Section 4.3): cities uniform in [0, 1)^2 in, the optimal
 * tour out, solved exactly by Held-Karp dynamic programming (O(2^n n^2); numCities <= 10 here).
 * Canonical tour (the label): starts at city 0, and of its two directions the one whose second
 * city has the lower index than its last city; y holds the numCities cities in visiting order (the
 * return to city 0 is implied). Metric: tourLengthRatio (predicted / optimal length).
 */
import { ValueError } from '../../core/errors.js';
import { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { fromTyped } from '../rows.js';
import { intArg, taskArgs } from './common.js';
import type { Point } from './geometry.js';
import { checkSequences, pointsOf, type PointerTask } from './pointer-common.js';

/** Held-Karp's table has 2^n n entries: n = 10 is 10k, cheap; beyond that brute force labels are not "small". */
const MAX_CITIES = 10;

export interface TspTaskOptions {
  n?: number;
  /** Cities per problem (default 5, at most 10). */
  numCities?: number;
  seed?: number;
}

const dist = (p: Point, q: Point): number => Math.hypot(p[0] - q[0], p[1] - q[1]);

/** Length of the closed tour through points[tour] (back to its start). */
export function tourLength(points: readonly Point[], tour: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < tour.length; i++) s += dist(points[tour[i]!]!, points[tour[(i + 1) % tour.length]!]!);
  return s;
}

/** The tour in canonical form (from city 0; second city index < last city index). */
export function canonicalTour(tour: readonly number[]): number[] {
  const k = tour.indexOf(0);
  const t = [...tour.slice(k), ...tour.slice(0, k)];
  return t.length > 2 && t[1]! > t[t.length - 1]! ? [0, ...t.slice(1).reverse()] : t;
}

/**
 * An optimal tour by Held-Karp (exact), in canonical form.
 * @example data.optimalTour([[0, 0], [1, 0], [1, 1], [0, 1]]) // [0, 1, 2, 3]
 */
export function optimalTour(points: readonly Point[]): number[] {
  const n = points.length;
  if (n < 1 || n > MAX_CITIES) throw new ValueError(`optimalTour: needs 1..${MAX_CITIES} cities, got ${n}`);
  if (n <= 3) return canonicalTour(points.map((_, i) => i));
  // best[S][j]: shortest path from city 0 through the set S (of cities 1..n-1, bit j-1 = city j) ending at j.
  const full = 1 << (n - 1);
  const best = new Float64Array(full * n).fill(Infinity);
  const prev = new Int8Array(full * n).fill(-1);
  for (let j = 1; j < n; j++) best[(1 << (j - 1)) * n + j] = dist(points[0]!, points[j]!);
  for (let S = 1; S < full; S++) {
    for (let j = 1; j < n; j++) {
      const cur = best[S * n + j]!;
      if (!(S & (1 << (j - 1))) || cur === Infinity) continue;
      for (let k = 1; k < n; k++) {
        if (S & (1 << (k - 1))) continue;
        const T = S | (1 << (k - 1));
        const c = cur + dist(points[j]!, points[k]!);
        if (c < best[T * n + k]!) { best[T * n + k] = c; prev[T * n + k] = j; }
      }
    }
  }
  let end = 1, len = Infinity;
  for (let j = 1; j < n; j++) {
    const c = best[(full - 1) * n + j]! + dist(points[j]!, points[0]!);
    if (c < len) { len = c; end = j; }
  }
  const tour: number[] = [];
  for (let S = full - 1, j = end; j > 0;) {
    tour.push(j);
    const p = prev[S * n + j]!;
    S &= ~(1 << (j - 1));
    j = p;
  }
  return canonicalTour([0, ...tour.reverse()]);
}

/**
 * TSP samples: x float32 [n, numCities, 2], y int32 [n, numCities] (the optimal canonical tour).
 * @example const { x, y } = data.tspTask({ n: 500, numCities: 5 });
 */
export function tspTask(opts: TspTaskOptions = {}): PointerTask {
  const { n, seed } = taskArgs('tspTask', opts, ['numCities']);
  const C = intArg('tspTask', 'numCities', opts.numCities ?? 5, 1);
  if (C > MAX_CITIES) throw new ValueError(`tspTask: numCities must be an integer in [1, ${MAX_CITIES}] (exact labels), got ${C}`);
  const g = new Generator(seed);
  const x = new Float32Array(n * C * 2);
  const y = new Int32Array(n * C);
  for (let i = 0; i < n; i++) {
    const pts: Point[] = Array.from({ length: C }, () => [Math.fround(g.nextFloat()), Math.fround(g.nextFloat())]);
    pts.forEach((p, j) => x.set(p, (i * C + j) * 2));
    y.set(optimalTour(pts), i * C);
  }
  return { x: fromTyped(x, [n, C, 2], 'float32'), y: fromTyped(y, [n, C], 'int32') };
}

/**
 * Mean over samples of tourLength(predicted) / tourLength(optimal); a prediction that is not a
 * permutation of the cities makes it Infinity (decode with maskVisited to always get one).
 * @example data.tourLengthRatio(x, net.decode(x).sequences)
 */
export function tourLengthRatio(points: Tensor, predictions: readonly (readonly number[])[]): number {
  const sets = pointsOf('tourLengthRatio', points);
  const pred = checkSequences('tourLengthRatio', predictions, sets.length);
  let sum = 0;
  sets.forEach((pts, i) => {
    const s = pred[i]!;
    const valid = s.length === pts.length && new Set(s).size === s.length && s.every((k) => k >= 0 && k < pts.length);
    sum += valid ? tourLength(pts, s) / tourLength(pts, optimalTour(pts)) : Infinity;
  });
  return sum / sets.length;
}
