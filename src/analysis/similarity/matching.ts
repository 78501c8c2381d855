/**
 * @file Convergent learning (Li, Yosinski, Clune, Lipson & Hopcroft 2015, "Convergent Learning: Do
 * different neural networks learn the same representations?", https://arxiv.org/abs/1511.07543):
 * the correlation matrix between the units of two networks over the same inputs, and unit matchings
 * on it: one-to-one (bipartite, maximising the total correlation, by the Hungarian algorithm) and
 * many-to-one (semi-matching: each unit of the first net to its most correlated unit of the second).
 *
 * `linearSumAssignment` is scipy.optimize.linear_sum_assignment: the shortest-augmenting-path
 * Hungarian algorithm with potentials (Kuhn-Munkres in the Jonker-Volgenant form), O(n² m) for an
 * n x m cost matrix with n <= m (a tall matrix is solved transposed).
 */
import { tensor } from '../../core/create.js';
import { ValueError } from '../../core/errors.js';
import { checkArgCount, checkEnum, checkOptions } from '../../core/args.js';
import type { Tensor } from '../../core/tensor.js';
import { readMatrix } from '../svd.js';
import { type Features, readPair } from './features.js';

type Rep = Tensor | readonly (readonly number[])[];

/**
 * @internal Minimum-cost assignment of each of n rows to a distinct column of the row-major n x m
 * `cost` (n <= m): returns the column of each row.
 */
export function hungarian(cost: Float64Array, n: number, m: number): Int32Array {
  // 1-based potentials u (rows) and v (columns); p[j] = row matched to column j (0 = none).
  const u = new Float64Array(n + 1), v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1), way = new Int32Array(m + 1);
  const minv = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0]!;
      let delta = Infinity;
      let j1 = 0;
      const row = (i0 - 1) * m;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = cost[row + j - 1]! - u[i0]! - v[j]!;
        if (cur < minv[j]!) { minv[j] = cur; way[j] = j0; }
        if (minv[j]! < delta) { delta = minv[j]!; j1 = j; }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) { u[p[j]!] = u[p[j]!]! + delta; v[j] = v[j]! - delta; } else minv[j] = minv[j]! - delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    // Flip the augmenting path.
    do { const j1 = way[j0]!; p[j0] = p[j1]!; j0 = j1; } while (j0 !== 0);
  }
  const ans = new Int32Array(n).fill(-1);
  for (let j = 1; j <= m; j++) if (p[j]! > 0) ans[p[j]! - 1] = j - 1;
  return ans;
}

export interface AssignmentOptions {
  /** Maximise the total instead of minimising it (default false). */
  maximize?: boolean;
}

/**
 * The assignment of rows to columns of `cost` [n, m] with the smallest total (scipy's
 * linear_sum_assignment): min(n, m) pairs, `rowInd` ascending, `colInd` the matching columns.
 * @example analysis.linearSumAssignment([[4, 1, 3], [2, 0, 5], [3, 2, 2]])   // rowInd [0,1,2], colInd [1,0,2]
 */
export function linearSumAssignment(cost: Tensor | readonly (readonly number[])[], opts?: AssignmentOptions, ...rest: unknown[]): { rowInd: number[]; colInd: number[] } {
  checkArgCount('linearSumAssignment', 2 + rest.length, 2, 'linearSumAssignment(cost, options?)');
  const o = checkOptions('linearSumAssignment', opts, ['maximize']);
  const maximize = o.maximize ?? false;
  if (typeof maximize !== 'boolean') throw new ValueError(`linearSumAssignment: maximize must be a boolean, got ${typeof maximize}`);
  const { a, rows, cols } = readMatrix(cost, 'linearSumAssignment', 'cost');
  return assign(a, rows, cols, maximize);
}

/** Assignment on a host array (shared with matchUnits). */
function assign(a: Float64Array, rows: number, cols: number, maximize: boolean): { rowInd: number[]; colInd: number[] } {
  const sign = maximize ? -1 : 1;
  if (rows <= cols) {
    const c = Float64Array.from(a, (x) => sign * x);
    const col = hungarian(c, rows, cols);
    return { rowInd: Array.from({ length: rows }, (_, i) => i), colInd: Array.from(col) };
  }
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = sign * a[i * cols + j]!;
  const rowOfCol = hungarian(t, cols, rows);
  const pairs = Array.from(rowOfCol, (r, j) => [r, j] as const).sort((x, y) => x[0] - y[0]);
  return { rowInd: pairs.map((q) => q[0]), colInd: pairs.map((q) => q[1]) };
}

/** Columns standardised to mean 0 and unit norm (a constant unit becomes all zeros). */
function standardised(f: Features): Float64Array {
  const { a, n, p } = f;
  const z = new Float64Array(n * p);
  for (let j = 0; j < p; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += a[i * p + j]!;
    m /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) { const v = a[i * p + j]! - m; z[i * p + j] = v; ss += v * v; }
    const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    for (let i = 0; i < n; i++) z[i * p + j] = z[i * p + j]! * inv;
  }
  return z;
}

function correlationArray(fx: Features, fy: Features): Float64Array {
  const zx = standardised(fx), zy = standardised(fy);
  const { n, p: p1 } = fx;
  const p2 = fy.p;
  const c = new Float64Array(p1 * p2);
  for (let t = 0; t < n; t++) {
    for (let i = 0; i < p1; i++) {
      const xi = zx[t * p1 + i]!;
      if (xi === 0) continue;
      const o = i * p2;
      for (let j = 0; j < p2; j++) c[o + j] = c[o + j]! + xi * zy[t * p2 + j]!;
    }
  }
  return c;
}

/**
 * Pearson correlation between every unit of X [n, p1] and every unit of Y [n, p2] over the n
 * samples: [p1, p2] float64. A constant (dead) unit correlates 0 with everything.
 * @example analysis.unitCorrelation(actsA, actsB)
 */
export function unitCorrelation(X: Rep, Y: Rep, ...rest: unknown[]): Tensor {
  checkArgCount('unitCorrelation', 2 + rest.length, 2, 'unitCorrelation(X, Y)');
  const [fx, fy] = readPair(X, Y, 'unitCorrelation', 2);
  return tensor(correlationArray(fx, fy), { dtype: 'float64', shape: [fx.p, fy.p] });
}

export const MATCH_METHODS = ['hungarian', 'semi'] as const;

export interface MatchOptions {
  /** 'hungarian' (default): one-to-one, maximum total correlation; 'semi': each X unit to its best Y unit. */
  method?: (typeof MATCH_METHODS)[number];
}

export interface UnitMatch {
  /** For each unit i of X, the unit of Y it is matched to (-1: unmatched, when X has more units). */
  assignment: number[];
  /** The correlation of each X unit with its match (NaN when unmatched). */
  correlations: number[];
  /** Mean correlation over the matched units. */
  mean: number;
}

/**
 * Matches the units of X [n, p1] to those of Y [n, p2] by their correlation (Li et al. 2015).
 * With 'hungarian', a copy of a network with permuted units is matched back to the permutation.
 * @example const { assignment } = analysis.matchUnits(hiddenA, hiddenB);
 */
export function matchUnits(X: Rep, Y: Rep, opts?: MatchOptions, ...rest: unknown[]): UnitMatch {
  checkArgCount('matchUnits', 3 + rest.length, 3, 'matchUnits(X, Y, options?)');
  const o = checkOptions('matchUnits', opts, ['method']);
  const method = checkEnum('matchUnits', 'method', o.method ?? 'hungarian', MATCH_METHODS);
  const [fx, fy] = readPair(X, Y, 'matchUnits', 2);
  const c = correlationArray(fx, fy);
  const p1 = fx.p, p2 = fy.p;
  const assignment = new Array<number>(p1).fill(-1);
  if (method === 'semi') {
    for (let i = 0; i < p1; i++) {
      let best = 0;
      for (let j = 1; j < p2; j++) if (c[i * p2 + j]! > c[i * p2 + best]!) best = j;
      if (p2 > 0) assignment[i] = best;
    }
  } else {
    const { rowInd, colInd } = assign(c, p1, p2, true);
    rowInd.forEach((r, t) => { assignment[r] = colInd[t]!; });
  }
  const correlations = assignment.map((j, i) => (j < 0 ? NaN : c[i * p2 + j]!));
  const matched = correlations.filter((v) => !Number.isNaN(v));
  return { assignment, correlations, mean: matched.reduce((a, v) => a + v, 0) / matched.length };
}
