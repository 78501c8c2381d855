/**
 * @file Representational similarity analysis (Kriegeskorte, Mur & Bandettini 2008,
 * https://doi.org/10.3389/neuro.06.004.2008): a representation X [n, p] of n stimuli gives a
 * representational dissimilarity matrix RDM [n, n] (1 - Pearson correlation between two stimuli's
 * feature vectors, or their Euclidean distance); two representations are compared by the rank
 * (Spearman, default) or Pearson correlation of their RDMs' upper triangles, so neither the feature
 * count nor a monotone change of the distance scale matters.
 */
import { tensor } from '../../core/create.js';
import { ShapeError } from '../../core/errors.js';
import { checkArgCount, checkEnum, checkOptions } from '../../core/args.js';
import type { Tensor } from '../../core/tensor.js';
import { type Features, readFeatures, readPair, sqDistances } from './features.js';

type Rep = Tensor | readonly (readonly number[])[];

export const RDM_METRICS = ['correlation', 'euclidean'] as const;
export type RDMMetric = (typeof RDM_METRICS)[number];
export const RSA_COMPARISONS = ['spearman', 'pearson'] as const;

export interface RDMOptions {
  /** 'correlation' (default): 1 - Pearson r between rows; 'euclidean': their distance. */
  metric?: RDMMetric;
}

export interface RSAOptions extends RDMOptions {
  /** How the two RDMs' upper triangles are compared: 'spearman' (default) or 'pearson'. */
  compare?: (typeof RSA_COMPARISONS)[number];
}

function rdmArray(f: Features, metric: RDMMetric): Float64Array {
  const { a, n, p } = f;
  if (metric === 'euclidean') return sqDistances(f).map(Math.sqrt);
  // Rows standardised (mean 0, norm 1): r_ij = <z_i, z_j>. A constant row has no correlation: r = 0.
  const z = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let j = 0; j < p; j++) m += a[i * p + j]!;
    m /= p;
    let ss = 0;
    for (let j = 0; j < p; j++) { const v = a[i * p + j]! - m; z[i * p + j] = v; ss += v * v; }
    const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    for (let j = 0; j < p; j++) z[i * p + j] = z[i * p + j]! * inv;
  }
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let c = 0; c < p; c++) s += z[i * p + c]! * z[j * p + c]!;
      d[i * n + j] = d[j * n + i] = 1 - s;
    }
  }
  return d;
}

/**
 * The representational dissimilarity matrix of X [n, p]: [n, n] float64, zero diagonal.
 * @example analysis.rdm(acts, { metric: 'euclidean' })
 */
export function rdm(X: Rep, opts?: RDMOptions, ...rest: unknown[]): Tensor {
  checkArgCount('rdm', 2 + rest.length, 2, 'rdm(X, options?)');
  const o = checkOptions('rdm', opts, ['metric']);
  const metric = checkEnum('rdm', 'metric', o.metric ?? 'correlation', RDM_METRICS);
  const f = readFeatures(X, 'rdm', 'X');
  return tensor(rdmArray(f, metric), { dtype: 'float64', shape: [f.n, f.n] });
}

/** Average ranks (ties share their mean rank), as scipy.stats.rankdata. */
export function ranks(v: Float64Array): Float64Array {
  const idx = Array.from(v.keys()).sort((a, b) => v[a]! - v[b]!);
  const r = new Float64Array(v.length);
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && v[idx[j + 1]!] === v[idx[i]!]) j++;
    const mean = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) r[idx[t]!] = mean;
    i = j + 1;
  }
  return r;
}

/** Pearson correlation of two equal-length vectors (NaN when either is constant). */
export function pearson(x: Float64Array, y: Float64Array): number {
  const n = x.length;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) { mx += x[i]!; my += y[i]!; }
  mx /= n; my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) { const a = x[i]! - mx, b = y[i]! - my; sxy += a * b; sxx += a * a; syy += b * b; }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/**
 * RSA similarity of X [n, p1] and Y [n, p2]: the correlation of their RDMs over the n(n-1)/2 pairs
 * of distinct stimuli. NaN when an RDM is constant.
 * @example analysis.rsa(actsA, actsB)                    // Spearman of correlation-distance RDMs
 */
export function rsa(X: Rep, Y: Rep, opts?: RSAOptions, ...rest: unknown[]): number {
  checkArgCount('rsa', 3 + rest.length, 3, 'rsa(X, Y, options?)');
  const o = checkOptions('rsa', opts, ['metric', 'compare']);
  const metric = checkEnum('rsa', 'metric', o.metric ?? 'correlation', RDM_METRICS);
  const compare = checkEnum('rsa', 'compare', o.compare ?? 'spearman', RSA_COMPARISONS);
  const [fx, fy] = readPair(X, Y, 'rsa', 3);
  if (fx.n < 3) throw new ShapeError(`rsa: needs at least 3 stimuli (rows), got ${fx.n}`);
  const n = fx.n;
  const dx = rdmArray(fx, metric), dy = rdmArray(fy, metric);
  const ux = new Float64Array((n * (n - 1)) / 2), uy = new Float64Array(ux.length);
  let t = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) { ux[t] = dx[i * n + j]!; uy[t++] = dy[i * n + j]!; }
  return compare === 'spearman' ? pearson(ranks(ux), ranks(uy)) : pearson(ux, uy);
}
