/**
 * @file Entry of the kernel module: re-exports every kernel. Memory is imported and owned by the
 * JS allocator (src/backends/wasm/heap.ts); kernels only read and write at the pointers they get.
 */

export { gemm, gemmWorkspaceBytes } from './gemm';
export { gemmSmallNT } from './gemm-small';
export {
  unaryNeg, unaryAbs, unarySqrt, unaryExp, unaryLog, unaryTanh, unarySign, unaryClamp,
  binaryAdd, binarySub, binaryMul, binaryDiv, binaryMax, binaryMin,
  compareEq, compareNe, compareLt, compareLe, compareGt, compareGe,
  select,
} from './elementwise';
export { sumRows, maxRows, minRows, sumCols, maxCols, minCols } from './reduce';
export { linearBias, linearRelu, linearTanh, logSoftmaxRows, adamF32, sgdF32 } from './fused';
export { splineUniformCubic } from './spline';
export { rbfGaussian } from './rbf';

/** First byte the JS allocator may hand out (after any static data the compiler placed). */
export function heapBase(): usize {
  return __heap_base;
}
