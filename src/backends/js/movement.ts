/** @file Fast paths for expand (row broadcast), 2-D permute (transpose) and slice; other cases use reference. */
import type { Kernel, View } from '../../core/primitive.js';
import { stridesOf } from '../../core/shape.js';
import { fallback } from './elementwise.js';

export const expand: Kernel<unknown> = (out: View, [x]: readonly View[], attrs) => {
  const o = out.values;
  const v = x!.values;
  const n = o.length;
  if (v.length === n) return o.set(v);
  if (v.length === 1) return o.fill(v[0]!);
  // x's non-1 dims form a trailing block of out: repeat it.
  const s = x!.shape;
  const os = out.shape;
  let i = s.length - 1;
  let j = os.length - 1;
  while (i >= 0 && s[i] === os[j]) {
    i--;
    j--;
  }
  let trailing = true;
  for (; i >= 0; i--) if (s[i] !== 1) trailing = false;
  if (trailing) {
    const m = v.length;
    for (let k = 0; k < n; k += m) o.set(v, k);
    return;
  }
  fallback('expand')(out, [x!], attrs);
};

export const permute: Kernel<{ perm: readonly number[] }> = (out, [x], attrs) => {
  const s = x!.shape;
  if (s.length === 2 && attrs.perm[0] === 1) {
    const [r, c] = [s[0]!, s[1]!];
    const o = out.values;
    const v = x!.values;
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) o[j * r + i] = v[i * c + j]!;
    return;
  }
  fallback('permute')(out, [x!], attrs);
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
