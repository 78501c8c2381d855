/**
 * @file A diagonal linear RNN whose state-transition eigenvalues may be negative: Grazzi et al.,
 * "Unlocking State-Tracking in Linear RNNs Through Negative Eigenvalues" (2024,
 * https://arxiv.org/abs/2411.12537).
 *
 * h_t = a_t * h_{t-1} + b_t (elementwise), a_t = sigmoid(x_t W_a + c_a) in [0, 1] (Mamba-style: the
 * eigenvalues of the diagonal transition are non-negative) or a_t = 2 sigmoid(.) - 1 in [-1, 1]
 * (`negativeEigenvalues: true`, the paper's change), b_t = x_t W_b + c_b. The paper proves that a
 * diagonal linear RNN with transitions in [0, 1] cannot compute parity at arbitrary lengths, while
 * [-1, 1] can (a_t = -1 on a 1 bit flips the sign of the state); test/nn-linear-attention-repro
 * checks the length generalisation on parity. Optionally an RMSNorm follows the recurrence (as in
 * the paper's Mamba / DeltaNet blocks), so a readout sees the state's direction, not its decay.
 * `mode: 'scan'` (default) computes all states by a parallel prefix scan over the pairs (a_t, b_t)
 * with (a, b) then (a', b') = (a a', a' b + b') (log2(L) rounds; signs need no log-space trick);
 * 'recurrent' steps through the positions.
 *
 * Shape contract: DiagonalLinearRNN(inputSize, hiddenSize): x [batch, seq, inputSize] ->
 * h [batch, seq, hiddenSize]; a, b are Linear(inputSize, hiddenSize).
 */
import { checkEnum, checkOptions } from '../../core/args.js';
import type { FloatDType } from '../../core/dtype.js';
import { zeros } from '../../core/create.js';
import type { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { add, concat, mul, sliceAxis, sub } from '../../ops/primitives/index.js';
import { rmsNorm, sigmoid } from '../../ops/composite/index.js';
import { Module } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkBool, checkInt } from '../check.js';
import { Linear } from '../linear.js';
import { at, checkSeq } from './common.js';

/** 'scan': parallel prefix scan; 'recurrent': one position per step. */
export const DIAGONAL_RNN_MODES = ['scan', 'recurrent'] as const;
export type DiagonalRNNMode = (typeof DIAGONAL_RNN_MODES)[number];

/** States h_t = a_t h_{t-1} + b_t (h_0 = 0) of a, b [B, L, H] by a Hillis-Steele scan. */
export function diagonalScan(a: Tensor, b: Tensor): Tensor {
  const l = a.shape[1]!;
  for (let d = 1; d < l; d *= 2) {
    // Position t absorbs the reduction ending at t - d: (a_e, b_e) then (a_t, b_t).
    const ae = sliceAxis(a, 1, 0, l - d), be = sliceAxis(b, 1, 0, l - d);
    const at_ = sliceAxis(a, 1, d, l), bt = sliceAxis(b, 1, d, l);
    b = concat([sliceAxis(b, 1, 0, d), add(mul(at_, be), bt)], 1);
    a = concat([sliceAxis(a, 1, 0, d), mul(ae, at_)], 1);
  }
  return b;
}

export interface DiagonalLinearRNNOptions {
  /** 'scan' (default) or 'recurrent': the same states, in parallel or step by step. */
  mode?: DiagonalRNNMode;
  /** Transition eigenvalues in [-1, 1] (true, default) or [0, 1] (false). */
  negativeEigenvalues?: boolean;
  /** RMS-normalise each output state over the hidden units (default false). */
  norm?: boolean;
  dtype?: FloatDType;
  generator?: Generator;
}

/**
 * Diagonal linear RNN with input-dependent transitions (Grazzi et al. 2024).
 * @example new nn.DiagonalLinearRNN(3, 8, { negativeEigenvalues: true })
 */
export class DiagonalLinearRNN extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly negativeEigenvalues: boolean;
  readonly norm: boolean;
  readonly mode: DiagonalRNNMode;
  readonly a: Linear;
  readonly b: Linear;

  constructor(inputSize: number, hiddenSize: number, opts: DiagonalLinearRNNOptions = {}) {
    super();
    checkOptions('DiagonalLinearRNN', opts, ['mode', 'negativeEigenvalues', 'norm', 'dtype', 'generator']);
    this.inputSize = checkInt('DiagonalLinearRNN', 'inputSize', inputSize, 1);
    this.hiddenSize = checkInt('DiagonalLinearRNN', 'hiddenSize', hiddenSize, 1);
    this.negativeEigenvalues = checkBool('DiagonalLinearRNN', 'negativeEigenvalues', opts.negativeEigenvalues ?? true);
    this.norm = checkBool('DiagonalLinearRNN', 'norm', opts.norm ?? false);
    this.mode = checkEnum('DiagonalLinearRNN', 'mode', opts.mode ?? 'scan', DIAGONAL_RNN_MODES);
    const lin = { dtype: opts.dtype, generator: opts.generator };
    this.a = new Linear(inputSize, hiddenSize, lin);
    this.b = new Linear(inputSize, hiddenSize, lin);
  }

  /** The transitions a_t [batch, seq, hiddenSize], in [-1, 1] or [0, 1]. */
  transitions(x: Tensor): Tensor {
    const s = sigmoid(this.a.forward(x));
    return this.negativeEigenvalues ? sub(mul(s, 2), 1) : s;
  }

  forward(x: Tensor): Tensor {
    checkSeq(`DiagonalLinearRNN(${this.inputSize}, ${this.hiddenSize})`, x, this.inputSize, this.a.weight.dtype as FloatDType);
    const a = this.transitions(x);
    const b = this.b.forward(x);
    let hs: Tensor;
    if (this.mode === 'scan') hs = diagonalScan(a, b);
    else {
      let h = zeros([x.shape[0]!, 1, this.hiddenSize], { dtype: x.dtype });
      const outs: Tensor[] = [];
      for (let t = 0; t < x.shape[1]!; t++) {
        h = add(mul(at(a, 1, t), h), at(b, 1, t));
        outs.push(h);
      }
      hs = concat(outs, 1);
    }
    return this.norm ? rmsNorm(hs, [this.hiddenSize]) : hs;
  }

  override getConfig(): ModuleConfig {
    return {
      type: 'DiagonalLinearRNN', inputSize: this.inputSize, hiddenSize: this.hiddenSize, mode: this.mode,
      negativeEigenvalues: this.negativeEigenvalues, norm: this.norm, dtype: this.a.weight.dtype,
    };
  }
}

registerModule('DiagonalLinearRNN', (c) => new DiagonalLinearRNN(c.int('inputSize'), c.int('hiddenSize'), {
  mode: c.oneOf('mode', DIAGONAL_RNN_MODES, 'scan'), negativeEigenvalues: c.bool('negativeEigenvalues', true), norm: c.bool('norm', false), dtype: c.dtype(),
}));
