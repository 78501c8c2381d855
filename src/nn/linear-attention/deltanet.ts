/**
 * @file DeltaNet with the parallel delta rule: Yang et al., "Parallelizing Linear Transformers with
 * the Delta Rule over Sequence Length" (2024, https://arxiv.org/abs/2406.06484).
 *
 * Delta rule (row-vector convention, S [dk, dv]): S_t = S_{t-1} + k_t^T beta_t (v_t - k_t S_{t-1}),
 * o_t = q_t S_t, with q, k = L2norm(silu(x W)) and a per-head write strength beta_t = sigmoid(x w_beta).
 * 'chunk' is the paper's chunkwise form through the WY / UT representation: inside a chunk the
 * pseudo-values U~ = T (beta V - beta K S_0) with T = (I + tril_-1(diag(beta) K K^T))^-1, so
 * O = Q S_0 + (Q K^T * tril) U~ and S_C = S_0 + K^T U~. T is unit lower-triangular and A = tril_-1(.)
 * is nilpotent, so T = prod_j (I + (-A)^(2^j)) exactly: ceil(log2 C) matmuls instead of a
 * sequential forward substitution.
 *
 * Shape contract: DeltaNet(dim, { numHeads }): x [batch, seq, dim] -> [batch, seq, dim]; q, k, v,
 * out are Linear(dim, dim) (no bias), beta is Linear(dim, numHeads).
 */
import { checkOptions } from '../../core/args.js';
import type { FloatDType } from '../../core/dtype.js';
import { eye, zeros } from '../../core/create.js';
import type { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { add, concat, div, matmul, mul, neg, permute, sliceAxis, sqrt, sub, sum, transpose } from '../../ops/primitives/index.js';
import { sigmoid, silu, unsqueeze } from '../../ops/composite/index.js';
import { Module } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkInt } from '../check.js';
import { Linear } from '../linear.js';
import { type MixerMode, type MixerModeOptions, MIXER_MODES, at, checkHeads, checkSeq, chunkBounds, mergeHeads, modeArgs, splitHeads, trilOnes } from './common.js';

/** (I + A)^-1 for a strictly lower-triangular A [..., C, C]: prod_j (I + (-A)^(2^j)), exact since A^C = 0. */
export function unitLowerInverse(a: Tensor): Tensor {
  const c = a.shape[a.rank - 1]!;
  const id = eye(c, c, { dtype: a.dtype });
  let p = neg(a);
  let t = add(id, p);
  for (let span = 2; span < c; span *= 2) {
    p = matmul(p, p);
    t = matmul(t, add(id, p));
  }
  return t;
}

/** Causal delta rule over q, k [B, H, L, dk], v [B, H, L, dv] and beta [B, H, L, 1]. */
export function deltaRuleCore(q: Tensor, k: Tensor, v: Tensor, beta: Tensor, mode: MixerMode, chunkSize: number): Tensor {
  const [b, h, l, dk] = q.shape as [number, number, number, number];
  const dv = v.shape[3]!;
  const dtype = q.dtype as FloatDType;
  let s = zeros([b, h, dk, dv], { dtype });
  const outs: Tensor[] = [];
  if (mode === 'recurrent') {
    for (let t = 0; t < l; t++) {
      const kt = at(k, 2, t);
      const err = sub(at(v, 2, t), matmul(kt, s)); // v_t minus what the memory returns for k_t
      s = add(s, matmul(transpose(kt), mul(at(beta, 2, t), err)));
      outs.push(matmul(at(q, 2, t), s));
    }
    return concat(outs, 2);
  }
  for (const [s0, s1] of chunkBounds(l, chunkSize)) {
    const c = s1 - s0;
    const qc = sliceAxis(q, 2, s0, s1), kc = sliceAxis(k, 2, s0, s1), vc = sliceAxis(v, 2, s0, s1);
    const bk = mul(sliceAxis(beta, 2, s0, s1), kc);
    const tInv = unitLowerInverse(mul(matmul(bk, transpose(kc)), trilOnes(c, dtype, true)));
    const w = matmul(tInv, bk);
    const u = sub(matmul(tInv, mul(sliceAxis(beta, 2, s0, s1), vc)), matmul(w, s));
    outs.push(add(matmul(qc, s), matmul(mul(matmul(qc, transpose(kc)), trilOnes(c, dtype)), u)));
    s = add(s, matmul(transpose(kc), u));
  }
  return concat(outs, 2);
}

/** x / ||x|| over the last axis (eps inside the root keeps 0 finite). */
function l2norm(x: Tensor): Tensor {
  return div(x, sqrt(add(sum(mul(x, x), -1, { keepDims: true }), 1e-12)));
}

export interface DeltaNetOptions extends MixerModeOptions {
  numHeads?: number;
  dtype?: FloatDType;
  generator?: Generator;
}

/**
 * DeltaNet layer: linear attention whose memory is updated by the delta rule (Yang et al. 2024).
 * @example new nn.DeltaNet(32, { numHeads: 2, mode: 'chunk', chunkSize: 8 })
 */
export class DeltaNet extends Module {
  readonly dim: number;
  readonly numHeads: number;
  readonly mode: MixerMode;
  readonly chunkSize: number;
  readonly q: Linear;
  readonly k: Linear;
  readonly v: Linear;
  readonly beta: Linear;
  readonly out: Linear;

  constructor(dim: number, opts: DeltaNetOptions = {}) {
    super();
    checkOptions('DeltaNet', opts, ['numHeads', 'mode', 'chunkSize', 'dtype', 'generator']);
    this.dim = checkInt('DeltaNet', 'dim', dim, 1);
    this.numHeads = opts.numHeads ?? 1;
    checkHeads('DeltaNet', dim, this.numHeads);
    ({ mode: this.mode, chunkSize: this.chunkSize } = modeArgs('DeltaNet', opts));
    const lin = { bias: false, dtype: opts.dtype, generator: opts.generator };
    this.q = new Linear(dim, dim, lin);
    this.k = new Linear(dim, dim, lin);
    this.v = new Linear(dim, dim, lin);
    this.beta = new Linear(dim, this.numHeads, { ...lin, bias: true });
    this.out = new Linear(dim, dim, lin);
  }

  forward(x: Tensor): Tensor {
    checkSeq(`DeltaNet(${this.dim})`, x, this.dim, this.q.weight.dtype as FloatDType);
    const h = this.numHeads;
    const q = l2norm(silu(splitHeads(this.q.forward(x), h)));
    const k = l2norm(silu(splitHeads(this.k.forward(x), h)));
    const beta = unsqueeze(permute(sigmoid(this.beta.forward(x)), [0, 2, 1]), -1); // [B, H, L, 1]
    const o = deltaRuleCore(q, k, splitHeads(this.v.forward(x), h), beta, this.mode, this.chunkSize);
    return this.out.forward(mergeHeads(o));
  }

  override getConfig(): ModuleConfig {
    return { type: 'DeltaNet', dim: this.dim, numHeads: this.numHeads, mode: this.mode, chunkSize: this.chunkSize, dtype: this.q.weight.dtype };
  }
}

registerModule('DeltaNet', (c) => new DeltaNet(c.int('dim'), {
  numHeads: c.int('numHeads', 1), mode: c.oneOf('mode', MIXER_MODES, 'chunk'), chunkSize: c.int('chunkSize', 16), dtype: c.dtype(),
}));
