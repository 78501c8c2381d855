/**
 * @file Errors of the io layer. They live here rather than in core/errors.ts because only io raises
 * them; both extend PlexusError, so callers can still catch everything plexus throws in one place.
 */
import { PlexusError } from '../core/errors.js';

/**
 * A model or tensor file that is not a valid container (docs/reliability.md "Model files"). `code` is one of
 * HEADER_TOO_LARGE, HEADER_TOO_SMALL, INVALID_HEADER_LENGTH, INVALID_HEADER, UNSUPPORTED_DTYPE,
 * INVALID_OFFSET, INCOMPLETE_BUFFER, TENSOR_INFO_MISMATCH, INVALID_SHAPE, SHAPE_OVERFLOW, DUPLICATE_KEY,
 * TOO_MANY_TENSORS, DTYPE_MISMATCH, INEXACT_CONVERSION, INVALID_VALUE, CHECKSUM_MISMATCH,
 * CHECKSUM_MISSING, UNSUPPORTED_VERSION, STATE_MISMATCH, READ_FAILED.
 */
export class ModelFormatError extends PlexusError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}

/**
 * A checkpoint (or any atomically written file) could not be written. The previous file at `path` is
 * unchanged and the temp file removed, unless `stage` is 'dirsync' (the new file is already in place).
 */
export class CheckpointWriteError extends PlexusError {
  /** The file that was being written. */
  readonly path: string;
  /** The errno code of the failing call ('ENOSPC', 'EISDIR', 'EIO', ...), or 'UNKNOWN'. */
  readonly errno: string;
  /** Where it failed: open, write, fsync, close, rename or dirsync. */
  readonly stage: string;
  constructor(path: string, errno: string, stage: string, detail: string, options?: { cause?: unknown }) {
    const kept = stage === 'dirsync'
      ? 'the new file is in place but the directory entry may not be durable yet'
      : 'the previous file is unchanged';
    super('CHECKPOINT_WRITE', `cannot write ${path}: ${errno} during ${stage} (${detail}); ${kept}`);
    this.path = path;
    this.errno = errno;
    this.stage = stage;
    if (options && 'cause' in options) (this as { cause?: unknown }).cause = options.cause;
  }
}
