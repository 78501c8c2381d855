/**
 * @file The Attention Free Transformer: Zhai et al., "An Attention Free Transformer" (2021,
 * https://arxiv.org/abs/2105.14103), causal variants AFT-simple and AFT-full.
 *
 * y_t = sigmoid(q_t) * sum_{s<=t} exp(k_s + w_{t,s}) * v_s / sum_{s<=t} exp(k_s + w_{t,s}), elementwise
 * over the channels, with w = 0 (AFT-simple) or a learned [maxSeqLen, maxSeqLen] pairwise position
 * bias (AFT-full, initialised to 0 so it starts as AFT-simple). Before the exponentials k is shifted
 * by its per-channel max over the sequence and each row of w by its max over s <= t (detached constants that cancel in the
 * ratio), so no exp overflows.
 * AFT-simple 'recurrent' carries the running numerator and denominator; 'chunk' sums a chunk with a
 * lower-triangular matmul and adds the carried state. AFT-full has no fixed-size state (w_{t,s}
 * depends on t): 'recurrent' computes one query position at a time over its prefix, 'chunk' one
 * chunk of queries at a time (matmuls with the [chunk, prefix] block of exp(w)).
 *
 * Shape contract: AFTSimple(dim), AFTFull(dim, maxSeqLen): x [batch, seq, dim] -> [batch, seq, dim]
 * (seq <= maxSeqLen for AFT-full); q, k, v, out are Linear(dim, dim); AFTFull.posBias [maxSeqLen, maxSeqLen].
 */
import { checkOptions } from '../../core/args.js';
import type { FloatDType } from '../../core/dtype.js';
import { zeros } from '../../core/create.js';
import { ShapeError, fmtShape } from '../../core/errors.js';
import type { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { add, concat, div, exp, gt, matmul, max, mul, slice, sliceAxis, sub, where } from '../../ops/primitives/index.js';
import { sigmoid } from '../../ops/composite/index.js';
import { Module, Parameter } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkInt, paramDType } from '../check.js';
import { Linear } from '../linear.js';
import { type MixerMode, type MixerModeOptions, MIXER_MODES, at, checkSeq, chunkBounds, modeArgs, trilOnes } from './common.js';

export interface AFTOptions extends MixerModeOptions {
  bias?: boolean;
  dtype?: FloatDType;
  generator?: Generator;
}

const AFT_KEYS = ['mode', 'chunkSize', 'bias', 'dtype', 'generator'];

/** exp(k - max_seq k) and its product with v: the stabilised weights of both variants. */
function weights(k: Tensor, v: Tensor): { ek: Tensor; ekv: Tensor } {
  const ek = exp(sub(k, max(k, 1, { keepDims: true }).detach()));
  return { ek, ekv: mul(ek, v) };
}

/** Causal AFT-simple over k, v [B, L, D]: the weighted running mean (without the sigmoid(q) gate). */
export function aftSimpleCore(k: Tensor, v: Tensor, mode: MixerMode, chunkSize: number): Tensor {
  const [b, l, d] = k.shape as [number, number, number];
  const dtype = k.dtype as FloatDType;
  const { ek, ekv } = weights(k, v);
  let num = zeros([b, 1, d], { dtype });
  let den = zeros([b, 1, d], { dtype });
  const outs: Tensor[] = [];
  if (mode === 'recurrent') {
    for (let t = 0; t < l; t++) {
      num = add(num, at(ekv, 1, t));
      den = add(den, at(ek, 1, t));
      outs.push(div(num, den));
    }
  } else {
    for (const [s0, s1] of chunkBounds(l, chunkSize)) {
      const m = trilOnes(s1 - s0, dtype);
      const nc = add(matmul(m, sliceAxis(ekv, 1, s0, s1)), num);
      const dc = add(matmul(m, sliceAxis(ek, 1, s0, s1)), den);
      outs.push(div(nc, dc));
      num = sliceAxis(nc, 1, s1 - s0 - 1, s1 - s0);
      den = sliceAxis(dc, 1, s1 - s0 - 1, s1 - s0);
    }
  }
  return concat(outs, 1);
}

/** Causal AFT-full over k, v [B, L, D] with position biases w [L, L] (rows: queries). */
export function aftFullCore(k: Tensor, v: Tensor, w: Tensor, mode: MixerMode, chunkSize: number): Tensor {
  const l = k.shape[1]!;
  const dtype = k.dtype as FloatDType;
  const { ek, ekv } = weights(k, v);
  // Per-query-row max over the causal entries only: the shift cancels row by row.
  const keep = gt(trilOnes(l, dtype), 0);
  const wm = where(keep, w, -Infinity);
  const ew = where(keep, exp(sub(wm, max(wm, 1, { keepDims: true }).detach())), 0);
  const outs: Tensor[] = [];
  const block = (s0: number, s1: number): void => {
    const e = slice(ew, [[s0, s1], [0, s1]]);
    outs.push(div(matmul(e, sliceAxis(ekv, 1, 0, s1)), matmul(e, sliceAxis(ek, 1, 0, s1))));
  };
  if (mode === 'recurrent') for (let t = 0; t < l; t++) block(t, t + 1);
  else for (const [s0, s1] of chunkBounds(l, chunkSize)) block(s0, s1);
  return concat(outs, 1);
}

/** The q, k, v, out projections shared by both variants. */
abstract class AFTBase extends Module {
  readonly dim: number;
  readonly mode: MixerMode;
  readonly chunkSize: number;
  readonly q: Linear;
  readonly k: Linear;
  readonly v: Linear;
  readonly out: Linear;

  constructor(where: string, dim: number, opts: AFTOptions) {
    super();
    this.dim = checkInt(where, 'dim', dim, 1);
    ({ mode: this.mode, chunkSize: this.chunkSize } = modeArgs(where, opts));
    const lin = { bias: opts.bias ?? true, dtype: opts.dtype, generator: opts.generator };
    this.q = new Linear(dim, dim, lin);
    this.k = new Linear(dim, dim, lin);
    this.v = new Linear(dim, dim, lin);
    this.out = new Linear(dim, dim, lin);
  }

  protected baseConfig(type: string): ModuleConfig {
    return { type, dim: this.dim, mode: this.mode, chunkSize: this.chunkSize, bias: this.q.bias !== null, dtype: this.q.weight.dtype };
  }
}

/**
 * AFT-simple: AFT with no position biases, linear in the sequence length.
 * @example new nn.AFTSimple(32, { mode: 'recurrent' })
 */
export class AFTSimple extends AFTBase {
  constructor(dim: number, opts: AFTOptions = {}) {
    checkOptions('AFTSimple', opts, AFT_KEYS);
    super('AFTSimple', dim, opts);
  }

  forward(x: Tensor): Tensor {
    checkSeq(`AFTSimple(${this.dim})`, x, this.dim, this.q.weight.dtype as FloatDType);
    const y = aftSimpleCore(this.k.forward(x), this.v.forward(x), this.mode, this.chunkSize);
    return this.out.forward(mul(sigmoid(this.q.forward(x)), y));
  }

  override getConfig(): ModuleConfig { return this.baseConfig('AFTSimple'); }
}

/**
 * AFT-full: AFT with a learned pairwise position bias w_{t,s} (causal: s <= t).
 * @example new nn.AFTFull(32, 64)   // sequences up to 64 positions
 */
export class AFTFull extends AFTBase {
  readonly maxSeqLen: number;
  posBias: Parameter;

  constructor(dim: number, maxSeqLen: number, opts: AFTOptions = {}) {
    checkOptions('AFTFull', opts, AFT_KEYS);
    super('AFTFull', dim, opts);
    this.maxSeqLen = checkInt('AFTFull', 'maxSeqLen', maxSeqLen, 1);
    this.posBias = new Parameter(zeros([maxSeqLen, maxSeqLen], { dtype: paramDType('AFTFull', opts.dtype) }));
  }

  forward(x: Tensor): Tensor {
    const where = `AFTFull(${this.dim}, ${this.maxSeqLen})`;
    checkSeq(where, x, this.dim, this.q.weight.dtype as FloatDType);
    const l = x.shape[1]!;
    if (l > this.maxSeqLen) throw new ShapeError(`${where}: input shape must be [batch, 1 <= seq <= ${this.maxSeqLen}, ${this.dim}], got ${fmtShape(x.shape)}`);
    const w = slice(this.posBias, [[0, l], [0, l]]);
    const y = aftFullCore(this.k.forward(x), this.v.forward(x), w, this.mode, this.chunkSize);
    return this.out.forward(mul(sigmoid(this.q.forward(x)), y));
  }

  override getConfig(): ModuleConfig { return { ...this.baseConfig('AFTFull'), maxSeqLen: this.maxSeqLen }; }
}

const opts = (c: import('../config.js').ConfigReader): AFTOptions => ({
  mode: c.oneOf('mode', MIXER_MODES, 'chunk'), chunkSize: c.int('chunkSize', 16), bias: c.bool('bias', true), dtype: c.dtype(),
});
registerModule('AFTSimple', (c) => new AFTSimple(c.int('dim'), opts(c)));
registerModule('AFTFull', (c) => new AFTFull(c.int('dim'), c.int('maxSeqLen'), opts(c)));
