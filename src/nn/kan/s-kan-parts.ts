/**
 * @file The pieces of an S-KAN layer (s-kan.ts has the method): its options and their defaults and
 * checks, SKANGroup (one activation space over a subset of the input features), and the array helpers
 * the layer uses to build, select and refit groups. Split from s-kan-linear.ts so the layer class
 * reads on its own.
 */
import { type FloatDType } from '../../core/dtype.js';
import { ValueError } from '../../core/errors.js';
import { tensor } from '../../core/create.js';
import { noGrad } from '../../core/grad-mode.js';
import { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { Module, Parameter } from '../module.js';
import { type ModuleConfig } from '../config.js';
import { checkBool, checkInt, checkNumber, checkPositive } from '../check.js';
import { BASIS_DEFAULT_SIZES, BASIS_NAMES, type BasisModule, type BasisName, checkRange, makeBasis } from './basis.js';
import { basisValues, domainSamples, fitWeights } from './fit.js';

export const DEFAULT_MIX_SCALE = 1;
const DEFAULT_SIZES = BASIS_DEFAULT_SIZES;

export interface SKANLinearOptions {
  /** Candidate spaces (default all four: bspline, rbf, chebyshev, fourier). */
  pool?: readonly BasisName[];
  /** Resolution per space: one number for all, or per name (defaults 5, 8, 4, 5; see Basis.size). */
  grid?: number | Partial<Record<BasisName, number>>;
  /** B-spline order (default 3). */
  k?: number;
  /** Range of the grids / centres (default [-1, 1]). */
  gridRange?: readonly [number, number];
  /** Base branch w_base * silu(x) on every edge (default true, as KANLinear). */
  base?: boolean;
  /** Amplitude of the noise the initial spline functions are fitted to (default 0.1). */
  scaleNoise?: number;
  /** Learn an output bias (default false). */
  bias?: boolean;
  /**
   * What the mixing weights sum to: edge = base + mixScale * sum_s softmax(alpha)_s f_s
   * (default 1, the paper's softmax). |pool| would give every space a single KAN's scale at
   * uniform weights; measured worse on S1's xy (bench/skan-accept.ts, best of 3: 2.0e-3 vs 9.5e-4).
   */
  mixScale?: number;
  /**
   * A learnable per-edge scale s [out, in] on the spline part, shared by the spaces (pykan's
   * scale_sp, KANLinear's standaloneScaleSpline): phi = base + s_ji * (mixed) spline, initial
   * s = scaleSpline / sqrt(in). It is what makes S-KAN train like the single-basis KANs it is
   * compared with: on S1 (bench/skan-accept.ts) a Fourier KAN without it reaches 1.65e-2 instead of
   * 7.0e-3 on the 4-D function, and with it S-KAN's mixing weights move enough for the paper's
   * 'weight' selection to work (S1 passes). Default true, as KANLinear.
   */
  standaloneScaleSpline?: boolean;
  /** Initial spline scale (default 1). */
  scaleSpline?: number;
  /**
   * Pool index chosen per input node (a selected layer), or absent/null for the mixture. Set by
   * `select()` and by fromConfig; rarely given by hand.
   */
  selected?: readonly number[] | null;
  dtype?: FloatDType;
  generator?: Generator;
}

/** One activation space over a subset of the layer's input features. */
export class SKANGroup extends Module {
  readonly space: number;
  /** Input feature indices of the layer this group covers (increasing). */
  readonly features: readonly number[];
  basis: BasisModule;
  /** [out, features.length * nb]; the nb coefficients of edge (j, features[f]) at [j, f*nb : (f+1)*nb]. */
  splineWeight: Parameter;

  constructor(space: number, features: readonly number[], basis: BasisModule, weight: Parameter) {
    super();
    this.space = space;
    this.features = features;
    this.basis = basis;
    this.splineWeight = weight;
  }

  forward(x: Tensor): Tensor {
    return this.basis.evaluate(x);
  }

  /** Descriptive only (not registered): a group is rebuilt by its SKANLinear from `selected`. */
  override getConfig(): ModuleConfig {
    return { type: 'SKANGroup', space: this.space, features: [...this.features], basis: this.basis.getConfig() };
  }
}

export interface Resolved {
  pool: BasisName[];
  sizes: number[];
  k: number;
  gridRange: [number, number];
  base: boolean;
  scaleNoise: number;
  bias: boolean;
  mixScale: number;
  standaloneScaleSpline: boolean;
  scaleSpline: number;
}

export const SELECT_CRITERIA = ['weight', 'contribution', 'fit'] as const;
export type SelectCriterion = (typeof SELECT_CRITERIA)[number];
export interface SelectOptions {
  /** How each node's space is chosen (default 'weight', the paper's). */
  criterion?: SelectCriterion;
  /**
   * With samples: refit the kept space to the whole mixture (default true); false keeps its own
   * coefficients times its weight (the samples then only serve the criterion).
   */
  refit?: boolean;
}

export function rms(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s / Math.max(1, v.length));
}

/** Options after defaults, with argument checks. */
export function resolve(opts: SKANLinearOptions): Resolved {
  const where = 'SKANLinear';
  const pool = [...(opts.pool ?? BASIS_NAMES)];
  if (pool.length === 0) throw new ValueError(`${where}: pool must name at least one space`);
  for (const p of pool) if (!BASIS_NAMES.includes(p)) throw new ValueError(`${where}: unknown space ${JSON.stringify(p)} in pool; known: ${BASIS_NAMES.join(', ')}`, 'UNKNOWN_BASIS');
  if (new Set(pool).size !== pool.length) throw new ValueError(`${where}: pool lists a space twice: ${JSON.stringify(pool)}`);
  const g = opts.grid;
  const sizes = pool.map((p) => checkInt(where, `grid of ${p}`, typeof g === 'number' ? g : g?.[p] ?? DEFAULT_SIZES[p], p === 'rbf' ? 2 : 1));
  return {
    pool, sizes, k: checkInt(where, 'k', opts.k ?? 3, 0), gridRange: checkRange(where, opts.gridRange ?? [-1, 1]), base: checkBool(where, 'base', opts.base ?? true),
    scaleNoise: checkNumber(where, 'scaleNoise', opts.scaleNoise ?? 0.1), bias: checkBool(where, 'bias', opts.bias ?? false),
    mixScale: checkPositive(where, 'mixScale', opts.mixScale ?? DEFAULT_MIX_SCALE),
    standaloneScaleSpline: checkBool(where, 'standaloneScaleSpline', opts.standaloneScaleSpline ?? true), scaleSpline: checkNumber(where, 'scaleSpline', opts.scaleSpline ?? 1),
  };
}

export function checkSelected(sel: readonly number[], F: number, P: number): number[] {
  if (!Array.isArray(sel) || sel.length !== F || !sel.every((s) => Number.isInteger(s) && s >= 0 && s < P)) {
    throw new ValueError(`SKANLinear: selected must list a pool index in [0, ${P}) for each of the ${F} input nodes, got ${JSON.stringify(sel)}`);
  }
  return [...sel];
}

/** A group with small random spline functions (least squares through noise, as KANLinear's init). */
export function makeGroup(s: number, feats: number[], o: Resolved, out: number, dtype: FloatDType, g: Generator): SKANGroup {
  const basis = makeBasis(o.pool[s]!, feats.length, o.sizes[s]!, { k: o.k, gridRange: o.gridRange, dtype });
  const M = basis.size + 1;
  const xs = domainSamples(basis, M);
  const noise = feats.map(() => Float64Array.from({ length: M * out }, () => ((g.nextFloat() - 0.5) * o.scaleNoise) / basis.size));
  const W = fitWeights(basisValues(basis, xs, M), noise, M, feats.length, basis.numBases, out);
  return new SKANGroup(s, feats, basis, new Parameter(tensor(W, { dtype, shape: [out, feats.length * basis.numBases] })));
}

/** A basis of the same kind over `feats` of `b`'s features, with their knots (B-splines) copied. */
export function subsetBasis(b: BasisModule, feats: readonly number[]): BasisModule {
  const cfg = b.getConfig();
  const gridRange = (cfg.gridRange as [number, number] | undefined) ?? [-1, 1];
  const k = typeof cfg.k === 'number' ? cfg.k : 3;
  const dtype = b.buffers()[0]?.dtype as FloatDType | undefined;
  const nb = makeBasis(b.kind, feats.length, b.size, { k, gridRange, ...(dtype ? { dtype } : {}) });
  if (b.grid && nb.grid) {
    const K = b.grid.shape[1]!;
    const src = b.grid.values;
    const dst = new Float64Array(feats.length * K);
    feats.forEach((i, f) => { for (let c = 0; c < K; c++) dst[f * K + c] = src[i * K + c]!; });
    noGrad(() => nb.grid!.assign(dst));
  }
  return nb;
}

/** Columns `feats` of row-major xs [N, F] -> [N, feats.length]. */
export function pickColumns(xs: Float64Array, N: number, F: number, feats: readonly number[]): Float64Array {
  const out = new Float64Array(N * feats.length);
  for (let n = 0; n < N; n++) feats.forEach((i, f) => { out[n * feats.length + f] = xs[n * F + i]!; });
  return out;
}

/** Coefficient blocks of features `feats` from W [out, F * nb] (all features) -> [out, feats.length * nb]. */
export function pickBlocks(W: ArrayLike<number>, out: number, F: number, nb: number, feats: readonly number[]): Float64Array {
  const dst = new Float64Array(out * feats.length * nb);
  for (let j = 0; j < out; j++) feats.forEach((i, f) => { for (let c = 0; c < nb; c++) dst[(j * feats.length + f) * nb + c] = W[(j * F + i) * nb + c]!; });
  return dst;
}

export function argmax(w: ArrayLike<number>): number {
  let best = 0;
  for (let s = 1; s < w.length; s++) if (w[s]! > w[best]!) best = s;
  return best;
}

export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
