/**
 * @file Counting what a call allocates. `memory()` is exact too (no garbage collector is involved,
 * docs/memory.md), but it also moves when a sweep lands inside the call or when a call reads a young
 * tensor; this helper answers the narrower question. It watches the current backend's `alloc`: every
 * storage created while `fn` runs is recorded, and afterwards we ask which of them are still held
 * (not released by `dispose()`, a scope, a frame or the graph); "live === 0" means the call released
 * everything it made.
 */
import type { Storage } from '../src/core/backend.js';
import { currentBackend } from '../src/core/backend.js';
import { bytesPerElement } from '../src/core/dtype.js';

export interface Allocations<R> {
  /** What fn returned (awaited). */
  result: R;
  /** Storages allocated on the current backend while fn ran. */
  allocated: number;
  /** Of those, the ones not yet released when fn settled. */
  live: number;
  /** Bytes of the live ones. */
  liveBytes: number;
  /** The live ones themselves. */
  held: Storage[];
}

/**
 * Runs fn (sync or async) with the current backend's `alloc` wrapped, then restores it. If fn throws
 * or rejects, the error is returned as `error` instead of rethrown, with the counts, so a test can
 * check both what was thrown and that nothing was left behind.
 */
export async function allocationsDuring<R>(fn: () => R | Promise<R>): Promise<Allocations<R | undefined> & { error?: unknown }> {
  const backend = currentBackend();
  const made: Storage[] = [];
  const alloc = backend.alloc;
  // An own property shadows the method for this backend instance only; removed in finally.
  (backend as { alloc: typeof alloc }).alloc = (dtype, size) => {
    const s = alloc.call(backend, dtype, size);
    made.push(s);
    return s;
  };
  let result: R | undefined;
  let error: unknown;
  let failed = false;
  try {
    result = await fn();
  } catch (e) {
    failed = true;
    error = e;
  } finally {
    (backend as { alloc: typeof alloc }).alloc = alloc;
  }
  const held = made.filter((s) => !s.released);
  const counts = {
    result,
    allocated: made.length,
    live: held.length,
    liveBytes: held.reduce((n, s) => n + s.size * bytesPerElement(s.dtype), 0),
    held,
  };
  return failed ? { ...counts, error } : counts;
}
