/**
 * @file Fast sparseLinear / sampledMatmul kernels (shape contract and maths in
 * ops/primitives/sparse.ts): the reference's loops and summation order (so float64 results agree to
 * the last bit), with the CSR arrays held in locals, four samples per pass (each nonzero's value and column
 * loaded once for four sums) and, in sampledMatmul, the rows of `a` that are exactly 0 skipped (after a ReLU, about half of the output gradient) when the matching row of `b`
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
  let m = 0;
  // Four samples at a time: each nonzero's value and column are loaded once for four sums (each sum
  // still runs over j in order, so the result is the reference's).
  for (; m + 4 <= M; m += 4) {
    const x0 = m * cols;
    const x1 = x0 + cols;
    const x2 = x1 + cols;
    const x3 = x2 + cols;
    const oo = m * rows;
    for (let r = 0; r < rows; r++) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      const end = rowPtr[r + 1]!;
      for (let j = rowPtr[r]!; j < end; j++) {
        const w = vs[j]!;
        const c = colIdx[j]!;
        s0 += w * xs[x0 + c]!;
        s1 += w * xs[x1 + c]!;
        s2 += w * xs[x2 + c]!;
        s3 += w * xs[x3 + c]!;
      }
      o[oo + r] = s0;
      o[oo + rows + r] = s1;
      o[oo + 2 * rows + r] = s2;
      o[oo + 3 * rows + r] = s3;
    }
  }
  for (let xo = m * cols, oo = m * rows; m < M; m++, xo += cols, oo += rows) {
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
  const finiteRow = (bo: number): boolean => {
    for (let k = 0; k < cols; k++) if (!Number.isFinite(bs[bo + k]!)) return false;
    return true;
  };
  let m = 0;
  // Four samples at a time; per nonzero the four terms are added in sample order, as the reference does.
  for (; m + 4 <= M; m += 4) {
    const b0 = m * cols;
    const b1 = b0 + cols;
    const b2 = b1 + cols;
    const b3 = b2 + cols;
    const finite = finiteRow(b0) && finiteRow(b1) && finiteRow(b2) && finiteRow(b3);
    const ao = m * rows;
    for (let r = 0; r < rows; r++) {
      const a0 = as[ao + r]!;
      const a1 = as[ao + rows + r]!;
      const a2 = as[ao + 2 * rows + r]!;
      const a3 = as[ao + 3 * rows + r]!;
      if (finite && a0 === 0 && a1 === 0 && a2 === 0 && a3 === 0) continue;
      const end = rowPtr[r + 1]!;
      for (let j = rowPtr[r]!; j < end; j++) {
        const c = colIdx[j]!;
        acc[j] = acc[j]! + a0 * bs[b0 + c]! + a1 * bs[b1 + c]! + a2 * bs[b2 + c]! + a3 * bs[b3 + c]!;
      }
    }
  }
  for (let ao = m * rows, bo = m * cols; m < M; m++, ao += rows, bo += cols) {
    const finite = finiteRow(bo);
    for (let r = 0; r < rows; r++) {
      const ar = as[ao + r]!;
      if (ar === 0 && finite) continue;
      const end = rowPtr[r + 1]!;
      for (let j = rowPtr[r]!; j < end; j++) acc[j] = acc[j]! + ar * bs[bo + colIdx[j]!]!;
    }
  }
  out.values.set(acc);
};
