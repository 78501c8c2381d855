/**
 * @file nn.PointerNetwork: Vinyals, Fortunato & Jaitly, "Pointer Networks" (NeurIPS 2015,
 * https://arxiv.org/abs/1506.03134). An LSTM encoder reads the input set; an LSTM decoder, started
 * from the encoder's final state, emits at step i a distribution over the input positions by
 * content-based attention, u_ij = vᵀ tanh(W1 e_j + W2 d_i), p(C_i = j | ...) = softmax_j(u_ij):
 * the attention itself is the output (a pointer), so the output vocabulary is the input length.
 * The decoder's input at step i is the input vector pointed at step i-1 (a learned start vector
 * at step 0); training uses teacher forcing (the target's previous index).
 *
 * Shape contract (B batch, N set size, F = inputSize, M output steps, H = hiddenSize):
 *   forward(input [B, N, F], target int32 [B, M], { lengths? }) -> log-probabilities [B, M, N]
 *     (log-softmax over positions; masked positions are -Infinity; at unscored steps only padding
 *     is masked, so a loss reading an ignored row stays finite). target entries are positions
 *     in [0, lengths[b]) or -100 (not scored, e.g. after a closed sequence's end; crossEntropy's
 *     ignoreIndex), so `crossEntropy(reshape(out, [B·M, N]), reshape(target, [B·M]))` is the loss.
 *   decode(input [B, N, F], { lengths?, beamWidth?, maxSteps? }) -> { sequences, logProbs }
 *     (greedy when beamWidth is 1, else beam search; see ./decode.ts).
 *   lengths: [B] set sizes in [1, N] (int32 tensor or integers): positions >= lengths[b] are
 *     padding, never pointed at (probability 0) and not read by the encoder (nn.LSTM's lengths).
 * Options: maskVisited (positions already pointed at get probability 0: the output is a
 * permutation), closed (the output is a cycle that ends by pointing back at its first position,
 * the paper's convex-hull convention "1 4 2 1"; the first position stays selectable).
 * Parameters: encoder, decoder (nn.LSTM, batchFirst), W1, W2 (nn.Linear(H, H), no bias, as the
 * paper's equation), v [H], start [F]; v and start ~ U(-1/sqrt(H), 1/sqrt(H)).
 */
import { checkOptions } from '../../core/args.js';
import { empty, tensor } from '../../core/create.js';
import type { FloatDType } from '../../core/dtype.js';
import { ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import type { Generator } from '../../core/rng.js';
import { Tensor } from '../../core/tensor.js';
import { add, concat, expand, gather, linear, logSoftmax, reshape, tanh } from '../../ops/primitives/index.js';
import { Module, Parameter } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkBool, checkInputDType, checkInt, paramDType, show } from '../check.js';
import { Linear } from '../linear.js';
import * as init from '../init.js';
import { LSTM } from '../recurrent/modules.js';
import { checkLengths } from '../recurrent/base.js';
import { PointerMask } from './masks.js';
import { beamDecode, greedyDecode, type PointerDecodeOptions, type PointerDecodeResult } from './decode.js';

/** Target entries that are not scored (crossEntropy's default ignoreIndex). */
const IGNORE = -100;

export interface PointerNetworkOptions {
  /** Positions already pointed at get probability 0 (default false, as the paper). */
  maskVisited?: boolean;
  /** The output is a cycle ending when it points back at its first position (default false). */
  closed?: boolean;
  /** Parameter dtype (default: the default dtype). */
  dtype?: FloatDType;
  /** Generator for the initial weights (default: the default generator). */
  generator?: Generator;
}

export interface PointerForwardOptions {
  /** Set size of each batch row (int32 tensor [B] or integers in [1, N]); default: all N. */
  lengths?: Tensor | readonly number[];
}

/** The encoded set, shared by teacher forcing and decoding. */
export interface Encoded { input: Tensor; e1: Tensor; h: Tensor; c: Tensor; B: number; N: number; lengths: number[] }

/** A pointer network (see the file header). */
export class PointerNetwork extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly maskVisited: boolean;
  readonly closed: boolean;
  declare encoder: LSTM;
  declare decoder: LSTM;
  declare W1: Linear;
  declare W2: Linear;
  declare v: Parameter;
  declare start: Parameter;

  constructor(inputSize: number, hiddenSize: number, opts: PointerNetworkOptions = {}) {
    super();
    checkOptions('PointerNetwork', opts, ['maskVisited', 'closed', 'dtype', 'generator']);
    this.inputSize = checkInt('PointerNetwork', 'inputSize', inputSize, 1);
    this.hiddenSize = checkInt('PointerNetwork', 'hiddenSize', hiddenSize, 1);
    this.maskVisited = checkBool('PointerNetwork', 'maskVisited', opts.maskVisited ?? false);
    this.closed = checkBool('PointerNetwork', 'closed', opts.closed ?? false);
    const dtype = paramDType('PointerNetwork', opts.dtype);
    const g = opts.generator;
    this.encoder = new LSTM(inputSize, hiddenSize, { batchFirst: true, dtype, generator: g });
    this.decoder = new LSTM(inputSize, hiddenSize, { batchFirst: true, dtype, generator: g });
    this.W1 = new Linear(hiddenSize, hiddenSize, { bias: false, dtype, generator: g });
    this.W2 = new Linear(hiddenSize, hiddenSize, { bias: false, dtype, generator: g });
    const k = 1 / Math.sqrt(hiddenSize);
    this.v = new Parameter(init.uniform(empty([hiddenSize], { dtype }), -k, k, { generator: g }));
    this.start = new Parameter(init.uniform(empty([inputSize], { dtype }), -k, k, { generator: g }));
  }

  /** Where errors come from. */
  get where(): string {
    return `PointerNetwork(${this.inputSize}, ${this.hiddenSize})`;
  }

  /** @internal Checks input [B, N, F] and lengths; runs the encoder (shared with ./decode.ts). */
  encode(input: unknown, lengthsArg: unknown, op: string): Encoded {
    const w = `${this.where}.${op}`;
    if (!(input instanceof Tensor)) throw new ValueError(`${w}: input must be a Tensor, got ${show(input)}`);
    if (input.rank !== 3 || input.shape[2] !== this.inputSize) throw new ShapeError(`${w}: input must be [B, N, ${this.inputSize}] (batch, set size, inputSize), got ${fmtShape(input.shape)}`);
    const [B, N] = input.shape as [number, number, number];
    if (B < 1 || N < 1) throw new ShapeError(`${w}: input ${fmtShape(input.shape)} has an empty batch or set`);
    checkInputDType(w, input, this.v.dtype as FloatDType);
    const lengths = lengthsArg === undefined ? new Array<number>(B).fill(N) : checkLengths(w, lengthsArg, B, N);
    const [enc, [h, c]] = this.encoder.forward(input, null, lengthsArg === undefined ? undefined : { lengths });
    return { input, e1: this.W1.forward(enc), h, c, B, N, lengths };
  }

  /** @internal Scores u [R, S, N] of decoder outputs d [R, S, H] against the encoded set (e1 [R, N, H]), plus the mask offsets, as log-probabilities. */
  pointer(e1: Tensor, d: Tensor, offsets: Tensor): Tensor {
    const [R, N, H] = e1.shape as [number, number, number];
    const S = d.shape[1]!;
    const s = tanh(add(reshape(e1, [R, 1, N, H]), reshape(this.W2.forward(d), [R, S, 1, H])));
    const u = reshape(linear(s, reshape(this.v, [1, H]), null), [R, S, N]);
    return logSoftmax(add(u, offsets), -1);
  }

  /** @internal Decoder inputs: the start vector for R rows, as [R, 1, F]. */
  startInput(R: number): Tensor {
    return expand(reshape(this.start, [1, 1, this.inputSize]), [R, 1, this.inputSize]);
  }

  /** @internal input[r, idx[r], :] as [R, 1, F]. */
  pointed(input: Tensor, idx: readonly number[]): Tensor {
    const F = this.inputSize;
    const ix = tensor(idx.flatMap((k) => new Array<number>(F).fill(k)), { dtype: 'int32', shape: [idx.length, 1, F] });
    return gather(input, 1, ix);
  }

  /** Teacher-forced log-probabilities [B, M, N] of the target's positions (see the file header). */
  override forward(input: Tensor, target: Tensor | readonly (readonly number[])[], opts?: PointerForwardOptions): Tensor;
  /** Module's generic signature, so the class is assignable to Module. */
  override forward(...inputs: Tensor[]): Tensor;
  override forward(input: unknown, target?: unknown, opts?: unknown): Tensor {
    checkOptions(`${this.where}.forward`, opts as object | undefined, ['lengths']);
    const enc = this.encode(input, (opts as PointerForwardOptions | undefined)?.lengths, 'forward');
    const { B, N, lengths } = enc;
    const tgt = this.checkTarget(target, B, lengths);
    const M = tgt.length / B;
    const F = this.inputSize;
    // Decoder inputs: start, then the pointed inputs of steps 0 .. M-2 (unscored entries read position 0).
    let decIn = this.startInput(B);
    if (M > 1) {
      const ix = new Array<number>(B * (M - 1) * F);
      for (let b = 0; b < B; b++) for (let j = 0; j < M - 1; j++) ix.fill(Math.max(0, tgt[b * M + j]!), (b * (M - 1) + j) * F, (b * (M - 1) + j + 1) * F);
      decIn = concat([decIn, gather(enc.input, 1, tensor(ix, { dtype: 'int32', shape: [B, M - 1, F] }))], 1);
    }
    const [d] = this.decoder.forward(decIn, [enc.h, enc.c]);
    const mask = new PointerMask(lengths, N, this.maskVisited, this.closed);
    const off = new Array<number>(B * M * N);
    for (let j = 0; j < M; j++) {
      for (let b = 0; b < B; b++) {
        const k = tgt[b * M + j]!;
        // An unscored step masks only padding: a loss that reads its (ignored) row, e.g. at class 0, stays finite.
        if (k === IGNORE) off.fill(0, (b * M + j) * N, (b * M + j) * N + lengths[b]!).fill(-Infinity, (b * M + j) * N + lengths[b]!, (b * M + j + 1) * N);
        else mask.write(b, off, (b * M + j) * N);
        if (k !== IGNORE) mask.point(b, k);
      }
    }
    return this.pointer(enc.e1, d, tensor(off, { dtype: enc.e1.dtype, shape: [B, M, N] }));
  }

  /** Target as row-major integers, each a valid position or -100; with maskVisited, no masked position is a target. */
  private checkTarget(target: unknown, B: number, lengths: readonly number[]): number[] {
    const w = `${this.where}.forward`;
    let v: number[];
    let M: number;
    if (target instanceof Tensor) {
      if (target.dtype !== 'int32' || target.rank !== 2 || target.shape[0] !== B) throw new ShapeError(`${w}: target must be int32 [B, M] = [${B}, M] (pointed positions, -100 = not scored), got ${target.dtype} ${fmtShape(target.shape)}`);
      M = target.shape[1]!;
      v = Array.from(target._peek() as Int32Array);
    } else if (Array.isArray(target) && target.length === B && target.every((r) => Array.isArray(r) && r.length === (target[0] as unknown[]).length)) {
      M = (target[0] as unknown[]).length;
      v = (target as number[][]).flat();
    } else {
      throw new ShapeError(`${w}: target must be int32 [B, M] = [${B}, M] or B equal-length rows of positions, got ${show(target)}`);
    }
    if (M < 1) throw new ShapeError(`${w}: target [${B}, ${M}] has no steps`);
    const mask = new PointerMask(lengths, lengths.length ? Math.max(...lengths) : 0, this.maskVisited, this.closed);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < M; j++) {
        const k = v[b * M + j]!;
        if (k === IGNORE) continue;
        if (!Number.isInteger(k) || k < 0 || k >= lengths[b]!) throw new ValueError(`${w}: target[${b}][${j}] must be a position in [0, ${lengths[b]}) (the set's length) or -100, got ${show(k)}`);
        if (!mask.allowed(b, k)) throw new ValueError(`${w}: target[${b}][${j}] = ${k} was already pointed at; with maskVisited it has probability 0`);
        mask.point(b, k);
      }
    }
    return v;
  }

  /**
   * The most likely pointer sequences: greedy (beamWidth 1, batched) or beam search.
   * @example const { sequences } = net.decode(x, { beamWidth: 4 });
   */
  decode(input: Tensor, opts: PointerDecodeOptions = {}): PointerDecodeResult {
    checkOptions(`${this.where}.decode`, opts, ['lengths', 'beamWidth', 'maxSteps']);
    const beamWidth = checkInt(`${this.where}.decode`, 'beamWidth', opts.beamWidth ?? 1, 1);
    const maxSteps = opts.maxSteps === undefined ? undefined : checkInt(`${this.where}.decode`, 'maxSteps', opts.maxSteps, 1);
    return beamWidth === 1 ? greedyDecode(this, input, opts.lengths, maxSteps) : beamDecode(this, input, opts.lengths, maxSteps, beamWidth);
  }

  override getConfig(): ModuleConfig {
    return { type: 'PointerNetwork', inputSize: this.inputSize, hiddenSize: this.hiddenSize, maskVisited: this.maskVisited, closed: this.closed, dtype: this.v.dtype };
  }
}

registerModule('PointerNetwork', (c) => new PointerNetwork(c.int('inputSize'), c.int('hiddenSize'), { maskVisited: c.bool('maskVisited', false), closed: c.bool('closed', false), dtype: c.dtype() }));
