/**
 * @file GEMM for typed arrays: B is packed once into 4-column panels, A into 4-row panels per block,
 * and a 4x4 register-blocked micro-kernel accumulates in doubles (16 locals that V8 keeps in
 * registers). Transpose flags are absorbed by the packing, so no transpose is ever materialised.
 */
import type { Kernel, View } from '../../core/primitive.js';
import { broadcastShapes, numel } from '../../core/shape.js';
import type { TypedArray } from '../../core/dtype.js';

interface MatmulAttrs {
  transA: boolean;
  transB: boolean;
}

let packA = new Float64Array(0);
let packB = new Float64Array(0);

/** Packs op(B)[k, n] into panels of 4 columns: panel j holds k rows of 4 values (zero-padded). */
function packBPanels(b: TypedArray, off: number, k: number, n: number, transB: boolean): void {
  const panels = Math.ceil(n / 4);
  const need = panels * k * 4;
  if (packB.length < need) packB = new Float64Array(need);
  const rs = transB ? 1 : n; // stride between rows p of op(B)
  const cs = transB ? k : 1; // stride between columns j
  for (let jp = 0; jp < panels; jp++) {
    const base = jp * k * 4;
    const j0 = jp * 4;
    const w = Math.min(4, n - j0);
    for (let p = 0; p < k; p++) {
      const dst = base + p * 4;
      const src = off + p * rs + j0 * cs;
      for (let c = 0; c < 4; c++) packB[dst + c] = c < w ? b[src + c * cs]! : 0;
    }
  }
}

/** Packs 4 rows of op(A) starting at row i0 as k groups of 4 values (zero-padded). */
function packARows(a: TypedArray, off: number, m: number, k: number, i0: number, transA: boolean): void {
  if (packA.length < k * 4) packA = new Float64Array(k * 4);
  const rs = transA ? 1 : k; // stride between rows i of op(A)
  const cs = transA ? m : 1; // stride between columns p
  const h = Math.min(4, m - i0);
  for (let p = 0; p < k; p++) {
    for (let r = 0; r < 4; r++) packA[p * 4 + r] = r < h ? a[off + (i0 + r) * rs + p * cs]! : 0;
  }
}

function gemm(a: TypedArray, ao: number, b: TypedArray, bo: number, o: TypedArray, oo: number, m: number, k: number, n: number, attrs: MatmulAttrs): void {
  packBPanels(b, bo, k, n, attrs.transB);
  for (let i0 = 0; i0 < m; i0 += 4) {
    packARows(a, ao, m, k, i0, attrs.transA);
    const A = packA;
    const B = packB;
    const h = Math.min(4, m - i0);
    for (let j0 = 0, jp = 0; j0 < n; j0 += 4, jp++) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      let pb = jp * k * 4;
      for (let p = 0, q = 0; p < k; p++, q += 4, pb += 4) {
        const a0 = A[q]!, a1 = A[q + 1]!, a2 = A[q + 2]!, a3 = A[q + 3]!;
        const b0 = B[pb]!, b1 = B[pb + 1]!, b2 = B[pb + 2]!, b3 = B[pb + 3]!;
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
      }
      const w = Math.min(4, n - j0);
      const d = oo + i0 * n + j0;
      if (h === 4 && w === 4) {
        o[d] = c00; o[d + 1] = c01; o[d + 2] = c02; o[d + 3] = c03;
        o[d + n] = c10; o[d + n + 1] = c11; o[d + n + 2] = c12; o[d + n + 3] = c13;
        o[d + 2 * n] = c20; o[d + 2 * n + 1] = c21; o[d + 2 * n + 2] = c22; o[d + 2 * n + 3] = c23;
        o[d + 3 * n] = c30; o[d + 3 * n + 1] = c31; o[d + 3 * n + 2] = c32; o[d + 3 * n + 3] = c33;
      } else {
        const tile = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
        for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) o[d + r * n + c] = tile[r * 4 + c]!;
      }
    }
  }
}

export const matmul: Kernel<MatmulAttrs> = (out: View, [x, y]: readonly View[], attrs: MatmulAttrs) => {
  const as = x!.shape;
  const bs = y!.shape;
  const m = attrs.transA ? as[as.length - 1]! : as[as.length - 2]!;
  const k = attrs.transA ? as[as.length - 2]! : as[as.length - 1]!;
  const n = attrs.transB ? bs[bs.length - 2]! : bs[bs.length - 1]!;
  const o = out.values;
  if (k === 0) {
    o.fill(0);
    return;
  }
  const aBatch = as.slice(0, -2);
  const bBatch = bs.slice(0, -2);
  const batch = broadcastShapes('matmul', aBatch, bBatch);
  const count = numel(batch);
  for (let t = 0; t < count; t++) {
    gemm(x!.values, batchOffset(t, batch, aBatch) * m * k, y!.values, batchOffset(t, batch, bBatch) * k * n, o, t * m * n, m, k, n, attrs);
  }
};

/** Flat batch index into an operand whose batch shape broadcasts to `batch`. */
function batchOffset(t: number, batch: readonly number[], own: readonly number[]): number {
  if (own.length === 0) return 0;
  let off = 0;
  let mult = 1;
  let rem = t;
  for (let d = batch.length - 1, e = own.length - 1; d >= 0; d--, e--) {
    const coord = rem % batch[d]!;
    rem = Math.floor(rem / batch[d]!);
    if (e >= 0) {
      off += (own[e] === 1 ? 0 : coord) * mult;
      mult *= own[e]!;
    }
  }
  return off;
}
