/**
 * @file The MLP family beyond the plain MLP (issue #12). Importing registers every layer here with
 * `fromConfig`: the GLU family and bilinear layers, quadratic neurons, the gated perceptron, CRMSNorm
 * and the pre-norm residual MLP with its Pre-LN -> Pre-RMSNorm / Pre-CRMSNorm conversions.
 */
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
