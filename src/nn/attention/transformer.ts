/**
 * @file The pre-norm transformer block (Xiong et al. 2020, "On Layer Normalization in the
 * Transformer Architecture", https://arxiv.org/abs/2002.04745): x + attn(norm1(x)), then
 * x + ff(norm2(x)); the feed-forward is PyTorch's linear1 -> act -> linear2 or a GLU variant
 * (Shazeer 2020, https://arxiv.org/abs/2002.05202, nn.GLUFeedForward).
 *
 * Shape contract: x [N, L, dModel] (batch first) -> [N, L, dModel]. With the plain feed-forward the
 * state-dict keys are those of PyTorch's nn.TransformerEncoderLayer(norm_first=True,
 * batch_first=True): self_attn.*, linear1.*, linear2.*, norm1.*, norm2.* (so weights load both
 * ways); with `glu` the feed-forward is `ff` (ff.proj.w/v.*, ff.out.*).
 */
import { checkEnum, checkOptions } from '../../core/args.js';
import { type FloatDType } from '../../core/dtype.js';
import { ShapeError, fmtShape } from '../../core/errors.js';
import type { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { add } from '../../ops/primitives/index.js';
import { gelu, relu } from '../../ops/composite/index.js';
import { type Member, Module } from '../module.js';
import { type ModuleConfig, registerModule } from '../config.js';
import { checkBool, checkInputDType, checkInt, checkNumber, checkTrailing, paramDType } from '../check.js';
import { Dropout, Linear } from '../linear.js';
import { LayerNorm, RMSNorm } from '../norm.js';
import { GLUFeedForward, GLU_GATES, type GLUGate } from '../mlp/glu.js';
import { MultiheadAttention } from './multihead.js';
import type { KVCache } from './kv-cache.js';

export const TRANSFORMER_ACTIVATIONS = ['gelu', 'relu'] as const;
export type TransformerActivation = (typeof TRANSFORMER_ACTIVATIONS)[number];
export const TRANSFORMER_NORMS = ['layerNorm', 'rmsNorm'] as const;
export type TransformerNorm = (typeof TRANSFORMER_NORMS)[number];

export interface TransformerBlockOptions {
  /** Key/value heads (default numHeads; fewer = GQA, 1 = MQA). */
  numKVHeads?: number;
  /** Hidden width of the feed-forward (default 4·dModel). */
  dimFeedforward?: number;
  /** Activation of the plain feed-forward (default 'gelu'). */
  activation?: TransformerActivation;
  /** A GLU gate ('silu' = SwiGLU, 'gelu' = GEGLU, ...): the feed-forward becomes GLUFeedForward (default null). */
  glu?: GLUGate | null;
  /** 'layerNorm' (default) or 'rmsNorm'. */
  norm?: TransformerNorm;
  /** Dropout on the attention weights, inside the feed-forward and on both residual branches (default 0). */
  dropout?: number;
  /** Biases of the projections and norms (default true). */
  bias?: boolean;
  /** Causal self-attention by default (default true: a decoder block). */
  causal?: boolean;
  /** Norm epsilon (default 1e-5). */
  eps?: number;
  dtype?: FloatDType;
  generator?: Generator;
}

export interface TransformerBlockForwardOptions {
  /** MultiheadAttention's attnMask; when given it replaces the block's causal mask (pass a causal one if both are wanted). */
  attnMask?: Tensor | null;
  keyPaddingMask?: Tensor | null;
  /** Default: the block's `causal` (false when attnMask is given). */
  isCausal?: boolean;
  kvCache?: KVCache | null;
}

const NAMES: Record<string, string> = { selfAttn: 'self_attn' };

/** Pre-norm transformer block; see the file header. @example new nn.TransformerBlock(64, 4, { numKVHeads: 1, glu: 'silu' }) */
export class TransformerBlock extends Module {
  readonly dModel: number;
  readonly causal: boolean;
  readonly activation: TransformerActivation;
  readonly glu: GLUGate | null;
  readonly normKind: TransformerNorm;
  readonly dimFeedforward: number;
  readonly selfAttn: MultiheadAttention;
  readonly linear1: Linear | null = null;
  readonly drop: Dropout;
  readonly linear2: Linear | null = null;
  readonly ff: GLUFeedForward | null = null;
  readonly norm1: LayerNorm | RMSNorm;
  readonly norm2: LayerNorm | RMSNorm;
  readonly eps: number;

  constructor(dModel: number, numHeads: number, opts: TransformerBlockOptions = {}) {
    super();
    const W = 'TransformerBlock';
    checkOptions(W, opts, ['numKVHeads', 'dimFeedforward', 'activation', 'glu', 'norm', 'dropout', 'bias', 'causal', 'eps', 'dtype', 'generator']);
    this.dModel = checkInt(W, 'dModel', dModel, 1);
    checkInt(W, 'numHeads', numHeads, 1);
    this.dimFeedforward = checkInt(W, 'dimFeedforward', opts.dimFeedforward ?? 4 * dModel, 1);
    this.activation = checkEnum(W, 'activation', opts.activation ?? 'gelu', TRANSFORMER_ACTIVATIONS);
    this.glu = opts.glu == null ? null : checkEnum(W, 'glu', opts.glu, GLU_GATES);
    this.normKind = checkEnum(W, 'norm', opts.norm ?? 'layerNorm', TRANSFORMER_NORMS);
    const dropout = checkNumber(W, 'dropout', opts.dropout ?? 0, 0, 1);
    const bias = checkBool(W, 'bias', opts.bias ?? true);
    this.causal = checkBool(W, 'causal', opts.causal ?? true);
    this.eps = checkNumber(W, 'eps', opts.eps ?? 1e-5, 0);
    const dtype = paramDType(W, opts.dtype);
    const generator = opts.generator;
    this.selfAttn = new MultiheadAttention(dModel, numHeads, { numKVHeads: opts.numKVHeads ?? numHeads, bias, batchFirst: true, dropout, dtype, generator });
    if (this.glu) this.ff = new GLUFeedForward(dModel, this.dimFeedforward, dModel, { gate: this.glu, bias, dtype, generator });
    else {
      this.linear1 = new Linear(dModel, this.dimFeedforward, { bias, dtype, generator });
      this.linear2 = new Linear(this.dimFeedforward, dModel, { bias, dtype, generator });
    }
    this.drop = new Dropout(dropout, { generator });
    const norm = (): LayerNorm | RMSNorm => (this.normKind === 'rmsNorm' ? new RMSNorm(dModel, { eps: this.eps, dtype }) : new LayerNorm(dModel, { eps: this.eps, bias, dtype }));
    this.norm1 = norm();
    this.norm2 = norm();
  }

  protected override ownMembers(): Member[] {
    return super.ownMembers().map((m) => ({ ...m, name: NAMES[m.name] ?? m.name }));
  }

  /** Heads and dims of the attention, for caches. */
  createCache(batchSize: number, maxLength: number): KVCache {
    return this.selfAttn.createCache(batchSize, maxLength);
  }

  override forward(x: Tensor): Tensor;
  override forward(x: Tensor, opts: TransformerBlockForwardOptions): Tensor;
  override forward(x: Tensor, opts: TransformerBlockForwardOptions = {}): Tensor {
    const where = `TransformerBlock(${this.dModel}, ${this.selfAttn.numHeads})`;
    checkOptions(`${where}.forward`, opts, ['attnMask', 'keyPaddingMask', 'isCausal', 'kvCache']);
    if (x.rank !== 3) throw new ShapeError(`${where}: input must be [N, L, ${this.dModel}], got ${fmtShape(x.shape)}`);
    checkTrailing(where, x, [this.dModel]);
    checkInputDType(where, x, this.selfAttn.outProj.weight.dtype as FloatDType);
    const h = this.norm1.forward(x);
    const isCausal = opts.kvCache ? false : (opts.isCausal ?? (this.causal && !opts.attnMask));
    const [a] = this.selfAttn.forward(h, h, h, { needWeights: false, attnMask: opts.attnMask ?? null, keyPaddingMask: opts.keyPaddingMask ?? null, isCausal, kvCache: opts.kvCache ?? null });
    const x1 = add(x, this.drop.forward(a));
    const h2 = this.norm2.forward(x1);
    const f = this.ff ? this.ff.forward(h2) : this.linear2!.forward(this.drop.forward(this.act(this.linear1!.forward(h2))));
    return add(x1, this.drop.forward(f));
  }

  private act(x: Tensor): Tensor {
    return this.activation === 'relu' ? relu(x) : gelu(x);
  }

  override getConfig(): ModuleConfig {
    return {
      type: 'TransformerBlock', dModel: this.dModel, numHeads: this.selfAttn.numHeads, numKVHeads: this.selfAttn.numKVHeads,
      dimFeedforward: this.dimFeedforward, activation: this.activation, glu: this.glu, norm: this.normKind,
      dropout: this.drop.p, bias: this.selfAttn.inProjBias !== null, causal: this.causal, eps: this.eps, dtype: this.selfAttn.outProj.weight.dtype,
    };
  }
}

registerModule('TransformerBlock', (c) => {
  return new TransformerBlock(c.int('dModel'), c.int('numHeads'), {
    numKVHeads: c.int('numKVHeads', c.int('numHeads')), dimFeedforward: c.int('dimFeedforward', 4 * c.int('dModel')),
    activation: c.oneOf('activation', TRANSFORMER_ACTIVATIONS, 'gelu'), glu: c.oneOfOrNull('glu', GLU_GATES, null),
    norm: c.oneOf('norm', TRANSFORMER_NORMS, 'layerNorm'), dropout: c.number('dropout', 0), bias: c.bool('bias', true),
    causal: c.bool('causal', true), eps: c.number('eps', 1e-5), dtype: c.dtype(),
  });
});
