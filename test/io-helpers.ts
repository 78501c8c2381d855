/**
 * @file Helpers shared by the io tests: hand-built safetensors files (so tests can write any hostile
 * header) and an assertion that a call fails with a given code, names what it must, and allocates
 * nothing (docs/reliability.md "Bad input: what every call promises").
 */
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { ModelFormatError } from '../src/index.js';

/** `u64 LE length | header | data`, with no padding so tests control every byte. */
export function makeFile(header: string | object, data: Uint8Array | number[] = []): Uint8Array {
  const h = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

/** A file whose first 8 bytes declare `len` and that has `rest` bytes after them. */
export function withLength(len: bigint, rest = 16): Uint8Array {
  const out = new Uint8Array(8 + rest).fill(0x20);
  new DataView(out.buffer).setBigUint64(0, len, true);
  return out;
}

/** One U8 tensor entry, for building headers. */
export const u8 = (begin: number, end: number, shape: unknown[] = [end - begin]): object => ({ dtype: 'U8', shape, data_offsets: [begin, end] });

/** Runs fn; expects ModelFormatError with `code` whose message contains each of `names`; no tensor allocated. */
export function failsWith(fn: () => unknown, code: string, names: string[] = []): ModelFormatError {
  const before = px.memory();
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  const after = px.memory();
  assert.ok(caught instanceof ModelFormatError, `expected ModelFormatError ${code}, got ${caught === undefined ? 'no error' : String(caught)}`);
  assert.ok(caught instanceof px.PlexusError);
  assert.equal(caught.code, code, caught.message);
  for (const n of names) assert.ok(caught.message.includes(n), `message ${JSON.stringify(caught.message)} should name ${n}`);
  assert.equal(after.numTensors, before.numTensors, 'a tensor was created before the error');
  assert.equal(after.numBytes, before.numBytes, 'bytes were allocated before the error');
  return caught;
}

/** The bytes of a tensor's storage (what a file must hold, little-endian on this machine). */
export function bytesOf(t: px.Tensor): Uint8Array {
  const v = t.values;
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

export const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
