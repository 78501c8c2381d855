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
import { ValueError } from '../../core/errors.js';
import { noGrad } from '../../core/grad-mode.js';
import { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { type ConfigReader, type ModuleConfig, registerModule } from '../config.js';
import { ModuleList } from '../container.js';
import { checkInt } from '../check.js';
import { BASIS_NAMES, type BasisName, readRange } from './basis.js';
import { KANStack } from './stack.js';
import { DEFAULT_MIX_SCALE, type SKANLinearOptions, type SelectOptions, range } from './s-kan-parts.js';
import { SKANLinear } from './s-kan-linear.js';

// The public names of the S-KAN family, importable from this file as before the split.
export { SKANGroup, SELECT_CRITERIA, subsetBasis, range, type SKANLinearOptions, type SelectCriterion, type SelectOptions } from './s-kan-parts.js';
export { SKANLinear } from './s-kan-linear.js';

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
