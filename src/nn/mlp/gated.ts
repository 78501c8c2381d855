/**
 * @file The gated perceptron (Larabi, "More Consideration for the Perceptron", 2024,
 * https://arxiv.org/abs/2409.13854): a perceptron with an extra input, the product of its inputs,
 * y = w . x + g * (x_1 x_2 ... x_n) + b, whose decision boundary is curved (one unit solves XOR).
 *
 * `products` generalises the extra input to several: each entry lists the input indices whose
 * product is one extra input (default: one product of all inputs, the paper's unit). The layer
 * returns the pre-activation (like Linear); apply sigmoid / a loss with logits on top.
 *
 * Shape contract: x [..., in] -> [..., out]; weight [out, in], gateWeight [out, products.length],
 * bias [out]. Initialisation as PyTorch's Linear over the in + products.length inputs.
 */
import { checkOptions } from '../../core/args.js';
import { empty } from '../../core/create.js';
import type { FloatDType } from '../../core/dtype.js';
import { ValueError } from '../../core/errors.js';
import type { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { add, cat, linear, mul, sliceAxis } from '../../ops/primitives/index.js';
import { Module, Parameter } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkInputDType, checkInt, checkTrailing, paramDType, show } from '../check.js';
import * as init from '../init.js';

export interface GatedPerceptronOptions {
  /** Index groups whose products are the extra inputs (default [[0, 1, ..., in - 1]]). */
  products?: readonly (readonly number[])[];
  /** Learn an additive bias (default true). */
  bias?: boolean;
  dtype?: FloatDType;
  generator?: Generator;
}

function checkProducts(products: unknown, inFeatures: number): number[][] {
  const where = 'GatedPerceptron';
  if (!Array.isArray(products) || products.length === 0) throw new ValueError(`${where}: products must be a non-empty array of index arrays, got ${show(products)}`);
  return products.map((g: unknown, i) => {
    if (!Array.isArray(g) || g.length < 2) throw new ValueError(`${where}: products[${i}] must list at least 2 input indices, got ${show(g)}`);
    const idx = g.map((k: unknown, j) => checkInt(where, `products[${i}][${j}]`, k, 0));
    const bad = idx.find((k) => k >= inFeatures);
    if (bad !== undefined) throw new ValueError(`${where}: products[${i}] has index ${bad}, but inFeatures is ${inFeatures} (indices 0..${inFeatures - 1})`);
    return idx;
  });
}

/**
 * Gated perceptrons: x W^T + p(x) G^T + b with p(x) the products of input groups.
 * Shapes: x [..., inFeatures] -> [..., outFeatures].
 * @example new nn.GatedPerceptron(2, 1)   // w1 x1 + w2 x2 + g x1 x2 + b
 */
export class GatedPerceptron extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly products: number[][];
  weight: Parameter;
  gateWeight: Parameter;
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, opts: GatedPerceptronOptions = {}) {
    super();
    checkOptions('GatedPerceptron', opts, ['products', 'bias', 'dtype', 'generator']);
    this.inFeatures = checkInt('GatedPerceptron', 'inFeatures', inFeatures, 2);
    this.outFeatures = checkInt('GatedPerceptron', 'outFeatures', outFeatures, 1);
    this.products = checkProducts(opts.products ?? [Array.from({ length: inFeatures }, (_, i) => i)], inFeatures);
    const dtype = paramDType('GatedPerceptron', opts.dtype);
    const { generator } = opts;
    const fanIn = inFeatures + this.products.length;
    const bound = 1 / Math.sqrt(fanIn);
    // U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for all, PyTorch Linear's bound over the whole input.
    const u = (shape: number[]): Parameter => new Parameter(init.uniform(empty(shape, { dtype }), -bound, bound, { generator }));
    this.weight = u([outFeatures, inFeatures]);
    this.gateWeight = u([outFeatures, this.products.length]);
    this.bias = opts.bias === false ? null : u([outFeatures]);
  }

  /** The extra inputs p(x): [..., products.length]. */
  gateInputs(x: Tensor): Tensor {
    const d = x.rank - 1;
    const cols = this.products.map((g) => g.map((k) => sliceAxis(x, d, k, k + 1)).reduce((a, b) => mul(a, b)));
    return cols.length === 1 ? cols[0]! : cat(cols, d);
  }

  forward(x: Tensor): Tensor {
    const where = `GatedPerceptron(${this.inFeatures}, ${this.outFeatures})`;
    checkTrailing(where, x, [this.inFeatures]);
    checkInputDType(where, x, this.weight.dtype as FloatDType);
    return add(linear(x, this.weight, this.bias, 'none'), linear(this.gateInputs(x), this.gateWeight, null, 'none'));
  }

  override getConfig(): ModuleConfig {
    return {
      type: 'GatedPerceptron', inFeatures: this.inFeatures, outFeatures: this.outFeatures,
      products: this.products.map((g) => [...g]), bias: this.bias !== null, dtype: this.weight.dtype,
    };
  }
}

registerModule('GatedPerceptron', (c) => {
  const inFeatures = c.int('inFeatures');
  const raw = c.raw('products');
  if (raw !== undefined && !(Array.isArray(raw) && raw.every((g) => Array.isArray(g)))) {
    throw new ValueError(`fromConfig(GatedPerceptron): ${c.path}.products must be an array of integer arrays, got ${show(raw)}`, 'INVALID_CONFIG');
  }
  return new GatedPerceptron(inFeatures, c.int('outFeatures'), {
    ...(raw === undefined ? {} : { products: raw as number[][] }), bias: c.bool('bias', true), dtype: c.dtype(),
  });
});
