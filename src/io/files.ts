/**
 * @file safetensors files on disk: save atomically (atomic.ts), load with full validation. Error
 * messages name the path.
 */
import { type FileHandle, open } from 'node:fs/promises';
import type { Tensor } from '../core/tensor.js';
import { writeFileAtomic, type WriteAtomicOptions } from './atomic.js';
import { ModelFormatError } from './errors.js';
import {
  type MetadataSource, type ParseOptions, type SafetensorsFile, type SerializeOptions, type TensorSource,
  checkHeaderLength, parseSafetensors, serializeSafetensors,
} from './safetensors.js';
import { type ConvertOptions, decodeSafetensors } from './tensors.js';

/**
 * Reads a whole file, but first its 8-byte length prefix: a file declaring an oversized or impossible
 * header is refused before its (possibly huge) body is read into memory.
 */
async function readBytes(file: string, opts: ParseOptions): Promise<Uint8Array> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(file, 'r');
    const size = (await fh.stat()).size;
    const prefix = new Uint8Array(8);
    if (size >= 8) await fh.read(prefix, 0, 8, 0);
    checkHeaderLength(prefix, size, { source: file, ...opts });
    return await fh.readFile();
  } catch (e) {
    if (e instanceof ModelFormatError) throw e;
    const code = (e as { code?: string }).code ?? 'UNKNOWN';
    throw new ModelFormatError('READ_FAILED', `cannot read ${file}: ${code} (${e instanceof Error ? e.message : String(e)})`);
  } finally {
    await fh?.close();
  }
}

/** Writes tensors (and string metadata) to `file` atomically; the previous file survives any failure. */
export async function saveSafetensors(
  file: string, tensors: TensorSource, metadata?: MetadataSource, opts: SerializeOptions & WriteAtomicOptions = {},
): Promise<void> {
  await writeFileAtomic(file, serializeSafetensors(tensors, metadata, opts), opts);
}

/** Reads and validates a file's header and layout without creating tensors (for `plexus info`). */
export async function readSafetensorsFile(file: string, opts: ParseOptions = {}): Promise<SafetensorsFile> {
  return parseSafetensors(await readBytes(file, opts), { source: file, ...opts });
}

/** Loads every tensor of a file; nothing is allocated unless the whole file is valid. */
export async function loadSafetensors(
  file: string, opts: ParseOptions & ConvertOptions = {},
): Promise<{ tensors: Map<string, Tensor>; metadata: Map<string, string> }> {
  return decodeSafetensors(await readBytes(file, opts), { source: file, ...opts });
}
