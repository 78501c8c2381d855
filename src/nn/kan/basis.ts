/**
 * @file Activation spaces for Kolmogorov-Arnold layers, behind one interface. A basis maps each
 * input feature to `numBases` values, x [..., F] -> [..., F, nb]; a KAN edge function is a linear
 * combination of them (the layer's spline weights), so every basis plugs into the same
 * "basis expansion + one matmul" layer (the efficient-kan shape).
 *
 * - BSplineBasis: order-k B-splines on G intervals with k extra knots each side (Liu et al. 2024,
 *   arXiv 2404.19756), through the fused `splineBasis` primitive; the knot grid is a per-feature
 *   buffer that grid updates and grid extension replace.
 * - GaussianRBFBasis: FastKAN (Li 2024, arXiv 2405.06721): exp(-((x - c_j)/h)^2) with `size`
 *   centres evenly spaced on the range and h = (hi - lo)/(size - 1).
 * - ChebyshevBasis: ChebyKAN: T_0..T_D of tanh(x) (tanh keeps the input in [-1, 1], where the
 *   polynomials are bounded), by the recurrence T_n = 2 t T_{n-1} - T_{n-2}.
 * - FourierBasis: FourierKAN: cos(j x) and sin(j x) for j = 1..K (nb = 2K, cosines first).
 *
 * Bases are Modules without parameters, so their state (the knot grid, the RBF centres) is saved
 * in the state dict under `basis.*` and follows `.to(dtype)`; `basisFromConfig` rebuilds them.
 */
import { type FloatDType } from '../../core/dtype.js';
import { DTypeError, ValueError } from '../../core/errors.js';
import { tensor } from '../../core/create.js';
import type { Tensor } from '../../core/tensor.js';
import { concat, cos, mul, rbfBasis, sin, splineBasis, sub, tanh, reshape } from '../../ops/primitives/index.js';
import { onesLike } from '../../core/create.js';
import { stack, unsqueeze } from '../../ops/composite/index.js';
import { Module } from '../module.js';
import { type ConfigReader, type ModuleConfig } from '../config.js';
import { checkInt, paramDType } from '../check.js';

export const BASIS_NAMES = ['bspline', 'rbf', 'chebyshev', 'fourier'] as const;
export type BasisName = (typeof BASIS_NAMES)[number];
/** Default basis size (`grid`) per basis: G intervals, RBF centres, Chebyshev degree, Fourier frequencies. The one list KANLinear, S-KAN and the CLI read. */
export const BASIS_DEFAULT_SIZES: Readonly<Record<BasisName, number>> = { bspline: 5, rbf: 8, chebyshev: 4, fourier: 5 };

/**
 * What a KAN layer needs from an activation space.
 * `size` is the one resolution knob: intervals G (bspline), centres (rbf), degree (chebyshev),
 * frequencies K (fourier).
 */
export interface Basis {
  readonly kind: BasisName;
  readonly inFeatures: number;
  readonly size: number;
  /** Values per feature: G + k, size, size + 1, 2 size. */
  readonly numBases: number;
  /** x [..., F] -> [..., F, numBases], differentiable in x. */
  evaluate(x: Tensor): Tensor;
  /** Per-feature knot grid [F, G + 2k + 1] (B-splines only). */
  readonly grid?: Tensor;
  /**
   * [lo, hi] of feature f: where the basis represents functions faithfully. For B-splines the
   * grid proper, t_k..t_{G+k} (outside, fewer than k + 1 bases overlap); for the others the range
   * the basis was built on (they are defined everywhere).
   */
  domain(f: number): [number, number];
  /** A fresh basis of the same kind and dtype with another `size`, on the same domains. */
  withSize(size: number, opts?: WithSizeOptions): Basis & Module;
  getConfig(): ModuleConfig;
}

/**
 * How a B-spline grid is refined (other bases ignore it).
 * - 'nested' (default): keep every current knot and split the widest intervals (evenly), so the old
 *   spline space is a subspace of the new one and grid extension preserves the function exactly.
 *   Growing G by an integer factor gives the same knots as 'interpolate'.
 * - 'interpolate': pykan's initialize_grid_from_parent: the current knots interpolated
 *   piecewise-linearly at fractions i / size (uniform stays uniform; 3 -> 5 is then not nested,
 *   and the refit is a least-squares approximation).
 * Coarsening (size < G) always interpolates.
 */
export type KnotRefinement = 'nested' | 'interpolate';
export interface WithSizeOptions {
  knots?: KnotRefinement;
}

export interface BasisOptions {
  /** [lo, hi] of the initial grid / centres / sampling range (default [-1, 1]). */
  gridRange?: readonly [number, number];
  /** Spline order (B-splines only; default 3 = cubic). */
  k?: number;
  /** Dtype of the basis state (knots, centres); stateless bases ignore it. */
  dtype?: FloatDType;
}

/** Shared checks and plumbing; subclasses implement `evaluate`. */
export abstract class BasisModule extends Module implements Basis {
  abstract readonly kind: BasisName;
  abstract readonly numBases: number;
  readonly inFeatures: number;
  readonly size: number;
  readonly gridRange: [number, number];

  protected constructor(where: string, inFeatures: number, size: number, opts: BasisOptions, minSize = 1) {
    super();
    this.inFeatures = checkInt(where, 'inFeatures', inFeatures, 1);
    this.size = checkInt(where, 'grid', size, minSize);
    this.gridRange = checkRange(where, opts.gridRange ?? [-1, 1]);
  }

  abstract evaluate(x: Tensor): Tensor;
  abstract withSize(size: number, opts?: WithSizeOptions): BasisModule;

  forward(x: Tensor): Tensor {
    return this.evaluate(x);
  }

  /** The knot grid of B-spline bases; undefined for the others. */
  get grid(): Tensor | undefined {
    return undefined;
  }

  domain(_f: number): [number, number] {
    return [this.gridRange[0], this.gridRange[1]];
  }

  /** Bases with state (knots, centres) need inputs of the state's dtype; `.to()` converts both. */
  protected checkInput(x: Tensor, state: Tensor): void {
    if (x.dtype !== state.dtype) throw new DTypeError(`${this.constructor.name}: input dtype ${x.dtype} does not match the basis' ${state.dtype}`);
  }
}

/** [lo, hi] with finite lo < hi. */
export function checkRange(where: string, r: unknown): [number, number] {
  if (!Array.isArray(r) || r.length !== 2 || !r.every((v) => typeof v === 'number' && Number.isFinite(v)) || !(r[1] > r[0])) {
    throw new ValueError(`${where}: gridRange must be [lo, hi] with finite lo < hi, got ${JSON.stringify(r)}`);
  }
  return [r[0] as number, r[1] as number];
}

/**
 * Order-k B-splines with a per-feature knot grid (buffer `grid`, [F, G + 2k + 1], initially uniform
 * on gridRange with k knots of the same spacing added each side, as pykan/efficient-kan).
 */
export class BSplineBasis extends BasisModule {
  readonly kind = 'bspline' as const;
  readonly k: number;

  constructor(inFeatures: number, grid = 5, opts: BasisOptions = {}) {
    super('BSplineBasis', inFeatures, grid, opts);
    this.k = checkInt('BSplineBasis', 'k', opts.k ?? 3, 0);
    const [lo, hi] = this.gridRange;
    const interior = new Float64Array(this.inFeatures * (grid + 1));
    for (let f = 0; f < this.inFeatures; f++) for (let i = 0; i <= grid; i++) interior[f * (grid + 1) + i] = lo + ((hi - lo) * i) / grid;
    const knots = tensor(extendKnots(interior, this.inFeatures, grid, this.k), { dtype: paramDType('BSplineBasis', opts.dtype) });
    this.registerBuffer('grid', reshape(knots, [this.inFeatures, grid + 2 * this.k + 1]));
  }

  get numBases(): number {
    return this.size + this.k;
  }

  /** The knot grid [F, G + 2k + 1]. */
  override get grid(): Tensor {
    return this.getBuffer('grid')!;
  }

  evaluate(x: Tensor): Tensor {
    this.checkInput(x, this.grid);
    return splineBasis(x, this.grid, this.k);
  }

  override domain(f: number): [number, number] {
    const K = this.size + 2 * this.k + 1;
    const t = this.grid.values;
    return [t[f * K + this.k]!, t[f * K + this.k + this.size]!];
  }

  /** Interior knots t_k..t_{G+k} of every feature, [F, G + 1] row-major. */
  interiorKnots(): Float64Array {
    const G = this.size;
    const K = G + 2 * this.k + 1;
    const t = this.grid.values;
    const out = new Float64Array(this.inFeatures * (G + 1));
    for (let f = 0; f < this.inFeatures; f++) for (let i = 0; i <= G; i++) out[f * (G + 1) + i] = t[f * K + this.k + i]!;
    return out;
  }

  /**
   * Replaces the grid by `interior` knots [F, G + 1] (strictly increasing per feature), extended by
   * k knots each side at the mean spacing. Same G, so the buffer keeps its shape.
   */
  setInteriorKnots(interior: ArrayLike<number>): void {
    const G = this.size;
    if (interior.length !== this.inFeatures * (G + 1)) throw new ValueError(`BSplineBasis.setInteriorKnots: expected ${this.inFeatures * (G + 1)} knots, got ${interior.length}`);
    for (let f = 0; f < this.inFeatures; f++) {
      for (let i = 0; i < G; i++) {
        const a = interior[f * (G + 1) + i]!;
        const b = interior[f * (G + 1) + i + 1]!;
        if (!(b > a)) throw new ValueError(`BSplineBasis.setInteriorKnots: knots of feature ${f} must be strictly increasing, got ${a} then ${b}`, 'DEGENERATE_GRID');
      }
    }
    this.grid.assign(extendKnots(interior, this.inFeatures, G, this.k));
  }

  /** Same kind with `size` intervals; knots per `opts.knots` (see KnotRefinement). */
  withSize(size: number, opts: WithSizeOptions = {}): BSplineBasis {
    checkInt('BSplineBasis.withSize', 'size', size, 1);
    const b = new BSplineBasis(this.inFeatures, size, { gridRange: this.gridRange, k: this.k, dtype: this.grid.dtype as FloatDType });
    const mode = opts.knots ?? 'nested';
    if (mode !== 'nested' && mode !== 'interpolate') throw new ValueError(`BSplineBasis.withSize: knots must be 'nested' or 'interpolate', got ${JSON.stringify(mode)}`);
    const refine = mode === 'nested' && size >= this.size ? nestedKnots : interpolatedKnots;
    const G = this.size;
    const old = this.interiorKnots();
    const fresh = new Float64Array(this.inFeatures * (size + 1));
    for (let f = 0; f < this.inFeatures; f++) fresh.set(refine(old.subarray(f * (G + 1), (f + 1) * (G + 1)), size), f * (size + 1));
    b.setInteriorKnots(fresh);
    return b;
  }

  override getConfig(): ModuleConfig {
    return { type: 'BSplineBasis', inFeatures: this.inFeatures, grid: this.size, k: this.k, gridRange: [...this.gridRange], dtype: this.grid.dtype };
  }
}

/** pykan: the knots t (G + 1 of them) interpolated piecewise-linearly at fractions i / size. */
function interpolatedKnots(t: Float64Array, size: number): Float64Array {
  const G = t.length - 1;
  const out = new Float64Array(size + 1);
  for (let i = 0; i <= size; i++) {
    const p = (i * G) / size;
    const j = Math.min(Math.floor(p), G - 1);
    out[i] = t[j]! + (p - j) * (t[j + 1]! - t[j]!);
  }
  return out;
}

/**
 * Knot insertion: interval j of t is cut into n_j equal pieces, sum n_j = size, the extra pieces
 * going one at a time to the interval whose pieces are widest (ties, up to rounding: the leftmost).
 */
function nestedKnots(t: Float64Array, size: number): Float64Array {
  const G = t.length - 1;
  const n = new Array<number>(G).fill(1);
  for (let extra = size - G; extra > 0; extra--) {
    let best = 0;
    // The 1e-9 slack makes a uniform grid's rounding-level differences count as ties.
    for (let j = 1; j < G; j++) if ((t[j + 1]! - t[j]!) / n[j]! > ((t[best + 1]! - t[best]!) / n[best]!) * (1 + 1e-9)) best = j;
    n[best]!++;
  }
  const out = new Float64Array(size + 1);
  let i = 0;
  for (let j = 0; j < G; j++) for (let q = 0; q < n[j]!; q++) out[i++] = t[j]! + ((t[j + 1]! - t[j]!) * q) / n[j]!;
  out[size] = t[G]!;
  return out;
}

/**
 * Adds k knots each side of each feature's interior knots [F, G + 1], spaced by the mean interval
 * (pykan's `extend_grid`): returns [F, G + 2k + 1].
 */
export function extendKnots(interior: ArrayLike<number>, F: number, G: number, k: number): Float64Array {
  const K = G + 2 * k + 1;
  const out = new Float64Array(F * K);
  for (let f = 0; f < F; f++) {
    const first = interior[f * (G + 1)]!;
    const last = interior[f * (G + 1) + G]!;
    const h = (last - first) / G;
    for (let i = 0; i <= G; i++) out[f * K + k + i] = interior[f * (G + 1) + i]!;
    for (let i = 1; i <= k; i++) {
      out[f * K + k - i] = first - i * h;
      out[f * K + k + G + i] = last + i * h;
    }
  }
  return out;
}

/**
 * FastKAN's Gaussian radial basis (Li 2024, arXiv 2405.06721): `size` centres c_j evenly spaced on
 * gridRange (buffer `centers`), width h = (hi - lo)/(size - 1), phi_j(x) = exp(-((x - c_j)/h)^2), computed by the fused `rbfBasis` primitive.
 * FastKAN applies a LayerNorm to the layer input first (KANLinear's `layerNorm` option).
 */
export class GaussianRBFBasis extends BasisModule {
  readonly kind = 'rbf' as const;
  readonly width: number;

  constructor(inFeatures: number, size = 8, opts: BasisOptions = {}) {
    super('GaussianRBFBasis', inFeatures, size, opts, 2);
    const [lo, hi] = this.gridRange;
    this.width = (hi - lo) / (size - 1);
    const dtype = paramDType('GaussianRBFBasis', opts.dtype);
    this.registerBuffer('centers', tensor(Array.from({ length: size }, (_, j) => lo + j * this.width), { dtype }));
  }

  get numBases(): number {
    return this.size;
  }

  evaluate(x: Tensor): Tensor {
    const c = this.getBuffer('centers')!;
    this.checkInput(x, c);
    // One fused primitive (ops/primitives/rbf.ts) instead of five composite ops and their temporaries.
    return rbfBasis(x, c, this.width);
  }

  withSize(size: number, _opts?: WithSizeOptions): GaussianRBFBasis {
    return new GaussianRBFBasis(this.inFeatures, size, { gridRange: this.gridRange, dtype: this.getBuffer('centers')!.dtype as FloatDType });
  }

  override getConfig(): ModuleConfig {
    return { type: 'GaussianRBFBasis', inFeatures: this.inFeatures, grid: this.size, gridRange: [...this.gridRange], dtype: this.getBuffer('centers')!.dtype };
  }
}

/**
 * Chebyshev polynomials T_0..T_D of tanh(x) (ChebyKAN), D = size: nb = D + 1. T_0 = 1 gives each
 * edge a constant term. The recurrence is written with ops, so it is differentiable to any order.
 */
export class ChebyshevBasis extends BasisModule {
  readonly kind = 'chebyshev' as const;

  constructor(inFeatures: number, degree = 4, opts: BasisOptions = {}) {
    super('ChebyshevBasis', inFeatures, degree, opts);
  }

  get numBases(): number {
    return this.size + 1;
  }

  evaluate(x: Tensor): Tensor {
    const t = tanh(x);
    const T: Tensor[] = [onesLike(t), t];
    for (let n = 2; n <= this.size; n++) T.push(sub(mul(mul(t, T[n - 1]!), 2), T[n - 2]!));
    return stack(T.slice(0, this.size + 1), -1);
  }

  withSize(size: number, _opts?: WithSizeOptions): ChebyshevBasis {
    return new ChebyshevBasis(this.inFeatures, size, { gridRange: this.gridRange });
  }

  override getConfig(): ModuleConfig {
    return { type: 'ChebyshevBasis', inFeatures: this.inFeatures, grid: this.size, gridRange: [...this.gridRange] };
  }
}

/** cos(j x), sin(j x) for j = 1..K (FourierKAN), K = size: nb = 2K, all cosines then all sines. */
export class FourierBasis extends BasisModule {
  readonly kind = 'fourier' as const;

  constructor(inFeatures: number, frequencies = 5, opts: BasisOptions = {}) {
    super('FourierBasis', inFeatures, frequencies, opts);
  }

  get numBases(): number {
    return 2 * this.size;
  }

  evaluate(x: Tensor): Tensor {
    const j = tensor(Array.from({ length: this.size }, (_, i) => i + 1), { dtype: x.dtype });
    const jx = mul(unsqueeze(x, -1), j);
    return concat([cos(jx), sin(jx)], -1);
  }

  withSize(size: number, _opts?: WithSizeOptions): FourierBasis {
    return new FourierBasis(this.inFeatures, size, { gridRange: this.gridRange });
  }

  override getConfig(): ModuleConfig {
    return { type: 'FourierBasis', inFeatures: this.inFeatures, grid: this.size, gridRange: [...this.gridRange] };
  }
}

/** Builds a basis by name; `size` is G / centres / degree / frequencies (see Basis.size). */
export function makeBasis(kind: BasisName, inFeatures: number, size: number, opts: BasisOptions = {}): BasisModule {
  switch (kind) {
    case 'bspline': return new BSplineBasis(inFeatures, size, opts);
    case 'rbf': return new GaussianRBFBasis(inFeatures, size, opts);
    case 'chebyshev': return new ChebyshevBasis(inFeatures, size, opts);
    case 'fourier': return new FourierBasis(inFeatures, size, opts);
    default: throw new ValueError(`makeBasis: unknown basis ${JSON.stringify(kind)}; known: ${BASIS_NAMES.join(', ')}`, 'UNKNOWN_BASIS');
  }
}

/** Reads `gridRange` from a config (absent: [-1, 1]). */
export function readRange(c: ConfigReader): [number, number] {
  const v = c.raw('gridRange');
  if (v === undefined) return [-1, 1];
  try {
    return checkRange(c.type, v);
  } catch {
    throw new ValueError(`fromConfig(${c.type}): ${c.path}.gridRange must be [lo, hi] with finite lo < hi, got ${JSON.stringify(v)}`, 'INVALID_CONFIG');
  }
}

/**
 * Rebuilds a basis from its getConfig(). Bases are not in the nn `fromConfig` registry: a layer
 * rebuilds its basis from its own config, and the registry lists whole layers.
 */
export function basisFromConfig(config: ModuleConfig): BasisModule {
  const c = config as Record<string, unknown>;
  const kinds: Record<string, BasisName> = { BSplineBasis: 'bspline', GaussianRBFBasis: 'rbf', ChebyshevBasis: 'chebyshev', FourierBasis: 'fourier' };
  const kind = Object.hasOwn(kinds, String(c.type)) ? kinds[String(c.type)] : undefined;
  if (kind === undefined) throw new ValueError(`basisFromConfig: unknown basis type ${JSON.stringify(c.type)}`, 'UNKNOWN_BASIS');
  const opts: BasisOptions = { gridRange: checkRange('basisFromConfig', c.gridRange ?? [-1, 1]) };
  if (c.k !== undefined) opts.k = checkInt('basisFromConfig', 'k', c.k, 0);
  if (c.dtype !== undefined) opts.dtype = paramDType('basisFromConfig', c.dtype);
  return makeBasis(kind, checkInt('basisFromConfig', 'inFeatures', c.inFeatures, 1), checkInt('basisFromConfig', 'grid', c.grid, 1), opts);
}
