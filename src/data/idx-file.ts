/**
 * @file Node-only (plexus/node): IDX files from a path, gzipped or not (idx.ts parses the bytes).
 */
import { readFileSync } from 'node:fs';
import * as zlib from 'node:zlib';
import { IdxFormatError } from './errors.js';
import { fileSize } from './files.js';
import { type IdxArray, type IdxOptions, IDX_DEFAULT_MAX_BYTES, parseIdxWith } from './idx.js';

/** Reads and parses an IDX file; errors name the path. */
export function readIdx(path: string, opts: IdxOptions = {}): IdxArray {
  const cap = opts.maxBytes ?? IDX_DEFAULT_MAX_BYTES;
  // A file larger than the cap cannot hold a valid IDX within it (compressed or not): refuse unread.
  const size = fileSize(path);
  if (size > cap) throw new IdxFormatError('IDX_TOO_LARGE', `${path}: file has ${size} bytes, more than the cap of ${cap} bytes (maxBytes)`);
  return parseIdxWith(readFileSync(path), { name: path, ...opts }, zlib);
}
