/** @file Small elementwise helpers built from primitives. */
import type { Tensor } from '../../core/tensor.js';
import { div, eq, mul, ne, sqrt, sub } from '../primitives/index.js';

/** x * x. */
export const square = (x: Tensor): Tensor => mul(x, x);
/** 1 / x. */
export const reciprocal = (x: Tensor): Tensor => div(1, x);
/** 1 / sqrt(x). */
export const rsqrt = (x: Tensor): Tensor => div(1, sqrt(x));
/** True where x is neither NaN nor +-Infinity (x - x is 0 exactly then, NaN otherwise). */
export const isFinite = (x: Tensor): Tensor => eq(sub(x, x), 0);
/** True where x is NaN. */
export const isNan = (x: Tensor): Tensor => ne(x, x);
