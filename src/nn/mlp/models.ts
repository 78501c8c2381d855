/**
 * @file Image classifiers made of MetaFormer blocks (metaformer.ts): the general `MetaFormer` and
 * its three named configurations, each a subclass that only fixes the token mixer and the norm.
 *
 * - MLPMixer (Tolstikhin et al. 2021, https://arxiv.org/abs/2105.01601): token-mixing MLP,
 *   LayerNorm, GELU, no LayerScale.
 * - ResMLP (Touvron et al. 2021, https://arxiv.org/abs/2105.03404): cross-patch linear layer,
 *   Affine instead of LayerNorm, LayerScale initialised to 0.1 (depth <= 18), 1e-5 (depth <= 24)
 *   or 1e-6 (deeper), as the paper's ResMLP-12/24/36.
 * - PoolFormer (Yu et al. 2022, https://arxiv.org/abs/2111.11418): pooling token mixer, LayerScale
 *   1e-5. Here the norm is the per-token LayerNorm (the paper's GroupNorm with one group normalises
 *   over the whole [C, H, W]) and the stages are one isotropic stage, as the MetaFormer paper's
 *   ablations of the plain design.
 *
 * Shape contract: an image [N, C, H, W], [N, H, W] (C = 1) or flattened [N, C*H*W] ->
 * patches [N, T, dim] -> depth blocks -> final norm -> mean over tokens -> head -> [N, numClasses].
 * State keys: patchEmbed.proj.*, blocks.i.*, norm.*, head.*.
 */
import { checkOptions } from '../../core/args.js';
import type { FloatDType } from '../../core/dtype.js';
import { ValueError } from '../../core/errors.js';
import type { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { mean } from '../../ops/composite/index.js';
import { Module } from '../module.js';
import { type ConfigReader, type ModuleConfig, registerModule } from '../config.js';
import { ACTIVATION_NAMES, type ActivationName } from '../activation.js';
import { ModuleList } from '../container.js';
import { Linear } from '../linear.js';
import { BLOCK_NORMS, type BlockNorm, checkBlockNorm, checkSize, makeBlockNorm } from './block.js';
import { MetaFormerBlock, PatchEmbed, TOKEN_MIXERS, type TokenMixer, readPair, sizePair } from './metaformer.js';

/** Options every MetaFormer model takes. */
export interface MetaFormerModelOptions {
  /** Image channels (default 1). */
  inChannels?: number;
  /** Channel-MLP hidden width (default 4 * dim). */
  channelHidden?: number;
  /** Default 'gelu'. */
  activation?: ActivationName;
  dtype?: FloatDType;
  generator?: Generator;
}

export interface MetaFormerOptions extends MetaFormerModelOptions {
  /** Default 'mlp'. */
  tokenMixer?: TokenMixer;
  /** 'mlp' mixer: the token MLP's hidden width (default round(dim / 2)). */
  tokenHidden?: number;
  /** Default 'layer'. */
  norm?: BlockNorm | null;
  /** LayerScale init (default null: none). */
  layerScale?: number | null;
  /** 'pooling' mixer: the window (default 3). */
  poolSize?: number;
}

const MODEL_KEYS = ['inChannels', 'channelHidden', 'activation', 'dtype', 'generator'] as const;

/**
 * Patch embedding, `depth` MetaFormer blocks, a final norm, mean pooling over the tokens and a
 * linear head. imageSize and patchSize: a number (square) or [h, w].
 * @example new nn.MetaFormer([28, 28], 7, 64, 4, 10, { tokenMixer: 'pooling' })
 */
export class MetaFormer extends Module {
  readonly imageSize: [number, number];
  readonly depth: number;
  readonly dim: number;
  readonly numClasses: number;
  readonly patchEmbed: PatchEmbed;
  readonly blocks: ModuleList;
  readonly norm: Module | null;
  readonly head: Linear;

  constructor(imageSize: number | readonly [number, number], patchSize: number | readonly [number, number], dim: number, depth: number, numClasses: number, opts: MetaFormerOptions = {}) {
    super();
    const where = new.target.name;
    if (new.target === MetaFormer) checkOptions(where, opts, [...MODEL_KEYS, 'tokenMixer', 'tokenHidden', 'norm', 'layerScale', 'poolSize']);
    this.dim = checkSize(where, 'dim', dim);
    this.depth = checkSize(where, 'depth', depth);
    this.numClasses = checkSize(where, 'numClasses', numClasses);
    const norm = checkBlockNorm(where, opts.norm === undefined ? 'layer' : opts.norm);
    const { dtype, generator } = opts;
    // Checked here too so the message names the model the user built, not its PatchEmbed.
    const [h, w] = sizePair(where, 'imageSize', imageSize);
    const [ph, pw] = sizePair(where, 'patchSize', patchSize);
    if (h % ph !== 0 || w % pw !== 0) throw new ValueError(`${where}: patchSize [${ph}, ${pw}] must divide imageSize [${h}, ${w}]`);
    this.patchEmbed = new PatchEmbed(imageSize, patchSize, checkSize(where, 'inChannels', opts.inChannels ?? 1), dim, { dtype, generator });
    this.imageSize = this.patchEmbed.imageSize;
    const blockOpts = {
      tokenMixer: opts.tokenMixer ?? 'mlp', norm, layerScale: opts.layerScale ?? null, activation: opts.activation ?? 'gelu', dtype, generator,
      ...(opts.tokenHidden === undefined ? {} : { tokenHidden: opts.tokenHidden }),
      ...(opts.channelHidden === undefined ? {} : { channelHidden: opts.channelHidden }),
      ...(opts.tokenMixer === 'pooling' ? { gridSize: this.patchEmbed.gridSize, ...(opts.poolSize === undefined ? {} : { poolSize: opts.poolSize }) } : {}),
      ...(opts.poolSize !== undefined && opts.tokenMixer !== 'pooling' ? { poolSize: opts.poolSize } : {}),
    };
    const t = this.patchEmbed.numPatches;
    this.blocks = new ModuleList(Array.from({ length: depth }, () => new MetaFormerBlock(dim, t, blockOpts)));
    this.norm = norm === null ? null : makeBlockNorm(norm, dim, dtype);
    this.head = new Linear(dim, numClasses, { dtype, generator });
  }

  /** The first block (holds the shared settings, for getConfig). */
  protected get block0(): MetaFormerBlock {
    return this.blocks.at(0) as MetaFormerBlock;
  }

  forward(x: Tensor): Tensor {
    let h = this.patchEmbed.forward(x);
    for (const b of this.blocks) h = b.forward(h);
    if (this.norm) h = this.norm.forward(h);
    return this.head.forward(mean(h, 1));
  }

  /** The keys all four models share. */
  protected baseConfig(type: string): ModuleConfig {
    const b = this.block0;
    return {
      type, imageSize: [...this.imageSize], patchSize: [...this.patchEmbed.patchSize], dim: this.dim, depth: this.depth,
      numClasses: this.numClasses, inChannels: this.patchEmbed.inChannels, channelHidden: b.mlp.hidden, activation: b.mlp.activationName,
      dtype: this.head.weight.dtype,
    };
  }

  override getConfig(): ModuleConfig {
    const b = this.block0;
    return {
      ...this.baseConfig('MetaFormer'), tokenMixer: b.tokenMixer, ...(b.tokenHidden === null ? {} : { tokenHidden: b.tokenHidden }),
      norm: b.mlp.normName, layerScale: b.mlp.layerScale, ...(b.poolSize === null ? {} : { poolSize: b.poolSize }),
    };
  }
}

/**
 * MLP-Mixer: token-mixing MLP (hidden tokenHidden, default round(dim / 2)) and channel MLP (hidden
 * channelHidden, default 4 * dim), LayerNorm, GELU.
 * @example new nn.MLPMixer([28, 28], 4, 64, 4, 10, { tokenHidden: 64, channelHidden: 128 })
 */
export class MLPMixer extends MetaFormer {
  constructor(imageSize: number | readonly [number, number], patchSize: number | readonly [number, number], dim: number, depth: number, numClasses: number, opts: MetaFormerModelOptions & { tokenHidden?: number } = {}) {
    checkOptions('MLPMixer', opts, [...MODEL_KEYS, 'tokenHidden']);
    super(imageSize, patchSize, dim, depth, numClasses, { ...opts, tokenMixer: 'mlp', norm: 'layer' });
  }

  override getConfig(): ModuleConfig {
    return { ...this.baseConfig('MLPMixer'), tokenHidden: this.block0.tokenHidden! };
  }
}

/** ResMLP's LayerScale init for a network of `depth` blocks. */
export function resmlpLayerScale(depth: number): number {
  return depth <= 18 ? 0.1 : depth <= 24 ? 1e-5 : 1e-6;
}

/**
 * ResMLP: cross-patch linear layer, Affine pre-norms, LayerScale (default resmlpLayerScale(depth)).
 * @example new nn.ResMLP([28, 28], 4, 64, 4, 10, { channelHidden: 128 })
 */
export class ResMLP extends MetaFormer {
  constructor(imageSize: number | readonly [number, number], patchSize: number | readonly [number, number], dim: number, depth: number, numClasses: number, opts: MetaFormerModelOptions & { layerScale?: number } = {}) {
    checkOptions('ResMLP', opts, [...MODEL_KEYS, 'layerScale']);
    const layerScale = opts.layerScale ?? (Number.isInteger(depth) && depth > 0 ? resmlpLayerScale(depth) : 0.1);
    super(imageSize, patchSize, dim, depth, numClasses, { ...opts, tokenMixer: 'linear', norm: 'affine', layerScale });
  }

  override getConfig(): ModuleConfig {
    return { ...this.baseConfig('ResMLP'), layerScale: this.block0.mlp.layerScale! };
  }
}

/**
 * PoolFormer (one isotropic stage): avgPool2d(poolSize, stride 1) - x as the token mixer, LayerNorm,
 * LayerScale (default 1e-5).
 * @example new nn.PoolFormer([28, 28], 4, 64, 4, 10)
 */
export class PoolFormer extends MetaFormer {
  constructor(imageSize: number | readonly [number, number], patchSize: number | readonly [number, number], dim: number, depth: number, numClasses: number, opts: MetaFormerModelOptions & { layerScale?: number; poolSize?: number } = {}) {
    checkOptions('PoolFormer', opts, [...MODEL_KEYS, 'layerScale', 'poolSize']);
    super(imageSize, patchSize, dim, depth, numClasses, { ...opts, tokenMixer: 'pooling', norm: 'layer', layerScale: opts.layerScale ?? 1e-5 });
  }

  override getConfig(): ModuleConfig {
    return { ...this.baseConfig('PoolFormer'), layerScale: this.block0.mlp.layerScale!, poolSize: this.block0.poolSize! };
  }
}

/** The positional arguments and shared options of the four, from a config. */
function modelArgs(c: ConfigReader): [number | [number, number], number | [number, number], number, number, number, MetaFormerModelOptions] {
  const opts: MetaFormerModelOptions = { inChannels: c.int('inChannels', 1), activation: c.oneOf('activation', ACTIVATION_NAMES, 'gelu'), dtype: c.dtype() };
  if (c.raw('channelHidden') !== undefined) opts.channelHidden = c.int('channelHidden');
  return [readPair(c, 'imageSize'), readPair(c, 'patchSize'), c.int('dim'), c.int('depth'), c.int('numClasses'), opts];
}
const optional = (c: ConfigReader, key: string): number | undefined => (c.raw(key) === undefined ? undefined : c.number(key));
const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

registerModule('MetaFormer', (c) => {
  const [img, patch, dim, depth, classes, opts] = modelArgs(c);
  return new MetaFormer(img, patch, dim, depth, classes, defined({
    ...opts, tokenMixer: c.oneOf('tokenMixer', TOKEN_MIXERS, 'mlp'), tokenHidden: optional(c, 'tokenHidden'),
    norm: c.oneOfOrNull('norm', BLOCK_NORMS, 'layer'), layerScale: c.numberOrNull('layerScale', null), poolSize: optional(c, 'poolSize'),
  }));
});
registerModule('MLPMixer', (c) => {
  const [img, patch, dim, depth, classes, opts] = modelArgs(c);
  return new MLPMixer(img, patch, dim, depth, classes, defined({ ...opts, tokenHidden: optional(c, 'tokenHidden') }));
});
registerModule('ResMLP', (c) => {
  const [img, patch, dim, depth, classes, opts] = modelArgs(c);
  return new ResMLP(img, patch, dim, depth, classes, defined({ ...opts, layerScale: optional(c, 'layerScale') }));
});
registerModule('PoolFormer', (c) => {
  const [img, patch, dim, depth, classes, opts] = modelArgs(c);
  return new PoolFormer(img, patch, dim, depth, classes, defined({ ...opts, layerScale: optional(c, 'layerScale'), poolSize: optional(c, 'poolSize') }));
});
