/**
 * @file SKANLinear, one S-KAN layer (the method and the layout: s-kan.ts). Every input node mixes a
 * pool of activation spaces by softmax(alpha_i) until `select()` keeps one space per node; options,
 * groups and helpers are in s-kan-parts.ts.
 */
import { type FloatDType } from '../../core/dtype.js';
import { ValueError } from '../../core/errors.js';
import { tensor, zeros } from '../../core/create.js';
import { noGrad } from '../../core/grad-mode.js';
import { defaultGenerator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { add, indexAdd, indexSelect, mm, mul, reshape, sliceAxis, sum } from '../../ops/primitives/index.js';
import { silu, softmax, unsqueeze } from '../../ops/composite/index.js';
import { Module, Parameter } from '../module.js';
import { type ModuleConfig } from '../config.js';
import { ModuleList } from '../container.js';
import { checkInputDType, checkInt, checkTrailing, paramDType } from '../check.js';
import { type BasisName } from './basis.js';
import { checkFinite } from './errors.js';
import { basisValues, edgeValues, fitWeights } from './fit.js';
import { type SKANLinearOptions, SKANGroup, type Resolved, type SelectOptions, SELECT_CRITERIA, rms, resolve, checkSelected, makeGroup, subsetBasis, pickColumns, pickBlocks, argmax, range } from './s-kan-parts.js';

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
    const S = nf === this.inFeatures ? this.splineScaler : indexSelect(this.splineScaler, 1, grp.features);
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
      e = nf === this.inFeatures ? add(e, eg) : indexAdd(e, 2, grp.features, eg);
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
    const xg = grp.features.length === this.inFeatures ? x2 : indexSelect(x2, 1, grp.features);
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
