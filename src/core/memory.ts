/**
 * @file Memory without ceremony: storage is released when its last tensor is garbage-collected
 * (FinalizationRegistry), eagerly by `dispose()`, or at the end of a `scope(fn)`. `memory()` counts
 * live tensors and bytes so tests can assert that a loop leaks nothing.
 */
import type { Backend, Storage } from './backend.js';
import { bytesPerElement, type DType } from './dtype.js';
import { OutOfMemoryError, fmtShape } from './errors.js';
import type { Shape } from './shape.js';

interface Counters {
  numTensors: number;
  numStorages: number;
  numBytes: number;
  peakBytes: number;
}

const counters: Counters = { numTensors: 0, numStorages: 0, numBytes: 0, peakBytes: 0 };
let budgetBytes = 16 * 2 ** 30;

export interface MemoryInfo {
  /** Tensors not yet disposed or collected. */
  numTensors: number;
  /** Distinct storages (views and detached tensors share one). */
  numStorages: number;
  /** Bytes held by live storages. */
  numBytes: number;
  /** Highest numBytes seen since start or the last resetPeakMemory(). */
  peakBytes: number;
}

export function memory(): MemoryInfo {
  return { ...counters };
}

export function resetPeakMemory(): void {
  counters.peakBytes = counters.numBytes;
}

/** Caps the bytes live storages may hold (default 16 GiB); requests past it throw OutOfMemoryError. */
export function setMemoryBudget(bytes: number): void {
  budgetBytes = bytes;
}

/** The byte cap setMemoryBudget set (default 16 GiB), so callers can refuse work that cannot fit before starting it. */
export function getMemoryBudget(): number {
  return budgetBytes;
}

/** Allocates through the backend after a budget check, so a huge request fails before allocating. */
export function allocStorage(backend: Backend, dtype: DType, size: number, shape: Shape, op: string): Storage {
  const bytes = size * bytesPerElement(dtype);
  if (counters.numBytes + bytes > budgetBytes) {
    throw new OutOfMemoryError(
      `${op}: a ${dtype} tensor of shape ${fmtShape(shape)} needs ${bytes} bytes; ${counters.numBytes} are in use and the budget is ${budgetBytes} (setMemoryBudget)`,
    );
  }
  let s: Storage;
  try {
    s = backend.alloc(dtype, size);
  } catch (e) {
    if (e instanceof RangeError) {
      throw new OutOfMemoryError(`${op}: could not allocate ${bytes} bytes for shape ${fmtShape(shape)} on backend '${backend.name}': ${e.message}`);
    }
    throw e;
  }
  counters.numStorages++;
  counters.numBytes += bytes;
  if (counters.numBytes > counters.peakBytes) counters.peakBytes = counters.numBytes;
  return s;
}

/** Drops one reference; the last one returns the memory to the backend. */
export function releaseStorage(s: Storage): void {
  if (s.released) return;
  if (--s.refs > 0) return;
  s.released = true;
  counters.numStorages--;
  counters.numBytes -= s.size * bytesPerElement(s.dtype);
  s.backend.release(s);
}

// Held value is the storage, never the tensor (that would keep the tensor alive forever).
const finalizer = new FinalizationRegistry<Storage>((s) => {
  counters.numTensors--;
  releaseStorage(s);
});

/** Interface the tracker needs from a tensor; kept minimal to avoid importing Tensor here. */
export interface Tracked {
  _storage: Storage;
  _disposed: boolean;
}

/** Called once per new tensor. */
export function trackTensor(t: Tracked): void {
  counters.numTensors++;
  t._storage.refs++;
  finalizer.register(t, t._storage, t);
  const sc = scopes[scopes.length - 1];
  if (sc) sc.push(t);
}

/** Eagerly releases a tensor's reference to its storage. Idempotent. */
export function disposeTensor(t: Tracked): void {
  if (t._disposed) return;
  t._disposed = true;
  finalizer.unregister(t);
  counters.numTensors--;
  releaseStorage(t._storage);
}

const scopes: Tracked[][] = [];
const kept = new WeakSet<Tracked>();

/** Marks a tensor made inside a scope as surviving it (optimizer state, cached buffers). */
export function keep<T extends Tracked>(t: T): T {
  kept.add(t);
  return t;
}

/**
 * Runs `fn` and disposes every tensor created during it, except those reachable from its return
 * value (a tensor, or arrays/objects of them) and those passed to `keep`. Optional: it only makes
 * memory return sooner in hot loops; correctness never depends on it.
 */
export function scope<R>(fn: () => R): R {
  const mine: Tracked[] = [];
  scopes.push(mine);
  let result: R;
  try {
    result = fn();
  } catch (e) {
    // A failed step frees its temporaries too; kept tensors may already be referenced elsewhere.
    for (const t of mine) if (!kept.has(t)) disposeTensor(t);
    throw e;
  } finally {
    scopes.pop();
  }
  const survivors = new Set<Tracked>();
  collect(result, survivors, 0);
  const outer = scopes[scopes.length - 1];
  for (const t of mine) {
    if (survivors.has(t) || kept.has(t)) {
      if (outer && !kept.has(t)) outer.push(t);
    } else disposeTensor(t);
  }
  return result;
}

function collect(x: unknown, out: Set<Tracked>, depth: number): void {
  if (x === null || typeof x !== 'object' || depth > 8) return;
  if ('_storage' in x && '_disposed' in x) {
    out.add(x as Tracked);
    return;
  }
  if (Array.isArray(x)) for (const v of x) collect(v, out, depth + 1);
  else if (Object.getPrototypeOf(x) === Object.prototype) for (const v of Object.values(x)) collect(v, out, depth + 1);
}
