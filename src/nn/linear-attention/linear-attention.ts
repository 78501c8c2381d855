/**
 * @file Linear attention with a feature map: Katharopoulos et al., "Transformers are RNNs: Fast
 * Autoregressive Transformers with Linear Attention" (2020, https://arxiv.org/abs/2006.16236).
 *
 * Causal: o_t = phi(q_t) S_t / (phi(q_t) . z_t + eps), S_t = sum_{s<=t} phi(k_s)^T v_s,
 * z_t = sum_{s<=t} phi(k_s), with phi = elu(x) + 1 by default (the paper's choice).
 * 'recurrent' carries S, z one position at a time; 'chunk' computes (phi(Q) phi(K)^T * tril) V inside a
 * chunk and adds phi(Q) S for the chunks before.
 *
 * Shape contract: LinearAttention(dim, { numHeads }): x [batch, seq, dim] -> [batch, seq, dim];
 * q, k, v, out are Linear(dim, dim) (state keys q.weight, ..., out.bias).
 */
import { checkEnum, checkOptions } from '../../core/args.js';
import type { FloatDType } from '../../core/dtype.js';
import { zeros } from '../../core/create.js';
import type { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { add, concat, div, matmul, mul, sliceAxis, sum, transpose } from '../../ops/primitives/index.js';
import { elu, relu, softplus } from '../../ops/composite/index.js';
import { Module } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkInt, checkPositive } from '../check.js';
import { Linear } from '../linear.js';
import { type MixerMode, type MixerModeOptions, MIXER_MODES, at, checkHeads, checkSeq, chunkBounds, mergeHeads, modeArgs, splitHeads, trilOnes } from './common.js';

/** Feature maps phi: 'elu+1' (the paper's), 'relu', 'softplus'. All are >= 0, so the normaliser is. */
export const FEATURE_MAPS = ['elu+1', 'relu', 'softplus'] as const;
export type FeatureMap = (typeof FEATURE_MAPS)[number];

export interface LinearAttentionOptions extends MixerModeOptions {
  numHeads?: number;
  featureMap?: FeatureMap;
  /** Added to the normaliser phi(q) . z (default 1e-6). */
  eps?: number;
  bias?: boolean;
  dtype?: FloatDType;
  generator?: Generator;
}

function phi(map: FeatureMap, x: Tensor): Tensor {
  switch (map) {
    case 'elu+1': return add(elu(x), 1);
    case 'relu': return relu(x);
    case 'softplus': return softplus(x);
  }
}

/** Causal linear attention over q, k (already feature-mapped, [B, H, L, dk]) and v [B, H, L, dv]. */
export function linearAttentionCore(q: Tensor, k: Tensor, v: Tensor, mode: MixerMode, chunkSize: number, eps: number): Tensor {
  const [b, h, l, dk] = q.shape as [number, number, number, number];
  const dv = v.shape[3]!;
  const dtype = q.dtype as FloatDType;
  let s = zeros([b, h, dk, dv], { dtype });
  let z = zeros([b, h, 1, dk], { dtype });
  const outs: Tensor[] = [];
  if (mode === 'recurrent') {
    for (let t = 0; t < l; t++) {
      const kt = at(k, 2, t), qt = at(q, 2, t);
      s = add(s, matmul(transpose(kt), at(v, 2, t)));
      z = add(z, kt);
      outs.push(div(matmul(qt, s), add(sum(mul(qt, z), -1, { keepDims: true }), eps)));
    }
  } else {
    for (const [s0, s1] of chunkBounds(l, chunkSize)) {
      const qc = sliceAxis(q, 2, s0, s1), kc = sliceAxis(k, 2, s0, s1), vc = sliceAxis(v, 2, s0, s1);
      const a = mul(matmul(qc, transpose(kc)), trilOnes(s1 - s0, dtype));
      const num = add(matmul(a, vc), matmul(qc, s));
      const den = add(sum(a, -1, { keepDims: true }), matmul(qc, transpose(z)));
      outs.push(div(num, add(den, eps)));
      s = add(s, matmul(transpose(kc), vc));
      z = add(z, sum(kc, 2, { keepDims: true }));
    }
  }
  return concat(outs, 2);
}

/**
 * Causal multi-head linear attention (Katharopoulos et al. 2020).
 * @example new nn.LinearAttention(32, { numHeads: 4, mode: 'chunk', chunkSize: 16 })
 */
export class LinearAttention extends Module {
  readonly dim: number;
  readonly numHeads: number;
  readonly featureMap: FeatureMap;
  readonly mode: MixerMode;
  readonly chunkSize: number;
  readonly eps: number;
  readonly q: Linear;
  readonly k: Linear;
  readonly v: Linear;
  readonly out: Linear;

  constructor(dim: number, opts: LinearAttentionOptions = {}) {
    super();
    checkOptions('LinearAttention', opts, ['numHeads', 'featureMap', 'eps', 'mode', 'chunkSize', 'bias', 'dtype', 'generator']);
    this.dim = checkInt('LinearAttention', 'dim', dim, 1);
    this.numHeads = opts.numHeads ?? 1;
    checkHeads('LinearAttention', dim, this.numHeads);
    this.featureMap = checkEnum('LinearAttention', 'featureMap', opts.featureMap ?? 'elu+1', FEATURE_MAPS);
    this.eps = checkPositive('LinearAttention', 'eps', opts.eps ?? 1e-6);
    ({ mode: this.mode, chunkSize: this.chunkSize } = modeArgs('LinearAttention', opts));
    const lin = { bias: opts.bias ?? true, dtype: opts.dtype, generator: opts.generator };
    this.q = new Linear(dim, dim, lin);
    this.k = new Linear(dim, dim, lin);
    this.v = new Linear(dim, dim, lin);
    this.out = new Linear(dim, dim, lin);
  }

  forward(x: Tensor): Tensor {
    checkSeq(`LinearAttention(${this.dim})`, x, this.dim, this.q.weight.dtype as FloatDType);
    const h = this.numHeads;
    const q = phi(this.featureMap, splitHeads(this.q.forward(x), h));
    const k = phi(this.featureMap, splitHeads(this.k.forward(x), h));
    const o = linearAttentionCore(q, k, splitHeads(this.v.forward(x), h), this.mode, this.chunkSize, this.eps);
    return this.out.forward(mergeHeads(o));
  }

  override getConfig(): ModuleConfig {
    return {
      type: 'LinearAttention', dim: this.dim, numHeads: this.numHeads, featureMap: this.featureMap, eps: this.eps,
      mode: this.mode, chunkSize: this.chunkSize, bias: this.q.bias !== null, dtype: this.q.weight.dtype,
    };
  }
}

registerModule('LinearAttention', (c) => new LinearAttention(c.int('dim'), {
  numHeads: c.int('numHeads', 1), featureMap: c.oneOf('featureMap', FEATURE_MAPS, 'elu+1'), eps: c.number('eps', 1e-6),
  mode: c.oneOf('mode', MIXER_MODES, 'chunk'), chunkSize: c.int('chunkSize', 16), bias: c.bool('bias', true), dtype: c.dtype(),
}));
