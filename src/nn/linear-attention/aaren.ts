/**
 * @file Aaren: Feng et al., "Attention as an RNN" (2024, https://arxiv.org/abs/2405.13956).
 *
 * Softmax attention with one learned query q over the prefix, o_t = sum_{s<=t} softmax_s(q . k_s / sqrt(d)) v_s,
 * computed as a many-to-many RNN: the state (m, u, w) = (running max score, sum exp(s - m),
 * sum exp(s - m) v) is updated per token ('recurrent'), or all prefixes at once by a parallel
 * prefix scan ('scan', Hillis-Steele: log2(L) rounds) with the paper's associative operator
 * (m_a, u_a, w_a) + (m_b, u_b, w_b) = (m, u_a e^(m_a-m) + u_b e^(m_b-m), w_a e^(m_a-m) + w_b e^(m_b-m)),
 * m = max(m_a, m_b). Both equal causal (masked) softmax attention with the query q at every position.
 *
 * Shape contract: Aaren(dim): x [batch, seq, dim] -> [batch, seq, dim]; k, v are Linear(dim, dim),
 * query [dim].
 */
import { checkEnum, checkOptions } from '../../core/args.js';
import type { FloatDType } from '../../core/dtype.js';
import { empty } from '../../core/create.js';
import type { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { add, concat, div, exp, matmul, maximum, mul, reshape, sliceAxis, sub } from '../../ops/primitives/index.js';
import { onesLike } from '../../core/create.js';
import { Module, Parameter } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkInt, paramDType } from '../check.js';
import * as init from '../init.js';
import { Linear } from '../linear.js';
import { at, checkSeq } from './common.js';

/** 'recurrent': one token per step; 'scan': the parallel prefix scan. */
export const AAREN_MODES = ['recurrent', 'scan'] as const;
export type AarenMode = (typeof AAREN_MODES)[number];

interface ScanState { m: Tensor; u: Tensor; w: Tensor }

/** The associative operator: a holds the earlier tokens, b the later ones. */
function combine(a: ScanState, b: ScanState): ScanState {
  const m = maximum(a.m, b.m);
  const ea = exp(sub(a.m, m)), eb = exp(sub(b.m, m));
  return { m, u: add(mul(a.u, ea), mul(b.u, eb)), w: add(mul(a.w, ea), mul(b.w, eb)) };
}

/** Causal attention of scores [B, L, 1] over values [B, L, D], as an RNN or a prefix scan. */
export function aarenCore(scores: Tensor, v: Tensor, mode: AarenMode): Tensor {
  const l = scores.shape[1]!;
  const leaf: ScanState = { m: scores, u: onesLike(scores), w: v };
  if (mode === 'recurrent') {
    let st: ScanState = { m: at(scores, 1, 0), u: at(leaf.u, 1, 0), w: at(v, 1, 0) };
    const outs = [div(st.w, st.u)];
    for (let t = 1; t < l; t++) {
      st = combine(st, { m: at(scores, 1, t), u: at(leaf.u, 1, t), w: at(v, 1, t) });
      outs.push(div(st.w, st.u));
    }
    return concat(outs, 1);
  }
  // Hillis-Steele: after the round with offset d, position t holds the reduction of [t - 2d + 1, t].
  let st = leaf;
  for (let d = 1; d < l; d *= 2) {
    const cut = (x: Tensor, s: number, e: number): Tensor => sliceAxis(x, 1, s, e);
    const head = { m: cut(st.m, 0, d), u: cut(st.u, 0, d), w: cut(st.w, 0, d) };
    const c = combine({ m: cut(st.m, 0, l - d), u: cut(st.u, 0, l - d), w: cut(st.w, 0, l - d) },
      { m: cut(st.m, d, l), u: cut(st.u, d, l), w: cut(st.w, d, l) });
    st = { m: concat([head.m, c.m], 1), u: concat([head.u, c.u], 1), w: concat([head.w, c.w], 1) };
  }
  return div(st.w, st.u);
}

export interface AarenOptions {
  mode?: AarenMode;
  bias?: boolean;
  dtype?: FloatDType;
  generator?: Generator;
}

/**
 * Aaren layer: attention with a learned query, run as an RNN (Feng et al. 2024).
 * @example new nn.Aaren(32, { mode: 'scan' })
 */
export class Aaren extends Module {
  readonly dim: number;
  readonly mode: AarenMode;
  readonly k: Linear;
  readonly v: Linear;
  query: Parameter;

  constructor(dim: number, opts: AarenOptions = {}) {
    super();
    checkOptions('Aaren', opts, ['mode', 'bias', 'dtype', 'generator']);
    this.dim = checkInt('Aaren', 'dim', dim, 1);
    this.mode = checkEnum('Aaren', 'mode', opts.mode ?? 'scan', AAREN_MODES);
    const lin = { bias: opts.bias ?? true, dtype: opts.dtype, generator: opts.generator };
    this.k = new Linear(dim, dim, lin);
    this.v = new Linear(dim, dim, lin);
    this.query = new Parameter(init.normal(empty([dim], { dtype: paramDType('Aaren', opts.dtype) }), 0, 1, { generator: opts.generator }));
  }

  /** The attention scores q . k_t / sqrt(dim), [batch, seq, 1]. */
  scores(x: Tensor): Tensor {
    return div(matmul(this.k.forward(x), reshape(this.query, [this.dim, 1])), Math.sqrt(this.dim));
  }

  forward(x: Tensor): Tensor {
    checkSeq(`Aaren(${this.dim})`, x, this.dim, this.k.weight.dtype as FloatDType);
    return aarenCore(this.scores(x), this.v.forward(x), this.mode);
  }

  override getConfig(): ModuleConfig {
    return { type: 'Aaren', dim: this.dim, mode: this.mode, bias: this.k.bias !== null, dtype: this.k.weight.dtype };
  }
}

registerModule('Aaren', (c) => new Aaren(c.int('dim'), { mode: c.oneOf('mode', AAREN_MODES, 'scan'), bias: c.bool('bias', true), dtype: c.dtype() }));
