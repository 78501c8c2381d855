/**
 * @file Gated Linear Attention: Yang et al., "Gated Linear Attention Transformers with
 * Hardware-Efficient Training" (2023, https://arxiv.org/abs/2312.06635).
 *
 * S_t = diag(alpha_t) S_{t-1} + k_t^T v_t, o_t = q_t S_t, with a data-dependent forget gate
 * alpha_t = sigmoid(x_t W1 W2 + b)^(1/tau) in (0, 1)^dk from a low-rank projection (rank 16, tau 16,
 * as the paper), then y = out(layerNorm_head(o) * silu(x W_r)) (the paper's output gate and per-head norm).
 * 'chunk' is the paper's chunkwise form: with B_t the cumulative log-gate inside a chunk,
 * o_t = (q_t * exp(B_t)) S_prev + sum_{s<=t} (q_t * k_s * exp(B_t - B_s)) v_s, where the intra-chunk
 * decays exp(B_t - B_s) <= 1 are formed pairwise (the paper's secondary-level chunking taken to
 * single positions), so nothing is divided by a small cumulative gate and no exp overflows.
 *
 * Shape contract: GatedLinearAttention(dim, { numHeads }): x [batch, seq, dim] -> [batch, seq, dim];
 * q, k, v, g, out are Linear(dim, dim); gateDown Linear(dim, gateRank), gateUp Linear(gateRank, dim).
 */
import { checkOptions } from '../../core/args.js';
import type { FloatDType } from '../../core/dtype.js';
import { zeros } from '../../core/create.js';
import type { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { add, concat, div, exp, gt, matmul, mul, neg, sliceAxis, sub, sum, transpose, where } from '../../ops/primitives/index.js';
import { layerNorm, silu, softplus, unsqueeze } from '../../ops/composite/index.js';
import { Module } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkInt, checkPositive } from '../check.js';
import { Linear } from '../linear.js';
import { type MixerMode, type MixerModeOptions, MIXER_MODES, at, checkHeads, checkSeq, chunkBounds, mergeHeads, modeArgs, splitHeads, trilOnes } from './common.js';

/**
 * Causal gated linear attention over q, k [B, H, L, dk], v [B, H, L, dv] and log-gates
 * logA [B, H, L, dk] (all <= 0).
 */
export function glaCore(q: Tensor, k: Tensor, v: Tensor, logA: Tensor, mode: MixerMode, chunkSize: number): Tensor {
  const [b, h, l, dk] = q.shape as [number, number, number, number];
  const dv = v.shape[3]!;
  const dtype = q.dtype as FloatDType;
  let s = zeros([b, h, dk, dv], { dtype });
  const outs: Tensor[] = [];
  if (mode === 'recurrent') {
    for (let t = 0; t < l; t++) {
      s = add(mul(transpose(exp(at(logA, 2, t))), s), matmul(transpose(at(k, 2, t)), at(v, 2, t)));
      outs.push(matmul(at(q, 2, t), s));
    }
    return concat(outs, 2);
  }
  for (const [s0, s1] of chunkBounds(l, chunkSize)) {
    const c = s1 - s0;
    const qc = sliceAxis(q, 2, s0, s1), kc = sliceAxis(k, 2, s0, s1), vc = sliceAxis(v, 2, s0, s1);
    const tri = trilOnes(c, dtype);
    const cum = matmul(tri, sliceAxis(logA, 2, s0, s1)); // B_t: inclusive cumulative log-gate
    const last = sliceAxis(cum, 2, c - 1, c);
    // Pairwise decays exp(B_t - B_s) for s <= t, [B, H, C, C, dk]; masked entries get exp(-inf) = 0.
    const keep = unsqueeze(gt(tri, 0), -1);
    const diff = where(keep, sub(unsqueeze(cum, 3), unsqueeze(cum, 2)), -Infinity);
    const a = sum(mul(mul(unsqueeze(qc, 3), unsqueeze(kc, 2)), exp(diff)), -1);
    outs.push(add(matmul(mul(qc, exp(cum)), s), matmul(a, vc)));
    s = add(mul(transpose(exp(last)), s), matmul(transpose(mul(kc, exp(sub(last, cum)))), vc));
  }
  return concat(outs, 2);
}

export interface GatedLinearAttentionOptions extends MixerModeOptions {
  numHeads?: number;
  /** Rank of the forget gate's low-rank projection (default 16). */
  gateRank?: number;
  /** tau in alpha = sigmoid(.)^(1/tau): larger keeps the gates nearer 1 (default 16). */
  gateTemperature?: number;
  dtype?: FloatDType;
  generator?: Generator;
}

/**
 * Gated Linear Attention (GLA) layer (Yang et al. 2023).
 * @example new nn.GatedLinearAttention(32, { numHeads: 2, chunkSize: 16 })
 */
export class GatedLinearAttention extends Module {
  readonly dim: number;
  readonly numHeads: number;
  readonly gateRank: number;
  readonly gateTemperature: number;
  readonly mode: MixerMode;
  readonly chunkSize: number;
  readonly q: Linear;
  readonly k: Linear;
  readonly v: Linear;
  readonly g: Linear;
  readonly gateDown: Linear;
  readonly gateUp: Linear;
  readonly out: Linear;

  constructor(dim: number, opts: GatedLinearAttentionOptions = {}) {
    super();
    const W = 'GatedLinearAttention';
    checkOptions(W, opts, ['numHeads', 'gateRank', 'gateTemperature', 'mode', 'chunkSize', 'dtype', 'generator']);
    this.dim = checkInt(W, 'dim', dim, 1);
    this.numHeads = opts.numHeads ?? 1;
    checkHeads(W, dim, this.numHeads);
    this.gateRank = checkInt(W, 'gateRank', opts.gateRank ?? 16, 1);
    this.gateTemperature = checkPositive(W, 'gateTemperature', opts.gateTemperature ?? 16);
    ({ mode: this.mode, chunkSize: this.chunkSize } = modeArgs(W, opts));
    const lin = { bias: false, dtype: opts.dtype, generator: opts.generator };
    this.q = new Linear(dim, dim, lin);
    this.k = new Linear(dim, dim, lin);
    this.v = new Linear(dim, dim, lin);
    this.g = new Linear(dim, dim, { ...lin, bias: true });
    this.gateDown = new Linear(dim, this.gateRank, lin);
    this.gateUp = new Linear(this.gateRank, dim, { ...lin, bias: true });
    this.out = new Linear(dim, dim, lin);
  }

  forward(x: Tensor): Tensor {
    checkSeq(`GatedLinearAttention(${this.dim})`, x, this.dim, this.q.weight.dtype as FloatDType);
    const h = this.numHeads;
    // log sigmoid(z) / tau = -softplus(-z) / tau: the log-gate, computed without forming sigmoid.
    const logA = div(neg(softplus(neg(this.gateUp.forward(this.gateDown.forward(x))))), this.gateTemperature);
    const o = glaCore(splitHeads(this.q.forward(x), h), splitHeads(this.k.forward(x), h), splitHeads(this.v.forward(x), h),
      splitHeads(logA, h), this.mode, this.chunkSize);
    const normed = mergeHeads(layerNorm(o, [this.dim / h]));
    return this.out.forward(mul(normed, silu(this.g.forward(x))));
  }

  override getConfig(): ModuleConfig {
    return {
      type: 'GatedLinearAttention', dim: this.dim, numHeads: this.numHeads, gateRank: this.gateRank, gateTemperature: this.gateTemperature,
      mode: this.mode, chunkSize: this.chunkSize, dtype: this.q.weight.dtype,
    };
  }
}

registerModule('GatedLinearAttention', (c) => new GatedLinearAttention(c.int('dim'), {
  numHeads: c.int('numHeads', 1), gateRank: c.int('gateRank', 16), gateTemperature: c.number('gateTemperature', 16),
  mode: c.oneOf('mode', MIXER_MODES, 'chunk'), chunkSize: c.int('chunkSize', 16), dtype: c.dtype(),
}));
