/**
 * @file What the wasm kernels see of multithreading: `Parallel.threads()` (how many threads to
 * split an op across right now; 1 = run inline) and `Parallel.run` (run the chunks on the pool).
 * The pool is created on the first op big enough to split, and follows `setNumThreads`.
 *
 * Kernels split work so that every output element is computed by exactly the same instruction
 * sequence as single-threaded (row blocks of C, element ranges), so results do not depend on the
 * thread count or on which thread ran which chunk.
 */
import type { WasmHeap } from '../heap.js';
import { type Chunk, POOL_CONFIG, type RunOptions, WorkerPool } from './pool.js';
import { getNumThreads, threadsUnavailable, warnSingleThreaded } from './threads.js';

export { type Chunk, type RunOptions, POOL_CONFIG, WorkerPool } from './pool.js';
export { WorkerCrashedError, type WorkerCrashReason } from './errors.js';
export { setNumThreads, getNumThreads } from './threads.js';

export interface Parallel {
  /** Threads an op started now would use (the caller plus ready workers), at most getNumThreads(). */
  threads(): number;
  /** Runs the chunks across the pool (see WorkerPool.run); throws WorkerCrashedError on a worker fault. */
  run(op: string, chunks: readonly Chunk[], opts: RunOptions): void;
  /** The pool, once created (tests and benchmarks). */
  readonly pool: WorkerPool | null;
}

export interface ParallelSource {
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
  exports: object;
  shared: boolean;
  /** The memory is plain because the host refused a shared one (not because the caller asked). */
  sharedRefused: boolean;
}

export function createParallel(src: ParallelSource, heap: WasmHeap): Parallel {
  let pool: WorkerPool | null = null;
  return {
    get pool() {
      return pool;
    },
    threads(): number {
      const want = getNumThreads();
      if (POOL_CONFIG.inline) return 1;
      if (want <= 1) {
        if (pool) pool.resize(); // terminates the workers after setNumThreads(1)
        return 1;
      }
      if (!src.shared) {
        if (src.sharedRefused) warnSingleThreaded('the host refused a shared WebAssembly.Memory (in a browser: not cross-origin isolated)');
        return 1;
      }
      const why = threadsUnavailable();
      if (why) {
        if (why.final) warnSingleThreaded(why.reason);
        return 1;
      }
      pool ??= new WorkerPool(src.memory, src.module, heap, src.exports as Record<string, unknown>);
      pool.resize();
      return Math.min(want, 1 + pool.readyWorkers());
    },
    run(op, chunks, opts): void {
      if (!pool) throw new Error('Parallel.run before threads() > 1');
      pool.run(op, chunks, opts);
    },
  };
}

/**
 * How many pieces to cut `work` units into for `threads` threads: about `perThread` pieces each
 * (a busy or slow thread then just claims fewer), none below `minPiece` units of work, at most
 * `maxPieces`.
 */
export function pieceCount(work: number, threads: number, minPiece: number, maxPieces: number, perThread = 4): number {
  return Math.max(1, Math.min(maxPieces, threads * perThread, Math.floor(work / minPiece)));
}

/** `pieces` ranges [start, end) covering [0, total), boundaries on multiples of `unit`. */
export function splitRange(total: number, pieces: number, unit: number): [number, number][] {
  const units = Math.ceil(total / unit);
  const p = Math.max(1, Math.min(pieces, units));
  const out: [number, number][] = [];
  for (let i = 0; i < p; i++) {
    const a = Math.min(total, Math.floor((units * i) / p) * unit);
    const b = Math.min(total, Math.floor((units * (i + 1)) / p) * unit);
    if (b > a) out.push([a, b]);
  }
  return out;
}
