/**
 * @file The MLP family beyond the plain MLP (issue #12): each file one group of modules, all
 * registered with fromConfig; src/nn/index.ts re-exports this and frames every module's forward.
 * Blocks and token mixers (MLPBlock, MetaFormer, Mixer, ResMLP, PoolFormer, Hourglass), the GLU family
 * and bilinear layers, quadratic neurons, the gated perceptron, CRMSNorm and the pre-norm residual
 * MLP with its Pre-LN -> Pre-RMSNorm / Pre-CRMSNorm conversions, hypernetworks, and the nested
 * (Matryoshka, SortedNet) models.
 */
export { Affine, MLPBlock, BLOCK_NORMS, type BlockNorm, type MLPBlockOptions } from './block.js';
export { PatchEmbed, MetaFormerBlock, TOKEN_MIXERS, type TokenMixer, type MetaFormerBlockOptions } from './metaformer.js';
export { MetaFormer, MLPMixer, ResMLP, PoolFormer, resmlpLayerScale, type MetaFormerOptions, type MetaFormerModelOptions } from './models.js';
export { HourglassMLP, type HourglassMLPOptions } from './hourglass.js';
export {
  GLU, GatedLinear, GeGLU, SwiGLU, ReGLU, BilinearGLU, GLUFeedForward, GLU_GATES,
  type GLUGate, type GatedLinearOptions, type GLUFeedForwardOptions,
} from './glu.js';
export { QuadraticLinear, QUADRATIC_INITS, reLinearParamGroups, type QuadraticInit, type QuadraticLinearOptions, type LrGroup } from './quadratic.js';
export { GatedPerceptron, type GatedPerceptronOptions } from './gated.js';
export { CRMSNorm, type CRMSNormOptions } from './crmsnorm.js';
export {
  PreNormResidualMLP, PreNormBlock, PRE_NORMS, preLNToPreRMSNorm, preLNToPreCRMSNorm,
  type PreNorm, type PreNormResidualMLPOptions,
} from './prenorm.js';
export { HyperNetwork, HYPER_ENCODINGS, type HyperEncoding, type HyperNetworkOptions } from './hyper.js';
export { Matryoshka, SortedNet, type MatryoshkaOptions, type SortedNetOptions } from './nested.js';
