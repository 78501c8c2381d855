/**
 * @file S-KAN, the activation-space selectable KAN (Yang et al. 2024, "Activation Space Selectable
 * Kolmogorov-Arnold Networks", arXiv 2408.08338). Every input node of a layer holds a pool of
 * candidate activation spaces (B-spline, RBF, Chebyshev, Fourier: basis.ts); during full training
 * the edge functions leaving node i are the softmax(alpha_i)-weighted mixture of one function per
 * space,
 *     phi_ji(x) = w_base[j,i] silu(x) + s_ji * sum_s softmax(alpha_i)_s * sum_c W_s[j,i,c] B_s,c(x),
 * (s_ji: the optional per-edge scale, standaloneScaleSpline; 1 without it)
 * and `select()` keeps, per node, the space with the largest mixing weight (as the paper), turning
 * the layer into a single-basis-per-node layer (selective training then trains only that space;
 * pruning: prune.ts). The three phases as one training routine: src/train/kan/skan.ts.
 *
 * Layout: the layer keeps one "group" per space in use; a group covers a set of input features
 * (all of them before selection, the nodes that chose the space after), with its own basis over
 * those features and spline weights [out, |features| * nb]. Forward = base branch + one matmul per
 * group (the efficient-kan shape), so a selected layer costs about as much as a single-basis KANLinear.
 */
import { type FloatDType } from '../../core/dtype.js';
import { ValueError } from '../../core/errors.js';
import { tensor, zeros } from '../../core/create.js';
import { noGrad } from '../../core/grad-mode.js';
import { Generator, defaultGenerator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { add, indexAdd, indexSelect, mm, mul, reshape, sliceAxis, sum } from '../../ops/primitives/index.js';
import { silu, softmax, unsqueeze } from '../../ops/composite/index.js';
import { Module, Parameter } from '../module.js';
import { type ConfigReader, type ModuleConfig, registerModule } from '../config.js';
import { ModuleList } from '../container.js';
import { checkBool, checkInputDType, checkInt, checkNumber, checkPositive, checkTrailing, paramDType } from '../check.js';
import { BASIS_DEFAULT_SIZES, BASIS_NAMES, type BasisModule, type BasisName, checkRange, makeBasis, readRange } from './basis.js';
import { checkFinite } from './errors.js';
import { KANStack } from './stack.js';
import { basisValues, domainSamples, edgeValues, fitWeights } from './fit.js';

const DEFAULT_MIX_SCALE = 1;
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

interface Resolved {
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

/**
 * An S-KAN layer. Shapes: x [..., in] -> [..., out]. Parameters: baseWeight [out, in] (with base),
 * mixLogits [in, |pool|] (before selection only; the mixing weights are softmax over the pool),
 * groups.g.splineWeight [out, |features_g| * nb_g], bias [out]. Buffers: groups.g.basis.* (knots,
 * centres).
 * @example
 * const layer = new nn.SKANLinear(2, 3, { pool: ['bspline', 'chebyshev'], grid: 5 });
 * layer.select(); // every input node keeps the space with the largest mixing weight
 */
export class SKANLinear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly options: Resolved;
  baseWeight: Parameter | null;
  mixLogits: Parameter | null;
  splineScaler: Parameter | null;
  groups: ModuleList;
  bias: Parameter | null;
  /** Pool index per input node after selection, else null. */
  selected: number[] | null;

  constructor(inFeatures: number, outFeatures: number, opts: SKANLinearOptions = {}) {
    super();
    const where = 'SKANLinear';
    this.inFeatures = checkInt(where, 'inFeatures', inFeatures, 1);
    this.outFeatures = checkInt(where, 'outFeatures', outFeatures, 1);
    const o = resolve(opts);
    this.options = o;
    const dtype = paramDType(where, opts.dtype);
    const g = opts.generator ?? defaultGenerator;
    this.selected = opts.selected ? checkSelected(opts.selected, inFeatures, o.pool.length) : null;
    const F = inFeatures;
    this.baseWeight = o.base ? new Parameter(tensor(Float64Array.from({ length: outFeatures * F }, () => (2 * g.nextFloat() - 1) / Math.sqrt(F)), { dtype, shape: [outFeatures, F] })) : null;
    this.mixLogits = this.selected ? null : new Parameter(zeros([F, o.pool.length], { dtype }));
    this.splineScaler = o.standaloneScaleSpline ? new Parameter(tensor(new Float64Array(outFeatures * F).fill(o.scaleSpline / Math.sqrt(F)), { dtype, shape: [outFeatures, F] })) : null;
    const groups: SKANGroup[] = [];
    for (let s = 0; s < o.pool.length; s++) {
      const feats = this.selected ? range(F).filter((i) => this.selected![i] === s) : range(F);
      if (feats.length) groups.push(makeGroup(s, feats, o, outFeatures, dtype, g));
    }
    this.groups = new ModuleList(groups);
    this.bias = o.bias ? new Parameter(zeros([outFeatures], { dtype })) : null;
  }

  group(g: number): SKANGroup {
    return this.groups.at(g) as SKANGroup;
  }

  get numGroups(): number {
    return this.groups.length;
  }

  /** The mixing weights softmax(alpha) [in, |pool|] as numbers (one-hot rows after selection). */
  mixingWeights(): Float64Array[] {
    const P = this.options.pool.length;
    if (!this.mixLogits) return range(this.inFeatures).map((i) => Float64Array.from({ length: P }, (_, s) => (s === this.selected![i] ? 1 : 0)));
    const w = noGrad(() => softmax(this.mixLogits!, -1)).values;
    return range(this.inFeatures).map((i) => Float64Array.from(w.subarray(i * P, (i + 1) * P)));
  }

  /**
   * Multiplies the per-edge scale into the spline weights and drops it (the function is
   * unchanged; layers copied from `options` after this have no scale). Returns this.
   */
  foldScaler(): this {
    if (!this.splineScaler) return this;
    const dtype = this.group(0).splineWeight.dtype as FloatDType;
    for (let g = 0; g < this.numGroups; g++) {
      const grp = this.group(g);
      const W = this.effectiveValues(grp);
      grp.splineWeight = new Parameter(tensor(W, { dtype, shape: grp.splineWeight.shape }));
    }
    this.splineScaler = null;
    this.options.standaloneScaleSpline = false;
    return this;
  }

  /** The group's spline weights times the per-edge scale (if any), [out, nf * nb]. */
  private effectiveWeight(grp: SKANGroup): Tensor {
    if (!this.splineScaler) return grp.splineWeight;
    const nf = grp.features.length;
    const nb = grp.basis.numBases;
    const S = nf === this.inFeatures ? this.splineScaler : indexSelect(this.splineScaler, tensor(grp.features, { dtype: 'int32' }), 1);
    return reshape(mul(reshape(grp.splineWeight, [this.outFeatures, nf, nb]), unsqueeze(S, -1)), [this.outFeatures, nf * nb]);
  }

  /** Effective weight values (scale applied) of a group, float64. */
  private effectiveValues(grp: SKANGroup): Float64Array {
    const W = Float64Array.from(grp.splineWeight.values);
    if (!this.splineScaler) return W;
    const nf = grp.features.length;
    const nb = grp.basis.numBases;
    const S = this.splineScaler.values;
    for (let j = 0; j < this.outFeatures; j++) grp.features.forEach((i, f) => { for (let c = 0; c < nb; c++) W[(j * nf + f) * nb + c] = W[(j * nf + f) * nb + c]! * S[j * this.inFeatures + i]!; });
    return W;
  }

  /** mixScale * softmax(alpha) [in, |pool|], the factor of each space's functions, or null after selection. */
  private mixTensor(): Tensor | null {
    if (!this.mixLogits) return null;
    const w = softmax(this.mixLogits, -1);
    return this.options.mixScale === 1 ? w : mul(w, this.options.mixScale);
  }

  /** The space name used by each input node (after selection), or null per node before. */
  nodeSpaces(): (BasisName | null)[] {
    return range(this.inFeatures).map((i) => (this.selected ? this.options.pool[this.selected[i]!]! : null));
  }

  forward(x: Tensor): Tensor {
    const lead = x.shape.slice(0, -1);
    const x2 = this.prepare(x);
    const N = x2.shape[0]!;
    const mix = this.mixTensor();
    let y: Tensor | null = this.baseWeight ? mm(silu(x2), this.baseWeight, false, true) : null;
    for (let g = 0; g < this.numGroups; g++) {
      const grp = this.group(g);
      const B = this.groupBasis(grp, x2, mix);
      const part = mm(reshape(B, [N, grp.features.length * grp.basis.numBases]), this.effectiveWeight(grp), false, true);
      y = y ? add(y, part) : part;
    }
    if (this.bias) y = add(y!, this.bias);
    return x.rank === 2 ? y! : reshape(y!, [...lead, this.outFeatures]);
  }

  /** phi_ji(x_i) for every sample and edge: x [..., in] -> [..., out, in]; summed over in (+ bias) = forward. */
  edgeActivations(x: Tensor): Tensor {
    const lead = x.shape.slice(0, -1);
    const x2 = this.prepare(x);
    const N = x2.shape[0]!;
    const mix = this.mixTensor();
    let e: Tensor = this.baseWeight ? mul(unsqueeze(silu(x2), 1), this.baseWeight) : zeros([N, this.outFeatures, this.inFeatures], { dtype: x2.dtype });
    for (let g = 0; g < this.numGroups; g++) {
      const grp = this.group(g);
      const nf = grp.features.length;
      const W3 = reshape(this.effectiveWeight(grp), [this.outFeatures, nf, grp.basis.numBases]);
      const eg = sum(mul(unsqueeze(this.groupBasis(grp, x2, mix), 1), W3), -1); // [N, out, nf]
      e = nf === this.inFeatures ? add(e, eg) : indexAdd(e, tensor(grp.features, { dtype: 'int32' }), eg, 2);
    }
    return reshape(e, [...lead, this.outFeatures, this.inFeatures]);
  }

  /**
   * Selection (the paper's second phase): each input node keeps one space, by `opts.criterion`:
   * - 'weight' (default; the paper): the largest mixing weight softmax(alpha_i);
   * - 'contribution': the largest weight x RMS of that space's edge functions on the samples
   *   (what the space actually adds; the mixing weights and the coefficients share the scale, so
   *   the weights alone can stay near uniform);
   * - 'fit': the space that reproduces the node's whole mixed edge functions best (least-squares
   *   residual on the samples).
   * Without samples x [..., in] the kept coefficients absorb the weight, so the kept part of every
   * edge is unchanged; with them, the kept space is refit by least squares to the whole mixture
   * of each edge (float64), so the edge functions are preserved as well as the chosen space can
   * represent them and selective training starts from there.
   * No-op on a selected layer. Parameters are replaced: build optimizers after. Returns this.
   */
  select(x?: Tensor, opts: SelectOptions = {}): this {
    if (!this.mixLogits) return this;
    const criterion = opts.criterion ?? 'weight';
    if (!SELECT_CRITERIA.includes(criterion)) throw new ValueError(`SKANLinear.select: criterion must be one of ${SELECT_CRITERIA.join(', ')}, got ${JSON.stringify(criterion)}`);
    if (criterion !== 'weight' && !x) throw new ValueError(`SKANLinear.select: criterion '${criterion}' needs samples x`);
    const weights = this.mixingWeights();
    const scaled = weights.map((w) => Float64Array.from(w, (v) => v * this.options.mixScale));
    const samples = x ? this.samples(x) : null;
    const perSpace = samples ? this.spaceValues(samples.xs, samples.N) : null;
    const mixed = perSpace ? this.mix(perSpace, scaled, samples!.N) : null;
    let choice = weights.map((w) => argmax(w));
    if (criterion === 'contribution') choice = weights.map((w, i) => argmax(Float64Array.from(w, (v, s) => v * rms(perSpace![s]![i]!))));
    if (criterion === 'fit') choice = weights.map((_, i) => argmax(Float64Array.from(this.options.pool, (_p, s) => -this.refitResidual(s, i, samples!, mixed![i]!))));
    const dtype = this.mixLogits.dtype as FloatDType;
    const scale = this.splineScaler ? Float64Array.from(this.splineScaler.values) : null;
    const s0 = this.options.scaleSpline / Math.sqrt(this.inFeatures);
    const groups: SKANGroup[] = [];
    for (let s = 0; s < this.options.pool.length; s++) {
      const feats = range(this.inFeatures).filter((i) => choice[i] === s);
      if (!feats.length) continue;
      const old = this.spaceGroup(s);
      const basis = subsetBasis(old.basis, feats);
      const nb = basis.numBases;
      let W: Float64Array;
      if (samples && mixed && opts.refit !== false) {
        const xs = pickColumns(samples.xs, samples.N, this.inFeatures, feats);
        W = fitWeights(basisValues(basis, xs, samples.N), feats.map((i) => mixed[i]!), samples.N, feats.length, nb, this.outFeatures);
      } else {
        W = pickBlocks(old.splineWeight.values, this.outFeatures, this.inFeatures, nb, feats);
        const per = feats.length * nb;
        feats.forEach((i, f) => {
          for (let j = 0; j < this.outFeatures; j++) for (let c = 0; c < nb; c++) W[j * per + f * nb + c] = W[j * per + f * nb + c]! * scaled[i]![s]!;
        });
      }
      if (samples && mixed && opts.refit !== false && scale) {
        // W is the effective weight: store W / s. An edge whose scale collapsed restarts from the
        // initial scale (the function is the same either way).
        const per = feats.length * nb;
        feats.forEach((i, f) => {
          for (let j = 0; j < this.outFeatures; j++) {
            if (Math.abs(scale[j * this.inFeatures + i]!) < 1e-6 * s0) scale[j * this.inFeatures + i] = s0;
            for (let c = 0; c < nb; c++) W[j * per + f * nb + c] = W[j * per + f * nb + c]! / scale[j * this.inFeatures + i]!;
          }
        });
      }
      groups.push(new SKANGroup(s, feats, basis, new Parameter(tensor(W, { dtype, shape: [this.outFeatures, feats.length * nb] }))));
    }
    if (scale) noGrad(() => this.splineScaler!.assign(scale));
    this.groups = new ModuleList(groups);
    this.mixLogits = null;
    this.selected = choice;
    return this;
  }

  override getConfig(): ModuleConfig {
    const o = this.options;
    return {
      type: 'SKANLinear', inFeatures: this.inFeatures, outFeatures: this.outFeatures, pool: [...o.pool], grid: [...o.sizes], k: o.k,
      gridRange: [...o.gridRange], base: o.base, scaleNoise: o.scaleNoise, bias: o.bias, mixScale: o.mixScale,
      standaloneScaleSpline: o.standaloneScaleSpline, scaleSpline: o.scaleSpline, selected: this.selected ? [...this.selected] : null,
      dtype: this.group(0).splineWeight.dtype,
    };
  }

  // ---- internals ------------------------------------------------------------------------------

  private prepare(x: Tensor): Tensor {
    const where = `SKANLinear(${this.inFeatures}, ${this.outFeatures})`;
    checkTrailing(where, x, [this.inFeatures]);
    checkInputDType(where, x, this.group(0).splineWeight.dtype as FloatDType);
    checkFinite(where, x.values, x.shape);
    return x.rank === 2 ? x : reshape(x, [x.size / this.inFeatures, this.inFeatures]);
  }

  /** B_g(x[:, features]) [N, nf, nb], times the group's mixing weight per feature before selection. */
  private groupBasis(grp: SKANGroup, x2: Tensor, mix: Tensor | null): Tensor {
    const xg = grp.features.length === this.inFeatures ? x2 : indexSelect(x2, tensor(grp.features, { dtype: 'int32' }), 1);
    const B = grp.basis.evaluate(xg);
    return mix ? mul(B, sliceAxis(mix, 1, grp.space, grp.space + 1)) : B; // [N, in, nb] * [in, 1]
  }

  private samples(x: Tensor): { xs: Float64Array; N: number } {
    const x2 = this.prepare(x);
    return { xs: Float64Array.from(x2.values), N: x2.shape[0]! };
  }

  /** The group of pool space s (before selection every space has one over all features). */
  private spaceGroup(s: number): SKANGroup {
    return [...this.groups].find((m) => (m as SKANGroup).space === s) as SKANGroup;
  }

  /** Unweighted spline part of every space at samples: [space][feature] -> [N, out] (float64). */
  private spaceValues(xs: Float64Array, N: number): Float64Array[][] {
    return this.options.pool.map((_, s) => {
      const grp = this.spaceGroup(s);
      return edgeValues(basisValues(grp.basis, xs, N), this.effectiveValues(grp), N, this.inFeatures, grp.basis.numBases, this.outFeatures);
    });
  }

  /** The mixture sum_s w_is * values[s][i] per feature i, [N, out]. */
  private mix(values: Float64Array[][], weights: Float64Array[], N: number): Float64Array[] {
    return range(this.inFeatures).map((i) => {
      const t = new Float64Array(N * this.outFeatures);
      values.forEach((v, s) => {
        const w = weights[i]![s]!;
        const y = v[i]!;
        for (let n = 0; n < t.length; n++) t[n] = t[n]! + w * y[n]!;
      });
      return t;
    });
  }

  /** Squared residual of refitting feature i's mixed edges Y [N, out] with space s alone. */
  private refitResidual(s: number, i: number, samples: { xs: Float64Array; N: number }, Y: Float64Array): number {
    const basis = subsetBasis(this.spaceGroup(s).basis, [i]);
    const { N } = samples;
    const B = basisValues(basis, pickColumns(samples.xs, N, this.inFeatures, [i]), N);
    const W = fitWeights(B, [Y], N, 1, basis.numBases, this.outFeatures);
    const fitted = edgeValues(B, W, N, 1, basis.numBases, this.outFeatures)[0]!;
    let r = 0;
    for (let n = 0; n < Y.length; n++) r += (fitted[n]! - Y[n]!) ** 2;
    return r;
  }
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

function rms(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s / Math.max(1, v.length));
}

/** Options after defaults, with argument checks. */
function resolve(opts: SKANLinearOptions): Resolved {
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

function checkSelected(sel: readonly number[], F: number, P: number): number[] {
  if (!Array.isArray(sel) || sel.length !== F || !sel.every((s) => Number.isInteger(s) && s >= 0 && s < P)) {
    throw new ValueError(`SKANLinear: selected must list a pool index in [0, ${P}) for each of the ${F} input nodes, got ${JSON.stringify(sel)}`);
  }
  return [...sel];
}

/** A group with small random spline functions (least squares through noise, as KANLinear's init). */
function makeGroup(s: number, feats: number[], o: Resolved, out: number, dtype: FloatDType, g: Generator): SKANGroup {
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
function pickColumns(xs: Float64Array, N: number, F: number, feats: readonly number[]): Float64Array {
  const out = new Float64Array(N * feats.length);
  for (let n = 0; n < N; n++) feats.forEach((i, f) => { out[n * feats.length + f] = xs[n * F + i]!; });
  return out;
}

/** Coefficient blocks of features `feats` from W [out, F * nb] (all features) -> [out, feats.length * nb]. */
function pickBlocks(W: ArrayLike<number>, out: number, F: number, nb: number, feats: readonly number[]): Float64Array {
  const dst = new Float64Array(out * feats.length * nb);
  for (let j = 0; j < out; j++) feats.forEach((i, f) => { for (let c = 0; c < nb; c++) dst[(j * feats.length + f) * nb + c] = W[(j * F + i) * nb + c]!; });
  return dst;
}

function argmax(w: ArrayLike<number>): number {
  let best = 0;
  for (let s = 1; s < w.length; s++) if (w[s]! > w[best]!) best = s;
  return best;
}

export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

export interface SKANOptions extends Omit<SKANLinearOptions, 'selected'> {
  /** Per layer, the selected pool index per input node (null: that layer is still a mixture). */
  selected?: readonly (readonly number[] | null)[];
}

/**
 * A stack of SKANLinear layers, widths [n_0, ..., n_L]. Shapes: x [..., n_0] -> [..., n_L].
 * State keys `layers.l.*`.
 * @example
 * const model = new nn.SKAN([2, 5, 1], { pool: ['bspline', 'rbf', 'chebyshev', 'fourier'], grid: 5 });
 * // full training ... then model.select(x); selective training ...
 */
export class SKAN extends KANStack<SKANLinear> {
  readonly widths: number[];
  readonly layers: ModuleList;

  /** `layers`: prebuilt layers matching `widths` (prune.ts builds models this way; `opts` is then ignored). */
  constructor(widths: readonly number[], opts: SKANOptions = {}, layers?: readonly SKANLinear[]) {
    super();
    if (!Array.isArray(widths) || widths.length < 2) throw new ValueError(`SKAN: widths needs at least [in, out], got ${JSON.stringify(widths)}`);
    this.widths = widths.map((w, i) => checkInt('SKAN', `widths[${i}]`, w, 1));
    if (layers) {
      const ok = layers.length === this.widths.length - 1 && layers.every((m, l) => m.inFeatures === this.widths[l] && m.outFeatures === this.widths[l + 1]);
      if (!ok) throw new ValueError(`SKAN: the given layers do not match widths ${JSON.stringify(this.widths)}`);
    }
    const sel = opts.selected;
    if (sel !== undefined && (!Array.isArray(sel) || sel.length !== this.widths.length - 1)) throw new ValueError(`SKAN: selected needs one entry per layer (${this.widths.length - 1}), got ${JSON.stringify(sel)}`);
    this.layers = new ModuleList(layers ?? this.widths.slice(1).map((out, l) => new SKANLinear(this.widths[l]!, out, { ...opts, selected: sel?.[l] ?? null })));
  }

  /** True once every layer is selected. */
  get isSelected(): boolean {
    return range(this.depth).every((l) => this.layer(l).selected !== null);
  }


  /**
   * Selects every layer (see SKANLinear.select); with samples x [..., n_0], each layer is refit on
   * its input activations, computed layer by layer AFTER the layers below were selected (so a
   * layer's refit sees the inputs it will get). Parameters are replaced: build optimizers after.
   */
  select(x?: Tensor, opts: SelectOptions = {}): this {
    let h = x;
    for (let l = 0; l < this.depth; l++) {
      this.layer(l).select(h, opts);
      if (h) h = noGrad(() => this.layer(l).forward(h!));
    }
    return this;
  }

  /** Folds every layer's per-edge scale into its weights (SKANLinear.foldScaler). Returns this. */
  foldScaler(): this {
    for (let l = 0; l < this.depth; l++) this.layer(l).foldScaler();
    return this;
  }

  /** Per layer, the space name of each input node (null before selection). */
  nodeSpaces(): (BasisName | null)[][] {
    return range(this.depth).map((l) => this.layer(l).nodeSpaces());
  }

  override getConfig(): ModuleConfig {
    const { type: _t, inFeatures: _i, outFeatures: _o, selected: _s, ...rest } = this.layer(0).getConfig();
    return { type: 'SKAN', widths: [...this.widths], ...rest, selected: range(this.depth).map((l) => (this.layer(l).selected ? [...this.layer(l).selected!] : null)) };
  }
}

/** SKANLinear options from a config (`grid` as an array aligned with `pool`). */
function readOptions(c: ConfigReader): Omit<SKANLinearOptions, 'selected'> {
  const pool = c.raw('pool') ?? [...BASIS_NAMES];
  if (!Array.isArray(pool) || !pool.every((p) => BASIS_NAMES.includes(p as BasisName))) {
    throw new ValueError(`fromConfig(${c.type}): ${c.path}.pool must be an array of ${BASIS_NAMES.join(', ')}, got ${JSON.stringify(pool)}`, 'INVALID_CONFIG');
  }
  const g = c.raw('grid');
  let grid: SKANLinearOptions['grid'];
  if (typeof g === 'number' || g === undefined) grid = g;
  else if (Array.isArray(g) && g.length === pool.length && g.every((v) => Number.isInteger(v))) grid = Object.fromEntries(pool.map((p, i) => [p, g[i] as number]));
  else throw new ValueError(`fromConfig(${c.type}): ${c.path}.grid must be an integer or one integer per pool entry, got ${JSON.stringify(g)}`, 'INVALID_CONFIG');
  return {
    pool: pool as BasisName[], grid, k: c.int('k', 3), gridRange: readRange(c), base: c.bool('base', true),
    scaleNoise: c.number('scaleNoise', 0.1), bias: c.bool('bias', false), mixScale: c.number('mixScale', DEFAULT_MIX_SCALE),
    standaloneScaleSpline: c.bool('standaloneScaleSpline', true), scaleSpline: c.number('scaleSpline', 1), dtype: c.dtype(), generator: new Generator(0),
  };
}

function readSelected(c: ConfigReader, key: string, v: unknown): number[] | null {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v) && v.every((s) => Number.isInteger(s))) return v as number[];
  throw new ValueError(`fromConfig(${c.type}): ${c.path}.${key} must be null or an array of pool indices, got ${JSON.stringify(v)}`, 'INVALID_CONFIG');
}

// fromConfig builds fresh weights and then loads saved ones, so a fixed private generator keeps
// loading from advancing the global random stream.
registerModule('SKANLinear', (c) => new SKANLinear(c.int('inFeatures'), c.int('outFeatures'), { ...readOptions(c), selected: readSelected(c, 'selected', c.raw('selected')) }));
registerModule('SKAN', (c) => {
  const widths = c.ints('widths');
  const opts = readOptions(c);
  const sel = c.raw('selected');
  if (sel !== undefined && !Array.isArray(sel)) throw new ValueError(`fromConfig(SKAN): ${c.path}.selected must be an array (one entry per layer), got ${JSON.stringify(sel)}`, 'INVALID_CONFIG');
  return new SKAN(widths, { ...opts, ...(Array.isArray(sel) ? { selected: sel.map((s, l) => readSelected(c, `selected[${l}]`, s)) } : {}) });
});
