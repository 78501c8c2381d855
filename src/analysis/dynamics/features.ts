/**
 * @file Statistics of layer features given as tensors (what `analysis.activations` returns, or any
 * Tensor[] / Record<string, Tensor> of [N, ...] features): activation sparsity per layer, and the
 * neural-collapse metrics NC1-NC4 of last-layer features (Papyan, Han & Donoho 2020, "Prevalence of
 * neural collapse during the terminal phase of deep learning training",
 * https://arxiv.org/abs/2008.08186).
 *
 * Neural collapse, for features h_i [N, d] with labels y_i in 0..C-1, class means mu_c, global mean
 * mu_G, M = [mu_c - mu_G] (C x d) and the classifier W [C, d] (+ b):
 *   NC1 = tr(Sigma_W Sigma_B^+) / C    within-class variability relative to between-class (-> 0);
 *   NC2: equinorm = std_c ||mu_c - mu_G|| / mean_c ||mu_c - mu_G||, equiangular = std_{c != c'} cos(mu_c, mu_c')
 *        and maxAngle = mean_{c != c'} |cos + 1/(C-1)| (the paper's Fig. 3-4; all -> 0 at a simplex ETF);
 *   NC3 = || W / ||W||_F - M / ||M||_F ||_F^2    self-duality of classifier and means (-> 0);
 *   NC4 = share of samples whose classifier prediction differs from the nearest class mean (-> 0).
 * Sigma_W = (1/N) sum (h - mu_y)(h - mu_y)^T, Sigma_B = (1/C) sum_c (mu_c - mu_G)(mu_c - mu_G)^T.
 */
import { checkOptions, describe } from '../../core/args.js';
import { ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import { Tensor } from '../../core/tensor.js';
import { checkNumber } from '../../nn/check.js';
import { eighArray } from '../linalg.js';
import { f64 } from '../ntk/host.js';

/** The entries of features as [name, tensor] pairs (array indices become names "0", "1", ...). */
export function featureEntries(where: string, features: unknown): [string, Tensor][] {
  const entries = Array.isArray(features) ? features.map((t, i) => [String(i), t] as [string, unknown])
    : features instanceof Tensor ? [['0', features] as [string, unknown]]
      : features !== null && typeof features === 'object' ? Object.entries(features as Record<string, unknown>)
        : null;
  if (entries === null || entries.length === 0) throw new ValueError(`${where}: features must be a Tensor, a non-empty Tensor[] or a Record<string, Tensor>, got ${describe(features)}`, 'INVALID_ARGUMENT');
  for (const [k, t] of entries) {
    if (!(t instanceof Tensor)) throw new ValueError(`${where}: features['${k}'] must be a Tensor, got ${describe(t)}`, 'INVALID_ARGUMENT');
    if (t.dtype !== 'float32' && t.dtype !== 'float64') throw new ValueError(`${where}: features['${k}'] must be float32 or float64, got ${t.dtype}`, 'INVALID_ARGUMENT');
  }
  return entries as [string, Tensor][];
}

export interface SparsityOptions {
  /** An entry counts as inactive when |h| <= threshold (default 0: exact zeros, as after ReLU). */
  threshold?: number;
}

export interface LayerSparsity {
  /** Share of inactive entries over all samples and units. */
  sparsity: number;
  /** Share of units inactive on every sample ("dead" units; features [N, units, ...] flattened to [N, units]). */
  deadUnits: number;
}

/**
 * Activation sparsity per layer.
 * @example analysis.activationSparsity({ hidden1: h1, hidden2: h2 })   // { hidden1: { sparsity, deadUnits }, ... }
 */
export function activationSparsity(features: readonly Tensor[] | Record<string, Tensor> | Tensor, opts: SparsityOptions = {}): Record<string, LayerSparsity> {
  const where = 'activationSparsity';
  checkOptions(where, opts, ['threshold']);
  const thr = checkNumber(where, 'threshold', opts.threshold ?? 0, 0);
  const out: Record<string, LayerSparsity> = {};
  for (const [k, t] of featureEntries(where, features)) {
    if (t.rank < 2) throw new ShapeError(`${where}: features['${k}'] must be [N, units, ...], got ${fmtShape(t.shape)}`);
    const v = f64(t);
    const n = t.shape[0]!;
    const u = n === 0 ? 0 : v.length / n;
    let zeros = 0;
    const alive = new Uint8Array(u);
    for (let i = 0; i < v.length; i++) {
      if (Math.abs(v[i]!) <= thr) zeros++;
      else alive[i % u] = 1;
    }
    let dead = 0;
    for (let j = 0; j < u; j++) if (!alive[j]) dead++;
    out[k] = { sparsity: v.length ? zeros / v.length : 0, deadUnits: u ? dead / u : 0 };
  }
  return out;
}

export interface NeuralCollapse {
  nc1: number;
  nc2: { equinorm: number; equiangular: number; maxAngle: number };
  /** Needs the classifier. */
  nc3: number | null;
  /** Needs the classifier. */
  nc4: number | null;
}

export interface NeuralCollapseOptions {
  /** The last layer's weight [C, d] (or anything with `.weight` and optional `.bias`, like nn.Linear). */
  classifier?: Tensor | { weight: Tensor; bias?: Tensor | null } | null;
  /** The bias [C] when `classifier` is a Tensor. */
  bias?: Tensor | null;
}

const norm2 = (a: ArrayLike<number>): number => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!; return Math.sqrt(s); };

const std = (xs: number[]): number => {
  const m = xs.reduce((a, x) => a + x, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / xs.length);
};

/**
 * NC1-NC4 of last-layer features [N, d] with integer labels [N] (every class 0..C-1 present).
 * @example const nc = analysis.neuralCollapse(features, labels, { classifier: model.layers.at(-1) });
 */
export function neuralCollapse(features: Tensor, labels: Tensor, opts: NeuralCollapseOptions = {}): NeuralCollapse {
  const where = 'neuralCollapse';
  checkOptions(where, opts, ['classifier', 'bias']);
  if (!(features instanceof Tensor) || features.rank !== 2) throw new ShapeError(`${where}: features must be a Tensor [N, d], got ${features instanceof Tensor ? fmtShape(features.shape) : describe(features)}`);
  const [N, d] = features.shape as [number, number];
  if (!(labels instanceof Tensor) || labels.rank !== 1 || labels.shape[0] !== N) throw new ShapeError(`${where}: labels must be a Tensor [${N}] of class indices, got ${labels instanceof Tensor ? fmtShape(labels.shape) : describe(labels)}`);
  const H = f64(features);
  const y = Array.from(labels._peek() as ArrayLike<number>);
  if (!y.every((c) => Number.isInteger(c) && c >= 0)) throw new ValueError(`${where}: labels must be integer class indices >= 0`, 'INVALID_ARGUMENT');
  const C = Math.max(...y) + 1;
  const count = new Float64Array(C);
  const mu = new Float64Array(C * d);
  const muG = new Float64Array(d);
  y.forEach((c, i) => { count[c]!++; for (let k = 0; k < d; k++) { mu[c * d + k]! += H[i * d + k]!; muG[k]! += H[i * d + k]! / N; } });
  for (let c = 0; c < C; c++) {
    if (count[c] === 0) throw new ValueError(`${where}: class ${c} has no samples (labels must cover 0..${C - 1})`, 'INVALID_ARGUMENT');
    for (let k = 0; k < d; k++) mu[c * d + k] = mu[c * d + k]! / count[c]!;
  }
  if (C < 2) throw new ValueError(`${where}: needs at least two classes, got ${C}`, 'INVALID_ARGUMENT');
  const M = new Float64Array(C * d);
  for (let c = 0; c < C; c++) for (let k = 0; k < d; k++) M[c * d + k] = mu[c * d + k]! - muG[k]!;
  // NC1: tr(Sigma_W Sigma_B^+) / C, with Sigma_B^+ from the eigendecomposition of Sigma_B (rank <= C - 1).
  const SW = new Float64Array(d * d), SB = new Float64Array(d * d);
  for (let i = 0; i < N; i++) {
    const c = y[i]!;
    for (let a = 0; a < d; a++) {
      const da = H[i * d + a]! - mu[c * d + a]!;
      for (let b = 0; b < d; b++) SW[a * d + b]! += (da * (H[i * d + b]! - mu[c * d + b]!)) / N;
    }
  }
  for (let c = 0; c < C; c++) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) SB[a * d + b]! += (M[c * d + a]! * M[c * d + b]!) / C;
  const { values, vectors } = eighArray(SB, d, where);
  const cut = Math.max(values[0]!, 0) * d * 1e-12;
  let nc1 = 0;
  for (let e = 0; e < d; e++) {
    if (!(values[e]! > cut)) continue;
    // v^T Sigma_W v / lambda
    let q = 0;
    for (let a = 0; a < d; a++) {
      let s = 0;
      for (let b = 0; b < d; b++) s += SW[a * d + b]! * vectors[b * d + e]!;
      q += vectors[a * d + e]! * s;
    }
    nc1 += q / values[e]!;
  }
  nc1 /= C;
  // NC2
  const norms = Array.from({ length: C }, (_, c) => norm2(M.subarray(c * d, (c + 1) * d)));
  const cosines: number[] = [];
  for (let c = 0; c < C; c++) for (let e = c + 1; e < C; e++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += M[c * d + k]! * M[e * d + k]!;
    cosines.push(s / (norms[c]! * norms[e]!));
  }
  const mean = norms.reduce((a, x) => a + x, 0) / C;
  const nc2 = {
    equinorm: std(norms) / mean,
    equiangular: std(cosines),
    maxAngle: cosines.reduce((a, x) => a + Math.abs(x + 1 / (C - 1)), 0) / cosines.length,
  };
  // NC3, NC4: the classifier.
  let nc3: number | null = null, nc4: number | null = null;
  const cls = opts.classifier;
  if (cls !== undefined && cls !== null) {
    const W = cls instanceof Tensor ? cls : cls.weight;
    const bias = cls instanceof Tensor ? opts.bias ?? null : cls.bias ?? null;
    if (!(W instanceof Tensor) || W.rank !== 2 || W.shape[0] !== C || W.shape[1] !== d) throw new ShapeError(`${where}: classifier weight must be [${C}, ${d}] (C classes, d features), got ${W instanceof Tensor ? fmtShape(W.shape) : describe(W)}`);
    if (bias !== null && (!(bias instanceof Tensor) || bias.rank !== 1 || bias.shape[0] !== C)) throw new ShapeError(`${where}: classifier bias must be [${C}], got ${bias instanceof Tensor ? fmtShape(bias.shape) : describe(bias)}`);
    const w = f64(W), b = bias ? f64(bias) : new Float64Array(C);
    const wn = norm2(w), mn = norm2(M);
    nc3 = w.reduce((a, x, i) => a + (x / wn - M[i]! / mn) ** 2, 0);
    let mismatch = 0;
    for (let i = 0; i < N; i++) {
      let best = -Infinity, arg = -1, near = Infinity, argN = -1;
      for (let c = 0; c < C; c++) {
        let z = b[c]!, dist = 0;
        for (let k = 0; k < d; k++) { z += w[c * d + k]! * H[i * d + k]!; dist += (H[i * d + k]! - mu[c * d + k]!) ** 2; }
        if (z > best) { best = z; arg = c; }
        if (dist < near) { near = dist; argN = c; }
      }
      if (arg !== argN) mismatch++;
    }
    nc4 = mismatch / N;
  } else if (opts.bias !== undefined && opts.bias !== null) {
    throw new ValueError(`${where}: bias needs classifier`, 'INVALID_ARGUMENT');
  }
  return { nc1, nc2, nc3, nc4 };
}
