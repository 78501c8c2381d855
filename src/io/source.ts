/**
 * @file The byte sources the portable loaders take: a Uint8Array, an ArrayBuffer, or anything with
 * `arrayBuffer()` (a fetch Response, a Blob, a File from an <input>), so a model loads the same way
 * from memory, the network or the user's disk. Paths are plexus/node's (model-files.ts).
 */
import { ValueError } from '../core/errors.js';

/** Bytes, or something that resolves to them (Response, Blob, File). */
export type ByteSource = Uint8Array | ArrayBuffer | { arrayBuffer(): Promise<ArrayBuffer> };

/** The bytes of `source`; a ValueError naming `who` for anything else (a path in a browser, say). */
export async function readSource(source: ByteSource, who: string): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (typeof source === 'object' && source !== null && typeof (source as { arrayBuffer?: unknown }).arrayBuffer === 'function') {
    return new Uint8Array(await source.arrayBuffer());
  }
  const hint = typeof source === 'string' ? ' (a path: plexus/node reads files; import { io } from "plexus/node")' : '';
  throw new ValueError(`${who}: expected a Uint8Array, an ArrayBuffer, or a Response/Blob, got ${source === null ? 'null' : typeof source}${hint}`, 'INVALID_ARGUMENT');
}
