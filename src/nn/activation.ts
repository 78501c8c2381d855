/**
 * @file Activation functions as modules (thin wrappers over the composites in ops), so they can sit
 * in a Sequential and be saved in a config. Every one maps any shape to the same shape; only PReLU
 * has a parameter. `activationFromName` builds one from the short names configs use.
 */
import { checkEnum, checkOptions } from '../core/args.js';
import { full } from '../core/create.js';
import type { FloatDType } from '../core/dtype.js';
import { ShapeError, ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { gt, mul, reshape, tanh, where } from '../ops/primitives/index.js';
import { GELU_APPROXIMATIONS, elu, gelu, leakyRelu, relu, sigmoid, silu, softplus } from '../ops/composite/index.js';
import { Module, Parameter } from './module.js';
import { Identity } from './linear.js';
import { type ModuleConfig, registerModule } from './config.js';
import { checkInputDType, checkInt, checkNumber, checkPositive, paramDType } from './check.js';
import { GCU, SPDER, Sine } from './activations/periodic.js';

/** max(x, 0). */
export class ReLU extends Module {
  forward(x: Tensor): Tensor { return relu(x); }
  override getConfig(): ModuleConfig { return { type: 'ReLU' }; }
}

/** x for x > 0, negativeSlope * x otherwise (Maas et al. 2013). */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
    checkNumber('LeakyReLU', 'negativeSlope', negativeSlope);
  }

  forward(x: Tensor): Tensor { return leakyRelu(x, this.negativeSlope); }
  override getConfig(): ModuleConfig { return { type: 'LeakyReLU', negativeSlope: this.negativeSlope }; }
}

/**
 * Leaky ReLU with a learned slope (He et al. 2015, https://arxiv.org/abs/1502.01852): x for x > 0,
 * a * x otherwise. One slope shared by all channels (numParameters = 1, PyTorch's default) or one
 * per channel, the channel being dim 1 of the input. Slopes start at `init` (0.25).
 * Shapes: x [N, C, ...] -> same; weight [numParameters].
 */
export class PReLU extends Module {
  /** Number of slopes (PyTorch's num_parameters; renamed because numParameters() counts scalars). */
  readonly numSlopes: number;
  weight: Parameter;

  constructor(numParameters = 1, init = 0.25, opts: { dtype?: FloatDType } = {}) {
    super();
    checkOptions('PReLU', opts, ['dtype']);
    this.numSlopes = numParameters;
    checkInt('PReLU', 'numParameters', numParameters, 1);
    checkNumber('PReLU', 'init', init);
    this.weight = new Parameter(full([numParameters], init, { dtype: paramDType('PReLU', opts.dtype) }));
  }

  forward(x: Tensor): Tensor {
    const n = this.numSlopes;
    checkInputDType(`PReLU(${n})`, x, this.weight.dtype as FloatDType);
    let a: Tensor = this.weight;
    if (n > 1) {
      if (x.rank < 2 || x.shape[1] !== n) throw new ShapeError(`PReLU(${n}): input needs ${n} channels in dim 1, got ${fmtShape(x.shape)}`);
      a = reshape(a, [1, n, ...Array<number>(x.rank - 2).fill(1)]);
    }
    // At x = 0 the slope branch is taken (PyTorch: the weight gets x * g there, which is 0).
    return where(gt(x, 0), x, mul(a, x));
  }

  override getConfig(): ModuleConfig {
    // The initial slope is not kept: a rebuilt layer gets its values from the state dict.
    return { type: 'PReLU', numParameters: this.numSlopes, dtype: this.weight.dtype };
  }
}

/** x for x > 0, alpha (e^x - 1) otherwise (Clevert et al. 2015, https://arxiv.org/abs/1511.07289). */
export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
    checkNumber('ELU', 'alpha', alpha);
  }

  forward(x: Tensor): Tensor { return elu(x, this.alpha); }
  override getConfig(): ModuleConfig { return { type: 'ELU', alpha: this.alpha }; }
}

/**
 * x * Phi(x) (Hendrycks & Gimpel 2016, https://arxiv.org/abs/1606.08415); `approximate: 'tanh'`
 * uses their tanh approximation, as PyTorch's GELU(approximate='tanh').
 */
export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
    checkEnum('GELU', 'approximate', approximate, GELU_APPROXIMATIONS);
  }

  forward(x: Tensor): Tensor { return gelu(x, this.approximate); }
  override getConfig(): ModuleConfig { return { type: 'GELU', approximate: this.approximate }; }
}

/** x * sigmoid(x) (Elfwing et al. 2017, https://arxiv.org/abs/1702.03118; a.k.a. swish). */
export class SiLU extends Module {
  forward(x: Tensor): Tensor { return silu(x); }
  override getConfig(): ModuleConfig { return { type: 'SiLU' }; }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor { return tanh(x); }
  override getConfig(): ModuleConfig { return { type: 'Tanh' }; }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor { return sigmoid(x); }
  override getConfig(): ModuleConfig { return { type: 'Sigmoid' }; }
}

/** log(1 + e^(beta x)) / beta, linear where beta x > threshold (PyTorch's nn.Softplus). */
export class Softplus extends Module {
  constructor(readonly beta = 1, readonly threshold = 20) {
    super();
    checkPositive('Softplus', 'beta', beta);
    checkNumber('Softplus', 'threshold', threshold);
  }

  forward(x: Tensor): Tensor { return softplus(x, this.beta, this.threshold); }
  override getConfig(): ModuleConfig { return { type: 'Softplus', beta: this.beta, threshold: this.threshold }; }
}

/**
 * The activation registry: short names for stateless activations (MLP options, configs, the CLI)
 * and their modules, listed once; ACTIVATION_NAMES is derived from it.
 */
export const ACTIVATIONS = {
  relu: () => new ReLU(),
  leakyRelu: () => new LeakyReLU(),
  gelu: () => new GELU(),
  geluTanh: () => new GELU('tanh'),
  silu: () => new SiLU(),
  tanh: () => new Tanh(),
  sigmoid: () => new Sigmoid(),
  elu: () => new ELU(),
  softplus: () => new Softplus(),
  identity: () => new Identity(),
  // Periodic ones at w0 = 1: SIREN's w0 = 30 needs its initialisation (nn.SIREN), not a bare name.
  sine: () => new Sine(),
  spder: () => new SPDER(),
  gcu: () => new GCU(),
} as const satisfies Record<string, () => Module>;
export type ActivationName = keyof typeof ACTIVATIONS;
export const ACTIVATION_NAMES = Object.keys(ACTIVATIONS) as readonly ActivationName[];

const BY_NAME = new Map<string, () => Module>(Object.entries(ACTIVATIONS));

/** The module for a short activation name (default arguments); ValueError listing the names otherwise. */
export function activationFromName(name: string): Module {
  const make = BY_NAME.get(name);
  if (!make) throw new ValueError(`unknown activation ${JSON.stringify(name)}; known: ${ACTIVATION_NAMES.join(', ')}`, 'UNKNOWN_ACTIVATION');
  return make();
}

registerModule('ReLU', () => new ReLU());
registerModule('LeakyReLU', (c) => new LeakyReLU(c.number('negativeSlope', 0.01)));
registerModule('PReLU', (c) => new PReLU(c.int('numParameters', 1), 0.25, { dtype: c.dtype() }));
registerModule('ELU', (c) => new ELU(c.number('alpha', 1)));
registerModule('GELU', (c) => new GELU(c.oneOf('approximate', ['none', 'tanh'] as const, 'none')));
registerModule('SiLU', () => new SiLU());
registerModule('Tanh', () => new Tanh());
registerModule('Sigmoid', () => new Sigmoid());
registerModule('Softplus', (c) => new Softplus(c.number('beta', 1), c.number('threshold', 20)));
