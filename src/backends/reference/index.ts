/**
 * @file The reference backend: storage is a plain typed array and the kernel table is empty, so
 * every op runs its primitive's float64 `reference` loops. It is the oracle other backends are
 * tested against, and complete by construction.
 */
import type { Backend, Storage } from '../../core/backend.js';
import { allocArray, type DType, type TypedArray } from '../../core/dtype.js';

class ArrayStorage implements Storage {
  refs = 0;
  version = 0;
  released = false;
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

export function createReferenceBackend(): Backend {
  return arrayBackend('reference');
}
