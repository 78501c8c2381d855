/** @file All ops: primitives (with their wrappers), composites, and the Tensor methods. */
import './methods.js';
export * from './primitives/index.js';
export * from './composite/index.js';
export { asTensor, type TensorLike } from './tensor-like.js';
