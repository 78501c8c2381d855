/** @file Pretty printing (PyTorch-like) and nested-array conversion. */
import type { DType, TypedArray } from './dtype.js';
import type { Shape } from './shape.js';

export type Nested = number | boolean | Nested[];

export function toNested(data: TypedArray, shape: Shape, asBool: boolean): Nested {
  const conv = (v: number): number | boolean => (asBool ? v !== 0 : v);
  if (shape.length === 0) return conv(data[0]!);
  const rec = (dim: number, offset: number, stride: number): Nested[] => {
    const n = shape[dim]!;
    const inner = stride / Math.max(n, 1);
    const out: Nested[] = [];
    for (let i = 0; i < n; i++) {
      out.push(dim === shape.length - 1 ? conv(data[offset + i]!) : rec(dim + 1, offset + i * inner, inner));
    }
    return out;
  };
  let total = 1;
  for (const d of shape) total *= d;
  return rec(0, 0, total);
}

const EDGE = 3;
const SUMMARIZE_OVER = 1000;

function fmtNumber(v: number, dtype: DType, fixed: boolean): string {
  if (dtype === 'bool') return v ? 'true' : 'false';
  if (dtype === 'int32') return String(v);
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  return fixed ? v.toFixed(4) : v.toExponential(4);
}

/** `tensor([[1.0000, 2.0000], ...], dtype=float64, requiresGrad=true)`; long dims elided with `...`. */
export function formatTensor(data: TypedArray, shape: Shape, dtype: DType, requiresGrad: boolean, gradFn?: string): string {
  let maxAbs = 0;
  let minAbs = Infinity;
  for (let i = 0; i < data.length; i++) {
    const a = Math.abs(data[i]!);
    if (Number.isFinite(a)) {
      if (a > maxAbs) maxAbs = a;
      if (a > 0 && a < minAbs) minAbs = a;
    }
  }
  const fixed = maxAbs < 1e5 && (minAbs >= 1e-4 || minAbs === Infinity);
  const summarize = data.length > SUMMARIZE_OVER;
  const cells: string[] = [];
  const strides: number[] = [];
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= shape[i]!;
  }
  const visit = (dim: number, offset: number): string => {
    if (dim === shape.length) {
      const s = fmtNumber(data[offset]!, dtype, fixed);
      cells.push(s);
      return s;
    }
    const n = shape[dim]!;
    const parts: string[] = [];
    for (let i = 0; i < n; i++) {
      if (summarize && n > 2 * EDGE && i === EDGE) {
        parts.push('...');
        i = n - EDGE - 1;
        continue;
      }
      parts.push(visit(dim + 1, offset + i * strides[dim]!));
    }
    const sep = dim === shape.length - 1 ? ', ' : ',\n' + ' '.repeat(8 + dim);
    return `[${parts.join(sep)}]`;
  };
  const body = visit(0, 0);
  const extras: string[] = [];
  if (data.length === 0) extras.push(`size=[${shape.join(', ')}]`);
  if (dtype !== 'float32') extras.push(`dtype=${dtype}`);
  if (gradFn) extras.push(`gradFn=${gradFn}`);
  else if (requiresGrad) extras.push('requiresGrad=true');
  return `tensor(${body}${extras.length ? ', ' + extras.join(', ') : ''})`;
}
