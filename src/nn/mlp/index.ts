/**
 * @file The MLP family beyond the plain MLP (issue #12): each file one group of modules, all
 * registered with fromConfig. src/nn/index.ts re-exports this and frames every module's forward.
 */
export { Affine, MLPBlock, BLOCK_NORMS, type BlockNorm, type MLPBlockOptions } from './block.js';
export { PatchEmbed, MetaFormerBlock, TOKEN_MIXERS, type TokenMixer, type MetaFormerBlockOptions } from './metaformer.js';
export { MetaFormer, MLPMixer, ResMLP, PoolFormer, resmlpLayerScale, type MetaFormerOptions, type MetaFormerModelOptions } from './models.js';
export { HourglassMLP, type HourglassMLPOptions } from './hourglass.js';
