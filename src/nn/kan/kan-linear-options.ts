/**
 * @file KANLinear's options: the names and defaults (base activations, init schemes, basis sizes),
 * their checks, the initial weights, the edge regularization (L1 + entropy, as pykan) and reading the
 * options from a config. The layer itself is kan-linear.ts.
 */
import { type FloatDType } from '../../core/dtype.js';
import { ValueError } from '../../core/errors.js';
import { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { abs, add, div, log, mul, reshape, sqrt, sum } from '../../ops/primitives/index.js';
import { mean, silu, variance } from '../../ops/composite/index.js';
import { type ConfigReader } from '../config.js';
import { checkInt, checkNumber } from '../check.js';
import { ACTIVATION_NAMES, activationFromName } from '../activation.js';
import { BASIS_DEFAULT_SIZES, BASIS_NAMES, type BasisName, checkRange, readRange } from './basis.js';
import { basisValues, domainSamples, fitWeights } from './fit.js';
import type { KANLinear } from './kan-linear.js';

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
export type Resolved = Required<Omit<KANLinearOptions, 'generator' | 'dtype' | 'gridRange'>> & { gridRange: [number, number] };

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

/** Defaults and argument checks (ValueError naming the argument). */
export function resolve(opts: KANLinearOptions): Resolved {
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

export function defaultSize(basis: BasisName): number {
  return BASIS_DEFAULT_SIZES[basis];
}

export function baseFunction(name: KANBaseActivation): ((x: Tensor) => Tensor) | null {
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
export function initialWeights(layer: KANLinear, o: Resolved, g: Generator): { base: Float64Array | null; scaler: Float64Array | null; spline: Float64Array } {
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
  const pRow = div(vec, add(sum(vec, 1, { keepDims: true }), 1));
  const pCol = div(vec, add(sum(vec, 0, { keepDims: true }), 1));
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
