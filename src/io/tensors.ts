/**
 * @file From validated safetensors entries to plexus tensors. F32/F64/I32/BOOL are copied as bytes
 * (NaN payloads intact); I64 (PyTorch's int64) reads as int32 when every value fits, else an error
 * naming tensor, element and value; every other file dtype, or a different wanted dtype, needs `{convert: true}`
 * and then converts only exactly: a value the target cannot hold is an error naming tensor, element
 * and value, never rounded or reinterpreted (docs/reliability.md "Model files"). Also the check of a file against
 * the tensors a model expects (row 11), done before anything is allocated.
 */
import { empty } from '../core/create.js';
import { type DType, bytesPerElement, isDType } from '../core/dtype.js';
import { ValueError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { ModelFormatError } from './errors.js';
import {
  type ParseOptions, type SafetensorsEntry, type SafetensorsFile,
  CONVERT_TO, FILE_DTYPE, IMPLICIT, MAX_SAFE, NATIVE, copyBytes, parseSafetensors, q,
} from './safetensors.js';

export interface ConvertOptions {
  /** Allow exact conversion from a file dtype that differs from the plexus dtype (default false). */
  convert?: boolean;
  /** The dtype wanted. Without `convert` the file must already hold it. */
  dtype?: DType;
}

/** Which plexus dtype `entry` becomes under `opts`; throws DTYPE_MISMATCH when that needs a conversion not allowed. */
export function targetDType(entry: SafetensorsEntry, opts: ConvertOptions = {}): DType {
  if (opts.dtype !== undefined && !isDType(opts.dtype)) {
    throw new ValueError(`toTensor: unknown dtype ${JSON.stringify(opts.dtype)}; expected float32, float64, int32 or bool`, 'INVALID_DTYPE');
  }
  // I64 reads as int32 without convert (every value checked in toTensor): PyTorch's integer buffers.
  const native = NATIVE.get(entry.dtype) ?? IMPLICIT.get(entry.dtype);
  const target = opts.dtype ?? native ?? (opts.convert ? CONVERT_TO.get(entry.dtype) : undefined);
  if (target === undefined) {
    throw new ModelFormatError('DTYPE_MISMATCH', `tensor ${q(entry.name)}: file dtype ${entry.dtype} is not a plexus dtype (plexus holds F32, F64, I32, BOOL, and reads I64 as int32); pass {convert: true} to convert it exactly to ${CONVERT_TO.get(entry.dtype)}`);
  }
  if (target !== native && !opts.convert) {
    throw new ModelFormatError('DTYPE_MISMATCH', `tensor ${q(entry.name)}: expected ${FILE_DTYPE[target]} (${target}), got ${entry.dtype}; pass {convert: true} to convert exactly`);
  }
  return target;
}

/** Reads element i of the entry as a number, or a bigint for 64-bit integers. */
function reader(entry: SafetensorsEntry): (i: number) => number | bigint {
  const b = entry.bytes;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  switch (entry.dtype) {
    case 'BOOL': case 'U8': return (i) => dv.getUint8(i);
    case 'I8': return (i) => dv.getInt8(i);
    case 'U16': return (i) => dv.getUint16(2 * i, true);
    case 'I16': return (i) => dv.getInt16(2 * i, true);
    case 'U32': return (i) => dv.getUint32(4 * i, true);
    case 'I32': return (i) => dv.getInt32(4 * i, true);
    case 'F32': return (i) => dv.getFloat32(4 * i, true);
    case 'F64': return (i) => dv.getFloat64(8 * i, true);
    case 'I64': return (i) => dv.getBigInt64(8 * i, true);
    case 'U64': return (i) => dv.getBigUint64(8 * i, true);
    case 'F16': return (i) => halfToNumber(dv.getUint16(2 * i, true));
    case 'BF16': return (i) => bf16Bits(dv.getUint16(2 * i, true));
  }
}

/** IEEE binary16 to a number (exact: every half is a double). */
function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

/** bfloat16 is the top half of a float32. */
function bf16Bits(h: number): number {
  const f = new Float32Array(1);
  new Uint32Array(f.buffer)[0] = h << 16;
  return f[0]!;
}

/** Float32 bits of a half (sign, exponent rebiased, mantissa shifted), keeping NaN payloads. */
function halfToF32Bits(h: number): number {
  const s = (h & 0x8000) << 16;
  const e = (h >> 10) & 0x1f;
  let m = h & 0x3ff;
  if (e === 31) return s | 0x7f800000 | (m << 13);
  if (e !== 0) return s | ((e + 112) << 23) | (m << 13);
  if (m === 0) return s;
  let ex = 113; // subnormal half: normalise
  while ((m & 0x400) === 0) {
    m <<= 1;
    ex--;
  }
  return s | (ex << 23) | ((m & 0x3ff) << 13);
}

/** True when `v` is exactly representable in `d`. */
function fits(v: number | bigint, d: DType): boolean {
  if (typeof v === 'bigint') {
    if (d === 'int32') return v >= -(2n ** 31n) && v < 2n ** 31n;
    if (d === 'float64') return v >= -MAX_SAFE - 1n && v <= MAX_SAFE + 1n; // |v| <= 2^53
    if (d === 'float32') return BigInt(Number(v)) === v && Math.fround(Number(v)) === Number(v);
    return v === 0n || v === 1n;
  }
  if (d === 'float64') return true;
  if (d === 'float32') return Number.isNaN(v) || Math.fround(v) === v;
  if (d === 'int32') return Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31;
  return v === 0 || v === 1;
}

/** Throws INEXACT_CONVERSION (or INVALID_VALUE for a BOOL byte other than 0/1) at the first bad value. */
function checkValues(entry: SafetensorsEntry, target: DType, n: number): void {
  const read = reader(entry);
  for (let i = 0; i < n; i++) {
    const v = read(i);
    if (!fits(v, target)) {
      const code = entry.dtype === 'BOOL' && target === 'bool' ? 'INVALID_VALUE' : 'INEXACT_CONVERSION';
      throw new ModelFormatError(code, `tensor ${q(entry.name)}: element ${i} = ${String(v)} (${entry.dtype}) is not exactly representable as ${target}`);
    }
  }
}


/**
 * A new tensor holding an entry's values. F32/F64/I32/BOOL map to float32/float64/int32/bool as bytes.
 * Other file dtypes (or another `dtype`) need `{convert: true}` and convert only exactly: any value the
 * target cannot hold (an I64 beyond 2^53, a U32 into int32, 0.1 into int32) is an error, never rounded.
 */
export function toTensor(entry: SafetensorsEntry, opts: ConvertOptions = {}): Tensor {
  const target = targetDType(entry, opts);
  const n = entry.shape.reduce((a, b) => a * b, 1);
  const native = NATIVE.get(entry.dtype) === target;
  if (!native || target === 'bool') checkValues(entry, target, n);
  if (entry.dtype === 'I64' && target === 'int32' && !native) {
    // Checked above: every value is in int32, so the low 32 bits of each little-endian word are it.
    const t64 = empty(entry.shape, { dtype: 'int32' }, 'safetensors');
    const dv = new DataView(entry.bytes.buffer, entry.bytes.byteOffset, entry.bytes.byteLength);
    const o = t64.values as Int32Array;
    for (let i = 0; i < n; i++) o[i] = dv.getInt32(8 * i, true);
    return t64;
  }
  const t = empty(entry.shape, { dtype: target }, 'safetensors');
  const out = t.values;
  if (native) {
    copyBytes(entry.bytes, out, bytesPerElement(target));
  } else if (target === 'float32' && (entry.dtype === 'F16' || entry.dtype === 'BF16')) {
    // Bit-level, so NaN payloads and signed zeros carry over exactly.
    const bits = new Uint32Array(out.buffer, out.byteOffset, n);
    const dv = new DataView(entry.bytes.buffer, entry.bytes.byteOffset, entry.bytes.byteLength);
    const half = entry.dtype === 'F16';
    for (let i = 0; i < n; i++) {
      const h = dv.getUint16(2 * i, true);
      bits[i] = half ? halfToF32Bits(h) : h << 16;
    }
  } else {
    const read = reader(entry);
    for (let i = 0; i < n; i++) out[i] = Number(read(i));
  }
  return t;
}

/** Parses a buffer and converts every tensor (all dtype checks happen before the first allocation). */
export function decodeSafetensors(bytes: Uint8Array, opts: ParseOptions & ConvertOptions = {}): { tensors: Map<string, Tensor>; metadata: Map<string, string> } {
  const file = parseSafetensors(bytes, opts);
  for (const e of file.tensors.values()) targetDType(e, opts);
  const tensors = new Map<string, Tensor>();
  try {
    for (const [name, e] of file.tensors) tensors.set(name, toTensor(e, opts));
  } catch (err) {
    for (const t of tensors.values()) t.dispose();
    throw err;
  }
  return { tensors, metadata: file.metadata };
}

/** What a loader expects of one tensor. */
export interface TensorSpec {
  shape: readonly number[];
  dtype?: DType;
}

/**
 * Compares a parsed file with the tensors a model expects, before anything is allocated (row 11).
 * Throws one STATE_MISMATCH listing every missing, unexpected (when strict), mis-shaped and
 * unconvertible tensor, so a user sees all problems at once, as PyTorch's load_state_dict(strict=True).
 */
export function checkTensorSpecs(
  file: SafetensorsFile, expected: ReadonlyMap<string, TensorSpec>, opts: ConvertOptions & { strict?: boolean; source?: string } = {},
): void {
  const missing: string[] = [];
  const unexpected: string[] = [];
  const problems: string[] = [];
  for (const [name, spec] of expected) {
    const e = file.tensors.get(name);
    if (!e) {
      missing.push(q(name));
      continue;
    }
    if (e.shape.length !== spec.shape.length || e.shape.some((d, i) => d !== spec.shape[i])) {
      problems.push(`${q(name)} has shape ${fmtShape(e.shape)} in the file, expected ${fmtShape(spec.shape)}`);
    }
    if (spec.dtype !== undefined) {
      try {
        targetDType(e, { ...opts, dtype: spec.dtype });
      } catch (err) {
        if (!(err instanceof ModelFormatError)) throw err;
        problems.push(`${q(name)} is ${e.dtype} in the file, expected ${FILE_DTYPE[spec.dtype]}${opts.convert ? '' : ' (pass {convert: true} to convert exactly)'}`);
      }
    }
  }
  if (opts.strict ?? true) for (const name of file.tensors.keys()) if (!expected.has(name)) unexpected.push(q(name));
  if (missing.length + unexpected.length + problems.length === 0) return;
  const parts: string[] = [];
  if (missing.length) parts.push(`missing ${missing.length}: ${missing.join(', ')}`);
  if (unexpected.length) parts.push(`unexpected ${unexpected.length}: ${unexpected.join(', ')}`);
  if (problems.length) parts.push(`mismatched ${problems.length}: ${problems.join('; ')}`);
  throw new ModelFormatError('STATE_MISMATCH', `${opts.source ?? 'safetensors'}: tensors do not match the model: ${parts.join('. ')}`);
}
