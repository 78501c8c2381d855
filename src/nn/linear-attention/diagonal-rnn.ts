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
 *
 * Shape contract: DiagonalLinearRNN(inputSize, hiddenSize): x [batch, seq, inputSize] ->
 * h [batch, seq, hiddenSize]; a, b are Linear(inputSize, hiddenSize).
 */
import { checkOptions } from '../../core/args.js';
import type { FloatDType } from '../../core/dtype.js';
import { zeros } from '../../core/create.js';
import type { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { add, concat, mul, sub } from '../../ops/primitives/index.js';
import { rmsNorm, sigmoid } from '../../ops/composite/index.js';
import { Module } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkBool, checkInt } from '../check.js';
import { Linear } from '../linear.js';
import { at, checkSeq } from './common.js';

export interface DiagonalLinearRNNOptions {
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
  readonly a: Linear;
  readonly b: Linear;

  constructor(inputSize: number, hiddenSize: number, opts: DiagonalLinearRNNOptions = {}) {
    super();
    checkOptions('DiagonalLinearRNN', opts, ['negativeEigenvalues', 'norm', 'dtype', 'generator']);
    this.inputSize = checkInt('DiagonalLinearRNN', 'inputSize', inputSize, 1);
    this.hiddenSize = checkInt('DiagonalLinearRNN', 'hiddenSize', hiddenSize, 1);
    this.negativeEigenvalues = checkBool('DiagonalLinearRNN', 'negativeEigenvalues', opts.negativeEigenvalues ?? true);
    this.norm = checkBool('DiagonalLinearRNN', 'norm', opts.norm ?? false);
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
    let h = zeros([x.shape[0]!, 1, this.hiddenSize], { dtype: x.dtype });
    const outs: Tensor[] = [];
    for (let t = 0; t < x.shape[1]!; t++) {
      h = add(mul(at(a, 1, t), h), at(b, 1, t));
      outs.push(h);
    }
    const hs = concat(outs, 1);
    return this.norm ? rmsNorm(hs, [this.hiddenSize]) : hs;
  }

  override getConfig(): ModuleConfig {
    return {
      type: 'DiagonalLinearRNN', inputSize: this.inputSize, hiddenSize: this.hiddenSize,
      negativeEigenvalues: this.negativeEigenvalues, norm: this.norm, dtype: this.a.weight.dtype,
    };
  }
}

registerModule('DiagonalLinearRNN', (c) => new DiagonalLinearRNN(c.int('inputSize'), c.int('hiddenSize'), {
  negativeEigenvalues: c.bool('negativeEigenvalues', true), norm: c.bool('norm', false), dtype: c.dtype(),
}));
