/**
 * @file Entry of the kernel module: re-exports every kernel. Memory is imported and owned by the
 * JS allocator (src/backends/wasm/heap.ts); kernels only read and write at the pointers they get.
 */

export { gemm, gemmWorkspaceBytes, gemmPeak } from './gemm';
export { gemmSmallNT } from './gemm-small';
export {
  unaryNeg, unaryAbs, unarySqrt, unaryExp, unaryLog, unaryTanh, unarySign, unaryErf, unaryGelu, unarySin, unaryCos, unaryClamp, cosSinRows,
  binaryAdd, binarySub, binaryMul, binaryDiv, binaryMax, binaryMin,
  compareEq, compareNe, compareLt, compareLe, compareGt, compareGe,
  select,
} from './elementwise';
export { sumRows, maxRows, minRows, sumCols, maxCols, minCols } from './reduce';
export { linearBias, linearRelu, linearTanh, linearGelu, geluBackwardF32, logSoftmaxRows, adamF32, sgdF32 } from './fused';
export { splineUniformCubic } from './spline';
export { rbfGaussian, rbfGaussianBackward } from './rbf';

/** First byte the JS allocator may hand out (after any static data the compiler placed). */
export function heapBase(): usize {
  return __heap_base;
}
// float64 kernels (issue #18): own files, so the float32 ones stay as they are.
export { gemm64, gemm64WorkspaceBytes, gemm64Peak } from './gemm64';
export {
  unaryNeg64, unaryAbs64, unarySqrt64, unaryTanh64,
  binaryAdd64, binarySub64, binaryMul64, binaryDiv64, binaryMax64, binaryMin64, select64,
} from './elementwise64';
export { sumRows64, maxRows64, minRows64, sumCols64, maxCols64, minCols64 } from './reduce64';
export { linearBias64, linearRelu64, linearTanh64, adamF64, sgdF64, lambF64 } from './fused64';
export { splineUniformCubic64 } from './spline64';
export { layerNormRowsF32, layerNormBackwardRowsF32 } from './layernorm';
export { transposeF32 } from './movement';
export { lstmCellF32, lstmCellBackwardF32, gruCellF32, gruCellBackwardF32 } from './recurrent';
export { attentionF32, attentionWorkspaceBytes } from './attention';
