/**
 * @file Reductions when the reduced axes form one contiguous block: the input is viewed as
 * [outer, len, inner] and reduced over len. Other axis sets use the reference kernel.
 */
import type { Kernel, View } from '../../core/primitive.js';
import { fallback } from './elementwise.js';

interface ReduceAttrs {
  axes: readonly number[];
  keepDims: boolean;
}

/** [outer, len, inner] when `axes` are consecutive, else null. */
function block(shape: readonly number[], axes: readonly number[]): [number, number, number] | null {
  for (let i = 1; i < axes.length; i++) if (axes[i] !== axes[i - 1]! + 1) return null;
  if (axes.length === 0) return [shape.reduce((p, d) => p * d, 1), 1, 1];
  const first = axes[0]!;
  const last = axes[axes.length - 1]!;
  const prod = (a: number, b: number): number => shape.slice(a, b).reduce((p, d) => p * d, 1);
  return [prod(0, first), prod(first, last + 1), prod(last + 1, shape.length)];
}

export const sum: Kernel<ReduceAttrs> = (out: View, [x]: readonly View[], attrs: ReduceAttrs) => {
  const b = block(x!.shape, attrs.axes);
  if (!b) return fallback('sum')(out, [x!], attrs);
  const [outer, len, inner] = b;
  const o = out.values;
  const v = x!.values;
  if (inner === 1) {
    for (let r = 0; r < outer; r++) {
      let acc = 0;
      const base = r * len;
      for (let j = 0; j < len; j++) acc += v[base + j]!;
      o[r] = acc;
    }
    return;
  }
  const acc = new Float64Array(inner);
  for (let r = 0; r < outer; r++) {
    acc.fill(0);
    for (let j = 0; j < len; j++) {
      const base = (r * len + j) * inner;
      for (let c = 0; c < inner; c++) acc[c] = acc[c]! + v[base + c]!;
    }
    o.set(acc, r * inner);
  }
};

function extremum(name: 'max' | 'min', better: (a: number, b: number) => boolean): Kernel<ReduceAttrs> {
  return (out, [x], attrs) => {
    const b = block(x!.shape, attrs.axes);
    if (!b || b[2] !== 1) return fallback(name)(out, [x!], attrs);
    const [outer, len] = b;
    const o = out.values;
    const v = x!.values;
    for (let r = 0; r < outer; r++) {
      const base = r * len;
      let best = v[base]!;
      for (let j = 1; j < len && best === best; j++) {
        const e = v[base + j]!;
        if (e !== e || better(e, best)) best = e; // NaN wins and stops the scan
      }
      o[r] = best;
    }
  };
}

export const max = extremum('max', (a, b) => a > b);
export const min = extremum('min', (a, b) => a < b);

function argExtremum(name: 'argmax' | 'argmin', better: (a: number, b: number) => boolean): Kernel<ReduceAttrs> {
  return (out, [x], attrs) => {
    const b = block(x!.shape, attrs.axes);
    if (!b || b[2] !== 1) return fallback(name)(out, [x!], attrs);
    const [outer, len] = b;
    const o = out.values;
    const v = x!.values;
    for (let r = 0; r < outer; r++) {
      const base = r * len;
      let best = v[base]!;
      let at = 0;
      for (let j = 1; j < len && best === best; j++) {
        const e = v[base + j]!;
        if (e !== e || better(e, best)) {
          best = e;
          at = j;
        }
      }
      o[r] = at;
    }
  };
}

export const argmax = argExtremum('argmax', (a, b) => a > b);
export const argmin = argExtremum('argmin', (a, b) => a < b);
