/**
 * @file Data types, their storage arrays and promotion rules (a subset of PyTorch's lattice:
 * bool < int32 < float32 < float64).
 */
import { DTypeError } from './errors.js';

export type DType = 'float32' | 'float64' | 'int32' | 'bool';
export type FloatDType = 'float32' | 'float64';
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export const DTYPES: readonly DType[] = ['bool', 'int32', 'float32', 'float64'];

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };
const BYTES: Record<DType, number> = { bool: 1, int32: 4, float32: 4, float64: 8 };

export function isDType(x: unknown): x is DType {
  return x === 'float32' || x === 'float64' || x === 'int32' || x === 'bool';
}

export function isFloat(d: DType): d is FloatDType {
  return d === 'float32' || d === 'float64';
}

export function bytesPerElement(d: DType): number {
  return BYTES[d];
}

/** The wider of two dtypes (NumPy/PyTorch promotion restricted to our four types). */
export function promote(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

export function allocArray(d: DType, size: number): TypedArray {
  switch (d) {
    case 'float32': return new Float32Array(size);
    case 'float64': return new Float64Array(size);
    case 'int32': return new Int32Array(size);
    case 'bool': return new Uint8Array(size);
  }
}

/** dtype of a typed array, for `tensor(typedArray)`. Uint8Array maps to bool only when asked. */
export function dtypeOfArray(a: ArrayBufferView): DType | undefined {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint8Array) return 'bool';
  return undefined;
}

let defaultFloat: FloatDType = 'float32';

/** The dtype of tensors made from JS numbers when none is given (PyTorch: torch.set_default_dtype). */
export function setDefaultDType(d: FloatDType): void {
  if (d !== 'float32' && d !== 'float64') {
    throw new DTypeError(`setDefaultDType: expected 'float32' or 'float64', got ${String(d)}`, 'INVALID_DTYPE');
  }
  defaultFloat = d;
}

export function getDefaultDType(): FloatDType {
  return defaultFloat;
}

/** Throws a DTypeError unless `d` is a float dtype; `what` names the op. */
export function requireFloat(op: string, d: DType, what = 'input'): void {
  if (!isFloat(d)) {
    throw new DTypeError(`${op}: ${what} must be float32 or float64, got ${d}`);
  }
}

/** Rounds a JS number to what the dtype stores (used by scalar paths that bypass typed arrays). */
export function castScalar(x: number, d: DType): number {
  switch (d) {
    case 'float32': return Math.fround(x);
    case 'float64': return x;
    case 'int32': return x | 0;
    case 'bool': return x !== 0 ? 1 : 0;
  }
}
