/**
 * @file Reducing a NumPy broadcast to the 2-D pattern the wasm kernels run: size-1 output dims are
 * dropped, then neighbouring dims where every operand is either contiguous or broadcast in both
 * are merged. What remains is usually one or two dims (same shape, scalar, bias row, softmax
 * column); more dims are walked in JS, one 2-D kernel call per leading index.
 */
import type { Shape } from '../../../core/shape.js';

/** A collapsed dim: its extent and, per operand, whether it advances (1) or is broadcast (0). */
interface Dim {
  n: number;
  full: number[];
}

export interface Plan2D {
  /** Extents of the dims walked in JS (empty for at most two collapsed dims). */
  outer: number[];
  /** Per operand, its element stride along each outer dim. */
  outerStrides: number[][];
  rows: number;
  cols: number;
  /** Per operand: [row stride, column stride in {0,1}]. */
  strides: [number, number][];
}

function collapse(out: Shape, ins: readonly Shape[]): Dim[] {
  const dims: Dim[] = [];
  const r = out.length;
  for (let d = 0; d < r; d++) {
    const n = out[d]!;
    if (n === 1) continue;
    const full = ins.map((s) => {
      const k = d - (r - s.length);
      return k >= 0 && s[k] === n ? 1 : 0;
    });
    const last = dims[dims.length - 1];
    if (last && last.full.every((f, i) => f === full[i])) last.n *= n;
    else dims.push({ n, full });
  }
  return dims;
}

/** The 2-D plan for an elementwise op over operands of shapes `ins` broadcast to `out`. */
export function plan2D(out: Shape, ins: readonly Shape[]): Plan2D {
  const dims = collapse(out, ins);
  const k = ins.length;
  // Element stride of each operand along each collapsed dim (0 where broadcast).
  const strides = dims.map(() => new Array<number>(k).fill(0));
  for (let i = 0; i < k; i++) {
    let acc = 1;
    for (let d = dims.length - 1; d >= 0; d--) {
      if (dims[d]!.full[i]) {
        strides[d]![i] = acc;
        acc *= dims[d]!.n;
      }
    }
  }
  const nd = dims.length;
  const cols = nd >= 1 ? dims[nd - 1]!.n : 1;
  const rows = nd >= 2 ? dims[nd - 2]!.n : 1;
  const lead = Math.max(0, nd - 2);
  return {
    outer: dims.slice(0, lead).map((d) => d.n),
    outerStrides: ins.map((_, i) => strides.slice(0, lead).map((s) => s[i]!)),
    rows,
    cols,
    strides: ins.map((_, i) => [nd >= 2 ? strides[nd - 2]![i]! : 0, nd >= 1 ? (strides[nd - 1]![i]! === 0 ? 0 : 1) : 1]),
  };
}

/**
 * Calls `f(offsets, outOffset)` once per index of the outer dims, with each operand's element
 * offset and the output's (outputs are contiguous: rows·cols per call).
 */
export function forEachOuter(plan: Plan2D, f: (offsets: number[], outOffset: number) => void): void {
  const { outer, outerStrides } = plan;
  const total = outer.reduce((p, n) => p * n, 1);
  const block = plan.rows * plan.cols;
  const idx = new Array<number>(outer.length).fill(0);
  const offs = outerStrides.map(() => 0);
  for (let t = 0; t < total; t++) {
    f(offs, t * block);
    for (let d = outer.length - 1; d >= 0; d--) {
      idx[d]!++;
      for (let i = 0; i < offs.length; i++) offs[i]! += outerStrides[i]![d]!;
      if (idx[d]! < outer[d]!) break;
      for (let i = 0; i < offs.length; i++) offs[i]! -= outerStrides[i]![d]! * outer[d]!;
      idx[d] = 0;
    }
  }
}
