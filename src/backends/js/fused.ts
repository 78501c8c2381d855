/**
 * @file The js backend's fused kernels: `linear` (the packed GEMM of matmul.ts with Wᵀ folded into
 * its packing, then one bias + activation pass) and `logSoftmax` along any axis. Accumulation is in
 * doubles like the other js kernels; every dtype works.
 */
import type { Kernel, View } from '../../core/primitive.js';
import { geluGradScalar, geluScalar } from '../../core/special.js';
import { matmul } from './matmul.js';

// Attribute shapes of ops/primitives/linear.ts and log-softmax.ts (backends import only core).
interface LinearAttrs {
  activation: 'none' | 'relu' | 'tanh' | 'gelu';
}
interface LogSoftmaxAttrs {
  axis: number;
}

const MATMUL_BT = { transA: false, transB: true };

function activate(activation: LinearAttrs['activation'], z: number): number {
  switch (activation) {
    case 'none': return z;
    case 'relu': return z <= 0 ? 0 : z; // a NaN propagates
    case 'tanh': return Math.tanh(z);
    case 'gelu': return geluScalar(z);
  }
}

/** [outer, len, inner] of the slices along `axis` (rank 0: one slice of length 1). */
export function axisLayout(shape: readonly number[], axis: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let d = 0; d < axis; d++) outer *= shape[d]!;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!;
  return [outer, shape.length === 0 ? 1 : shape[axis]!, inner];
}

export const linear: Kernel<LinearAttrs> = (out, ins, { activation }) => {
  const [x, w, b] = ins as [View, View, View | undefined];
  const [outF, inF] = w.shape as [number, number];
  const rows = outF === 0 ? 0 : out.values.length / outF;
  if (rows === 0 || outF === 0) return;
  matmul({ shape: [rows, outF], dtype: out.dtype, values: out.values }, [{ shape: [rows, inF], dtype: x.dtype, values: x.values }, w], MATMUL_BT);
  const o = out.values;
  const bv = b?.values;
  if (activation === 'none' && !bv) return;
  for (let r = 0; r < rows; r++) {
    const base = r * outF;
    for (let j = 0; j < outF; j++) {
      // The stored (rounded) GEMM result plus the bias, as the composite's separate add does.
      const z = bv ? o[base + j]! + bv[j]! : o[base + j]!;
      o[base + j] = activate(activation, z);
    }
  }
};

export const logSoftmax: Kernel<LogSoftmaxAttrs> = (out, [x], { axis }) => {
  const [outer, len, inner] = axisLayout(x!.shape, axis);
  const xv = x!.values;
  const o = out.values;
  for (let a = 0; a < outer; a++) {
    for (let c = 0; c < inner; c++) {
      const base = a * len * inner + c;
      const end = base + len * inner;
      let m = -Infinity;
      for (let i = base; i < end; i += inner) {
        const v = xv[i]!;
        if (v > m || v !== v) m = v;
        if (v !== v) break;
      }
      const shift = m - m === 0 ? m : 0; // finite max, else no shift (as the reference)
      let s = 0;
      for (let i = base; i < end; i += inner) s += Math.exp(xv[i]! - shift);
      const lse = Math.log(s === 0 ? 1 : s);
      for (let i = base; i < end; i += inner) o[i] = xv[i]! - shift - lse;
    }
  }
};

/**
 * indexSelect (batch assembly, embedding lookups): each picked slice of `inner` contiguous elements
 * is one typed-array `set` (a memcpy) instead of an element loop, when slices are long enough to pay
 * for the subarray object. Indices were range-checked by the op's wrapper.
 */
export const indexSelect: Kernel<{ axis: number }> = (out, [x, index], { axis }) => {
  const [outer, len, inner] = axisLayout(x!.shape, axis);
  const idx = index!.values;
  const o = out.values;
  const xs = x!.values;
  const m = idx.length;
  for (let r = 0; r < outer; r++) {
    for (let j = 0; j < m; j++) {
      const src = (r * len + idx[j]!) * inner;
      const dst = (r * m + j) * inner;
      if (inner >= 32) (o as Float32Array).set((xs as Float32Array).subarray(src, src + inner), dst);
      else for (let c = 0; c < inner; c++) o[dst + c] = xs[src + c]!;
    }
  }
};

/** geluBackward: g·GELU'(z) per element, in doubles (the reference's arithmetic; dtype-agnostic). */
export const geluBackward: Kernel<Record<string, never>> = (out, [g, z]) => {
  const gs = g!.values;
  const zs = z!.values;
  const o = out.values;
  for (let i = 0; i < o.length; i++) o[i] = gs[i]! * geluGradScalar(zs[i]!);
};
