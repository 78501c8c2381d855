/**
 * @file KAN: a stack of KANLinear layers, widths [n_0, n_1, ..., n_L] (Liu et al. 2024,
 * arXiv 2404.19756; pykan's MultKAN without multiplication nodes). Adds the whole-network
 * operations of pykan: grid update from samples for every layer (each on its own input
 * activations), grid refinement into a new model (`refine`, pykan's refine /
 * initialize_from_another_model), per-layer edge activations and the sparsity regulariser.
 */
import { ValueError } from '../../core/errors.js';
import { noGrad } from '../../core/grad-mode.js';
import type { Tensor } from '../../core/tensor.js';
import { add } from '../../ops/primitives/index.js';
import { KANStack } from './stack.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkInt } from '../check.js';
import { ModuleList } from '../container.js';
import type { WithSizeOptions } from './basis.js';
import {
  KANLinear, type KANLinearOptions, type RegularizationOptions, type UpdateGridOptions, edgeRegularization, readKANOptions,
} from './kan-linear.js';

/** Options shared by every layer (see KANLinearOptions). */
export type KANOptions = KANLinearOptions;

/**
 * widths = [in, h_1, ..., out]: layer l is KANLinear(widths[l], widths[l+1], opts).
 * Shapes: x [..., widths[0]] -> [..., widths.at(-1)]. State keys `layers.l.*`.
 * @example
 * const model = new nn.KAN([2, 1, 1], { grid: 3, k: 3, dtype: 'float64' });
 * const finer = model.refine(5, xTrain); // a new KAN with G = 5, same function on xTrain
 */
export class KAN extends KANStack<KANLinear> {
  readonly widths: number[];
  readonly layers: ModuleList;

  /** `layers`: prebuilt layers matching `widths` (used by refine; `opts` is then ignored). */
  constructor(widths: readonly number[], opts: KANOptions = {}, layers?: readonly KANLinear[]) {
    super();
    if (!Array.isArray(widths) || widths.length < 2) throw new ValueError(`KAN: widths needs at least [in, out], got ${JSON.stringify(widths)}`);
    this.widths = widths.map((w, i) => checkInt('KAN', `widths[${i}]`, w, 1));
    const ok = layers?.every((m, l) => m.inFeatures === this.widths[l] && m.outFeatures === this.widths[l + 1]) && layers.length === this.widths.length - 1;
    if (layers && !ok) throw new ValueError(`KAN: the given layers do not match widths ${JSON.stringify(this.widths)}`);
    this.layers = new ModuleList(layers ?? this.widths.slice(1).map((out, l) => new KANLinear(this.widths[l]!, out, opts)));
  }

  /** Sum over layers of the layer regulariser (KANLinear.regularization) on this model's activations. */
  regularization(x: Tensor, opts: RegularizationOptions = {}): Tensor {
    return this.forwardWithRegularization(x, opts).reg;
  }

  /** The output and the regulariser from one pass: loss = mse(y, t) + lamb * reg. */
  forwardWithRegularization(x: Tensor, opts: RegularizationOptions = {}): { y: Tensor; reg: Tensor } {
    const { y, edges, inputs } = this.forwardWithEdges(x);
    let reg = edgeRegularization(edges[0]!, inputs[0]!, opts);
    for (let l = 1; l < edges.length; l++) reg = add(reg, edgeRegularization(edges[l]!, inputs[l]!, opts));
    return { y, reg };
  }

  /**
   * Grid update from samples for every layer, each on its input activations computed before any
   * layer changes (as pykan's update_grid). B-spline layers only. Returns this.
   */
  updateGrid(x: Tensor, opts: UpdateGridOptions = {}): this {
    const acts = noGrad(() => this.activations(x));
    for (let l = 0; l < this.depth; l++) this.layer(l).updateGrid(acts[l]!, opts);
    return this;
  }

  /**
   * Grid extension into a NEW model with `grid` (pykan's refine): each layer is refit on its input
   * activations of THIS model at x (or, without x, on dense points of its grid). This model is unchanged.
   */
  refine(grid: number, x?: Tensor, opts: WithSizeOptions = {}): KAN {
    checkInt('KAN.refine', 'grid', grid, 1);
    const acts = x ? noGrad(() => this.activations(x)) : null;
    const layers = this.widths.slice(1).map((_, l) => this.layer(l).refine(grid, acts ? acts[l] : undefined, opts));
    return new KAN(this.widths, {}, layers);
  }

  /** Grid extension in place (every layer's Parameters are replaced: build optimizers after). */
  extendGrid(grid: number, x?: Tensor, opts: WithSizeOptions = {}): this {
    const acts = x ? noGrad(() => this.activations(x)) : null;
    for (let l = 0; l < this.depth; l++) this.layer(l).extendGrid(grid, acts ? acts[l] : undefined, opts);
    return this;
  }

  override getConfig(): ModuleConfig {
    // Every layer shares the options (refine keeps them), so layer 0 speaks for all.
    const { inFeatures: _i, outFeatures: _o, type: _t, ...rest } = this.layer(0).getConfig();
    return { type: 'KAN', widths: [...this.widths], ...rest };
  }
}

registerModule('KAN', (c) => new KAN(c.ints('widths'), readKANOptions(c)));
