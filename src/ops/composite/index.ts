export * from './shape.js';
export * from './math.js';
export { mean, variance, var_ as var, std, logSumExp, logsumexp, type VarOptions } from './stats.js';
export * from './activations.js';
export * from './losses.js';
export { layerNorm, rmsNorm } from './norm.js';
