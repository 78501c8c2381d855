/**
 * @file nn.RNNCell, nn.LSTMCell and nn.GRUCell: one time step, with PyTorch's parameter names
 * (weight_ih [G·H, inputSize], weight_hh [G·H, H], bias_ih [G·H], bias_hh [G·H]), gate order
 * (LSTM i|f|g|o, GRU r|z|n), init U(-1/sqrt(H), 1/sqrt(H)) and return values.
 * Papers as in ./modules.ts.
 *
 * Shape contract: input [B, inputSize] or unbatched [inputSize]; h, c [B, H] (or [H]; absent = zeros).
 *   RNNCell / GRUCell: forward(input, h?) -> h' [B, H];  LSTMCell: forward(input, [h, c]?) -> [h', c'].
 * A step is two GEMMs (input and hidden projections) and, for LSTM/GRU, one fused cell kernel.
 */
import { checkEnum, checkOptions } from '../../core/args.js';
import { empty, zeros } from '../../core/create.js';
import type { FloatDType } from '../../core/dtype.js';
import { DTypeError, ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import type { Generator } from '../../core/rng.js';
import { Tensor } from '../../core/tensor.js';
import { add, linear, reshape } from '../../ops/primitives/index.js';
import { Module, Parameter } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkBool, checkInputDType, checkInt, paramDType, show } from '../check.js';
import * as init from '../init.js';
import { type CellMode, GATES, gruStep, lstmStep, rnnStep } from './step.js';

export interface RNNCellOptions {
  /** Learn bias_ih / bias_hh (default true). */
  bias?: boolean;
  /** Parameter dtype (default: the default dtype). */
  dtype?: FloatDType;
  /** Generator for the initial weights (default: the default generator). */
  generator?: Generator;
}

abstract class CellBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  declare weight_ih: Parameter;
  declare weight_hh: Parameter;
  declare bias_ih: Parameter | null;
  declare bias_hh: Parameter | null;

  protected constructor(name: string, mode: CellMode, inputSize: number, hiddenSize: number, opts: RNNCellOptions, extraKeys: readonly string[] = []) {
    super();
    checkOptions(name, opts, ['bias', 'dtype', 'generator', ...extraKeys]);
    this.inputSize = checkInt(name, 'inputSize', inputSize, 1);
    this.hiddenSize = checkInt(name, 'hiddenSize', hiddenSize, 1);
    this.bias = checkBool(name, 'bias', opts.bias ?? true);
    const dtype = paramDType(name, opts.dtype);
    const G = GATES[mode] * hiddenSize;
    const k = 1 / Math.sqrt(hiddenSize);
    const param = (shape: number[]): Parameter => new Parameter(init.uniform(empty(shape, { dtype }), -k, k, { generator: opts.generator }));
    // Assigned in PyTorch's order so the state dict's keys come out in the same order.
    this.weight_ih = param([G, inputSize]);
    this.weight_hh = param([G, hiddenSize]);
    this.bias_ih = this.bias ? param([G]) : null;
    this.bias_hh = this.bias ? param([G]) : null;
  }

  protected get where(): string {
    return `${this.constructor.name}(${this.inputSize}, ${this.hiddenSize})`;
  }

  /** input as [B, inputSize] plus whether it was unbatched. */
  protected input(x: unknown): [Tensor, boolean] {
    if (!(x instanceof Tensor)) throw new ValueError(`${this.where}: input must be a Tensor, got ${show(x)}`);
    if ((x.rank !== 1 && x.rank !== 2) || x.shape[x.rank - 1] !== this.inputSize) {
      throw new ShapeError(`${this.where}: input must be [B, ${this.inputSize}] or unbatched [${this.inputSize}], got ${fmtShape(x.shape)}`);
    }
    checkInputDType(this.where, x, this.weight_ih.dtype as FloatDType);
    return x.rank === 1 ? [reshape(x, [1, this.inputSize]), true] : [x, false];
  }

  /** A state checked against [B, H] ([H] unbatched), as [B, H]; zeros when absent. */
  protected state(name: string, s: unknown, B: number, unbatched: boolean): Tensor {
    const H = this.hiddenSize;
    const dtype = this.weight_ih.dtype as FloatDType;
    if (s === undefined || s === null) return zeros([B, H], { dtype });
    const want = unbatched ? [H] : [B, H];
    if (!(s instanceof Tensor)) throw new ValueError(`${this.where}: ${name} must be a Tensor, got ${show(s)}`);
    if (s.rank !== want.length || s.shape.some((v, i) => v !== want[i])) throw new ShapeError(`${this.where}: ${name} must be ${fmtShape(want)} for input batch ${B}, got ${fmtShape(s.shape)}`);
    if (s.dtype !== dtype) throw new DTypeError(`${this.where}: ${name} dtype ${s.dtype} does not match the parameters' ${dtype}`);
    return unbatched ? reshape(s, [1, H]) : s;
  }

  protected out(t: Tensor, unbatched: boolean): Tensor {
    return unbatched ? reshape(t, [this.hiddenSize]) : t;
  }

  protected cellConfig(type: string): ModuleConfig {
    return { type, inputSize: this.inputSize, hiddenSize: this.hiddenSize, bias: this.bias, dtype: this.weight_ih.dtype };
  }

  /** Both biases summed (folded into the input projection), or null. */
  protected get foldedBias(): Tensor | null {
    return this.bias_ih && this.bias_hh ? add(this.bias_ih, this.bias_hh) : null;
  }
}

export interface RNNCellCtorOptions extends RNNCellOptions {
  /** 'tanh' (default) or 'relu'. */
  nonlinearity?: 'tanh' | 'relu';
}

/** h' = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) (PyTorch's nn.RNNCell). */
export class RNNCell extends CellBase {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, opts: RNNCellCtorOptions = {}) {
    const nl = checkEnum('RNNCell', 'nonlinearity', opts.nonlinearity ?? 'tanh', ['tanh', 'relu'] as const);
    super('RNNCell', nl === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, opts, ['nonlinearity']);
    this.nonlinearity = nl;
  }

  forward(input: Tensor, h?: Tensor | null): Tensor {
    const [x, unbatched] = this.input(input);
    const hp = this.state('h', h, x.shape[0]!, unbatched);
    const xg = linear(x, this.weight_ih, this.foldedBias);
    return this.out(rnnStep(this.nonlinearity === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', xg, hp, this.weight_hh), unbatched);
  }

  override getConfig(): ModuleConfig {
    return { ...this.cellConfig('RNNCell'), nonlinearity: this.nonlinearity };
  }
}

/** One LSTM step: [h', c'] (PyTorch's nn.LSTMCell). */
export class LSTMCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNCellOptions = {}) {
    super('LSTMCell', 'LSTM', inputSize, hiddenSize, opts);
  }

  override forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, Tensor];
  /** Module's generic signature, so the class is assignable to Module; at run time the pair above is returned. */
  override forward(...inputs: Tensor[]): Tensor;
  override forward(input: Tensor, hx?: unknown): unknown {
    const [x, unbatched] = this.input(input);
    if (hx !== undefined && hx !== null && (!Array.isArray(hx) || hx.length !== 2)) throw new ValueError(`${this.where}: hx must be [h, c] (two tensors) or null, got ${show(hx)}`);
    const B = x.shape[0]!;
    const h = this.state('h', (hx as readonly Tensor[] | null | undefined)?.[0], B, unbatched);
    const c = this.state('c', (hx as readonly Tensor[] | null | undefined)?.[1], B, unbatched);
    const [h1, c1] = lstmStep(linear(x, this.weight_ih, this.foldedBias), h, c, this.weight_hh);
    return [this.out(h1, unbatched), this.out(c1, unbatched)];
  }

  override getConfig(): ModuleConfig {
    return this.cellConfig('LSTMCell');
  }
}

/** One GRU step: h' (PyTorch's nn.GRUCell). */
export class GRUCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNCellOptions = {}) {
    super('GRUCell', 'GRU', inputSize, hiddenSize, opts);
  }

  forward(input: Tensor, h?: Tensor | null): Tensor {
    const [x, unbatched] = this.input(input);
    const hp = this.state('h', h, x.shape[0]!, unbatched);
    return this.out(gruStep(linear(x, this.weight_ih, this.bias_ih), hp, this.weight_hh, this.bias_hh), unbatched);
  }

  override getConfig(): ModuleConfig {
    return this.cellConfig('GRUCell');
  }
}

registerModule('RNNCell', (c) => new RNNCell(c.int('inputSize'), c.int('hiddenSize'), { bias: c.bool('bias', true), dtype: c.dtype(), nonlinearity: c.oneOf('nonlinearity', ['tanh', 'relu'] as const, 'tanh') }));
registerModule('LSTMCell', (c) => new LSTMCell(c.int('inputSize'), c.int('hiddenSize'), { bias: c.bool('bias', true), dtype: c.dtype() }));
registerModule('GRUCell', (c) => new GRUCell(c.int('inputSize'), c.int('hiddenSize'), { bias: c.bool('bias', true), dtype: c.dtype() }));
