/**
 * @file The patch embedding and the MetaFormer block, from which MLP-Mixer, ResMLP and PoolFormer
 * are configurations (models.ts).
 *
 * MetaFormer (Yu et al. 2022, "MetaFormer Is Actually What You Need for Vision",
 * https://arxiv.org/abs/2111.11418): a residual block with a pluggable token mixer,
 *   x = x + gamma1 * tokenMixer(norm1(x));   x = MLPBlock(x)  (= x + gamma2 * mlp(norm2(x)))
 * Token mixers: 'mlp' (MLP-Mixer's token-mixing MLP, Tolstikhin et al. 2021,
 * https://arxiv.org/abs/2105.01601: an MLP across the tokens, shared over channels), 'linear'
 * (ResMLP's cross-patch linear layer, https://arxiv.org/abs/2105.03404), 'pooling' (PoolFormer:
 * avgPool2d(3, stride 1, padding 1, countIncludePad false)(x) - x on the token grid) and
 * 'identity' (IdentityFormer). Shape contract: x [N, T, dim] -> [N, T, dim], T = numTokens.
 *
 * PatchEmbed: a Conv2d with kernel = stride = patch, computed as patchify + Linear (same values; the
 * Linear's weight is the conv weight [dim, C, p, p] flattened to [dim, C*p*p]).
 * Shape contract: [N, C, H, W], [N, H, W] (C = 1) or flat [N, C*H*W] (what data loaders give) ->
 * [N, (H/p)(W/p), dim].
 */
import { checkOptions } from '../../core/args.js';
import { full } from '../../core/create.js';
import type { FloatDType } from '../../core/dtype.js';
import { ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import type { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { add, mul, permute, reshape, sub, transpose } from '../../ops/primitives/index.js';
import { avgPool2d, patchify } from '../../ops/composite/index.js';
import { Module, Parameter } from '../module.js';
import { type ModuleConfig, type ConfigReader, registerModule } from '../config.js';
import { checkInputDType, checkInt, paramDType, show } from '../check.js';
import { ACTIVATION_NAMES, type ActivationName, activationFromName } from '../activation.js';
import { Linear } from '../linear.js';
import {
  BLOCK_NORMS, type BlockNorm, MLPBlock, checkActivation, checkBlockNorm, checkLayerScale, checkSize, linearAct, makeBlockNorm,
} from './block.js';

export const TOKEN_MIXERS = ['mlp', 'linear', 'pooling', 'identity'] as const;
export type TokenMixer = (typeof TOKEN_MIXERS)[number];

/** [h, w] from a number (square) or a pair of positive integers. */
export function sizePair(where: string, name: string, v: unknown): [number, number] {
  if (typeof v === 'number') return [checkSize(where, name, v), v];
  if (Array.isArray(v) && v.length === 2) return [checkSize(where, `${name}[0]`, v[0]), checkSize(where, `${name}[1]`, v[1])];
  throw new ValueError(`${where}: ${name} must be a positive integer or a pair [h, w] of them, got ${show(v)}`);
}

/** A number or [h, w] from a config (the form getConfig writes: always the pair). */
export function readPair(c: ConfigReader, key: string): number | [number, number] {
  const v = c.raw(key);
  return typeof v === 'number' ? c.int(key) : (c.ints(key) as [number, number]);
}

/** Image [N, C, H, W] / [N, H, W] / [N, C*H*W] -> patch tokens [N, (H/ph)(W/pw), embedDim]. */
export class PatchEmbed extends Module {
  readonly imageSize: [number, number];
  readonly patchSize: [number, number];
  readonly inChannels: number;
  readonly embedDim: number;
  readonly proj: Linear;

  constructor(imageSize: number | readonly [number, number], patchSize: number | readonly [number, number], inChannels: number, embedDim: number, opts: { bias?: boolean; dtype?: FloatDType; generator?: Generator } = {}) {
    super();
    const where = 'PatchEmbed';
    checkOptions(where, opts, ['bias', 'dtype', 'generator']);
    this.imageSize = sizePair(where, 'imageSize', imageSize);
    this.patchSize = sizePair(where, 'patchSize', patchSize);
    this.inChannels = checkSize(where, 'inChannels', inChannels);
    this.embedDim = checkSize(where, 'embedDim', embedDim);
    const [h, w] = this.imageSize;
    const [ph, pw] = this.patchSize;
    if (h % ph !== 0 || w % pw !== 0) throw new ValueError(`${where}: patchSize [${ph}, ${pw}] must divide imageSize [${h}, ${w}]`);
    this.proj = new Linear(inChannels * ph * pw, embedDim, opts);
  }

  /** Tokens per image: (H / ph) * (W / pw). */
  get numPatches(): number {
    return (this.imageSize[0] / this.patchSize[0]) * (this.imageSize[1] / this.patchSize[1]);
  }

  /** [h, w] of the patch grid. */
  get gridSize(): [number, number] {
    return [this.imageSize[0] / this.patchSize[0], this.imageSize[1] / this.patchSize[1]];
  }

  forward(x: Tensor): Tensor {
    const [h, w] = this.imageSize;
    const c = this.inChannels;
    const where = `PatchEmbed(${fmtShape([c, h, w])}, patch ${fmtShape(this.patchSize)})`;
    const s = x.shape;
    const n = s[0]!;
    let img: Tensor;
    if (x.rank === 4 && s[1] === c && s[2] === h && s[3] === w) img = x;
    else if (x.rank === 3 && c === 1 && s[1] === h && s[2] === w) img = reshape(x, [n, 1, h, w]);
    else if (x.rank === 2 && s[1] === c * h * w) img = reshape(x, [n, c, h, w]);
    else {
      const forms = [`[N,${c},${h},${w}]`, ...(c === 1 ? [`[N,${h},${w}]`] : []), `[N,${c * h * w}]`];
      throw new ShapeError(`${where}: input must be ${forms.join(', ')}, got ${fmtShape(s)}`);
    }
    checkInputDType(where, x, this.proj.weight.dtype as FloatDType);
    return this.proj.forward(patchify(img, this.patchSize));
  }

  override getConfig(): ModuleConfig {
    return {
      type: 'PatchEmbed', imageSize: [...this.imageSize], patchSize: [...this.patchSize], inChannels: this.inChannels,
      embedDim: this.embedDim, bias: this.proj.bias !== null, dtype: this.proj.weight.dtype,
    };
  }
}

export interface MetaFormerBlockOptions {
  /** Default 'mlp' (MLP-Mixer). */
  tokenMixer?: TokenMixer;
  /** 'mlp' mixer: hidden width of the token MLP (default round(dim / 2), Mixer's D_S = C / 2). */
  tokenHidden?: number;
  /** Hidden width of the channel MLP (default 4 * dim). */
  channelHidden?: number;
  /** Of both MLPs (default 'gelu'). */
  activation?: ActivationName;
  /** Pre-norm of both halves (default 'layer'; null for none). */
  norm?: BlockNorm | null;
  /** LayerScale init on both branches (default null: none). */
  layerScale?: number | null;
  /** 'pooling' mixer: the token grid [h, w], h * w = numTokens (default square). */
  gridSize?: number | readonly [number, number];
  /** 'pooling' mixer: the window (default 3). */
  poolSize?: number;
  dtype?: FloatDType;
  generator?: Generator;
}

/**
 * One MetaFormer block on tokens [N, T, dim]. State keys: norm1.*, tokenFc1.* / tokenFc2.* ('mlp'),
 * tokenFc.* ('linear'), gamma1, mlp.* (an MLPBlock).
 * @example new nn.MetaFormerBlock(64, 16, { tokenMixer: 'mlp', tokenHidden: 64, channelHidden: 128 })
 */
export class MetaFormerBlock extends Module {
  readonly dim: number;
  readonly numTokens: number;
  readonly tokenMixer: TokenMixer;
  readonly tokenHidden: number | null;
  readonly gridSize: [number, number] | null;
  readonly poolSize: number | null;
  readonly norm1: Module | null;
  readonly tokenFc1: Linear | null = null;
  readonly tokenAct: Module | null = null;
  readonly tokenFc2: Linear | null = null;
  readonly tokenFc: Linear | null = null;
  gamma1: Parameter | null;
  readonly mlp: MLPBlock;

  constructor(dim: number, numTokens: number, opts: MetaFormerBlockOptions = {}) {
    super();
    const where = 'MetaFormerBlock';
    checkOptions(where, opts, ['tokenMixer', 'tokenHidden', 'channelHidden', 'activation', 'norm', 'layerScale', 'gridSize', 'poolSize', 'dtype', 'generator']);
    this.dim = checkSize(where, 'dim', dim);
    this.numTokens = checkSize(where, 'numTokens', numTokens);
    const mixer = opts.tokenMixer ?? 'mlp';
    if (!TOKEN_MIXERS.includes(mixer)) throw new ValueError(`${where}: tokenMixer must be one of ${TOKEN_MIXERS.join(', ')}, got ${show(mixer)}`, 'INVALID_ENUM');
    this.tokenMixer = mixer;
    const only = (key: keyof MetaFormerBlockOptions, mixers: readonly TokenMixer[]): void => {
      if (opts[key] !== undefined && !mixers.includes(mixer)) throw new ValueError(`${where}: ${key} is an option of tokenMixer ${mixers.join('/')}, not ${show(mixer)}`);
    };
    only('tokenHidden', ['mlp']);
    only('gridSize', ['pooling']);
    only('poolSize', ['pooling']);
    const activation = checkActivation(where, opts.activation ?? 'gelu');
    const norm = checkBlockNorm(where, opts.norm === undefined ? 'layer' : opts.norm);
    const layerScale = checkLayerScale(where, opts.layerScale ?? null);
    const channelHidden = checkSize(where, 'channelHidden', opts.channelHidden ?? 4 * dim);
    const { dtype, generator } = opts;
    this.tokenHidden = mixer === 'mlp' ? checkSize(where, 'tokenHidden', opts.tokenHidden ?? Math.max(1, Math.round(dim / 2))) : null;
    if (mixer === 'pooling') {
      const side = Math.round(Math.sqrt(numTokens));
      this.gridSize = opts.gridSize === undefined ? [side, side] : sizePair(where, 'gridSize', opts.gridSize);
      if (this.gridSize[0] * this.gridSize[1] !== numTokens) {
        throw new ValueError(`${where}: gridSize ${fmtShape(this.gridSize)} must hold numTokens ${numTokens} tokens${opts.gridSize === undefined ? ' (not a square number: give gridSize [h, w])' : ''}`);
      }
      this.poolSize = checkInt(where, 'poolSize', opts.poolSize ?? 3, 1);
      if (this.poolSize % 2 === 0) throw new ValueError(`${where}: poolSize must be odd (the output keeps the grid), got ${this.poolSize}`);
    } else {
      this.gridSize = null;
      this.poolSize = null;
    }
    this.norm1 = norm === null ? null : makeBlockNorm(norm, dim, dtype);
    if (mixer === 'mlp') {
      this.tokenFc1 = new Linear(numTokens, this.tokenHidden!, { dtype, generator });
      this.tokenAct = activationFromName(activation);
      this.tokenFc2 = new Linear(this.tokenHidden!, numTokens, { dtype, generator });
    } else if (mixer === 'linear') {
      this.tokenFc = new Linear(numTokens, numTokens, { dtype, generator });
    }
    this.gamma1 = layerScale === null ? null : new Parameter(full([dim], layerScale, { dtype: paramDType(where, dtype) }));
    this.mlp = new MLPBlock(dim, { hidden: channelHidden, activation, norm, layerScale, dtype, generator });
  }

  forward(x: Tensor): Tensor {
    const [t, d] = [this.numTokens, this.dim];
    if (x.rank !== 3 || x.shape[1] !== t || x.shape[2] !== d) {
      throw new ShapeError(`MetaFormerBlock(dim ${d}, ${t} tokens): input must be [N,${t},${d}], got ${fmtShape(x.shape)}`);
    }
    const h = this.norm1 ? this.norm1.forward(x) : x;
    let m = this.mix(h);
    if (this.gamma1) m = mul(m, this.gamma1);
    return this.mlp.forward(add(x, m));
  }

  /** The token mixer on normalised tokens [N, T, dim]. */
  private mix(h: Tensor): Tensor {
    if (this.tokenMixer === 'identity') return h;
    if (this.tokenMixer === 'pooling') {
      const [gh, gw] = this.gridSize!;
      const n = h.shape[0]!;
      const img = permute(reshape(h, [n, gh, gw, this.dim]), [0, 3, 1, 2]);
      const pooled = avgPool2d(img, this.poolSize!, { stride: 1, padding: (this.poolSize! - 1) / 2, countIncludePad: false });
      return reshape(permute(sub(pooled, img), [0, 2, 3, 1]), [n, gh * gw, this.dim]);
    }
    // Token mixing acts along T: transpose to [N, dim, T], mix, transpose back.
    const ht = transpose(h, 1, 2);
    const mixed = this.tokenMixer === 'mlp'
      ? this.tokenFc2!.forward(linearAct(this.tokenFc1!, ht, this.mlp.activationName, this.tokenAct!))
      : this.tokenFc!.forward(ht);
    return transpose(mixed, 1, 2);
  }

  override getConfig(): ModuleConfig {
    return {
      type: 'MetaFormerBlock', dim: this.dim, numTokens: this.numTokens, tokenMixer: this.tokenMixer,
      ...(this.tokenHidden === null ? {} : { tokenHidden: this.tokenHidden }),
      channelHidden: this.mlp.hidden, activation: this.mlp.activationName, norm: this.mlp.normName, layerScale: this.mlp.layerScale,
      ...(this.gridSize === null ? {} : { gridSize: [...this.gridSize], poolSize: this.poolSize }),
      dtype: this.mlp.fc1.weight.dtype,
    };
  }
}

registerModule('PatchEmbed', (c) => new PatchEmbed(readPair(c, 'imageSize'), readPair(c, 'patchSize'), c.int('inChannels'), c.int('embedDim'), { bias: c.bool('bias', true), dtype: c.dtype() }));
registerModule('MetaFormerBlock', (c) => {
  const mixer = c.oneOf('tokenMixer', TOKEN_MIXERS, 'mlp');
  const opt = <T>(key: string, read: () => T): Record<string, T> => (c.raw(key) === undefined ? {} : { [key]: read() });
  return new MetaFormerBlock(c.int('dim'), c.int('numTokens'), {
    tokenMixer: mixer,
    ...opt('tokenHidden', () => c.int('tokenHidden')),
    ...opt('channelHidden', () => c.int('channelHidden')),
    activation: c.oneOf('activation', ACTIVATION_NAMES, 'gelu'),
    norm: c.oneOfOrNull('norm', BLOCK_NORMS, 'layer'),
    layerScale: c.numberOrNull('layerScale', null),
    ...opt('gridSize', () => readPair(c, 'gridSize')),
    ...opt('poolSize', () => c.int('poolSize')),
    dtype: c.dtype(),
  });
});
