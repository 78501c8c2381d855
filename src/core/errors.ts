/**
 * @file Typed errors. Every error has a stable `code` so callers (and tests) can branch on it without
 * parsing messages, and a message that names the op / shapes / thing at fault.
 */

export class PlexusError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Shapes that do not fit an op: raised by `infer`, before anything is allocated. */
export class ShapeError extends PlexusError {
  constructor(message: string, code = 'SHAPE_MISMATCH') {
    super(code, message);
  }
}

/** A dtype an op cannot take (e.g. int32 where a float is needed). */
export class DTypeError extends PlexusError {
  constructor(message: string, code = 'DTYPE_MISMATCH') {
    super(code, message);
  }
}

/** Misuse of autograd: backward twice, non-scalar without seed, in-place change of a saved tensor. */
export class AutogradError extends PlexusError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}

/** Use of a tensor whose storage was released by `dispose()` or a `scope`. */
export class DisposedError extends PlexusError {
  constructor(message: string, code = 'DISPOSED') {
    super(code, message);
  }
}

/** A request too large for the memory budget; raised before allocating. */
export class OutOfMemoryError extends PlexusError {
  constructor(message: string) {
    super('OUT_OF_MEMORY', message);
  }
}

/** Unknown backend, missing kernel, or a backend fault. */
export class BackendError extends PlexusError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}

/** A bad argument that is neither a shape nor a dtype problem (e.g. a NaN probability). */
export class ValueError extends PlexusError {
  constructor(message: string, code = 'INVALID_VALUE') {
    super(code, message);
  }
}

/** Formats a shape the way messages show it: `[2,3]`. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
