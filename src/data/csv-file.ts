/**
 * @file Node-only (plexus/node): CSV files from a path (csv.ts parses the text).
 */
import { readFileSync } from 'node:fs';
import { CsvError } from './errors.js';
import { fileSize } from './files.js';
import { type CsvOptions, type CsvTable, CSV_DEFAULT_MAX_BYTES, parseCsv } from './csv.js';

/** Reads a CSV file (UTF-8, checked) and parses it; errors name the path. */
export function readCsv(path: string, opts: CsvOptions = {}): CsvTable {
  const cap = opts.maxBytes ?? CSV_DEFAULT_MAX_BYTES;
  const size = fileSize(path);
  if (size > cap) throw new CsvError('FILE_TOO_LARGE', `${path}: file has ${size} bytes, more than the cap of ${cap} (maxBytes)`);
  const bytes = readFileSync(path);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    throw new CsvError('BAD_ENCODING', `${path}: not valid UTF-8 (${(e as Error).message})`);
  }
  return parseCsv(text, { name: path, ...opts });
}
