/**
 * @file Data movement for typed arrays of any dtype: expand, permute, slice and cast. expand and
 * permute are one strided copy (`gather` below) over the output's dims with their source strides
 * (0 on broadcast dims), adjacent dims merged where the source is contiguous across them, so the
 * inner loop is a memcpy, a fill or one strided run: the reference's per-element index callback
 * measured ~15% of an MLP-Mixer step (its token-mixing transposes and the norm/mean broadcasts).
 */
import type { TypedArray } from '../../core/dtype.js';
import type { Kernel, View } from '../../core/primitive.js';
import { stridesOf } from '../../core/shape.js';
import { fallback } from './elementwise.js';

/**
 * out[i] = v[offset(i)] where out's dims have the given sizes and source strides (any stride may be 0:
 * broadcast). Size-1 dims are dropped and dims the source walks contiguously are merged first.
 */
function gather(o: TypedArray, v: TypedArray, sizes: readonly number[], strides: readonly number[]): void {
  const dims: number[] = [];
  const st: number[] = [];
  for (let d = 0; d < sizes.length; d++) {
    const n = sizes[d]!;
    if (n === 1) continue;
    const k = dims.length - 1;
    if (k >= 0 && st[k] === strides[d]! * n) {
      dims[k] = dims[k]! * n;
      st[k] = strides[d]!;
    } else {
      dims.push(n);
      st.push(strides[d]!);
    }
  }
  const rank = dims.length;
  if (rank === 0) {
    o[0] = v[0]!;
    return;
  }
  const inner = dims[rank - 1]!;
  const step = st[rank - 1]!;
  const counter = new Array<number>(rank).fill(0);
  const total = o.length;
  let src = 0;
  for (let dst = 0; dst < total; dst += inner) {
    if (step === 1) {
      if (inner >= 32) (o as Float32Array).set((v as Float32Array).subarray(src, src + inner), dst);
      else for (let c = 0; c < inner; c++) o[dst + c] = v[src + c]!;
    } else if (step === 0) {
      (o as Float32Array).fill(v[src]! as number, dst, dst + inner);
    } else {
      for (let c = 0, q = src; c < inner; c++, q += step) o[dst + c] = v[q]!;
    }
    for (let d = rank - 2; d >= 0; d--) {
      counter[d]!++;
      src += st[d]!;
      if (counter[d]! < dims[d]!) break;
      src -= st[d]! * dims[d]!;
      counter[d] = 0;
    }
  }
}

export const expand: Kernel<unknown> = (out: View, [x]: readonly View[]) => {
  const o = out.values;
  const v = x!.values;
  const n = o.length;
  if (n === 0) return;
  if (v.length === n) return o.set(v as never);
  if (v.length === 1) return (o as Float32Array).fill(v[0]! as number);
  // x's dims align with out's trailing dims; a dim of size 1 against a larger one broadcasts (stride 0).
  const os = out.shape;
  const s = x!.shape;
  const xst = stridesOf(s);
  const lead = os.length - s.length;
  const strides = os.map((d, i) => (i < lead || (s[i - lead] === 1 && d !== 1) ? 0 : xst[i - lead]!));
  gather(o, v, os, strides);
};

export const permute: Kernel<{ perm: readonly number[] }> = (out, [x], attrs) => {
  const s = x!.shape;
  if (out.values.length === 0) return;
  if (s.length === 2 && attrs.perm[0] === 1) {
    const [r, c] = [s[0]!, s[1]!];
    const o = out.values;
    const v = x!.values;
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) o[j * r + i] = v[i * c + j]!;
    return;
  }
  const st = stridesOf(s);
  gather(out.values, x!.values, attrs.perm.map((p) => s[p]!), attrs.perm.map((p) => st[p]!));
};

export const cast: Kernel<{ dtype: string }> = (out, [x], attrs) => {
  if (attrs.dtype === 'bool' || (attrs.dtype === 'int32' && x!.dtype !== 'int32' && x!.dtype !== 'bool')) {
    return fallback('cast')(out, [x!], attrs);
  }
  out.values.set(x!.values);
};

/**
 * slice: the output's rows (its last dim) are contiguous runs of x, so the odometer moves once per
 * row instead of once per element (the reference's per-element callback measured ~6% of a KAN
 * step: the spline vjp slices its [B, F, nb+1] basis twice). Long runs are one memcpy.
 */
export const slice: Kernel<{ starts: readonly number[]; ends: readonly number[] }> = (out, [x], { starts, ends }) => {
  const o = out.values;
  const xs = x!.values;
  const rank = x!.shape.length;
  if (o.length === 0) return;
  if (rank === 0) {
    o[0] = xs[0]!;
    return;
  }
  const st = stridesOf(x!.shape);
  const extent = starts.map((s, d) => ends[d]! - s);
  const inner = extent[rank - 1]!;
  let src = 0;
  for (let d = 0; d < rank; d++) src += starts[d]! * st[d]!;
  const counter = new Array<number>(rank).fill(0);
  for (let dst = 0; dst < o.length; dst += inner) {
    if (inner >= 64) (o as Float32Array).set((xs as Float32Array).subarray(src, src + inner), dst);
    else for (let c = 0; c < inner; c++) o[dst + c] = xs[src + c]!;
    for (let d = rank - 2; d >= 0; d--) {
      counter[d]!++;
      src += st[d]!;
      if (counter[d]! < extent[d]!) break;
      src -= st[d]! * extent[d]!;
      counter[d] = 0;
    }
  }
};
