/**
 * @file Loop helpers shared by reference kernels: elementwise maps with NumPy broadcasting and
 * iteration over reduced axes. Plain and obviously right rather than fast.
 */
import type { Kernel, Meta, View } from '../../core/primitive.js';
import { type Shape, broadcastStrides, numel } from '../../core/shape.js';

/** For each output element, the flat index into an input of shape `inShape` broadcast to `outShape`. */
export function broadcastIndex(inShape: Shape, outShape: Shape): Int32Array {
  const n = numel(outShape);
  const idx = new Int32Array(n);
  const st = broadcastStrides(inShape, outShape);
  const rank = outShape.length;
  const counter = new Array<number>(rank).fill(0);
  let off = 0;
  for (let i = 0; i < n; i++) {
    idx[i] = off;
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]!++;
      off += st[d]!;
      if (counter[d]! < outShape[d]!) break;
      off -= st[d]! * outShape[d]!;
      counter[d] = 0;
    }
  }
  return idx;
}

export function unaryKernel(f: (x: number) => number): Kernel<unknown> {
  return (out: View, [x]: readonly View[]) => {
    const o = out.values;
    const a = x!.values;
    for (let i = 0; i < o.length; i++) o[i] = f(a[i]!);
  };
}

/** Elementwise over any number of inputs, each broadcast to the output shape. */
export function mapKernel(f: (...xs: number[]) => number): Kernel<unknown> {
  return (out: View, inputs: readonly View[]) => {
    const o = out.values;
    const idx = inputs.map((x) => broadcastIndex(x.shape, out.shape));
    const vals = inputs.map((x) => x.values);
    const args = new Array<number>(inputs.length);
    for (let i = 0; i < o.length; i++) {
      for (let k = 0; k < vals.length; k++) args[k] = vals[k]![idx[k]![i]!]!;
      o[i] = f(...args);
    }
  };
}

/**
 * Calls `f(outIndex, inIndex)` for every input element, where outIndex is the flat index of the
 * element's slot after reducing `axes` (keepDims layout is the same as without).
 */
export function forEachReduced(inShape: Shape, axes: readonly number[], f: (outIdx: number, inIdx: number) => void): void {
  const rank = inShape.length;
  const outStrides = new Array<number>(rank).fill(0);
  let acc = 1;
  for (let d = rank - 1; d >= 0; d--) {
    if (!axes.includes(d)) {
      outStrides[d] = acc;
      acc *= inShape[d]!;
    }
  }
  const n = numel(inShape);
  const counter = new Array<number>(rank).fill(0);
  let o = 0;
  for (let i = 0; i < n; i++) {
    f(o, i);
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]!++;
      o += outStrides[d]!;
      if (counter[d]! < inShape[d]!) break;
      o -= outStrides[d]! * inShape[d]!;
      counter[d] = 0;
    }
  }
}

export function meta(shape: Shape, dtype: Meta['dtype']): Meta {
  return { shape, dtype };
}
