/**
 * @file Counting what a call allocates, immune to garbage collection. `memory()` counts live tensors,
 * and FinalizationRegistry callbacks for garbage of earlier tests run whenever the event loop turns
 * (at any `await` of real I/O), so a before/after difference of `memory()` across an `await` can be off
 * by hundreds on a busy machine. This helper watches the current backend's `alloc` instead: every
 * storage created while `fn` runs is recorded, and afterwards we ask which of them are still held.
 * Finalizers of other tensors never change these numbers; `dispose()` and `scope()` (synchronous,
 * deterministic) do. A storage the call dropped without disposing counts as live until its tensor is
 * collected, so "live === 0" means the call released everything it made, not that GC did.
 *
 * Synchronous code needs none of this: finalizers never run in the middle of a synchronous section,
 * so `memory()` before and after a call with no `await` in between is exact.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
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
  /** The live ones themselves (for collectUntilReleased). */
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

/**
 * Collects garbage and turns the event loop until every storage in `storages` is released, or
 * `maxTurns` turns have passed; returns how many are still held. Finalizers run as tasks after a
 * collection, so this waits in event-loop turns, never in milliseconds: a busy machine makes each turn
 * slower but does not change how many are needed (one or two).
 */
export async function collectUntilReleased(storages: readonly Storage[], maxTurns = 50): Promise<number> {
  const gc = gcFunction();
  const remaining = (): number => storages.filter((s) => !s.released).length;
  for (let turn = 0; turn < maxTurns && remaining() > 0; turn++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return remaining();
}

/** V8's gc(): exposed by --expose-gc (npm test passes it), or enabled at runtime. */
function gcFunction(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}
