/**
 * @file IDX reader (the MNIST container: http://yann.lecun.com/exdb/mnist/ "FILE FORMATS").
 * Layout: bytes 0-1 are zero, byte 2 the type code, byte 3 ndim, then ndim big-endian uint32 dims,
 * then the data, big-endian, row-major. Gzipped files (magic 1f 8b) are inflated first.
 *
 * Everything is checked before the output is allocated (docs/reliability.md "Data files"): the magic, type
 * code and ndim by byte offset, and the declared size against the actual bytes EXACTLY (one byte short
 * or one byte over both fail, labels included) and against a byte cap. For gzip the header is inflated
 * from a bounded prefix first, so a file declaring 2^31 x 2^31 is refused without inflating the body,
 * and the body is inflated with a hard output limit (a zip bomb cannot grow past the declared size).
 * Inflating needs node:zlib (taken from the host, no static import: browsers have no synchronous
 * inflate; there, decompress with DecompressionStream('gzip') first). Reading files is
 * plexus/node's `readIdx` (idx-file.ts).
 */
import { nodeBuiltin } from '../core/host.js';
import { IdxFormatError } from './errors.js';

/** The part of node:zlib used to inflate gzipped IDX (synchronously, with an output cap). */
export interface IdxZlib {
  gunzipSync(b: Uint8Array, opts: { finishFlush?: number; maxOutputLength?: number }): Uint8Array;
  constants: { Z_SYNC_FLUSH: number };
}

export type IdxType = 'ubyte' | 'byte' | 'short' | 'int' | 'float' | 'double';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  type: IdxType;
  shape: number[];
  /** Values in native order, row-major; never a view of the caller's buffer. */
  data: IdxData;
}

export interface IdxOptions {
  /** Name used in error messages (the path, for readIdx). */
  name?: string;
  /** Largest (inflated) file accepted, in bytes; default 1 GiB. */
  maxBytes?: number;
}

/** Type code -> [name, bytes per element]. A Map, so hostile codes never reach a prototype lookup. */
const TYPES = new Map<number, [IdxType, number]>([
  [0x08, ['ubyte', 1]], [0x09, ['byte', 1]], [0x0b, ['short', 2]],
  [0x0c, ['int', 4]], [0x0d, ['float', 4]], [0x0e, ['double', 8]],
]);

export const IDX_DEFAULT_MAX_BYTES = 2 ** 30;
/** Compressed bytes inflated to read a gzipped header; deflate expands at most ~1032x, so <= 4 MiB out. */
const HEADER_PREFIX = 4096;

const hex = (b: number): string => `0x${b.toString(16).padStart(2, '0')}`;

interface Header {
  type: IdxType;
  bytesPer: number;
  shape: number[];
  dataOffset: number;
  /** Header plus data bytes the dims declare. */
  declared: number;
}

/** Parses and checks the header; `total` is the whole file's (inflated) size when known. */
function parseHeader(b: Uint8Array, name: string, total: number | null): Header {
  if (b.length < 4) {
    throw new IdxFormatError('IDX_SIZE_MISMATCH', `${name}: file has ${b.length} bytes, an IDX header needs at least 4`, b.length);
  }
  for (const i of [0, 1]) {
    if (b[i] !== 0) throw new IdxFormatError('BAD_MAGIC', `${name}: byte ${i} is ${hex(b[i]!)}, expected 0x00 (IDX magic starts with two zero bytes)`, i);
  }
  const t = TYPES.get(b[2]!);
  if (!t) {
    throw new IdxFormatError('UNKNOWN_TYPE',
      `${name}: byte 2 (type code) is ${hex(b[2]!)}, expected one of 0x08 ubyte, 0x09 byte, 0x0b short, 0x0c int, 0x0d float, 0x0e double`, 2);
  }
  const ndim = b[3]!;
  if (ndim < 1 || ndim > 4) throw new IdxFormatError('BAD_NDIM', `${name}: byte 3 (ndim) is ${ndim}, expected 1 to 4`, 3);
  const dataOffset = 4 + 4 * ndim;
  if (b.length < dataOffset) {
    throw new IdxFormatError('IDX_SIZE_MISMATCH', `${name}: header with ${ndim} dims needs ${dataOffset} bytes, file has ${total ?? b.length}`, b.length);
  }
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let d = 0; d < ndim; d++) {
    const v = dv.getUint32(4 + 4 * d, false);
    shape.push(v);
    count *= v; // at most (2^32)^4 * 8 ~ 2^131: a double holds the magnitude, exactness only matters below 2^53
  }
  return { type: t[0], bytesPer: t[1], shape, dataOffset, declared: dataOffset + count * t[1] };
}

function sizeError(name: string, h: Header, actual: number, extra = ''): IdxFormatError {
  return new IdxFormatError('IDX_SIZE_MISMATCH',
    `${name}: dims [${h.shape.join(',')}] of ${h.type} declare ${h.declared - h.dataOffset} data bytes after the ${h.dataOffset}-byte header ` +
    `(${h.declared} in all), but the file has ${actual}${extra}`, Math.min(actual, h.declared));
}

function capError(name: string, h: Header, cap: number): IdxFormatError {
  return new IdxFormatError('IDX_TOO_LARGE',
    `${name}: dims [${h.shape.join(',')}] of ${h.type} declare ${h.declared} bytes, more than the cap of ${cap} bytes (maxBytes)`);
}

/** Decodes big-endian data into a fresh native array. */
function decode(b: Uint8Array, h: Header, owned: boolean): IdxData {
  const n = (h.declared - h.dataOffset) / h.bytesPer;
  const off = h.dataOffset;
  // Bytes we inflated ourselves are ours to hand out as a view; the caller's buffer is copied.
  // (A plain Uint8Array either way: a view of a node Buffer would itself be a Buffer.)
  const view = new Uint8Array(b.buffer, b.byteOffset + off, n * h.bytesPer);
  if (h.type === 'ubyte' || h.type === 'byte') {
    const raw = owned ? view : new Uint8Array(view);
    return h.type === 'ubyte' ? raw : new Int8Array(raw.buffer, raw.byteOffset, n);
  }
  const dv = new DataView(view.buffer, view.byteOffset, view.byteLength);
  switch (h.type) {
    case 'short': { const o = new Int16Array(n); for (let i = 0; i < n; i++) o[i] = dv.getInt16(2 * i, false); return o; }
    case 'int': { const o = new Int32Array(n); for (let i = 0; i < n; i++) o[i] = dv.getInt32(4 * i, false); return o; }
    case 'float': { const o = new Float32Array(n); for (let i = 0; i < n; i++) o[i] = dv.getFloat32(4 * i, false); return o; }
    default: { const o = new Float64Array(n); for (let i = 0; i < n; i++) o[i] = dv.getFloat64(8 * i, false); return o; }
  }
}

const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** Inflates a gzipped IDX after checking its header against the cap; returns the raw IDX bytes. */
function inflate(b: Uint8Array, name: string, cap: number, zlib: IdxZlib | undefined): Uint8Array {
  if (!zlib) {
    throw new IdxFormatError('BAD_GZIP', `${name}: gzipped IDX needs node:zlib, which this host lacks; decompress it first (DecompressionStream('gzip') in a browser)`);
  }
  const { constants, gunzipSync } = zlib;
  let head: Uint8Array;
  try {
    // Z_SYNC_FLUSH lets a truncated stream return what it decoded so far: just the header here.
    head = gunzipSync(b.subarray(0, HEADER_PREFIX), { finishFlush: constants.Z_SYNC_FLUSH });
  } catch (e) {
    throw new IdxFormatError('BAD_GZIP', `${name}: gzip data is corrupt: ${(e as Error).message}`);
  }
  const h = parseHeader(head, `${name} (gunzipped)`, null);
  if (h.declared > cap) throw capError(name, h, cap);
  try {
    // One byte of headroom: if the stream holds more than declared, inflation stops with
    // ERR_BUFFER_TOO_LARGE and we report the extra bytes as a size mismatch.
    return gunzipSync(b, { maxOutputLength: h.declared + 1 });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_BUFFER_TOO_LARGE') throw sizeError(`${name} (gunzipped)`, h, h.declared + 1, ' or more');
    if (err.code === 'Z_BUF_ERROR') throw new IdxFormatError('BAD_GZIP', `${name}: gzip stream is truncated (${b.length} compressed bytes): ${err.message}`);
    throw new IdxFormatError('BAD_GZIP', `${name}: gzip data is corrupt: ${err.message}`);
  }
}

/**
 * Parses IDX bytes (gzipped or not).
 * @example const { shape, data } = parseIdx(bytes, { name: 'labels.idx' });
 */
export function parseIdx(bytes: Uint8Array, opts: IdxOptions = {}): IdxArray {
  return parseIdxWith(bytes, opts, isGzip(bytes) ? nodeBuiltin<IdxZlib>('node:zlib') : undefined);
}

/** parseIdx with the inflater given (plexus/node's readIdx passes node:zlib, imported statically). */
export function parseIdxWith(bytes: Uint8Array, opts: IdxOptions, zlib: IdxZlib | undefined): IdxArray {
  const name = opts.name ?? 'IDX data';
  const cap = opts.maxBytes ?? IDX_DEFAULT_MAX_BYTES;
  let b = bytes;
  if (isGzip(b)) b = inflate(b, name, cap, zlib);
  const label = b === bytes ? name : `${name} (gunzipped)`;
  const h = parseHeader(b, label, b.length);
  if (h.declared > cap) throw capError(name, h, cap);
  if (h.declared !== b.length) throw sizeError(label, h, b.length);
  return { type: h.type, shape: h.shape, data: decode(b, h, b !== bytes) };
}
