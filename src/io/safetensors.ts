/**
 * @file The safetensors container: `u64 LE header length N | N bytes of JSON header | data bytes`.
 * The header maps tensor names to {dtype, shape, data_offsets: [begin, end]} (offsets relative to the
 * data section) plus an optional "__metadata__" {string: string}.
 *
 * Reading validates the whole container before anything is allocated (docs/reliability.md "Model files"): the
 * header length is compared as a BigInt against the cap and the file size, the JSON is parsed by a
 * strict parser (duplicate keys, depth, byte offsets; json.ts), dtypes are looked up in a Map, shapes
 * are multiplied as BigInts, and the sorted offsets must tile the data section exactly (no overlap,
 * gap or trailing bytes). Values are copied as bytes, never through JS numbers, so NaN payloads survive.
 *
 * Integrity (optional on write, on by default): metadata "plexus.sha256" holds the SHA-256 of the whole
 * file with those 64 hex digits replaced by ASCII '0'. So a flipped bit anywhere, header included, is
 * caught, and any reader can check it with a few lines (scripts/check_safetensors.py does).
 */
import { type DType, bytesPerElement } from '../core/dtype.js';
import { ValueError, fmtShape } from '../core/errors.js';
import { Tensor } from '../core/tensor.js';
import { ModelFormatError } from './errors.js';
import { sha256Hex } from './sha256.js';
import { type JsonObject, type JsonValue, JsonNumber, clip, describeJson, parseJsonBytes } from './json.js';

/** Dtype names of the safetensors format that plexus understands. */
export type SafeDType = 'BOOL' | 'U8' | 'I8' | 'U16' | 'I16' | 'U32' | 'I32' | 'F16' | 'BF16' | 'F32' | 'F64' | 'I64' | 'U64';

/** Element size in bytes. A Map, so a dtype string from a file ("__proto__") is only ever a key. */
const DTYPE_SIZE: ReadonlyMap<string, number> = new Map<SafeDType, number>([
  ['BOOL', 1], ['U8', 1], ['I8', 1], ['U16', 2], ['I16', 2], ['U32', 4], ['I32', 4],
  ['F16', 2], ['BF16', 2], ['F32', 4], ['F64', 8], ['I64', 8], ['U64', 8],
]);

/** File dtypes whose bytes are a plexus dtype's bytes (copied as they are). */
export const NATIVE: ReadonlyMap<SafeDType, DType> = new Map<SafeDType, DType>([
  ['F32', 'float32'], ['F64', 'float64'], ['I32', 'int32'], ['BOOL', 'bool'],
]);

/**
 * File dtypes read into a plexus dtype without `{convert: true}`, value by value, each checked to
 * fit: I64 (PyTorch's int64: BatchNorm's num_batches_tracked, integer labels) becomes int32, since
 * plexus has no int64; a value outside int32 is an error naming the tensor, element and value.
 */
export const IMPLICIT: ReadonlyMap<SafeDType, DType> = new Map<SafeDType, DType>([['I64', 'int32']]);

/**
 * Targets of `{convert: true}` when no dtype is asked for: the narrowest plexus dtype holding every
 * value of the file dtype exactly (U32 needs float64; I64/U64 go to float64 and fail beyond 2^53).
 */
export const CONVERT_TO: ReadonlyMap<SafeDType, DType> = new Map<SafeDType, DType>([
  ['U8', 'int32'], ['I8', 'int32'], ['U16', 'int32'], ['I16', 'int32'], ['U32', 'float64'],
  ['I64', 'float64'], ['U64', 'float64'], ['F16', 'float32'], ['BF16', 'float32'],
]);

export const FILE_DTYPE: Readonly<Record<DType, SafeDType>> = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };

export const DEFAULT_MAX_HEADER = 100_000_000;
export const DEFAULT_MAX_TENSORS = 65_536;
export const DEFAULT_MAX_DEPTH = 64;
/** Newest `plexus.format_version` this reader understands. */
export const FORMAT_VERSION = 1;
export const CHECKSUM_KEY = 'plexus.sha256';
export const VERSION_KEY = 'plexus.format_version';
const METADATA = '__metadata__';
const TENSOR_FIELDS = new Set(['dtype', 'shape', 'data_offsets']);

/** Byte order of this machine: tensors are little-endian in the file. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** One tensor of a parsed file: its bytes are a view into the input, exactly as stored. */
export interface SafetensorsEntry {
  name: string;
  dtype: SafeDType;
  shape: number[];
  /** Byte offsets [begin, end) within the data section. */
  dataOffsets: [number, number];
  /** The stored bytes (little-endian), a view of the parsed buffer: copy before changing that buffer. */
  bytes: Uint8Array;
}

export interface SafetensorsFile {
  /** Tensors by name, in header order. */
  tensors: Map<string, SafetensorsEntry>;
  metadata: Map<string, string>;
  /** Header length N (the data section starts at 8 + N). */
  headerLength: number;
}

export interface ParseOptions {
  /** Largest header accepted, in bytes (default 100 MB, as the reference implementation). */
  maxHeader?: number;
  /** Most tensors accepted (default 65 536); parsing stops as soon as the header lists more. */
  maxTensors?: number;
  /** Check metadata "plexus.sha256" when present (default true). */
  verifyChecksum?: boolean;
  /** Reject files without "plexus.sha256" (default false: files from other writers have none). */
  requireChecksum?: boolean;
  /** Name used in error messages (a path); default "safetensors". */
  source?: string;
}


function fail(code: string, source: string, msg: string): never {
  throw new ModelFormatError(code, `${source}: ${msg}`);
}

export const q = (name: string): string => JSON.stringify(clip(name));

/** A non-negative integer literal as a BigInt, or undefined (fractions, exponents, signs, strings). */
function nonNegInt(v: JsonValue | undefined): bigint | undefined {
  if (!(v instanceof JsonNumber) || !v.isIntegerLiteral) return undefined;
  const n = BigInt(v.text);
  return n < 0n ? undefined : n;
}

export const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

interface RawEntry {
  name: string;
  dtype: SafeDType;
  shape: number[];
  numel: bigint;
  begin: bigint;
  end: bigint;
}

/** Validates one header entry (dtype, shape, offsets) without touching the data. */
function readEntry(source: string, name: string, v: JsonValue): RawEntry {
  const where = `tensor ${q(name)}`;
  if (!(v instanceof Map)) fail('INVALID_HEADER', source, `${where}: expected an object {dtype, shape, data_offsets}, got ${describeJson(v)}`);
  for (const k of v.keys()) {
    if (!TENSOR_FIELDS.has(k)) fail('INVALID_HEADER', source, `${where}: unknown field ${q(k)} (expected dtype, shape, data_offsets)`);
  }
  for (const k of TENSOR_FIELDS) if (!v.has(k)) fail('INVALID_HEADER', source, `${where}: missing field "${k}"`);

  const dt = v.get('dtype');
  const size = typeof dt === 'string' ? DTYPE_SIZE.get(dt) : undefined;
  if (typeof dt !== 'string' || size === undefined) {
    fail('UNSUPPORTED_DTYPE', source, `${where}: unsupported dtype ${describeJson(dt)}; supported: ${[...DTYPE_SIZE.keys()].join(', ')}`);
  }

  const sh = v.get('shape');
  if (!Array.isArray(sh)) fail('INVALID_SHAPE', source, `${where}: shape must be an array of non-negative integers, got ${describeJson(sh)}`);
  const shape: number[] = [];
  let numel = 1n;
  for (let i = 0; i < sh.length; i++) {
    const d = nonNegInt(sh[i]);
    if (d === undefined) fail('INVALID_SHAPE', source, `${where}: shape entry ${i} is ${describeJson(sh[i])}; entries must be non-negative integers`);
    numel *= d;
    if (d > MAX_SAFE || numel > MAX_SAFE) {
      fail('SHAPE_OVERFLOW', source, `${where}: shape [${sh.map((x) => describeJson(x)).join(',')}] has more than 2^53-1 elements`);
    }
    shape.push(Number(d));
  }

  const off = v.get('data_offsets');
  const begin = Array.isArray(off) && off.length === 2 ? nonNegInt(off[0]) : undefined;
  const end = Array.isArray(off) && off.length === 2 ? nonNegInt(off[1]) : undefined;
  if (begin === undefined || end === undefined) {
    const shown = Array.isArray(off) ? `[${off.map((x) => describeJson(x)).join(', ')}]` : describeJson(off);
    fail('INVALID_OFFSET', source, `${where}: data_offsets must be two non-negative integers [begin, end], got ${shown}`);
  }
  if (end < begin) fail('INVALID_OFFSET', source, `${where}: data_offsets [${begin}, ${end}] end before they begin`);
  const span = end - begin;
  if (numel * BigInt(size) !== span) {
    fail('TENSOR_INFO_MISMATCH', source, `${where}: ${fmtShape(shape)}×${size} (${dt}) = ${numel * BigInt(size)} bytes but data_offsets [${begin}, ${end}] span ${span}`);
  }
  return { name, dtype: dt as SafeDType, shape, numel, begin, end };
}

/**
 * Checks that the entries, sorted by offset, tile [0, dataLength) exactly: each begins where the
 * previous ended, and the last ends at the end of the file.
 */
function checkTiling(source: string, entries: RawEntry[], dataLength: number): void {
  const sorted = [...entries].sort((a, b) => (a.begin < b.begin ? -1 : a.begin > b.begin ? 1 : a.end < b.end ? -1 : a.end > b.end ? 1 : 0));
  let at = 0n;
  let prev: RawEntry | undefined;
  for (const e of sorted) {
    if (e.begin < at) {
      fail('INVALID_OFFSET', source, `tensor ${q(e.name)}: data_offsets [${e.begin}, ${e.end}] overlap tensor ${q(prev!.name)} [${prev!.begin}, ${prev!.end}]`);
    }
    if (e.begin > at) {
      fail('INVALID_OFFSET', source, `tensor ${q(e.name)}: data_offsets [${e.begin}, ${e.end}] leave a gap: data bytes ${at}..${e.begin} belong to no tensor`);
    }
    at = e.end;
    prev = e;
  }
  const have = BigInt(dataLength);
  if (at > have) {
    fail('INCOMPLETE_BUFFER', source, `tensors need ${at} data bytes but the file has ${have} after the header (truncated?)`);
  }
  if (at < have) {
    fail('INCOMPLETE_BUFFER', source, `${have - at} trailing bytes after the last tensor: the data section is ${have} bytes, tensors cover ${at}`);
  }
}

/** Finds the one occurrence of `"<hex>"` in the header: where the writer put the digest. */
function digestPosition(bytes: Uint8Array, headerEnd: number, hex: string): number {
  const needle = new TextEncoder().encode(`"${hex}"`);
  let found = -1;
  outer: for (let i = 8; i + needle.length <= headerEnd; i++) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    if (found >= 0) return -1;
    found = i + 1;
  }
  return found;
}

const ZERO_DIGEST = new TextEncoder().encode('0'.repeat(64));

/** SHA-256 of `bytes` with the 64 digest bytes at `pos` read as ASCII zeros. */
function fileDigest(bytes: Uint8Array, pos: number): string {
  return sha256Hex([bytes.subarray(0, pos), ZERO_DIGEST, bytes.subarray(pos + 64)]);
}

function checkIntegrity(source: string, bytes: Uint8Array, headerEnd: number, metadata: Map<string, string>, opts: ParseOptions): void {
  const version = metadata.get(VERSION_KEY);
  if (version !== undefined && !(/^[0-9]{1,9}$/.test(version) && Number(version) <= FORMAT_VERSION)) {
    fail('UNSUPPORTED_VERSION', source, `UNSUPPORTED_VERSION ${clip(version, 20)} (max ${FORMAT_VERSION}): metadata "${VERSION_KEY}" is newer than this plexus reads; upgrade plexus`);
  }
  const hex = metadata.get(CHECKSUM_KEY);
  if (hex === undefined) {
    if (opts.requireChecksum) fail('CHECKSUM_MISSING', source, `metadata has no "${CHECKSUM_KEY}" but a checksum is required`);
    return;
  }
  if (opts.verifyChecksum === false) return;
  const pos = /^[0-9a-f]{64}$/.test(hex) ? digestPosition(bytes, headerEnd, hex) : -1;
  if (pos < 0) fail('CHECKSUM_MISMATCH', source, `metadata "${CHECKSUM_KEY}" is malformed (expected 64 lowercase hex digits written once in the header)`);
  const actual = fileDigest(bytes, pos);
  if (actual !== hex) {
    fail('CHECKSUM_MISMATCH', source, `checksum mismatch: the header records sha256 ${hex} but the file hashes to ${actual}; the file is corrupt`);
  }
}

/**
 * Checks the 8-byte length prefix against the cap and the file size; returns the header length.
 * Exported so file readers can refuse a bad file after reading 8 bytes instead of all of it.
 */
export function checkHeaderLength(prefix: Uint8Array, fileSize: number, opts: ParseOptions = {}): number {
  const source = opts.source ?? 'safetensors';
  const maxHeader = opts.maxHeader ?? DEFAULT_MAX_HEADER;
  if (prefix.length < 8 || fileSize < 8) {
    fail('HEADER_TOO_SMALL', source, `file has ${fileSize} bytes; a safetensors file starts with an 8-byte header length`);
  }
  // BigInt: Number() would round 2^53+1 down to 2^53 and let a bogus length through.
  const declared = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (declared > BigInt(maxHeader)) {
    fail('HEADER_TOO_LARGE', source, `header length ${declared} exceeds the maximum ${maxHeader} bytes`);
  }
  if (declared > BigInt(fileSize - 8)) {
    fail('INVALID_HEADER_LENGTH', source, `declares ${declared} header bytes, file has ${fileSize - 8} after the 8-byte length`);
  }
  return Number(declared);
}

/**
 * Parses and validates a safetensors buffer. Nothing is allocated for tensor data: entries hold views
 * of `bytes`. Throws ModelFormatError with a code per fault (see errors.ts).
 */
export function parseSafetensors(bytes: Uint8Array, opts: ParseOptions = {}): SafetensorsFile {
  const source = opts.source ?? 'safetensors';
  if (!(bytes instanceof Uint8Array)) throw new ValueError(`parseSafetensors: expected a Uint8Array, got ${typeof bytes}`);
  const maxTensors = opts.maxTensors ?? DEFAULT_MAX_TENSORS;
  const n = checkHeaderLength(bytes.subarray(0, 8), bytes.length, opts);
  const headerEnd = 8 + n;

  let tensorCount = 0;
  const top = parseJsonBytes(bytes, 8, headerEnd, {
    maxDepth: DEFAULT_MAX_DEPTH,
    fileOffset: 0,
    source,
    onTopKey: (key) => {
      if (key !== METADATA && ++tensorCount > maxTensors) {
        fail('TOO_MANY_TENSORS', source, `header lists more than ${maxTensors} tensors (maxTensors)`);
      }
    },
  });
  if (!(top instanceof Map)) fail('INVALID_HEADER', source, `header must be a JSON object, got ${describeJson(top)}`);

  const metadata = readMetadata(source, top);
  const raw: RawEntry[] = [];
  for (const [name, v] of top) if (name !== METADATA) raw.push(readEntry(source, name, v));
  checkTiling(source, raw, bytes.length - headerEnd);
  checkIntegrity(source, bytes, headerEnd, metadata, opts);

  const tensors = new Map<string, SafetensorsEntry>();
  for (const e of raw) {
    const b = Number(e.begin);
    const end = Number(e.end);
    tensors.set(e.name, { name: e.name, dtype: e.dtype, shape: e.shape, dataOffsets: [b, end], bytes: bytes.subarray(headerEnd + b, headerEnd + end) });
  }
  return { tensors, metadata, headerLength: n };
}

function readMetadata(source: string, top: JsonObject): Map<string, string> {
  const metadata = new Map<string, string>();
  const m = top.get(METADATA);
  if (m === undefined) return metadata;
  if (!(m instanceof Map)) fail('INVALID_HEADER', source, `"${METADATA}" must be an object of strings, got ${describeJson(m)}`);
  for (const [k, v] of m) {
    if (typeof v !== 'string') fail('INVALID_HEADER', source, `"${METADATA}" value of ${q(k)} must be a string, got ${describeJson(v)}`);
    metadata.set(k, v);
  }
  return metadata;
}

/** Copies little-endian file bytes into a typed array's bytes (byte-swapping on big-endian hosts). */
export function copyBytes(src: Uint8Array, dst: ArrayBufferView, elem: number): void {
  const out = new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength);
  if (LITTLE_ENDIAN || elem === 1) {
    out.set(src);
    return;
  }
  for (let i = 0; i < src.length; i += elem) for (let j = 0; j < elem; j++) out[i + j] = src[i + elem - 1 - j]!;
}

// ---------------------------------------------------------------------------------------------------
// Writing.

export interface SerializeOptions {
  /** Write "plexus.sha256" and "plexus.format_version" into the metadata (default true). */
  checksum?: boolean;
  /**
   * File dtype of int32 tensors: 'I32' (default) or 'I64', PyTorch's dtype for integer buffers and
   * labels (`torch.load_state_dict` then gets the int64 it expects; plexus reads I64 back as int32).
   */
  intDType?: 'I32' | 'I64';
}


export type TensorSource = ReadonlyMap<string, Tensor> | Iterable<readonly [string, Tensor]>;
export type MetadataSource = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

function metadataEntries(metadata: MetadataSource | undefined): [string, string][] {
  if (metadata === undefined) return [];
  // Object.entries reads own enumerable keys only: an inherited or "__proto__" key is never followed.
  const list: [string, string][] = metadata instanceof Map ? [...metadata] : Object.entries(metadata);
  for (const [k, v] of list) {
    if (typeof v !== 'string') throw new ValueError(`serializeSafetensors: metadata ${q(k)} must be a string, got ${typeof v}`);
    if (k === CHECKSUM_KEY || k === VERSION_KEY) throw new ValueError(`serializeSafetensors: metadata key ${q(k)} is written by plexus itself`, 'RESERVED_KEY');
  }
  return list;
}

/**
 * Serializes tensors to safetensors bytes. Header keys are sorted by name and padded with spaces to a
 * multiple of 8; data is laid out by element size (largest first) then name, so every tensor starts
 * aligned to its element size. Values are copied byte-for-byte.
 */
export function serializeSafetensors(tensors: TensorSource, metadata?: MetadataSource, opts: SerializeOptions = {}): Uint8Array {
  const intDType = opts.intDType ?? 'I32';
  if (intDType !== 'I32' && intDType !== 'I64') throw new ValueError(`serializeSafetensors: intDType must be 'I32' or 'I64', got ${JSON.stringify(intDType)}`, 'INVALID_DTYPE');
  const wide = intDType === 'I64';
  const fileDType = (t: Tensor): SafeDType => (wide && t.dtype === 'int32' ? 'I64' : FILE_DTYPE[t.dtype]);
  const elemSize = (t: Tensor): number => DTYPE_SIZE.get(fileDType(t))!;
  const list: [string, Tensor][] = [];
  const seen = new Set<string>();
  for (const [name, t] of tensors as Iterable<readonly [string, Tensor]>) {
    if (typeof name !== 'string') throw new ValueError(`serializeSafetensors: tensor names must be strings, got ${typeof name}`);
    if (name === METADATA) throw new ValueError(`serializeSafetensors: "${METADATA}" is reserved and cannot name a tensor`, 'RESERVED_KEY');
    if (seen.has(name)) throw new ValueError(`serializeSafetensors: duplicate tensor name ${q(name)}`, 'DUPLICATE_KEY');
    if (!(t instanceof Tensor)) throw new ValueError(`serializeSafetensors: ${q(name)} is not a Tensor`);
    seen.add(name);
    list.push([name, t]);
  }
  const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const layout = [...list].sort((a, b) => elemSize(b[1]) - elemSize(a[1]) || byName(a[0], b[0]));
  const offsets = new Map<string, [number, number]>();
  let at = 0;
  for (const [name, t] of layout) {
    const len = t.size * elemSize(t);
    offsets.set(name, [at, at + len]);
    at += len;
  }
  const meta = metadataEntries(metadata);
  const checksum = opts.checksum ?? true;
  if (checksum) meta.push([VERSION_KEY, String(FORMAT_VERSION)], [CHECKSUM_KEY, '0'.repeat(64)]);
  meta.sort((a, b) => byName(a[0], b[0]));

  const parts: string[] = [];
  if (meta.length > 0) parts.push(`"${METADATA}":{${meta.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`);
  for (const [name, t] of [...list].sort((a, b) => byName(a[0], b[0]))) {
    const [b, e] = offsets.get(name)!;
    parts.push(`${JSON.stringify(name)}:{"dtype":"${fileDType(t)}","shape":[${t.shape.join(',')}],"data_offsets":[${b},${e}]}`);
  }
  const json = `{${parts.join(',')}}`;
  let header = new TextEncoder().encode(json);
  const padded = Math.ceil(header.length / 8) * 8;
  if (padded !== header.length) {
    const h = new Uint8Array(padded).fill(0x20);
    h.set(header);
    header = h;
  }
  const out = new Uint8Array(8 + header.length + at);
  new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
  out.set(header, 8);
  for (const [name, t] of layout) {
    const [b, e] = offsets.get(name)!;
    const v = t.values;
    if (fileDType(t) === 'I64') {
      // Sign-extended, little-endian, through a DataView (any host byte order).
      const dv = new DataView(out.buffer, 8 + header.length + b, e - b);
      for (let i = 0; i < v.length; i++) dv.setBigInt64(8 * i, BigInt(v[i]!), true);
      continue;
    }
    const dst = new Uint8Array(out.buffer, 8 + header.length + b, e - b);
    copyBytes(new Uint8Array(v.buffer, v.byteOffset, e - b), dst, bytesPerElement(t.dtype));
  }
  if (checksum) {
    // Inside JSON strings quotes are escaped, so this raw key-value prefix occurs only where we wrote it.
    const marker = `"${CHECKSUM_KEY}":"`;
    const pos = 8 + new TextEncoder().encode(json.slice(0, json.indexOf(marker) + marker.length)).length;
    out.set(new TextEncoder().encode(fileDigest(out, pos)), pos);
  }
  return out;
}
