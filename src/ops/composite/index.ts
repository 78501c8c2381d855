export * from './shape.js';
export * from './math.js';
export { mean, variance, std, logSumExp, type VarOptions } from './stats.js';
export * from './activations.js';
export * from './losses.js';
