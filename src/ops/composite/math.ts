/** @file Small elementwise helpers built from primitives. */
import type { Tensor } from '../../core/tensor.js';
import { div, eq, mul, ne, sqrt, sub } from '../primitives/index.js';
import { unaryArgs } from '../args.js';

/** x * x. */
export function square(x: Tensor): Tensor { unaryArgs('square', x, arguments.length); return mul(x, x); }
/** 1 / x. */
export function reciprocal(x: Tensor): Tensor { unaryArgs('reciprocal', x, arguments.length); return div(1, x); }
/** 1 / sqrt(x). */
export function rsqrt(x: Tensor): Tensor { unaryArgs('rsqrt', x, arguments.length); return div(1, sqrt(x)); }
/** True where x is neither NaN nor +-Infinity (x - x is 0 exactly then, NaN otherwise). */
export function isFinite(x: Tensor): Tensor { unaryArgs('isFinite', x, arguments.length); return eq(sub(x, x), 0); }
/** True where x is NaN. */
export function isNan(x: Tensor): Tensor { unaryArgs('isNan', x, arguments.length); return ne(x, x); }
