/**
 * @file Storage as a plain JS typed array, shared by the reference and js backends: the array is
 * garbage-collected with its storage, so release has nothing to return.
 */
import type { Backend, Storage } from '../core/backend.js';
import { allocArray, type DType, type TypedArray } from '../core/dtype.js';

export class ArrayStorage implements Storage {
  refs = 0;
  version = 0;
  released = false;
  tracked = false;
  young: 0 | 1 | 2 = 0;
  readonly size: number;
  constructor(
    readonly backend: Backend,
    readonly dtype: DType,
    readonly data: TypedArray,
  ) {
    this.size = data.length;
  }
}

/** Backends whose storage is a JS typed array share this allocator. */
export function arrayBackend(name: string, kernels: Backend['kernels'] = {}): Backend {
  const backend: Backend = {
    name,
    kernels,
    alloc: (dtype, size) => new ArrayStorage(backend, dtype, allocArray(dtype, size)),
    release: () => {
      // The typed array is garbage-collected with the storage; nothing to return.
    },
  };
  return backend;
}

