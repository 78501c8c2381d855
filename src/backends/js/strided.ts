/**
 * @file Broadcast iteration without per-element index arithmetic: dims are collapsed where every
 * operand is contiguous-or-broadcast alike, then the innermost dim runs as a tight strided loop.
 */
import { broadcastStrides, type Shape } from '../../core/shape.js';

export interface Plan {
  /** Collapsed output shape (at least rank 1). */
  shape: number[];
  /** Per operand, strides over the collapsed shape (0 = broadcast). */
  strides: number[][];
}

/** Merges adjacent dims when every operand's strides allow it (stride[d] == stride[d+1] * shape[d+1]). */
export function plan(outShape: Shape, inShapes: readonly Shape[]): Plan {
  const all = inShapes.map((s) => broadcastStrides(s, outShape));
  const shape: number[] = [];
  const strides: number[][] = inShapes.map(() => []);
  for (let d = 0; d < outShape.length; d++) {
    const n = outShape[d]!;
    if (n === 1) continue; // size-1 dims never move any index
    const last = shape.length - 1;
    if (last >= 0 && all.every((st, k) => strides[k]![last] === st[d]! * n)) {
      shape[last] = shape[last]! * n;
      all.forEach((st, k) => (strides[k]![last] = st[d]!));
    } else {
      shape.push(n);
      all.forEach((st, k) => strides[k]!.push(st[d]!));
    }
  }
  if (shape.length === 0) {
    shape.push(1);
    strides.forEach((s) => s.push(0));
  }
  return { shape, strides };
}

type Arr = { [i: number]: number; length: number };

/** out[i] = f(a[ia], b[ib]) over a broadcast plan; the inner loop has no index arithmetic beyond adds. */
export function binaryLoop(o: Arr, a: Arr, b: Arr, p: Plan, f: (x: number, y: number) => number): void {
  const { shape, strides } = p;
  const rank = shape.length;
  const inner = shape[rank - 1]!;
  const sa = strides[0]![rank - 1]!;
  const sb = strides[1]![rank - 1]!;
  const outerCount = o.length / inner;
  const counter = new Array<number>(rank).fill(0);
  let ia = 0;
  let ib = 0;
  let io = 0;
  for (let r = 0; r < outerCount; r++) {
    let ja = ia;
    let jb = ib;
    for (let j = 0; j < inner; j++, ja += sa, jb += sb) o[io++] = f(a[ja]!, b[jb]!);
    for (let d = rank - 2; d >= 0; d--) {
      counter[d]!++;
      ia += strides[0]![d]!;
      ib += strides[1]![d]!;
      if (counter[d]! < shape[d]!) break;
      ia -= strides[0]![d]! * shape[d]!;
      ib -= strides[1]![d]! * shape[d]!;
      counter[d] = 0;
    }
  }
}
