/**
 * @file Fast sparseLinear / sampledMatmul kernels (shape contract and maths in
 * ops/primitives/sparse.ts): the reference's loops and summation order (so float64 results agree to
 * the last bit), with the CSR arrays held in locals and, in sampledMatmul, the rows of `a` that are
 * exactly 0 skipped (after a ReLU, about half of the output gradient) when the matching row of `b`
 * is finite: a skipped term is ±0 and adding it to the accumulator (never -0) changes nothing, while
 * 0 · Inf must still give NaN. Dtype-agnostic, so the wasm backend uses them on heap views too.
 */
import type { Kernel } from '../../core/primitive.js';

/** What the kernels read from the pattern (ops' CsrPattern, typed structurally: backends depend on core only). */
interface Csr { rows: number; cols: number; nnz: number; rowPtr: Int32Array; colIdx: Int32Array }
interface SparseAttrs { pattern: Csr }

export const sparseLinear: Kernel<SparseAttrs> = (out, [x, v], { pattern }) => {
  const { rows, cols, rowPtr, colIdx } = pattern;
  const xs = x!.values;
  const vs = v!.values;
  const o = out.values;
  const M = cols === 0 ? o.length / Math.max(rows, 1) : xs.length / cols;
  for (let m = 0, xo = 0, oo = 0; m < M; m++, xo += cols, oo += rows) {
    for (let r = 0; r < rows; r++) {
      let s = 0;
      const end = rowPtr[r + 1]!;
      for (let j = rowPtr[r]!; j < end; j++) s += vs[j]! * xs[xo + colIdx[j]!]!;
      o[oo + r] = s;
    }
  }
};

export const sampledMatmul: Kernel<SparseAttrs> = (out, [a, b], { pattern }) => {
  const { rows, cols, nnz, rowPtr, colIdx } = pattern;
  const as = a!.values;
  const bs = b!.values;
  const acc = new Float64Array(nnz);
  const M = rows === 0 ? (cols === 0 ? 0 : bs.length / cols) : as.length / rows;
  for (let m = 0, ao = 0, bo = 0; m < M; m++, ao += rows, bo += cols) {
    let finite = true;
    for (let k = 0; k < cols && finite; k++) finite = Number.isFinite(bs[bo + k]!);
    for (let r = 0; r < rows; r++) {
      const ar = as[ao + r]!;
      if (ar === 0 && finite) continue;
      const end = rowPtr[r + 1]!;
      for (let j = rowPtr[r]!; j < end; j++) acc[j] = acc[j]! + ar * bs[bo + colIdx[j]!]!;
    }
  }
  out.values.set(acc);
};
