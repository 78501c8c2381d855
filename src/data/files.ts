/** @file Node-only (plexus/node): file checks shared by the readers: size before reading, and a typed error for a missing file. */
import { statSync } from 'node:fs';
import { DataError } from './errors.js';

/** Size of the file at `path` in bytes; DATASET_NOT_FOUND (naming the path) when there is no such file. */
export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new DataError('DATASET_NOT_FOUND', `${path}: no such file`);
    throw e;
  }
}
