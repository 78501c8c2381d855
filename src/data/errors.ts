/**
 * @file Typed errors of the data layer. Each carries a stable `code` and a message naming the thing at
 * fault (file, byte offset, line:column, sample index), per docs/reliability.md "Data files".
 */
import { PlexusError } from '../core/errors.js';

/**
 * Data that does not make a valid dataset: counts that differ (DATASET_MISMATCH), labels out of range
 * (LABEL_OUT_OF_RANGE), files not found (DATASET_NOT_FOUND), a loader state from another loader.
 */
export class DataError extends PlexusError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}

/** An IDX file whose bytes do not follow the format (wrong magic, type code, ndim, size). */
export class IdxFormatError extends PlexusError {
  /** Byte offset of the fault in the (inflated) file, when there is one. */
  readonly offset: number | undefined;
  constructor(code: string, message: string, offset?: number) {
    super(code, message);
    this.offset = offset;
  }
}

/** A CSV text that is not a valid table; `line`/`column` are 1-based (0 when not tied to a place). */
export class CsvError extends PlexusError {
  readonly line: number;
  readonly column: number;
  constructor(code: string, message: string, line = 0, column = 0) {
    super(code, message);
    this.line = line;
    this.column = column;
  }
}

/**
 * An image file that cannot be used: not a PNG (IMAGE_NOT_PNG), corrupt (IMAGE_CORRUPT), too large
 * for the limit (IMAGE_TOO_LARGE, checked from the header before decoding), or with transparent
 * pixels (IMAGE_HAS_ALPHA). `source` is the file or name it came from, also in the message.
 */
export class ImageFormatError extends PlexusError {
  constructor(code: string, message: string, readonly source: string) {
    super(code, message);
  }
}
