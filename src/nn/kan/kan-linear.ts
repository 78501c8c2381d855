/**
 * @file KANLinear, the Kolmogorov-Arnold layer (Liu et al. 2024, "KAN: Kolmogorov-Arnold Networks",
 * arXiv 2404.19756): every edge i -> j carries a learnable function
 *     phi_ji(x_i) = w_base[j,i] * b(x_i) + s[j,i] * sum_c W[j,i,c] B_c(x_i),   y_j = sum_i phi_ji(x_i) (+ bias_j)
 * with b = SiLU by default and B_c a basis (B-splines by default; RBF, Chebyshev, Fourier: basis.ts).
 * Computed as efficient-kan does (Blealtan/efficient-kan): the basis expansion B(x) [N, in, nb] is
 * flattened to [N, in * nb] and multiplied by W [out, in * nb] in ONE matmul, next to the base
 * branch's b(x) W_base^T; the per-edge scaler s is efficient-kan's `enable_standalone_scale_spline`
 * (pykan's `scale_sp`).
 *
 * Grid update from samples and grid extension refit W by least squares in float64 (fit.ts), so the
 * edge functions are preserved; the numerics follow pykan's update_grid_from_samples and
 * initialize_grid_from_parent.
 */
import { type FloatDType } from '../../core/dtype.js';
import { ValueError } from '../../core/errors.js';
import { tensor } from '../../core/create.js';
import { noGrad } from '../../core/grad-mode.js';
import { Generator, defaultGenerator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { add, mm, mul, reshape, sum } from '../../ops/primitives/index.js';
import { unsqueeze } from '../../ops/composite/index.js';
import { Module, Parameter } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkInputDType, checkInt, checkNumber, checkTrailing, paramDType } from '../check.js';
import { LayerNorm } from '../norm.js';
import { type BasisModule, BSplineBasis, type WithSizeOptions, makeBasis } from './basis.js';
import { OutOfGridError, checkFinite } from './errors.js';
import { basisValues, domainSamples, edgeValues, fitWeights, percentileKnots } from './fit.js';
import { type KANLinearOptions, type Resolved, type UpdateGridOptions, type RegularizationOptions, resolve, baseFunction, initialWeights, edgeRegularization, readKANOptions } from './kan-linear-options.js';

// Re-exported so importers of kan-linear.js keep working after the options moved out.
export { KAN_BASE_ACTIVATIONS, edgeRegularization, readKANOptions, type KANBaseActivation, type KANInit, type KANLinearOptions, type RegMetric, type RegularizationOptions, type UpdateGridOptions } from './kan-linear-options.js';

/**
 * A Kolmogorov-Arnold layer.
 * Shapes: x [..., in] -> [..., out]. Parameters: baseWeight [out, in] (absent with baseActivation
 * 'zero'), splineWeight [out, in * nb] (nb = basis.numBases; the nb coefficients of edge (j, i) are
 * splineWeight[j, i*nb : (i+1)*nb]), splineScaler [out, in] (with standaloneScaleSpline), bias [out].
 * Buffers: basis.grid [in, G + 2k + 1] (bspline) or basis.centers (rbf). State keys in that order,
 * then layerNorm.* (FastKAN).
 * Errors: grid < 1 or k < 0 -> ValueError at construction; a NaN/Infinity input ->
 * NonFiniteInputError (position and value); with extrapolate: false, an input outside its
 * feature's grid -> OutOfGridError (feature and value).
 * @example
 * const layer = new nn.KANLinear(2, 3, { grid: 5, k: 3, dtype: 'float64' });
 * const y = layer.forward(px.rand([100, 2], { dtype: 'float64' }).mul(2).sub(1)); // [100, 3]
 */
export class KANLinear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** Resolved options (grid is the construction size; `basis.size` is current). */
  readonly options: Resolved;
  baseWeight: Parameter | null;
  splineWeight: Parameter;
  splineScaler: Parameter | null;
  bias: Parameter | null;
  basis: BasisModule;
  layerNorm: LayerNorm | null;
  private readonly act: ((x: Tensor) => Tensor) | null;

  constructor(inFeatures: number, outFeatures: number, opts: KANLinearOptions = {}) {
    super();
    const where = 'KANLinear';
    this.inFeatures = checkInt(where, 'inFeatures', inFeatures, 1);
    this.outFeatures = checkInt(where, 'outFeatures', outFeatures, 1);
    this.options = resolve(opts);
    const o = this.options;
    const dtype = paramDType(where, opts.dtype);
    this.basis = makeBasis(o.basis, inFeatures, o.grid, { k: o.k, gridRange: o.gridRange, dtype });
    this.layerNorm = o.layerNorm ? new LayerNorm(inFeatures, { dtype }) : null;
    this.act = baseFunction(o.baseActivation);
    const g = opts.generator ?? defaultGenerator;
    const { base, scaler, spline } = initialWeights(this, o, g);
    this.baseWeight = base ? new Parameter(tensor(base, { dtype, shape: [outFeatures, inFeatures] })) : null;
    this.splineWeight = new Parameter(tensor(spline, { dtype, shape: [outFeatures, inFeatures * this.basis.numBases] }));
    this.splineScaler = scaler ? new Parameter(tensor(scaler, { dtype, shape: [outFeatures, inFeatures] })) : null;
    this.bias = o.bias ? new Parameter(tensor(new Float64Array(outFeatures), { dtype })) : null;
  }

  /** Bases per feature (nb). */
  get numBases(): number {
    return this.basis.numBases;
  }

  forward(x: Tensor): Tensor {
    const lead = x.shape.slice(0, -1);
    const x2 = this.prepare(x);
    let y = mm(reshape(this.expand(x2), [x2.shape[0]!, this.inFeatures * this.numBases]), this.effectiveSplineWeight(), false, true);
    if (this.baseWeight && this.act) y = add(y, mm(this.act(x2), this.baseWeight, false, true));
    if (this.bias) y = add(y, this.bias);
    return x.rank === 2 ? y : reshape(y, [...lead, this.outFeatures]);
  }

  /**
   * phi_ji(x_i) for every sample and edge: x [..., in] -> [..., out, in] (pykan's postacts). Summed
   * over the last axis plus the bias it equals forward(x). Used by regularisation, pruning, plots.
   */
  edgeActivations(x: Tensor): Tensor {
    const lead = x.shape.slice(0, -1);
    const x2 = this.prepare(x);
    const nb = this.numBases;
    const W3 = reshape(this.effectiveSplineWeight(), [this.outFeatures, this.inFeatures, nb]);
    let e = sum(mul(unsqueeze(this.expand(x2), 1), W3), -1); // [N, 1, in, nb] * [out, in, nb] -> [N, out, in]
    if (this.baseWeight && this.act) e = add(e, mul(unsqueeze(this.act(x2), 1), this.baseWeight));
    return reshape(e, [...lead, this.outFeatures, this.inFeatures]);
  }

  /**
   * pykan's sparsity regulariser of this layer on inputs x [N, in]: lambdaL1 * L1 + lambdaEntropy *
   * entropy (see RegularizationOptions). A differentiable scalar; add lamb * it to the loss.
   */
  regularization(x: Tensor, opts: RegularizationOptions = {}): Tensor {
    return edgeRegularization(this.edgeActivations(x), x, opts);
  }

  /** Spline weights with the per-edge scaler applied: [out, in * nb]. */
  effectiveSplineWeight(): Tensor {
    if (!this.splineScaler) return this.splineWeight;
    const nb = this.numBases;
    const W3 = reshape(this.splineWeight, [this.outFeatures, this.inFeatures, nb]);
    return reshape(mul(W3, unsqueeze(this.splineScaler, -1)), [this.outFeatures, this.inFeatures * nb]);
  }

  /** What the basis sees: the input itself, or its LayerNorm (FastKAN). x [N, in]. */
  basisInput(x2: Tensor): Tensor {
    return this.layerNorm ? this.layerNorm.forward(x2) : x2;
  }

  /**
   * Grid update from samples (pykan update_grid_from_samples; B-splines only): new knots at the
   * sample percentiles mixed with a uniform grid (gridEps), then the spline coefficients are refit
   * by least squares so every edge function is preserved on the samples. x [..., in].
   */
  updateGrid(x: Tensor, opts: UpdateGridOptions = {}): this {
    const basis = this.basis;
    if (!(basis instanceof BSplineBasis)) {
      throw new ValueError(`KANLinear.updateGrid: grids from samples need the 'bspline' basis, this layer has '${basis.kind}'`, 'UNSUPPORTED_BASIS');
    }
    const eps = checkNumber('KANLinear.updateGrid', 'gridEps', opts.gridEps ?? this.options.gridEps, 0, 1);
    const margin = checkNumber('KANLinear.updateGrid', 'margin', opts.margin ?? 0, 0);
    const padding = checkNumber('KANLinear.updateGrid', 'padding', opts.padding ?? 0, 0);
    const { xs, N } = this.samples(x);
    const Y = this.currentEdges(xs, N);
    const knots = percentileKnots(xs, N, this.inFeatures, basis.size, eps, margin, padding, basis.interiorKnots());
    noGrad(() => basis.setInteriorKnots(knots));
    this.setSplineWeight(fitWeights(basisValues(basis, xs, N), Y, N, this.inFeatures, basis.numBases, this.outFeatures));
    return this;
  }

  /**
   * Grid extension in place (pykan initialize_grid_from_parent): the basis gets `size` (new G),
   * knots refined from the current ones (opts.knots: 'nested' by default, see KnotRefinement), and the coefficients are refit by least squares to
   * the current edge functions at the samples x [..., in] (default: 400 points or 20 per basis, on
   * each feature's grid). The splineWeight Parameter is REPLACED (its shape changes): build
   * optimizers after extending. Returns this.
   */
  extendGrid(size: number, x?: Tensor, opts: WithSizeOptions = {}): this {
    checkInt('KANLinear.extendGrid', 'size', size, 1);
    const next = this.basis.withSize(size, opts);
    const { xs, N } = x ? this.samples(x) : this.domainSamples(Math.max(400, 20 * next.numBases));
    const Y = this.currentEdges(xs, N);
    const W = fitWeights(basisValues(next, xs, N), Y, N, this.inFeatures, next.numBases, this.outFeatures);
    this.basis = next;
    const dtype = this.splineWeight.dtype as FloatDType;
    this.splineWeight = new Parameter(tensor(W, { dtype, shape: [this.outFeatures, this.inFeatures * next.numBases] }), this.splineWeight.requiresGrad);
    return this;
  }

  /**
   * A new layer with grid `size`, initialised from this one by grid extension (pykan's
   * refine for one layer); this layer is unchanged. x [..., in] are the samples to fit on.
   */
  refine(size: number, x?: Tensor, opts: WithSizeOptions = {}): KANLinear {
    // Same architecture as this layer now (its grid may have been extended since construction);
    // a private generator keeps the throwaway random init from advancing the default one.
    const child = new KANLinear(this.inFeatures, this.outFeatures, {
      ...this.options, grid: this.basis.size, dtype: this.splineWeight.dtype as FloatDType, generator: new Generator(0),
    });
    child.loadStateDict(this.stateDict());
    child.splineWeight.requiresGrad_(this.splineWeight.requiresGrad);
    return child.extendGrid(size, x, opts);
  }

  override getConfig(): ModuleConfig {
    const o = this.options;
    return {
      type: 'KANLinear', inFeatures: this.inFeatures, outFeatures: this.outFeatures,
      basis: o.basis, grid: this.basis.size, k: o.k, gridRange: [...o.gridRange], baseActivation: o.baseActivation,
      scaleBase: o.scaleBase, scaleSpline: o.scaleSpline, scaleNoise: o.scaleNoise, standaloneScaleSpline: o.standaloneScaleSpline,
      init: o.init, extrapolate: o.extrapolate, gridEps: o.gridEps, layerNorm: o.layerNorm, bias: o.bias,
      dtype: this.splineWeight.dtype,
    };
  }

  // ---- internals ------------------------------------------------------------------------------

  /** Checks x and flattens it to [N, in]; NaN and (without extrapolation) out-of-grid inputs throw. */
  private prepare(x: Tensor): Tensor {
    const where = `KANLinear(${this.inFeatures}, ${this.outFeatures})`;
    checkTrailing(where, x, [this.inFeatures]);
    checkInputDType(where, x, this.splineWeight.dtype as FloatDType);
    checkFinite(where, x.values, x.shape);
    return x.rank === 2 ? x : reshape(x, [x.size / this.inFeatures, this.inFeatures]);
  }

  /** B(basisInput(x)) [N, in, nb], after the extrapolation check. */
  private expand(x2: Tensor): Tensor {
    const xb = this.basisInput(x2);
    if (!this.options.extrapolate) this.checkInGrid(xb);
    return this.basis.evaluate(xb);
  }

  private checkInGrid(xb: Tensor): void {
    const F = this.inFeatures;
    const v = xb.values;
    const dom = Array.from({ length: F }, (_, f) => this.basis.domain(f));
    for (let i = 0; i < v.length; i++) {
      const f = i % F;
      const [lo, hi] = dom[f]!;
      if (!(v[i]! >= lo && v[i]! <= hi)) throw new OutOfGridError(`KANLinear(${F}, ${this.outFeatures})`, f, v[i]!, lo, hi, [Math.floor(i / F), f]);
    }
  }

  /** Basis-input samples as float64 [N, in]. */
  private samples(x: Tensor): { xs: Float64Array; N: number } {
    const x2 = this.prepare(x);
    const xb = noGrad(() => this.basisInput(x2));
    return { xs: Float64Array.from(xb.values), N: x2.shape[0]! };
  }

  private domainSamples(M: number): { xs: Float64Array; N: number } {
    return { xs: domainSamples(this.basis, M), N: M };
  }

  /** The current (unscaled) spline part of every edge at basis-input samples: Y[f] [N, out]. */
  private currentEdges(xs: Float64Array, N: number): Float64Array[] {
    // Unscaled on purpose: the scaler stays as it is, so refitting W alone preserves s * spline
    // (efficient-kan refits the scaled weights into W and so scales twice).
    return edgeValues(basisValues(this.basis, xs, N), this.splineWeight.values, N, this.inFeatures, this.numBases, this.outFeatures);
  }

  private setSplineWeight(W: Float64Array): void {
    noGrad(() => this.splineWeight.assign(W));
  }
}

registerModule('KANLinear', (c) => new KANLinear(c.int('inFeatures'), c.int('outFeatures'), readKANOptions(c)));
