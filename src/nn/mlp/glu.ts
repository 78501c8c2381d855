/**
 * @file Gated linear units: PyTorch's halving activation `nn.GLU(dim)` and the projected layers of
 * Shazeer, "GLU Variants Improve Transformer" (2020, https://arxiv.org/abs/2002.05202), with the
 * bilinear layer of Pearce et al., "Bilinear MLPs enable weight-based mechanistic interpretability"
 * (2024, https://arxiv.org/abs/2410.08417).
 *
 * Naming. PyTorch's `nn.GLU(dim)` is the activation that splits its input in two halves a, b along
 * `dim` and returns a * sigmoid(b); plexus keeps that name and meaning. The paper's layers have two
 * projections of one input, gate(x W^T + b) * (x V^T + c); they are `GatedLinear` (any gate, default
 * sigmoid: the paper's "GLU" layer) and the fixed-gate classes `GeGLU`, `SwiGLU`, `ReGLU` and
 * `BilinearGLU` (no gate, the paper's "Bilinear": (x W^T) * (x V^T)). PyTorch's own `nn.Bilinear` is a
 * different layer (two inputs, x1^T A x2), hence the suffix. `GLUFeedForward` adds the down
 * projection: the paper's FFN_GLU variants, and Pearce et al.'s bilinear MLP with a linear head.
 *
 * Shape contract: GLU(dim): x [..., 2n, ...] -> [..., n, ...] (the halved dim must be even);
 * GatedLinear(in, out): x [..., in] -> [..., out], w.weight, v.weight [out, in], w.bias, v.bias [out];
 * GLUFeedForward(in, hidden, out): x [..., in] -> [..., out] (proj: GatedLinear(in, hidden), out: Linear).
 */
import { axisArg, checkEnum, checkOptions } from '../../core/args.js';
import type { FloatDType } from '../../core/dtype.js';
import { ShapeError, fmtShape } from '../../core/errors.js';
import type { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { mul, sliceAxis } from '../../ops/primitives/index.js';
import { gelu, relu, sigmoid, silu } from '../../ops/composite/index.js';
import { Module } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkInputDType, checkInt, checkTrailing } from '../check.js';
import { Linear } from '../linear.js';

/**
 * PyTorch's nn.GLU: splits x in halves a, b along `dim` and returns a * sigmoid(b) (Dauphin et al.
 * 2017, https://arxiv.org/abs/1612.08083). Shapes: [..., 2n, ...] -> [..., n, ...].
 */
export class GLU extends Module {
  constructor(readonly dim = -1) {
    super();
    checkInt('GLU', 'dim', dim, -Infinity);
  }

  forward(x: Tensor): Tensor {
    const d = axisArg('GLU', this.dim, x.rank, x.shape);
    const n = x.shape[d]!;
    if (n % 2 !== 0) {
      const want = x.shape.map((s, i) => (i === d ? 'even' : String(s))).join(',');
      throw new ShapeError(`GLU(dim=${this.dim}): input shape must be [${want}] (dim ${this.dim} is halved), got ${fmtShape(x.shape)}`);
    }
    return mul(sliceAxis(x, d, 0, n / 2), sigmoid(sliceAxis(x, d, n / 2, n)));
  }

  override getConfig(): ModuleConfig { return { type: 'GLU', dim: this.dim }; }
}

/** Gates of the GLU variants: sigmoid (GLU), gelu (GEGLU), geluTanh, silu (SwiGLU), relu (ReGLU), identity (Bilinear). */
export const GLU_GATES = ['sigmoid', 'gelu', 'geluTanh', 'silu', 'relu', 'identity'] as const;
export type GLUGate = (typeof GLU_GATES)[number];

function applyGate(gate: GLUGate, x: Tensor): Tensor {
  switch (gate) {
    case 'sigmoid': return sigmoid(x);
    case 'gelu': return gelu(x);
    case 'geluTanh': return gelu(x, 'tanh');
    case 'silu': return silu(x);
    case 'relu': return relu(x);
    case 'identity': return x;
  }
}

export interface GatedLinearOptions {
  /** The function applied to the x W^T + b branch (default 'sigmoid', the paper's GLU). */
  gate?: GLUGate;
  /** Biases b and c in both projections (default true; the paper's FFN variants have none). */
  bias?: boolean;
  dtype?: FloatDType;
  generator?: Generator;
}

/**
 * gate(x W^T + b) * (x V^T + c), the GLU-variants layer. W and V are two Linear layers (`w`, `v`)
 * with PyTorch's Linear initialisation. Shapes: x [..., in] -> [..., out].
 * @example new nn.GatedLinear(16, 32, { gate: 'silu' })   // SwiGLU
 */
export class GatedLinear extends Module {
  /** The type name in messages and configs (a static, so a minifier's renaming cannot change it). */
  static readonly layerName: string = 'GatedLinear';
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly gate: GLUGate;
  readonly w: Linear;
  readonly v: Linear;

  constructor(inFeatures: number, outFeatures: number, opts: GatedLinearOptions = {}) {
    super();
    const name = (new.target as typeof GatedLinear).layerName;
    checkOptions(name, opts, ['gate', 'bias', 'dtype', 'generator']);
    this.inFeatures = checkInt(name, 'inFeatures', inFeatures, 1);
    this.outFeatures = checkInt(name, 'outFeatures', outFeatures, 1);
    this.gate = checkEnum(name, 'gate', opts.gate ?? 'sigmoid', GLU_GATES);
    const lin = { bias: opts.bias ?? true, dtype: opts.dtype, generator: opts.generator };
    this.w = new Linear(inFeatures, outFeatures, lin);
    this.v = new Linear(inFeatures, outFeatures, lin);
  }

  /** True when the layer has the two biases. */
  get hasBias(): boolean { return this.w.bias !== null; }

  forward(x: Tensor): Tensor {
    const where = `${(this.constructor as typeof GatedLinear).layerName}(${this.inFeatures}, ${this.outFeatures})`;
    checkTrailing(where, x, [this.inFeatures]);
    checkInputDType(where, x, this.w.weight.dtype as FloatDType);
    return mul(applyGate(this.gate, this.w.forward(x)), this.v.forward(x));
  }

  override getConfig(): ModuleConfig {
    return { type: 'GatedLinear', inFeatures: this.inFeatures, outFeatures: this.outFeatures, gate: this.gate, bias: this.hasBias, dtype: this.w.weight.dtype };
  }

  /** The config of a fixed-gate subclass: its own type, no `gate` key. */
  protected fixedConfig(type: string): ModuleConfig {
    return { type, inFeatures: this.inFeatures, outFeatures: this.outFeatures, bias: this.hasBias, dtype: this.w.weight.dtype };
  }
}

type FixedGateOptions = Omit<GatedLinearOptions, 'gate'>;

/** Constructor options of a fixed-gate class: `gate` is not one of them. */
function fixed(name: string, opts: FixedGateOptions, gate: GLUGate): GatedLinearOptions {
  checkOptions(name, opts, ['bias', 'dtype', 'generator']);
  return { ...opts, gate };
}

/** GEGLU: gelu(x W^T + b) * (x V^T + c). */
export class GeGLU extends GatedLinear {
  static override readonly layerName: string = 'GeGLU';
  constructor(inFeatures: number, outFeatures: number, opts: FixedGateOptions = {}) { super(inFeatures, outFeatures, fixed('GeGLU', opts, 'gelu')); }
  override getConfig(): ModuleConfig { return this.fixedConfig('GeGLU'); }
}

/** SwiGLU: silu(x W^T + b) * (x V^T + c) (Swish with beta = 1, as the paper). */
export class SwiGLU extends GatedLinear {
  static override readonly layerName: string = 'SwiGLU';
  constructor(inFeatures: number, outFeatures: number, opts: FixedGateOptions = {}) { super(inFeatures, outFeatures, fixed('SwiGLU', opts, 'silu')); }
  override getConfig(): ModuleConfig { return this.fixedConfig('SwiGLU'); }
}

/** ReGLU: relu(x W^T + b) * (x V^T + c). */
export class ReGLU extends GatedLinear {
  static override readonly layerName: string = 'ReGLU';
  constructor(inFeatures: number, outFeatures: number, opts: FixedGateOptions = {}) { super(inFeatures, outFeatures, fixed('ReGLU', opts, 'relu')); }
  override getConfig(): ModuleConfig { return this.fixedConfig('ReGLU'); }
}

/**
 * The bilinear layer: (x W^T + b) * (x V^T + c), no elementwise nonlinearity. Output k is the
 * quadratic form [x; 1]^T B_k [x; 1] with B_k = sym(w_k v_k^T) (biases in the last row/column), which
 * `analysis.interactionMatrices` returns for weight-based interpretability.
 */
export class BilinearGLU extends GatedLinear {
  static override readonly layerName: string = 'BilinearGLU';
  constructor(inFeatures: number, outFeatures: number, opts: FixedGateOptions = {}) { super(inFeatures, outFeatures, fixed('BilinearGLU', opts, 'identity')); }
  override getConfig(): ModuleConfig { return this.fixedConfig('BilinearGLU'); }
}

export interface GLUFeedForwardOptions extends GatedLinearOptions {
  /** Bias of the down projection (default: the same as `bias`). */
  outBias?: boolean;
}

/**
 * The GLU-variant feed-forward block: out(gate(x W^T + b) * (x V^T + c)), i.e. GatedLinear(in,
 * hidden) then Linear(hidden, out). With gate 'identity' and no bias it is the bilinear MLP of Pearce
 * et al. Shapes: x [..., in] -> [..., out]; state keys proj.w.*, proj.v.*, out.*.
 * @example new nn.GLUFeedForward(784, 128, 10, { gate: 'identity', bias: false })
 */
export class GLUFeedForward extends Module {
  readonly proj: GatedLinear;
  readonly out: Linear;

  constructor(inFeatures: number, hiddenFeatures: number, outFeatures: number, opts: GLUFeedForwardOptions = {}) {
    super();
    checkOptions('GLUFeedForward', opts, ['gate', 'bias', 'outBias', 'dtype', 'generator']);
    checkInt('GLUFeedForward', 'inFeatures', inFeatures, 1);
    checkInt('GLUFeedForward', 'hiddenFeatures', hiddenFeatures, 1);
    checkInt('GLUFeedForward', 'outFeatures', outFeatures, 1);
    const { outBias, ...rest } = opts;
    this.proj = new GatedLinear(inFeatures, hiddenFeatures, rest);
    this.out = new Linear(hiddenFeatures, outFeatures, { bias: outBias ?? opts.bias ?? true, dtype: opts.dtype, generator: opts.generator });
  }

  forward(x: Tensor): Tensor {
    const p = this.proj;
    checkTrailing(`GLUFeedForward(${p.inFeatures}, ${p.outFeatures}, ${this.out.outFeatures})`, x, [p.inFeatures]);
    return this.out.forward(p.forward(x));
  }

  override getConfig(): ModuleConfig {
    const p = this.proj;
    return {
      type: 'GLUFeedForward', inFeatures: p.inFeatures, hiddenFeatures: p.outFeatures, outFeatures: this.out.outFeatures,
      gate: p.gate, bias: p.hasBias, outBias: this.out.bias !== null, dtype: p.w.weight.dtype,
    };
  }
}

registerModule('GLU', (c) => new GLU(c.int('dim', -1)));
registerModule('GatedLinear', (c) => new GatedLinear(c.int('inFeatures'), c.int('outFeatures'), {
  gate: c.oneOf('gate', GLU_GATES, 'sigmoid'), bias: c.bool('bias', true), dtype: c.dtype(),
}));
for (const [type, C] of [['GeGLU', GeGLU], ['SwiGLU', SwiGLU], ['ReGLU', ReGLU], ['BilinearGLU', BilinearGLU]] as const) {
  registerModule(type, (c) => new C(c.int('inFeatures'), c.int('outFeatures'), { bias: c.bool('bias', true), dtype: c.dtype() }));
}
registerModule('GLUFeedForward', (c) => {
  const bias = c.bool('bias', true);
  return new GLUFeedForward(c.int('inFeatures'), c.int('hiddenFeatures'), c.int('outFeatures'), {
    gate: c.oneOf('gate', GLU_GATES, 'sigmoid'), bias, outBias: c.bool('outBias', bias), dtype: c.dtype(),
  });
});
