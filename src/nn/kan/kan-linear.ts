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
import { abs, add, div, log, mm, mul, reshape, sqrt, sum } from '../../ops/primitives/index.js';
import { mean, silu, unsqueeze, variance } from '../../ops/composite/index.js';
import { Module, Parameter } from '../module.js';
import { type ConfigReader, type ModuleConfig, registerModule } from '../config.js';
import { checkInputDType, checkInt, checkNumber, checkTrailing, paramDType } from '../check.js';
import { ACTIVATION_NAMES, activationFromName } from '../activation.js';
import { LayerNorm } from '../norm.js';
import { BASIS_DEFAULT_SIZES, BASIS_NAMES, type BasisModule, type BasisName, BSplineBasis, type WithSizeOptions, checkRange, makeBasis, readRange } from './basis.js';
import { OutOfGridError, checkFinite } from './errors.js';
import { basisValues, domainSamples, edgeValues, fitWeights, percentileKnots } from './fit.js';

/** Base branch b(x): 'silu' (pykan, efficient-kan), 'zero' (no base branch), or any nn activation. */
export const KAN_BASE_ACTIVATIONS = ['zero', ...ACTIVATION_NAMES] as const;
export type KANBaseActivation = (typeof KAN_BASE_ACTIVATIONS)[number];
export type KANInit = 'pykan' | 'efficient-kan';

export interface KANLinearOptions {
  /** Activation space (default 'bspline'). */
  basis?: BasisName;
  /** Resolution: intervals G (bspline, default 5), centres (rbf), degree (chebyshev), frequencies (fourier). */
  grid?: number;
  /** Spline order (bspline; default 3). */
  k?: number;
  /** Initial grid / centre range (default [-1, 1]). */
  gridRange?: readonly [number, number];
  /** Base branch b(x) (default 'silu'). */
  baseActivation?: KANBaseActivation;
  /** Spread of the initial base weights (pykan scale_base_sigma / efficient-kan scale_base; default 1). */
  scaleBase?: number;
  /** Initial spline scale (pykan scale_sp / efficient-kan scale_spline; default 1). */
  scaleSpline?: number;
  /** Amplitude of the noise the initial edge functions are fitted to (default 0.3 pykan, 0.1 efficient-kan). */
  scaleNoise?: number;
  /** Learn a per-edge spline scaler s [out, in] (default true). */
  standaloneScaleSpline?: boolean;
  /**
   * 'pykan' (default): W_base ~ scaleBase U(-1,1)/sqrt(in), s = scaleSpline/sqrt(in).
   * 'efficient-kan': W_base and s ~ kaiming_uniform(a = sqrt(5) * scale). Both fit the initial spline
   * coefficients by least squares to small noise at the grid points (curve2coef).
   */
  init?: KANInit;
  /** Allow inputs outside the grid (default true); false throws OutOfGridError for them. */
  extrapolate?: boolean;
  /** Uniform share of updateGrid's knots (pykan grid_eps; default 0.02). */
  gridEps?: number;
  /** LayerNorm on the basis input (FastKAN; default true for 'rbf', false otherwise). */
  layerNorm?: boolean;
  /** Learn an output bias (default false, as pykan/efficient-kan). */
  bias?: boolean;
  dtype?: FloatDType;
  generator?: Generator;
}

/** The options after defaults; what getConfig saves. */
type Resolved = Required<Omit<KANLinearOptions, 'generator' | 'dtype' | 'gridRange'>> & { gridRange: [number, number] };

export interface UpdateGridOptions {
  /** Uniform share of the new knots (default: the layer's gridEps). */
  gridEps?: number;
  /** Extra room beyond the sample range for the uniform part (default 0, as pykan). */
  margin?: number;
  /**
   * Moves the end knots out by this fraction of the sample range (default 0, as pykan). Why: beyond
   * the last knot a B-spline edge decays through the k missing boundary bases (as if their
   * coefficients were 0), so an input just outside the training range can be badly off when the
   * edge value is large; with padding it lands inside the grid, where the end polynomial
   * continues smoothly.
   */
  padding?: number;
}

export type RegMetric = 'meanAbs' | 'stdRatio';
export interface RegularizationOptions {
  /** Weight of the L1 term (default 1). */
  lambdaL1?: number;
  /** Weight of the entropy term (default 2, pykan's lamb_entropy). */
  lambdaEntropy?: number;
  /**
   * 'meanAbs' (default; the paper's eq. 2.17-2.19): |phi| = mean over samples of |phi(x_s)|, one
   * entropy over the whole layer. 'stdRatio' (pykan 0.2's edge_forward_spline_n): std(phi)/(std(x_i)
   * + 0.1) with row and column entropies.
   */
  metric?: RegMetric;
}

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

/** Defaults and argument checks (ValueError naming the argument). */
function resolve(opts: KANLinearOptions): Resolved {
  const where = 'KANLinear';
  const basis = opts.basis ?? 'bspline';
  if (!BASIS_NAMES.includes(basis)) throw new ValueError(`${where}: basis must be one of ${BASIS_NAMES.join(', ')}, got ${JSON.stringify(basis)}`, 'UNKNOWN_BASIS');
  const init = opts.init ?? 'pykan';
  if (init !== 'pykan' && init !== 'efficient-kan') throw new ValueError(`${where}: init must be 'pykan' or 'efficient-kan', got ${JSON.stringify(init)}`);
  const baseActivation = opts.baseActivation ?? 'silu';
  if (!KAN_BASE_ACTIVATIONS.includes(baseActivation)) {
    throw new ValueError(`${where}: baseActivation must be one of ${KAN_BASE_ACTIVATIONS.join(', ')}, got ${JSON.stringify(baseActivation)}`);
  }
  return {
    basis,
    grid: checkInt(where, 'grid', opts.grid ?? defaultSize(basis), basis === 'rbf' ? 2 : 1),
    k: checkInt(where, 'k', opts.k ?? 3, 0),
    gridRange: checkRange(where, opts.gridRange ?? [-1, 1]),
    baseActivation,
    scaleBase: checkNumber(where, 'scaleBase', opts.scaleBase ?? 1),
    scaleSpline: checkNumber(where, 'scaleSpline', opts.scaleSpline ?? 1),
    scaleNoise: checkNumber(where, 'scaleNoise', opts.scaleNoise ?? (init === 'pykan' ? 0.3 : 0.1)),
    standaloneScaleSpline: opts.standaloneScaleSpline ?? true,
    init,
    extrapolate: opts.extrapolate ?? true,
    gridEps: checkNumber(where, 'gridEps', opts.gridEps ?? 0.02, 0, 1),
    layerNorm: opts.layerNorm ?? basis === 'rbf',
    bias: opts.bias ?? false,
  };
}

function defaultSize(basis: BasisName): number {
  return BASIS_DEFAULT_SIZES[basis];
}

function baseFunction(name: KANBaseActivation): ((x: Tensor) => Tensor) | null {
  if (name === 'zero') return null;
  if (name === 'silu') return silu;
  const m = activationFromName(name);
  return (x) => m.forward(x);
}

/**
 * Initial weights (float64 arrays). Spline coefficients: least squares through noise
 * (U - 1/2) * scaleNoise / G at size + 1 evenly spaced points of each feature's domain (pykan and
 * efficient-kan both fit G + k coefficients through G + 1 points; our ridge solution is ~their
 * minimum-norm one).
 */
function initialWeights(layer: KANLinear, o: Resolved, g: Generator): { base: Float64Array | null; scaler: Float64Array | null; spline: Float64Array } {
  const { inFeatures: F, outFeatures: out, basis } = layer;
  const N = basis.size + 1;
  const xs = domainSamples(basis, N);
  const noise = Array.from({ length: F }, () => Float64Array.from({ length: N * out }, () => ((g.nextFloat() - 0.5) * o.scaleNoise) / basis.size));
  const spline = fitWeights(basisValues(basis, xs, N), noise, N, F, basis.numBases, out);
  const uniform = (bound: number): Float64Array => Float64Array.from({ length: out * F }, () => bound * (2 * g.nextFloat() - 1));
  // kaiming_uniform(a) on [out, in]: bound = sqrt(6 / ((1 + a^2) fanIn)).
  const kaiming = (a: number): Float64Array => uniform(Math.sqrt(6 / ((1 + a * a) * F)));
  let base: Float64Array | null = null;
  if (o.baseActivation !== 'zero') base = o.init === 'pykan' ? uniform(o.scaleBase / Math.sqrt(F)) : kaiming(Math.sqrt(5) * o.scaleBase);
  const s = o.init === 'pykan' ? o.scaleSpline / Math.sqrt(F) : o.scaleSpline;
  if (!o.standaloneScaleSpline) {
    for (let i = 0; i < spline.length; i++) spline[i] = spline[i]! * s;
    return { base, scaler: null, spline };
  }
  const scaler = o.init === 'pykan' ? new Float64Array(out * F).fill(s) : kaiming(Math.sqrt(5) * o.scaleSpline);
  return { base, scaler, spline };
}

/** The layer regulariser from edge activations [N, out, in] and the layer input x [N, in]. */
export function edgeRegularization(edges: Tensor, x: Tensor, opts: RegularizationOptions = {}): Tensor {
  const l1w = opts.lambdaL1 ?? 1;
  const entw = opts.lambdaEntropy ?? 2;
  const e = reshape(edges, [edges.size / (edges.shape.at(-1)! * edges.shape.at(-2)!), edges.shape.at(-2)!, edges.shape.at(-1)!]);
  const log2 = (t: Tensor): Tensor => div(log(add(t, 1e-4)), Math.LN2);
  const plogp = (p: Tensor, axes?: number): Tensor => sum(mul(p, log2(p)), axes);
  if ((opts.metric ?? 'meanAbs') === 'meanAbs') {
    const vec = mean(abs(e), 0); // [out, in]
    const l1 = sum(vec);
    // The tiny floor keeps an all-zero layer at entropy 0 instead of 0/0.
    const p = div(vec, add(l1, 1e-30));
    return add(mul(l1, l1w), mul(plogp(p), -entw));
  }
  const x2 = reshape(x, [x.size / x.shape.at(-1)!, x.shape.at(-1)!]);
  const vec = div(sqrt(variance(e, 0, { correction: 1 })), add(sqrt(variance(x2, 0, { correction: 1 })), 0.1));
  const l1 = sum(vec);
  const pRow = div(vec, add(sum(vec, 1, true), 1));
  const pCol = div(vec, add(sum(vec, 0, true), 1));
  const entropy = add(mean(plogp(pRow, 1)), mean(plogp(pCol, 0)));
  return add(mul(l1, l1w), mul(entropy, -entw));
}

/** KANLinearOptions from a config (KANLinear and KAN share them). */
export function readKANOptions(c: ConfigReader): KANLinearOptions {
  const basis = c.oneOf('basis', BASIS_NAMES, 'bspline');
  return {
    basis, grid: c.int('grid', defaultSize(basis)), k: c.int('k', 3), gridRange: readRange(c),
    baseActivation: c.oneOf('baseActivation', KAN_BASE_ACTIVATIONS, 'silu'),
    scaleBase: c.number('scaleBase', 1), scaleSpline: c.number('scaleSpline', 1),
    scaleNoise: c.numberOrNull('scaleNoise', null) ?? undefined,
    standaloneScaleSpline: c.bool('standaloneScaleSpline', true), init: c.oneOf('init', ['pykan', 'efficient-kan'] as const, 'pykan'),
    extrapolate: c.bool('extrapolate', true), gridEps: c.number('gridEps', 0.02),
    layerNorm: c.raw('layerNorm') === undefined ? undefined : c.bool('layerNorm'), bias: c.bool('bias', false), dtype: c.dtype(),
  };
}

registerModule('KANLinear', (c) => new KANLinear(c.int('inFeatures'), c.int('outFeatures'), readKANOptions(c)));
