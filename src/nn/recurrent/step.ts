/**
 * @file One recurrent step per cell kind, shared by the sequence modules (RNN, LSTM, GRU) and the
 * cells (RNNCell, LSTMCell, GRUCell). The input projection xg = x·W_ihᵀ (+ bias) is computed by the
 * caller (for a whole sequence, in one GEMM over every time step); a step adds one GEMM on the
 * hidden state and, for LSTM and GRU, one fused elementwise kernel (ops/primitives/recurrent-cell.ts).
 *
 * Shapes: xg [B, G·H] (G = 1 RNN, 4 LSTM, 3 GRU), h and c [B, H], weightHh [G·H, H].
 */
import type { Tensor } from '../../core/tensor.js';
import { add, linear, reshape, slice, tanh } from '../../ops/primitives/index.js';
import { relu } from '../../ops/composite/index.js';
import { gruCell, lstmCell } from '../../ops/primitives/recurrent-cell.js';

export type CellMode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';

/** Gate blocks per mode: rows of W_ih / W_hh are G·hiddenSize. */
export const GATES: Record<CellMode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };

/** h' = act(xg + h·W_hhᵀ) (the caller folded both biases into xg). */
export function rnnStep(mode: 'RNN_TANH' | 'RNN_RELU', xg: Tensor, h: Tensor, weightHh: Tensor): Tensor {
  const a = add(xg, linear(h, weightHh, null));
  return mode === 'RNN_TANH' ? tanh(a) : relu(a);
}

/** [h', c'] of the LSTM from xg = x·W_ihᵀ + b_ih + b_hh (both biases folded in by the caller). */
export function lstmStep(xg: Tensor, h: Tensor, c: Tensor, weightHh: Tensor): [Tensor, Tensor] {
  const [B, H] = h.shape as [number, number];
  const s = lstmCell(xg, linear(h, weightHh, null), c);
  return [reshape(slice(s, [[0, 1]]), [B, H]), reshape(slice(s, [[1, 2]]), [B, H])];
}

/** h' of the GRU from xg = x·W_ihᵀ + b_ih; b_hh stays inside (PyTorch: n = tanh(xn + r·(W_hn h + b_hn))). */
export function gruStep(xg: Tensor, h: Tensor, weightHh: Tensor, biasHh: Tensor | null): Tensor {
  return gruCell(xg, linear(h, weightHh, biasHh), h);
}
