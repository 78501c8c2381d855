/**
 * @file Test-only hooks of the worker pool (docs/reliability.md "Worker pool"): inject a fault into the next
 * chunk a worker runs, shorten the hang timeout, keep the main thread from claiming chunks (so a
 * fault or a comparison always involves a worker), force the threaded paths on small ops, and wait
 * for workers to be ready. Not part of the public API.
 */
import { currentBackend } from '../../../core/backend.js';
import type { WasmBackend } from '../index.js';
import { SMALL_THREADING, THREADING } from '../kernels/matmul.js';
import { clearSmallCooldown } from '../kernels/matmul-small.js';
import { EW_THREADING } from '../kernels/elementwise.js';
import { REDUCE_THREADING } from '../kernels/reduce.js';
import { SPLINE_THREADING } from '../kernels/spline.js';
import { RBF_THREADING } from '../kernels/rbf.js';
import { GELU_THREADING } from '../kernels/gelu.js';
import { LAYER_NORM_THREADING } from '../kernels/layernorm.js';
import { RECURRENT_THREADING } from '../kernels/recurrent.js';
import { ADAM_THREADING } from '../kernels/adam-many.js';
import { ATTENTION_THREADING } from '../kernels/attention.js';
import { POOL_CONFIG, type WorkerPool } from './pool.js';
import { FAULT_DETACHED, FAULT_EXIT, FAULT_HANG, FAULT_OOM, FAULT_THROW } from './protocol.js';
import { resetWarning } from './threads.js';

export type FaultKind = 'throw' | 'exit' | 'hang' | 'oom' | 'detached';

const FAULTS: Record<FaultKind, number> = { throw: FAULT_THROW, exit: FAULT_EXIT, hang: FAULT_HANG, oom: FAULT_OOM, detached: FAULT_DETACHED };

/** The backend's pool, created (and sized to getNumThreads()) if needed; null without threads. */
export function poolOf(backend: WasmBackend): WorkerPool | null {
  if (!backend.parallel) return null;
  backend.parallel.threads(); // creates and sizes the pool
  return backend.parallel.pool;
}

/**
 * The current backend's pool (created and sized if needed) when it is a wasm backend that can run
 * threads, else null: the playground reports its counters (workers ready, chunks they ran).
 */
export function currentPool(): WorkerPool | null {
  const b = currentBackend() as Partial<WasmBackend>;
  return b.parallel ? poolOf(b as WasmBackend) : null;
}

/**
 * The next chunk a worker claims (any worker, or the one with `workerId`) runs normally, then the
 * worker throws / calls process.exit(0) / spins forever / exhausts its JS heap / posts a detached
 * buffer. One shot.
 */
export function injectWorkerFault(backend: WasmBackend, kind: FaultKind, workerId = -1): void {
  const pool = poolOf(backend);
  if (!pool) throw new Error('injectWorkerFault: this backend has no worker pool');
  pool.armFault(FAULTS[kind], workerId);
}

/** Changes pool settings; returns the previous values (pass them back to restore). */
export function configurePool(opts: Partial<typeof POOL_CONFIG>): typeof POOL_CONFIG {
  const prev = { ...POOL_CONFIG };
  Object.assign(POOL_CONFIG, opts);
  return prev;
}

const DEFAULTS = { gemm: { ...THREADING }, small: { ...SMALL_THREADING }, ew: { ...EW_THREADING }, reduce: { ...REDUCE_THREADING }, spline: { ...SPLINE_THREADING }, rbf: { ...RBF_THREADING }, gelu: { ...GELU_THREADING }, layerNorm: { ...LAYER_NORM_THREADING }, recurrent: { ...RECURRENT_THREADING }, adam: { ...ADAM_THREADING } };
const ATTENTION_DEFAULTS = { ...ATTENTION_THREADING };

/** Splits every op the pool can split, however small, with the small path's late-worker check off (true), or restores the measured thresholds; either way forgets a late worker seen before. */
export function forceThreading(on: boolean): void {
  Object.assign(THREADING, on ? { minFlops: 0, pieceFlops: 1, minRows: 4, minCols: 8 } : DEFAULTS.gemm);
  Object.assign(SMALL_THREADING, on ? { minFlops: 0, pieceFlops: 1, cooldownMs: 0 } : DEFAULTS.small);
  clearSmallCooldown();
  Object.assign(EW_THREADING, on ? { cheap: 0, costly: 0 } : DEFAULTS.ew);
  Object.assign(REDUCE_THREADING, on ? { minElems: 0 } : DEFAULTS.reduce);
  Object.assign(SPLINE_THREADING, on ? { minElements: 2 } : DEFAULTS.spline);
  Object.assign(RBF_THREADING, on ? { minOutputs: 2 } : DEFAULTS.rbf);
  Object.assign(GELU_THREADING, on ? { minElements: 2 } : DEFAULTS.gelu);
  Object.assign(LAYER_NORM_THREADING, on ? { minElements: 2 } : DEFAULTS.layerNorm);
  Object.assign(RECURRENT_THREADING, on ? { minUnits: 2 } : DEFAULTS.recurrent);
  Object.assign(ADAM_THREADING, on ? { minElements: 0, minPiece: 16 } : DEFAULTS.adam);
  Object.assign(ATTENTION_THREADING, on ? { minFlops: 0, pieceFlops: 1 } : ATTENTION_DEFAULTS);
}

/** Blocks until the backend's workers are ready (at most `ms`: generous, since it returns as soon as they are and a worker starting on a busy machine can take seconds); returns how many are. */
export function waitForWorkers(backend: WasmBackend, ms = 60_000): number {
  const pool = poolOf(backend);
  return pool ? pool.waitReady(ms) : 0;
}

/** Lets the single-threaded warning be emitted again. */
export { resetWarning };
