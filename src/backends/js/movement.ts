/** @file Fast paths for expand (row broadcast) and 2-D permute (transpose); other cases use reference. */
import type { Kernel, View } from '../../core/primitive.js';
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
