/**
 * @file Centered kernel alignment (Kornblith, Norouzi, Lee & Hinton 2019, "Similarity of Neural
 * Network Representations Revisited", https://arxiv.org/abs/1905.00414): for representations
 * X [n, p1] and Y [n, p2] of the same n samples, CKA = HSIC(K, L) / sqrt(HSIC(K, K) HSIC(L, L)) with
 * Gram matrices K, L. The linear kernel gives ||Y^T X||²_F / (||X^T X||_F ||Y^T Y||_F) on centred
 * features: invariant to orthogonal transforms and isotropic scaling, not to general invertible
 * linear maps. The RBF kernel uses exp(-d² / (2 σ²)) with σ² = threshold² · median(d²) (their code).
 *
 * `unbiased: true` uses the unbiased HSIC estimator of Song et al. 2012; `MinibatchCKA` averages it
 * over minibatches (Nguyen, Raghu & Kornblith 2021, "Do Wide and Deep Networks Learn the Same
 * Things?", https://arxiv.org/abs/2010.15327), which converges to the population CKA as batches
 * accumulate, where the biased estimate of a small batch is inflated for wide layers.
 * A representation with no variance has no CKA: the result is NaN.
 */
import { ShapeError, ValueError } from '../../core/errors.js';
import { checkArgCount, checkEnum, checkOptions } from '../../core/args.js';
import type { Tensor } from '../../core/tensor.js';
import { type Features, centerColumns, centerGram, dot, gramLinear, readFeatures, readPair, sqDistances } from './features.js';

export const CKA_KERNELS = ['linear', 'rbf'] as const;
export type CKAKernel = (typeof CKA_KERNELS)[number];

export interface CKAOptions {
  /** 'linear' (default) or 'rbf'. */
  kernel?: CKAKernel;
  /** RBF width as a multiple of the median pairwise distance (default 1, Kornblith et al.'s code). */
  threshold?: number;
  /** Unbiased HSIC estimator (Song et al. 2012) instead of the biased one (default false). */
  unbiased?: boolean;
}

const OPTION_KEYS = ['kernel', 'threshold', 'unbiased'];

/** Checked options with defaults. */
export function ckaOptions(where: string, opts: CKAOptions | undefined): Required<CKAOptions> {
  const o = checkOptions(where, opts, OPTION_KEYS);
  const kernel = checkEnum(where, 'kernel', o.kernel ?? 'linear', CKA_KERNELS);
  const threshold = o.threshold ?? 1;
  if (typeof threshold !== 'number' || !(threshold > 0 && Number.isFinite(threshold))) throw new ValueError(`${where}: threshold must be a finite number > 0, got ${String(threshold)}`);
  const unbiased = o.unbiased ?? false;
  if (typeof unbiased !== 'boolean') throw new ValueError(`${where}: unbiased must be a boolean, got ${typeof unbiased}`);
  return { kernel, threshold, unbiased };
}

/** The Gram matrix of `f` under the kernel (f is not centred here; HSIC centres). */
export function gram(f: Features, o: Required<CKAOptions>): Float64Array {
  if (o.kernel === 'linear') return gramLinear(centerColumns({ ...f, a: Float64Array.from(f.a) }));
  const d = sqDistances(f);
  const med = median(d);
  const k = new Float64Array(d.length);
  // All points equal: every distance is 0 and so is the median; K = all ones (no variance, CKA NaN).
  const s2 = 2 * o.threshold * o.threshold * med;
  for (let i = 0; i < d.length; i++) k[i] = s2 > 0 ? Math.exp(-d[i]! / s2) : 1;
  return k;
}

function median(v: Float64Array): number {
  const s = Float64Array.from(v).sort();
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/** A representation prepared for HSIC against many others (its Gram matrix, once). */
export interface PreparedGram { n: number; unbiased: boolean; k: Float64Array; rows: Float64Array; total: number; self: number }

/** Centred Gram (biased), or the diagonal-free Gram with its row sums (unbiased), plus HSIC(K, K). */
export function prepareGram(k: Float64Array, n: number, unbiased: boolean): PreparedGram {
  if (!unbiased) {
    centerGram(k, n);
    return { n, unbiased, k, rows: new Float64Array(0), total: 0, self: dot(k, k) };
  }
  if (n < 4) throw new ShapeError(`unbiased HSIC needs at least 4 samples, got ${n}`);
  for (let i = 0; i < n; i++) k[i * n + i] = 0;
  const rows = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) { let s = 0; for (let j = 0; j < n; j++) s += k[i * n + j]!; rows[i] = s; total += s; }
  const p: PreparedGram = { n, unbiased, k, rows, total, self: 0 };
  p.self = hsic(p, p);
  return p;
}

/**
 * HSIC of two prepared Grams of the same n (biased: <HKH, HLH>, the 1/(n-1)² factor cancels in CKA;
 * unbiased: Song et al.'s estimator [tr(K̃L̃) + 1ᵀK̃1 1ᵀL̃1 / ((n-1)(n-2)) - 2/(n-2) 1ᵀK̃L̃1] / (n(n-3))).
 */
export function hsic(a: PreparedGram, b: PreparedGram): number {
  if (!a.unbiased) return dot(a.k, b.k);
  const n = a.n;
  const t1 = dot(a.k, b.k);
  const t2 = (a.total * b.total) / ((n - 1) * (n - 2));
  const t3 = (2 / (n - 2)) * dot(a.rows, b.rows);
  return (t1 + t2 - t3) / (n * (n - 3));
}

const ratio = (xy: number, xx: number, yy: number): number => (xx > 0 && yy > 0 ? xy / Math.sqrt(xx * yy) : NaN);

/**
 * CKA between two representations of the same samples, X [n, p1] and Y [n, p2] (Tensors of higher
 * rank are flattened per sample). In [0, 1] for the biased estimator; NaN when X or Y is constant.
 * @example analysis.cka(actsA.get('layers.1'), actsB.get('layers.1'));                 // linear CKA
 * @example analysis.cka(x, y, { kernel: 'rbf', threshold: 0.5, unbiased: true });
 */
export function cka(X: Tensor | readonly (readonly number[])[], Y: Tensor | readonly (readonly number[])[], opts?: CKAOptions, ...rest: unknown[]): number {
  checkArgCount('cka', 3 + rest.length, 3, 'cka(X, Y, options?)');
  const o = ckaOptions('cka', opts);
  const [fx, fy] = readPair(X, Y, 'cka', o.unbiased ? 4 : 2);
  if (o.kernel === 'linear' && !o.unbiased) return linearFeatureCKA(centerColumns(fx), centerColumns(fy));
  const a = prepareGram(gram(fx, o), fx.n, o.unbiased);
  const b = prepareGram(gram(fy, o), fy.n, o.unbiased);
  return ratio(hsic(a, b), a.self, b.self);
}

/** Linear CKA in feature space: O(n p1 p2) instead of the Gram matrices' O(n² (p1 + p2)). */
function linearFeatureCKA(x: Features, y: Features): number {
  const cross = (u: Features, v: Features): number => {
    // ||U^T V||²_F
    let s = 0;
    const col = new Float64Array(v.p);
    for (let i = 0; i < u.p; i++) {
      col.fill(0);
      for (let r = 0; r < u.n; r++) {
        const ui = u.a[r * u.p + i]!;
        if (ui === 0) continue;
        const o = r * v.p;
        for (let j = 0; j < v.p; j++) col[j] = col[j]! + ui * v.a[o + j]!;
      }
      for (let j = 0; j < v.p; j++) s += col[j]! * col[j]!;
    }
    return s;
  };
  return ratio(cross(x, y), cross(x, x), cross(y, y));
}

/**
 * CKA between every representation of `xs` and every one of `ys` (all of the same n samples):
 * result[i][j] = CKA(xs[i], ys[j]). Each Gram matrix is built once.
 * @example const m = analysis.ckaMatrix([a1, a2, a3], [b1, b2, b3]);   // 3 x 3
 */
export function ckaMatrix(xs: readonly Tensor[], ys: readonly Tensor[], opts?: CKAOptions, ...rest: unknown[]): number[][] {
  checkArgCount('ckaMatrix', 3 + rest.length, 3, 'ckaMatrix(xs, ys, options?)');
  const o = ckaOptions('ckaMatrix', opts);
  if (!Array.isArray(xs) || !Array.isArray(ys)) throw new ValueError(`ckaMatrix: xs and ys must be arrays of Tensors [n, p], got ${typeof xs} and ${typeof ys}`);
  const prep = (t: Tensor, name: string, n0: number | null): PreparedGram => {
    const f = readFeatures(t, 'ckaMatrix', name);
    if (n0 !== null && f.n !== n0) throw new ShapeError(`ckaMatrix: every representation must hold the same samples: ${name} has ${f.n} rows, xs[0] has ${n0}`);
    return prepareGram(gram(f, o), f.n, o.unbiased);
  };
  const first = xs.length ? prep(xs[0]!, 'xs[0]', null) : null;
  const n0 = first ? first.n : null;
  const px = xs.map((t, i) => (i === 0 ? first! : prep(t, `xs[${i}]`, n0)));
  const py = ys.map((t, j) => prep(t, `ys[${j}]`, n0));
  return px.map((a) => py.map((b) => ratio(hsic(a, b), a.self, b.self)));
}

/**
 * Minibatch CKA (Nguyen et al. 2021): `update(X, Y)` with each batch's two representations, then
 * `compute()` = mean HSIC₁(K, L) / sqrt(mean HSIC₁(K, K) · mean HSIC₁(L, L)) over the batches, with
 * Song et al.'s unbiased HSIC₁. Batches need at least 4 samples; their sizes may differ.
 * @example const m = new analysis.MinibatchCKA(); for (const [a, b] of batches) m.update(a, b); m.compute();
 */
export class MinibatchCKA {
  private readonly opts: Required<CKAOptions>;
  private xy = 0;
  private xx = 0;
  private yy = 0;
  /** Batches seen. */
  batches = 0;

  constructor(opts: Omit<CKAOptions, 'unbiased'> = {}) {
    if (opts !== null && typeof opts === 'object' && 'unbiased' in opts) throw new ValueError("MinibatchCKA: unknown option 'unbiased' (known: kernel, threshold; minibatch CKA is always unbiased)", 'UNKNOWN_OPTION');
    const o = checkOptions('MinibatchCKA', opts, ['kernel', 'threshold']);
    this.opts = { ...ckaOptions('MinibatchCKA', o), unbiased: true };
  }

  /** Adds one batch: X [b, p1] and Y [b, p2] of the same b >= 4 samples. Returns this. */
  update(X: Tensor | readonly (readonly number[])[], Y: Tensor | readonly (readonly number[])[], ...rest: unknown[]): this {
    checkArgCount('MinibatchCKA.update', 2 + rest.length, 2, 'update(X, Y)');
    const [fx, fy] = readPair(X, Y, 'MinibatchCKA.update', 4);
    const a = prepareGram(gram(fx, this.opts), fx.n, true);
    const b = prepareGram(gram(fy, this.opts), fy.n, true);
    this.xy += hsic(a, b);
    this.xx += a.self;
    this.yy += b.self;
    this.batches++;
    return this;
  }

  /** The minibatch CKA over every batch so far (NaN before the first, or for a constant representation). */
  compute(): number {
    return this.batches ? ratio(this.xy, this.xx, this.yy) : NaN;
  }
}
