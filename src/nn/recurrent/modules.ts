/**
 * @file nn.RNN, nn.LSTM and nn.GRU: multi-layer, optionally bidirectional recurrent networks with
 * PyTorch's constructor, parameter names, gate order, init and return values.
 * Elman RNN (Elman 1990, https://doi.org/10.1207/s15516709cog1402_1), LSTM (Hochreiter &
 * Schmidhuber 1997, https://doi.org/10.1162/neco.1997.9.8.1735; forget gate as Gers et al. 2000),
 * GRU (Cho et al. 2014, arXiv 1406.1078).
 *
 * Shape contract (L = numLayers, D = 2 if bidirectional else 1, H = hiddenSize):
 *   input [T, B, inputSize] ([B, T, inputSize] with batchFirst; unbatched [T, inputSize])
 *   h0, c0 [L·D, B, H] (unbatched [L·D, H]; absent = zeros)
 *   RNN / GRU: forward(input, h0?, { lengths? }) -> [output [T, B, D·H], hN [L·D, B, H]]
 *   LSTM: forward(input, [h0, c0]?, { lengths? }) -> [output, [hN, cN]]
 * `lengths` gives packed-sequence semantics (see ./base.ts).
 */
import { checkEnum } from '../../core/args.js';
import { ValueError } from '../../core/errors.js';
import type { Tensor } from '../../core/tensor.js';
import { type ModuleConfig, registerModule, type ConfigReader } from '../config.js';
import { show } from '../check.js';
import { RNNBase, type RNNBaseOptions, type RNNForwardOptions } from './base.js';

export interface RNNOptions extends RNNBaseOptions {
  /** 'tanh' (default) or 'relu'. */
  nonlinearity?: 'tanh' | 'relu';
}

/** Elman RNN: h_t = act(x_t·W_ihᵀ + b_ih + h_{t-1}·W_hhᵀ + b_hh) (PyTorch's nn.RNN). */
export class RNN extends RNNBase {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    const nl = checkEnum('RNN', 'nonlinearity', opts.nonlinearity ?? 'tanh', ['tanh', 'relu'] as const);
    super('RNN', nl === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, opts, ['nonlinearity']);
    this.nonlinearity = nl;
  }

  override forward(input: Tensor, h0?: Tensor | null, opts?: RNNForwardOptions): [Tensor, Tensor];
  /** Module's generic signature, so the class is assignable to Module; at run time the pair above is returned. */
  override forward(...inputs: Tensor[]): Tensor;
  override forward(input: Tensor, h0?: unknown, opts?: unknown): unknown {
    const prep = this.prepare(input, opts as RNNForwardOptions | undefined);
    const [out, [hN]] = this.finish(prep, ...this.run(prep, [this.initialState('h0', h0, prep.B, prep.unbatched)]));
    return [out, hN!];
  }

  override getConfig(): ModuleConfig {
    return { ...this.baseConfig('RNN'), nonlinearity: this.nonlinearity };
  }
}

/** LSTM: gates i|f|g|o from x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh; c' = f·c + i·g, h' = o·tanh(c') (PyTorch's nn.LSTM). */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNBaseOptions = {}) {
    super('LSTM', 'LSTM', inputSize, hiddenSize, opts);
  }

  override forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null, opts?: RNNForwardOptions): [Tensor, [Tensor, Tensor]];
  /** Module's generic signature, so the class is assignable to Module; at run time the pair above is returned. */
  override forward(...inputs: Tensor[]): Tensor;
  override forward(input: Tensor, hx?: unknown, opts?: unknown): unknown {
    const prep = this.prepare(input, opts as RNNForwardOptions | undefined);
    if (hx !== undefined && hx !== null && (!Array.isArray(hx) || hx.length !== 2)) {
      throw new ValueError(`${this.where}: hx must be [h0, c0] (two tensors) or null, got ${show(hx)}`);
    }
    const h0 = this.initialState('h0', (hx as readonly Tensor[] | null | undefined)?.[0], prep.B, prep.unbatched);
    const c0 = this.initialState('c0', (hx as readonly Tensor[] | null | undefined)?.[1], prep.B, prep.unbatched);
    const [out, [hN, cN]] = this.finish(prep, ...this.run(prep, [h0, c0]));
    return [out, [hN!, cN!]];
  }

  override getConfig(): ModuleConfig {
    return this.baseConfig('LSTM');
  }
}

/** GRU: gates r|z|n; n = tanh(x_n + r·(W_hn h + b_hn)), h' = (1 - z)·n + z·h (PyTorch's nn.GRU). */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNBaseOptions = {}) {
    super('GRU', 'GRU', inputSize, hiddenSize, opts);
  }

  override forward(input: Tensor, h0?: Tensor | null, opts?: RNNForwardOptions): [Tensor, Tensor];
  /** Module's generic signature, so the class is assignable to Module; at run time the pair above is returned. */
  override forward(...inputs: Tensor[]): Tensor;
  override forward(input: Tensor, h0?: unknown, opts?: unknown): unknown {
    const prep = this.prepare(input, opts as RNNForwardOptions | undefined);
    const [out, [hN]] = this.finish(prep, ...this.run(prep, [this.initialState('h0', h0, prep.B, prep.unbatched)]));
    return [out, hN!];
  }

  override getConfig(): ModuleConfig {
    return this.baseConfig('GRU');
  }
}

function baseOptions(c: ConfigReader): RNNBaseOptions {
  return {
    numLayers: c.int('numLayers', 1), bias: c.bool('bias', true), batchFirst: c.bool('batchFirst', false),
    dropout: c.number('dropout', 0), bidirectional: c.bool('bidirectional', false), dtype: c.dtype(),
  };
}

registerModule('RNN', (c) => new RNN(c.int('inputSize'), c.int('hiddenSize'), { ...baseOptions(c), nonlinearity: c.oneOf('nonlinearity', ['tanh', 'relu'] as const, 'tanh') }));
registerModule('LSTM', (c) => new LSTM(c.int('inputSize'), c.int('hiddenSize'), baseOptions(c)));
registerModule('GRU', (c) => new GRU(c.int('inputSize'), c.int('hiddenSize'), baseOptions(c)));
