/**
 * @file RNNBase: what nn.RNN, nn.LSTM and nn.GRU share (PyTorch's torch.nn.RNNBase): options,
 * parameters under PyTorch's names and shapes, argument checks, and the layer/direction/time loop.
 *
 * Parameters, for layer k and direction suffix '' or '_reverse', in PyTorch's order (so a PyTorch
 * state dict loads one to one): weight_ih_l{k}{sfx} [G·H, in_k], weight_hh_l{k}{sfx} [G·H, H],
 * bias_ih_l{k}{sfx} [G·H], bias_hh_l{k}{sfx} [G·H]; in_0 = inputSize, in_k = D·H; G = 1 (RNN),
 * 4 (LSTM, gates i|f|g|o), 3 (GRU, gates r|z|n); D = 2 when bidirectional. Init as PyTorch: every
 * parameter ~ U(-1/sqrt(H), 1/sqrt(H)).
 *
 * Per layer and direction, the input projection of all T steps is one GEMM (x·W_ihᵀ + biases);
 * each step is then one GEMM on the hidden state plus one fused cell kernel.
 *
 * Variable lengths (`lengths` in forward, PyTorch's packed-sequence semantics): step t of sequence b
 * runs only when t < lengths[b]; beyond it the state is held and the output is zero, so the final
 * state is the state at the sequence's own length and the reverse direction starts at its last
 * valid step (from h0). The output keeps all T steps (pad_packed_sequence with total_length = T).
 */
import { checkOptions } from '../../core/args.js';
import { bernoulli, empty, tensor, zeros } from '../../core/create.js';
import { type FloatDType } from '../../core/dtype.js';
import { DTypeError, ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import { noGrad } from '../../core/grad-mode.js';
import type { Generator } from '../../core/rng.js';
import { Tensor } from '../../core/tensor.js';
import { add, concat, linear, mul, permute, reshape, slice } from '../../ops/primitives/index.js';
import { Module, Parameter } from '../module.js';
import type { ModuleConfig } from '../config.js';
import { checkBool, checkInputDType, checkInt, checkNumber, paramDType, show } from '../check.js';
import * as init from '../init.js';
import { type CellMode, GATES } from './step.js';
import { scan } from './scan.js';

export interface RNNBaseOptions {
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Learn bias_ih / bias_hh (default true). */
  bias?: boolean;
  /** Input and output are [B, T, F] instead of [T, B, F] (default false; states stay [L·D, B, H]). */
  batchFirst?: boolean;
  /** Dropout probability on each layer's output except the last, in training mode (default 0). */
  dropout?: number;
  /** Also run every layer backwards in time and concatenate (default false). */
  bidirectional?: boolean;
  /** Parameter dtype (default: the default dtype). */
  dtype?: FloatDType;
  /** Generator for the initial weights and the dropout masks (default: the default generator). */
  generator?: Generator;
}

export interface RNNForwardOptions {
  /**
   * Valid length of each sequence in the batch (int32 tensor [B] or an array of integers, each in
   * [1, T]): PyTorch's pack_padded_sequence(enforce_sorted=False) semantics, see the file header.
   */
  lengths?: Tensor | readonly number[];
}

const BASE_KEYS = ['numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional', 'dtype', 'generator'];

/** The checked, time-major view of one forward call. */
interface Prepared { x: Tensor; T: number; B: number; unbatched: boolean; lengths: number[] | null }

export abstract class RNNBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  /** Internal cell kind ('RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU'), as PyTorch's `mode`. */
  readonly mode: CellMode;
  private readonly generator: Generator | undefined;

  protected constructor(name: string, mode: CellMode, inputSize: number, hiddenSize: number, opts: RNNBaseOptions, extraKeys: readonly string[] = []) {
    super();
    checkOptions(name, opts, [...BASE_KEYS, ...extraKeys]);
    this.mode = mode;
    this.inputSize = checkInt(name, 'inputSize', inputSize, 1);
    this.hiddenSize = checkInt(name, 'hiddenSize', hiddenSize, 1);
    this.numLayers = checkInt(name, 'numLayers', opts.numLayers ?? 1, 1);
    this.bias = checkBool(name, 'bias', opts.bias ?? true);
    this.batchFirst = checkBool(name, 'batchFirst', opts.batchFirst ?? false);
    this.dropout = checkNumber(name, 'dropout', opts.dropout ?? 0, 0, 1);
    this.bidirectional = checkBool(name, 'bidirectional', opts.bidirectional ?? false);
    // As PyTorch: accepted, but said out loud (dropout acts between layers, so one layer has none).
    if (this.dropout > 0 && this.numLayers === 1) warn(`${name}: dropout ${this.dropout} acts between layers only; with numLayers 1 it has no effect (as PyTorch)`);
    const dtype = paramDType(name, opts.dtype);
    this.generator = opts.generator;
    const G = GATES[mode] * hiddenSize;
    const k = 1 / Math.sqrt(hiddenSize);
    const self = this as unknown as Record<string, Parameter>;
    const param = (shape: number[]): Parameter => new Parameter(init.uniform(empty(shape, { dtype }), -k, k, { generator: opts.generator }));
    for (let l = 0; l < this.numLayers; l++) {
      const inL = l === 0 ? inputSize : hiddenSize * this.directions;
      for (let d = 0; d < this.directions; d++) {
        const sfx = this.suffix(l, d);
        self[`weight_ih${sfx}`] = param([G, inL]);
        self[`weight_hh${sfx}`] = param([G, hiddenSize]);
        if (this.bias) {
          self[`bias_ih${sfx}`] = param([G]);
          self[`bias_hh${sfx}`] = param([G]);
        }
      }
    }
  }

  /** 2 when bidirectional, else 1 (PyTorch's num_directions). */
  get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  protected get where(): string {
    return `${this.constructor.name}(${this.inputSize}, ${this.hiddenSize})`;
  }

  private suffix(l: number, d: number): string {
    return `_l${l}${d === 1 ? '_reverse' : ''}`;
  }

  private p(name: string): Parameter | null {
    return (this as unknown as Record<string, Parameter | undefined>)[name] ?? null;
  }

  /** Checks input and lengths; returns the time-major [T, B, F] input. */
  protected prepare(input: unknown, opts: RNNForwardOptions | undefined): Prepared {
    const w = this.where;
    checkOptions(`${w}.forward`, opts, ['lengths']);
    if (!(input instanceof Tensor)) throw new ValueError(`${w}: input must be a Tensor, got ${show(input)}`);
    const layout = this.batchFirst ? '[B, T, inputSize]' : '[T, B, inputSize]';
    if (input.rank !== 2 && input.rank !== 3) throw new ShapeError(`${w}: input must be ${layout} or unbatched [T, inputSize], got ${fmtShape(input.shape)}`);
    if (input.shape[input.rank - 1] !== this.inputSize) throw new ShapeError(`${w}: input ${fmtShape(input.shape)} must have ${this.inputSize} features in its last dim (${layout})`);
    checkInputDType(w, input, this.weightDType);
    const unbatched = input.rank === 2;
    const [T, B] = unbatched ? [input.shape[0]!, 1] : this.batchFirst ? [input.shape[1]!, input.shape[0]!] : [input.shape[0]!, input.shape[1]!];
    if (T < 1) throw new ShapeError(`${w}: input ${fmtShape(input.shape)} has no time steps (PyTorch: expected sequence length > 0)`);
    const x = unbatched ? reshape(input, [T, 1, this.inputSize]) : this.batchFirst ? permute(input, [1, 0, 2]) : input;
    let lengths: number[] | null = null;
    if (opts?.lengths !== undefined) {
      if (unbatched) throw new ShapeError(`${w}: lengths needs a batched input, got unbatched ${fmtShape(input.shape)}`);
      lengths = checkLengths(w, opts.lengths, B, T);
    }
    return { x, T, B, unbatched, lengths };
  }

  protected get weightDType(): FloatDType {
    return this.p('weight_ih_l0')!.dtype as FloatDType;
  }

  /** A given initial state checked against [L·D, B, H] (or [L·D, H] unbatched), as [L·D, B, H]; zeros when absent. */
  protected initialState(name: string, s: unknown, B: number, unbatched: boolean): Tensor {
    const LD = this.numLayers * this.directions;
    const H = this.hiddenSize;
    const want = unbatched ? [LD, H] : [LD, B, H];
    if (s === undefined || s === null) return zeros([LD, B, H], { dtype: this.weightDType });
    if (!(s instanceof Tensor)) throw new ValueError(`${this.where}: ${name} must be a Tensor, got ${show(s)}`);
    if (s.rank !== want.length || s.shape.some((v, i) => v !== want[i])) {
      throw new ShapeError(`${this.where}: ${name} must be ${fmtShape(want)} (numLayers·directions, ${unbatched ? '' : 'batch, '}hiddenSize), got ${fmtShape(s.shape)}`);
    }
    if (s.dtype !== this.weightDType) throw new DTypeError(`${this.where}: ${name} dtype ${s.dtype} does not match the parameters' ${this.weightDType}`);
    return unbatched ? reshape(s, [LD, 1, H]) : s;
  }

  /** Runs every layer and direction; returns the output [T, B, D·H] (time-major) and the final states [L·D, B, H]. */
  protected run(prep: Prepared, init0: Tensor[]): [Tensor, Tensor[]] {
    const { T, B, lengths } = prep;
    const H = this.hiddenSize;
    const S = init0.length;
    // Outputs past a row's length are zero: one [T, B, 1] mask per layer output.
    const outMask = lengths ? tensor(Array.from({ length: T * B }, (_, i) => (lengths[i % B]! > Math.floor(i / B) ? 1 : 0)), { dtype: this.weightDType, shape: [T, B, 1] }) : null;
    const finals: Tensor[][] = init0.map(() => []);
    let x = prep.x;
    for (let l = 0; l < this.numLayers; l++) {
      if (l > 0 && this.training && this.dropout > 0) x = this.drop(x);
      const outs: Tensor[] = [];
      for (let d = 0; d < this.directions; d++) {
        const sfx = this.suffix(l, d);
        const wIh = this.p(`weight_ih${sfx}`)!;
        const wHh = this.p(`weight_hh${sfx}`)!;
        const bIh = this.p(`bias_ih${sfx}`);
        const bHh = this.p(`bias_hh${sfx}`);
        // GRU keeps b_hh inside r·(W_hn h + b_hn); the others fold both biases into the input GEMM.
        const b = this.mode === 'GRU' ? bIh : bIh && bHh ? add(bIh, bHh) : null;
        const xg = linear(x, wIh, b);
        const k = l * this.directions + d;
        const init = init0.map((s) => reshape(slice(s, [[k, k + 1]]), [B, H]));
        const ins = [xg, ...init, wHh, ...(this.mode === 'GRU' && bHh ? [bHh] : [])];
        const Y = scan({ mode: this.mode, reverse: d === 1, lengths }, ins);
        // RNN rows are h alone: a view (a full-width slice would copy, and its backward pad copy again).
        const hs = reshape(Y.shape[1] === B * H ? Y : slice(Y, [null, [0, B * H]]), [T, B, H]);
        outs.push(outMask ? mul(hs, outMask) : hs);
        const last = d === 1 ? 0 : T - 1;
        for (let j = 0; j < S; j++) finals[j]!.push(reshape(slice(Y, [[last, last + 1], [j * B * H, (j + 1) * B * H]]), [1, B, H]));
      }
      x = outs.length === 1 ? outs[0]! : concat(outs, 2);
    }
    return [x, finals.map((f) => (f.length === 1 ? f[0]! : concat(f, 0)))];
  }

  /** Output and states back in the caller's layout (batchFirst / unbatched). */
  protected finish(prep: Prepared, out: Tensor, states: Tensor[]): [Tensor, Tensor[]] {
    const LD = this.numLayers * this.directions;
    if (prep.unbatched) return [reshape(out, [prep.T, out.shape[2]!]), states.map((s) => reshape(s, [LD, this.hiddenSize]))];
    return [this.batchFirst ? permute(out, [1, 0, 2]) : out, states];
  }

  /** Inverted dropout between layers, as nn.Dropout (masks from `generator` or the default generator). */
  private drop(x: Tensor): Tensor {
    if (this.dropout === 1) return mul(x, 0);
    const scale = 1 / (1 - this.dropout);
    const mask = bernoulli(1 - this.dropout, x.shape, { dtype: x.dtype, generator: this.generator });
    noGrad(() => mask.mutate((v) => {
      for (let i = 0; i < v.length; i++) v[i] = v[i]! * scale;
    }));
    return mul(x, mask);
  }

  protected baseConfig(type: string): ModuleConfig {
    return {
      type, inputSize: this.inputSize, hiddenSize: this.hiddenSize, numLayers: this.numLayers, bias: this.bias,
      batchFirst: this.batchFirst, dropout: this.dropout, bidirectional: this.bidirectional, dtype: this.weightDType,
    };
  }
}

/** lengths as integers in [1, T], one per sequence; a typed error naming the argument otherwise. */
export function checkLengths(where: string, lengths: unknown, B: number, T: number): number[] {
  let v: number[];
  if (lengths instanceof Tensor) {
    if (lengths.dtype !== 'int32') throw new DTypeError(`${where}: lengths must be an int32 tensor or an array of integers, got a ${lengths.dtype} tensor`);
    if (lengths.rank !== 1) throw new ShapeError(`${where}: lengths must be [B] = [${B}], got ${fmtShape(lengths.shape)}`);
    v = Array.from(lengths._peek());
  } else if (Array.isArray(lengths)) {
    v = lengths as number[];
  } else {
    throw new DTypeError(`${where}: lengths must be an int32 tensor or an array of integers, got ${show(lengths)}`);
  }
  if (v.length !== B) throw new ShapeError(`${where}: lengths has ${v.length} entries for a batch of ${B} ([B] = [${B}])`);
  v.forEach((n, b) => {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > T) throw new ValueError(`${where}: lengths[${b}] must be an integer in [1, ${T}] (T = ${T} steps), got ${show(n)}`);
  });
  return [...v];
}

/** A run-time warning (process.emitWarning in Node, console.warn elsewhere), as PyTorch's UserWarning. */
function warn(text: string): void {
  const proc = (globalThis as { process?: { emitWarning?: (t: string, o: { code: string }) => void } }).process;
  if (typeof proc?.emitWarning === 'function') proc.emitWarning(text, { code: 'PLEXUS_RNN_DROPOUT' });
  else console.warn(text);
}

