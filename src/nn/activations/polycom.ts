/**
 * @file Polynomial composition activations (Zhuo et al. 2024, "Polynomial Composition Activations",
 * https://arxiv.org/abs/2411.03884), laid out as the reference code (github.com/BryceZhuo/PolyCom):
 *   PolyReLU(x) = sum_{j<r} weight[j] * relu(x)^(r-j) + bias
 *   PolyNorm(x) = sum_{j<r} weight[j] * N(x^(r-j)) + bias,  N(u) = u / sqrt(mean(u^2, last dim) + eps)
 * with order r = 3, weight = 1/r each and bias = 0 at init (so a PyTorch state dict loads as is).
 * Learnable: weight [order], bias [1]. Shapes: x [..., C] -> same (PolyNorm normalises each power
 * over the last dim, so it needs rank >= 1).
 */
import { checkOptions } from '../../core/args.js';
import { full, zeros } from '../../core/create.js';
import type { FloatDType } from '../../core/dtype.js';
import { ShapeError, fmtShape } from '../../core/errors.js';
import type { Tensor } from '../../core/tensor.js';
import { add, div, mul, slice, sqrt } from '../../ops/primitives/index.js';
import { mean, relu } from '../../ops/composite/index.js';
import { Module, Parameter } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkInputDType, checkInt, checkPositive, paramDType } from '../check.js';

export interface PolyOptions {
  /** Highest power r (default 3, the paper's). */
  order?: number;
  dtype?: FloatDType;
}

/** Shared parameters and the sum over powers. */
abstract class PolyBase extends Module {
  readonly order: number;
  weight: Parameter;
  bias: Parameter;

  constructor(where: string, opts: PolyOptions, extraKeys: readonly string[]) {
    super();
    checkOptions(where, opts, ['order', 'dtype', ...extraKeys]);
    this.order = checkInt(where, 'order', opts.order ?? 3, 1);
    const dtype = paramDType(where, opts.dtype);
    this.weight = new Parameter(full([this.order], 1 / this.order, { dtype }));
    this.bias = new Parameter(zeros([1], { dtype }));
  }

  /** sum_j weight[j] * term(base^(order - j)) + bias, powers built by repeated products. */
  protected combine(where: string, base: Tensor, term: (u: Tensor) => Tensor): Tensor {
    checkInputDType(where, base, this.weight.dtype as FloatDType);
    let out: Tensor = this.bias;
    let power = base;
    for (let p = 1; p <= this.order; p++) {
      if (p > 1) power = mul(power, base);
      const j = this.order - p;
      out = add(out, mul(slice(this.weight, [[j, j + 1]]), term(power)));
    }
    return out;
  }
}

/** PolyReLU: a learnable polynomial of relu(x). */
export class PolyReLU extends PolyBase {
  constructor(opts: PolyOptions = {}) { super('PolyReLU', opts, []); }

  forward(x: Tensor): Tensor { return this.combine(`PolyReLU(order ${this.order})`, relu(x), (u) => u); }
  override getConfig(): ModuleConfig { return { type: 'PolyReLU', order: this.order, dtype: this.weight.dtype }; }
}

/** PolyNorm: a learnable sum of RMS-normalised powers of x (each power normalised over the last dim). */
export class PolyNorm extends PolyBase {
  readonly eps: number;

  constructor(opts: PolyOptions & { eps?: number } = {}) {
    super('PolyNorm', opts, ['eps']);
    this.eps = checkPositive('PolyNorm', 'eps', opts.eps ?? 1e-6);
  }

  forward(x: Tensor): Tensor {
    const where = `PolyNorm(order ${this.order})`;
    if (x.rank < 1) throw new ShapeError(`${where}: input needs rank >= 1 (powers are normalised over the last dim), got ${fmtShape(x.shape)}`);
    const norm = (u: Tensor): Tensor => div(u, sqrt(add(mean(mul(u, u), -1, { keepDims: true }), this.eps)));
    return this.combine(where, x, norm);
  }

  override getConfig(): ModuleConfig { return { type: 'PolyNorm', order: this.order, eps: this.eps, dtype: this.weight.dtype }; }
}

registerModule('PolyReLU', (c) => new PolyReLU({ order: c.int('order', 3), dtype: c.dtype() }));
registerModule('PolyNorm', (c) => new PolyNorm({ order: c.int('order', 3), eps: c.number('eps', 1e-6), dtype: c.dtype() }));
