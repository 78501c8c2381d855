/**
 * @file The `js` backend: typed-array storage (shared with the reference backend) and kernels tuned
 * for V8 for the ops that dominate training; everything else falls back to the reference loops.
 * Works for every dtype (the loops are dtype-agnostic); accumulation is in doubles.
 */
import type { Backend, KernelTable } from '../../core/backend.js';
import type { Kernel } from '../../core/primitive.js';
import { erfScalar, geluScalar } from '../../core/special.js';
import { binary, unary, where } from './elementwise.js';
import { matmul } from './matmul.js';
import { argmax, argmin, max, min, sum } from './reduce.js';
import { cast, expand, permute, slice } from './movement.js';
import { arrayBackend } from '../array-storage.js';
import { geluBackward, indexSelect, linear, logSoftmax } from './fused.js';
import { splineBasis } from './spline.js';
import { rbfBasis, rbfBasisBackward } from './rbf.js';
import { layerNormBackward, layerNormForward } from './layer-norm.js';
import { gruCell, gruCellBackward, lstmCell, lstmCellBackward } from './recurrent.js';
import { scaledDotProductAttention } from './attention.js';
import { sampledMatmul, sparseLinear } from './sparse.js';

const k = <A>(f: Kernel<A>): Kernel<never> => f as Kernel<never>;

export const JS_KERNELS: KernelTable = {
  neg: k(unary((x) => -x)),
  exp: k(unary(Math.exp)),
  log: k(unary(Math.log)),
  log1p: k(unary(Math.log1p)),
  sqrt: k(unary(Math.sqrt)),
  abs: k(unary(Math.abs)),
  sin: k(unary(Math.sin)),
  cos: k(unary(Math.cos)),
  tanh: k(unary(Math.tanh)),
  sign: k(unary((x) => (x > 0 ? 1 : x < 0 ? -1 : x))),
  erf: k(unary(erfScalar)),
  add: k(binary((a, b) => a + b)),
  sub: k(binary((a, b) => a - b)),
  mul: k(binary((a, b) => a * b)),
  div: k(binary((a, b) => a / b)),
  pow: k(binary(Math.pow)),
  // Math.max/min order -0 < +0 as the reference does (a bare `a > b ? a : b` returned the second zero).
  maximum: k(binary((a, b) => (a !== a || b !== b ? NaN : Math.max(a, b)))),
  minimum: k(binary((a, b) => (a !== a || b !== b ? NaN : Math.min(a, b)))),
  eq: k(binary((a, b) => (a === b ? 1 : 0))),
  ne: k(binary((a, b) => (a !== b ? 1 : 0))),
  lt: k(binary((a, b) => (a < b ? 1 : 0))),
  le: k(binary((a, b) => (a <= b ? 1 : 0))),
  gt: k(binary((a, b) => (a > b ? 1 : 0))),
  ge: k(binary((a, b) => (a >= b ? 1 : 0))),
  where: k(where),
  sum: k(sum),
  max: k(max),
  min: k(min),
  argmax: k(argmax),
  argmin: k(argmin),
  matmul: k(matmul),
  linear: k(linear),
  logSoftmax: k(logSoftmax),
  indexSelect: k(indexSelect),
  splineBasis: k(splineBasis),
  rbfBasis: k(rbfBasis),
  rbfBasisBackward: k(rbfBasisBackward),
  layerNormForward: k(layerNormForward),
  layerNormBackward: k(layerNormBackward),
  lstmCell: k(lstmCell),
  lstmCellBackward: k(lstmCellBackward),
  gruCell: k(gruCell),
  gruCellBackward: k(gruCellBackward),
  scaledDotProductAttention: k(scaledDotProductAttention),
  sparseLinear: k(sparseLinear),
  sampledMatmul: k(sampledMatmul),
  geluForward: k(unary(geluScalar)),
  geluBackward: k(geluBackward),
  expand: k(expand),
  permute: k(permute),
  slice: k(slice),
  cast: k(cast),
  clamp: k(<Kernel<{ min: number; max: number }>>((out, [x], { min: lo, max: hi }) => {
    const o = out.values;
    const v = x!.values;
    for (let i = 0; i < o.length; i++) {
      const e = v[i]!;
      o[i] = e < lo ? lo : e > hi ? hi : e;
    }
  })),
};

export function createJsBackend(): Backend {
  return arrayBackend('js', JS_KERNELS);
}
