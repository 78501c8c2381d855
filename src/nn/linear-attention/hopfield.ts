/**
 * @file Modern Hopfield layers: Ramsauer et al., "Hopfield Networks is All You Need" (2020,
 * https://arxiv.org/abs/2008.02217).
 *
 * The continuous modern Hopfield network stores patterns Y (rows) and updates a state pattern xi by
 * xi_new = softmax(beta xi Y^T) Y (the paper's eq. 3, row convention); with well-separated patterns
 * one update retrieves the stored pattern nearest a noisy query. The `Hopfield` layer is its
 * association with learned maps, Z = softmax(beta (R W_Q)(Y W_K)^T) (Y W_V), followed by an output
 * Linear; with `project: false` it is the bare update (Q = R, K = V = Y), iterated `updateSteps`
 * times. `HopfieldPooling` uses learned state patterns as queries and pools a set / sequence into
 * numQueries vectors. beta defaults to 1/sqrt(hiddenSize) (the paper's choice with projections).
 *
 * Shape contract: Hopfield(dim): forward(state [batch, n, dim], stored [batch, m, dim] = state)
 * -> [batch, n, dim]; q, k Linear(dim, hiddenSize), v, out Linear(dim, dim) when projecting.
 * HopfieldPooling(dim): x [batch, seq, dim] -> [batch, numQueries, dim]; query [numQueries, hiddenSize],
 * k Linear(dim, hiddenSize), v Linear(dim, dim).
 */
import { checkOptions } from '../../core/args.js';
import { type FloatDType, isFloat } from '../../core/dtype.js';
import { empty } from '../../core/create.js';
import { ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import type { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { matmul, mul, transpose } from '../../ops/primitives/index.js';
import { softmax } from '../../ops/composite/index.js';
import { Module, Parameter } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkBool, checkInt, checkPositive, paramDType } from '../check.js';
import * as init from '../init.js';
import { Linear } from '../linear.js';
import { checkSeq } from './common.js';

/** One modern-Hopfield update of the state patterns xi [B, n, d] with stored patterns y [B, m, d]. */
export function hopfieldUpdate(xi: Tensor, keys: Tensor, values: Tensor, beta: number): Tensor {
  return matmul(softmax(mul(matmul(xi, transpose(keys)), beta), -1), values);
}

export interface HopfieldOptions {
  /** Inverse temperature (default 1/sqrt(hiddenSize)). */
  beta?: number;
  /** Size of the association space of the q / k maps (default dim). */
  hiddenSize?: number;
  /** Learned q, k, v, out maps (default true); false is the bare update rule. */
  project?: boolean;
  /** Updates applied (default 1; more than 1 only without projections, where the state stays in pattern space). */
  updateSteps?: number;
  dtype?: FloatDType;
  generator?: Generator;
}

/**
 * The modern Hopfield association layer.
 * @example new nn.Hopfield(16, { project: false, beta: 8 }).forward(noisy, patterns)   // retrieval
 */
export class Hopfield extends Module {
  readonly dim: number;
  readonly hiddenSize: number;
  readonly beta: number;
  readonly project: boolean;
  readonly updateSteps: number;
  readonly q: Linear | null;
  readonly k: Linear | null;
  readonly v: Linear | null;
  readonly out: Linear | null;

  constructor(dim: number, opts: HopfieldOptions = {}) {
    super();
    checkOptions('Hopfield', opts, ['beta', 'hiddenSize', 'project', 'updateSteps', 'dtype', 'generator']);
    this.dim = checkInt('Hopfield', 'dim', dim, 1);
    this.project = checkBool('Hopfield', 'project', opts.project ?? true);
    this.hiddenSize = checkInt('Hopfield', 'hiddenSize', opts.hiddenSize ?? dim, 1);
    if (!this.project && this.hiddenSize !== dim) throw new ValueError(`Hopfield: hiddenSize (${this.hiddenSize}) must equal dim (${dim}) when project is false`);
    this.beta = checkPositive('Hopfield', 'beta', opts.beta ?? 1 / Math.sqrt(this.hiddenSize));
    this.updateSteps = checkInt('Hopfield', 'updateSteps', opts.updateSteps ?? 1, 1);
    if (this.project && this.updateSteps !== 1) throw new ValueError(`Hopfield: updateSteps must be 1 when project is true, got ${this.updateSteps}`);
    const lin = { dtype: paramDType('Hopfield', opts.dtype), generator: opts.generator };
    this.q = this.project ? new Linear(dim, this.hiddenSize, lin) : null;
    this.k = this.project ? new Linear(dim, this.hiddenSize, lin) : null;
    this.v = this.project ? new Linear(dim, dim, lin) : null;
    this.out = this.project ? new Linear(dim, dim, lin) : null;
  }

  /** state [batch, n, dim] retrieves from stored [batch, m, dim] (default: the state itself, self-association). */
  forward(state: Tensor, stored: Tensor = state): Tensor {
    const where = `Hopfield(${this.dim})`;
    // Without projections there are no parameters: any float dtype, the same for both inputs.
    const dtype = this.q ? this.q.weight.dtype as FloatDType : (isFloat(state.dtype) ? state.dtype : 'float32');
    checkSeq(where, state, this.dim, dtype);
    checkSeq(where, stored, this.dim, dtype);
    if (stored.shape[0] !== state.shape[0]) {
      throw new ShapeError(`${where}: stored patterns must be [${state.shape[0]}, m, ${this.dim}] (the state's batch), got ${fmtShape(stored.shape)}`);
    }
    if (this.q && this.k && this.v && this.out) {
      return this.out.forward(hopfieldUpdate(this.q.forward(state), this.k.forward(stored), this.v.forward(stored), this.beta));
    }
    let xi = state;
    for (let i = 0; i < this.updateSteps; i++) xi = hopfieldUpdate(xi, stored, stored, this.beta);
    return xi;
  }

  override getConfig(): ModuleConfig {
    const cfg: ModuleConfig = { type: 'Hopfield', dim: this.dim, beta: this.beta, hiddenSize: this.hiddenSize, project: this.project, updateSteps: this.updateSteps };
    if (this.q) cfg.dtype = this.q.weight.dtype;
    return cfg;
  }
}

export interface HopfieldPoolingOptions {
  /** Learned state patterns, i.e. pooled outputs per input (default 1). */
  numQueries?: number;
  hiddenSize?: number;
  beta?: number;
  dtype?: FloatDType;
  generator?: Generator;
}

/**
 * Hopfield pooling: learned queries retrieve from the input set (attention pooling).
 * @example new nn.HopfieldPooling(16, { numQueries: 2 }).forward(x)   // [B, L, 16] -> [B, 2, 16]
 */
export class HopfieldPooling extends Module {
  readonly dim: number;
  readonly numQueries: number;
  readonly hiddenSize: number;
  readonly beta: number;
  query: Parameter;
  readonly k: Linear;
  readonly v: Linear;

  constructor(dim: number, opts: HopfieldPoolingOptions = {}) {
    super();
    checkOptions('HopfieldPooling', opts, ['numQueries', 'hiddenSize', 'beta', 'dtype', 'generator']);
    this.dim = checkInt('HopfieldPooling', 'dim', dim, 1);
    this.numQueries = checkInt('HopfieldPooling', 'numQueries', opts.numQueries ?? 1, 1);
    this.hiddenSize = checkInt('HopfieldPooling', 'hiddenSize', opts.hiddenSize ?? dim, 1);
    this.beta = checkPositive('HopfieldPooling', 'beta', opts.beta ?? 1 / Math.sqrt(this.hiddenSize));
    const dtype = paramDType('HopfieldPooling', opts.dtype);
    this.query = new Parameter(init.normal(empty([this.numQueries, this.hiddenSize], { dtype }), 0, 1, { generator: opts.generator }));
    this.k = new Linear(dim, this.hiddenSize, { dtype, generator: opts.generator });
    this.v = new Linear(dim, dim, { dtype, generator: opts.generator });
  }

  forward(x: Tensor): Tensor {
    checkSeq(`HopfieldPooling(${this.dim})`, x, this.dim, this.query.dtype as FloatDType);
    return hopfieldUpdate(this.query, this.k.forward(x), this.v.forward(x), this.beta);
  }

  override getConfig(): ModuleConfig {
    return { type: 'HopfieldPooling', dim: this.dim, numQueries: this.numQueries, hiddenSize: this.hiddenSize, beta: this.beta, dtype: this.query.dtype };
  }
}

registerModule('Hopfield', (c) => new Hopfield(c.int('dim'), {
  beta: c.raw('beta') === undefined ? undefined : c.number('beta'), hiddenSize: c.raw('hiddenSize') === undefined ? undefined : c.int('hiddenSize'),
  project: c.bool('project', true), updateSteps: c.int('updateSteps', 1), dtype: c.dtype(),
}));
registerModule('HopfieldPooling', (c) => new HopfieldPooling(c.int('dim'), {
  numQueries: c.int('numQueries', 1), hiddenSize: c.raw('hiddenSize') === undefined ? undefined : c.int('hiddenSize'),
  beta: c.raw('beta') === undefined ? undefined : c.number('beta'), dtype: c.dtype(),
}));
