/**
 * @file Elementwise kernels for typed arrays of any dtype. Binary ops get specialised loops for the
 * shapes training produces (equal shapes, scalar operand, bias-row broadcast) and a collapsed-strides
 * loop for the rest; each op is a separate closure so V8 inlines its arithmetic.
 */
import { getPrimitive, type Kernel, type PrimitiveName, type View } from '../../core/primitive.js';
import { binaryLoop, plan } from './strided.js';

type F2 = (a: number, b: number) => number;

export function unary(f: (x: number) => number): Kernel<unknown> {
  return (out: View, [x]: readonly View[]) => {
    const o = out.values;
    const a = x!.values;
    const n = o.length;
    for (let i = 0; i < n; i++) o[i] = f(a[i]!);
  };
}

/** A binary kernel; `f` must be a small arrow so the specialised loops below inline it. */
export function binary(f: F2): Kernel<unknown> {
  return (out: View, [x, y]: readonly View[]) => {
    const o = out.values;
    const a = x!.values;
    const b = y!.values;
    const n = o.length;
    if (a.length === n && b.length === n) {
      for (let i = 0; i < n; i++) o[i] = f(a[i]!, b[i]!);
    } else if (b.length === 1 && a.length === n) {
      const s = b[0]!;
      for (let i = 0; i < n; i++) o[i] = f(a[i]!, s);
    } else if (a.length === 1 && b.length === n) {
      const s = a[0]!;
      for (let i = 0; i < n; i++) o[i] = f(s, b[i]!);
    } else if (a.length === n && isRowOf(y!, out)) {
      const m = b.length;
      for (let i = 0; i < n; i += m) for (let j = 0; j < m; j++) o[i + j] = f(a[i + j]!, b[j]!);
    } else if (b.length === n && isRowOf(x!, out)) {
      const m = a.length;
      for (let i = 0; i < n; i += m) for (let j = 0; j < m; j++) o[i + j] = f(a[j]!, b[i + j]!);
    } else {
      binaryLoop(o, a, b, plan(out.shape, [x!.shape, y!.shape]), f);
    }
  };
}

/** True when `v` broadcasts as a trailing block of `out` (e.g. a bias [n] or [1, n] against [b, n]). */
function isRowOf(v: View, out: View): boolean {
  const s = v.shape;
  const o = out.shape;
  let i = s.length - 1;
  let j = o.length - 1;
  while (i >= 0 && s[i] === o[j]) {
    i--;
    j--;
  }
  for (; i >= 0; i--) if (s[i] !== 1) return false;
  return v.values.length > 0;
}

/** where(cond, a, b) with the common fast path of equal shapes. */
export const where: Kernel<unknown> = (out, [c, x, y]) => {
  const o = out.values;
  const cv = c!.values;
  const a = x!.values;
  const b = y!.values;
  const n = o.length;
  if (cv.length === n && a.length === n && b.length === n) {
    for (let i = 0; i < n; i++) o[i] = cv[i] ? a[i]! : b[i]!;
    return;
  }
  if (cv.length === n && a.length === n && b.length === 1) {
    const s = b[0]!;
    for (let i = 0; i < n; i++) o[i] = cv[i] ? a[i]! : s;
    return;
  }
  if (cv.length === n && a.length === 1 && b.length === n) {
    const s = a[0]!;
    for (let i = 0; i < n; i++) o[i] = cv[i] ? s : b[i]!;
    return;
  }
  fallback('where')(out, [c!, x!, y!], undefined);
};

/** The primitive's reference kernel, for shapes the fast paths do not cover. */
export function fallback(name: PrimitiveName): Kernel<unknown> {
  return getPrimitive(name).reference;
}
