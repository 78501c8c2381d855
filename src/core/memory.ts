/**
 * @file Memory without ceremony. No user ever frees a tensor for correctness; how storage comes
 * back, in the order the engine tries (docs/memory.md has the design and the alternatives measured):
 *
 * 1. Library-internal work runs in frames (`frame(fn)`): a tensor made inside that is neither
 *    returned nor saved for backward is freed when the frame ends; one saved for backward is owned
 *    by the graph and freed as soon as the last node saving it is released (backward without
 *    retainGraph releases the nodes it ran). So the engine's own intermediates never pile up.
 * 2. `scope(fn)` does the same for user code that wants the tightest peak (optional).
 * 3. What reaches user code outside any scope ("young" storage: a model's output, a loss, a
 *    gradient, a model's parameters) is reclaimed by a sweep: once enough young storage was allocated since the last sweep
 *    (bytes or count, deterministic, no GC timing), every young storage moves out
 *    of backend memory into a GC-owned typed array. The tensors stay readable; V8 frees the arrays
 *    with the tensors nobody holds; a kernel that reads an evicted tensor copies it back first.
 *
 * Why not a FinalizationRegistry: its callbacks never run inside a synchronous loop, and its held
 * values keep storage alive until they do, so a plain training loop grew to 4 GiB (issue #11).
 * Parameters and optimizer state are swept
 * like the rest (a model nobody holds must go too); kernels and optimizer steps copy them back.
 *
 * `memory()` counts the tensors and bytes held in backend memory; the counts depend only on the
 * program, never on when V8 collects.
 */
import type { Backend, Storage } from './backend.js';
import { bytesPerElement, type DType } from './dtype.js';
import { OutOfMemoryError, ValueError, fmtShape } from './errors.js';
import type { Shape } from './shape.js';

interface Counters {
  numTensors: number;
  numStorages: number;
  numBytes: number;
  peakBytes: number;
  sweeps: number;
}

const counters: Counters = { numTensors: 0, numStorages: 0, numBytes: 0, peakBytes: 0, sweeps: 0 };
let budgetBytes = 16 * 2 ** 30;

export interface MemoryInfo {
  /** Tensors whose storage is held in backend memory (not disposed, not swept out). */
  numTensors: number;
  /** Distinct storages in backend memory (views and detached tensors share one). */
  numStorages: number;
  /** Bytes held by those storages. */
  numBytes: number;
  /** Highest numBytes seen since start or the last resetPeakMemory(). */
  peakBytes: number;
  /** Sweeps run so far (see setSweepThresholds). */
  sweeps: number;
}

export function memory(): MemoryInfo {
  return { ...counters };
}

export function resetPeakMemory(): void {
  counters.peakBytes = counters.numBytes;
}

/** Caps the bytes live storages may hold (default 16 GiB); requests past it throw OutOfMemoryError. */
export function setMemoryBudget(bytes: number): void {
  if (!(Number.isFinite(bytes) && bytes > 0)) throw new ValueError(`setMemoryBudget: bytes must be a finite number > 0, got ${String(bytes)}`);
  budgetBytes = bytes;
}

/** The byte cap setMemoryBudget set (default 16 GiB), so callers can refuse work that cannot fit before starting it. */
export function getMemoryBudget(): number {
  return budgetBytes;
}

// ---- young storage and sweeps -------------------------------------------------------------

/**
 * Young storages in creation order; a sweep empties it. Holds storages, never tensors. Only the
 * live ones that were new at user level count toward a sweep (`young === 1`); one brought back
 * from host memory rides along uncounted (`young === 2`), so a big tensor the user keeps using is
 * not copied out and in on every allocation.
 */
let young: Storage[] = [];
let youngCount = 0;
let youngBytes = 0;
/** Live bytes right after the last sweep: the next one waits for at least that much new storage. */
let liveAfterSweep = 0;
// 256 MiB: a data set like Fashion-MNIST (220 MB) loads and trains without a sweep copying it out.
const thresholds = { bytes: 256 * 2 ** 20, count: 1024 };

/**
 * When a sweep runs: after `bytes` of new young storage (or as many as were live after the last
 * sweep, if more) or `count` new young storages, whichever comes first. Defaults 256 MiB and 1024.
 * Lower values give a tighter peak for more copying; a sweep never changes results.
 */
export function setSweepThresholds(opts: { bytes?: number; count?: number }): void {
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) throw new ValueError(`setSweepThresholds: expected an options object {bytes, count}, got ${describeArg(opts)}`);
  for (const k of Object.keys(opts)) {
    if (k !== 'bytes' && k !== 'count') throw new ValueError(`setSweepThresholds: unknown option '${k}' (allowed: bytes, count)`);
  }
  const { bytes = thresholds.bytes, count = thresholds.count } = opts;
  if (!(Number.isInteger(bytes) && bytes > 0)) throw new ValueError(`setSweepThresholds: bytes must be a positive integer, got ${String(bytes)}`);
  if (!(Number.isInteger(count) && count > 0)) throw new ValueError(`setSweepThresholds: count must be a positive integer, got ${String(count)}`);
  thresholds.bytes = bytes;
  thresholds.count = count;
}

/**
 * Library depth: > 0 while plexus's own code runs (frames, kernels). Sweeps and the evict-on-read of
 * `values` happen only at depth 0, so library code may hold typed-array views across its own ops.
 */
let depth = 0;

/** Whether user code is running (no frame or kernel of plexus's own is on the stack). */
export function atUserLevel(): boolean {
  return depth === 0;
}

/** Runs a kernel (or other view-holding library code) with sweeps held off. */
export function inLibrary<R>(fn: () => R): R {
  depth++;
  try {
    return fn();
  } finally {
    depth--;
  }
}

/** `inLibrary(() => kernel(out, ins, attrs))` without the closure (dispatch runs it for every op). */
export function runKernel<O, I, A>(kernel: (out: O, ins: I, attrs: A) => void, out: O, ins: I, attrs: A): void {
  depth++;
  try {
    kernel(out, ins, attrs);
  } finally {
    depth--;
  }
}

function bytesOf(s: Storage): number {
  return s.size * bytesPerElement(s.dtype);
}

function track(s: Storage): void {
  s.tracked = true;
  counters.numStorages++;
  counters.numBytes += bytesOf(s);
  counters.numTensors += s.refs;
  if (counters.numBytes > counters.peakBytes) counters.peakBytes = counters.numBytes;
}

function untrack(s: Storage): void {
  s.tracked = false;
  counters.numStorages--;
  counters.numBytes -= bytesOf(s);
  counters.numTensors -= s.refs;
}

function addYoung(s: Storage, counted: boolean): void {
  if (s.young || !s.tracked || s.released) return;
  if (young.length > 2 * youngCount + 1024) young = young.filter((y) => y.young !== 0); // drop released
  young.push(s);
  if (counted) {
    s.young = 1;
    youngCount++;
    youngBytes += bytesOf(s);
  } else s.young = 2;
}

/** Takes `s` out of the counts (released or evicted); its list entry is dropped later. */
function leaveYoung(s: Storage): void {
  if (s.young === 1) {
    youngCount--;
    youngBytes -= bytesOf(s);
  }
  s.young = 0;
}

function sweepDue(): boolean {
  return youngCount > thresholds.count || youngBytes > Math.max(thresholds.bytes, liveAfterSweep);
}

/**
 * Runs the sweep that is due, at user level: what allocStorage would do first. The dispatcher calls
 * it before it brings swept-out inputs back, so the output's allocation cannot sweep the inputs out
 * again under the kernel (a kernel handed a swept-out input reads the host copy through a slower
 * path whose float32 rounding differs: results would depend on when a sweep fell due).
 */
export function sweepIfDue(): void {
  if (depth === 0 && sweepDue()) sweep();
}

/** Moves one storage out of backend memory (a host copy where the backend has one). */
export function evictStorage(s: Storage): void {
  if (s.young !== 0) leaveYoung(s);
  if (s.released || !s.tracked) return;
  s.backend.evict?.(s);
  untrack(s);
}

/**
 * Moves every young storage out of backend memory now (what a due sweep does). Tensors
 * stay readable. Safe at user level only; plexus calls it itself, tests and benchmarks may too.
 */
export function sweep(): void {
  if (arguments.length > 0) throw new ValueError('sweep: takes no arguments');
  const list = young;
  young = [];
  youngCount = 0;
  youngBytes = 0;
  for (const s of list) {
    if (s.young === 0) continue;
    s.young = 0;
    evictStorage(s);
  }
  counters.sweeps++;
  liveAfterSweep = counters.numBytes;
}

/** Evicts `s` if it is young and user code is reading it: the array handed out then stays valid. */
export function exposeForRead(s: Storage): void {
  if (depth === 0 && s.young !== 0 && s.backend.evict !== undefined) {
    leaveYoung(s);
    evictStorage(s);
  }
}

/** Brings an evicted input back into backend memory before a kernel reads it. */
export function ensureResident(s: Storage, op: string): boolean {
  if (s.tracked || s.released || s.backend.isEvicted?.(s) !== true) return false;
  const bytes = bytesOf(s);
  if (counters.numBytes + bytes > budgetBytes) throw budgetError(op, s.dtype, bytes, [s.size]);
  try {
    s.backend.restore!(s);
  } catch (e) {
    if (e instanceof RangeError) return false; // stays evicted: kernels read host arrays correctly, only slower
    throw e;
  }
  track(s);
  addYoung(s, false); // only young storage is ever evicted, so it goes back to the young set
  return true;
}

function budgetError(op: string, dtype: DType, bytes: number, shape: Shape): OutOfMemoryError {
  return new OutOfMemoryError(
    `${op}: a ${dtype} tensor of shape ${fmtShape(shape)} needs ${bytes} bytes; ${counters.numBytes} are in use and the budget is ${budgetBytes} (setMemoryBudget)`,
  );
}

/** Allocates through the backend after a budget check, so a huge request fails before allocating. */
export function allocStorage(backend: Backend, dtype: DType, size: number, shape: Shape, op: string): Storage {
  if (depth === 0 && sweepDue()) sweep();
  const bytes = size * bytesPerElement(dtype);
  // Last resort before refusing, when a sweep could make room (never for a request past the budget).
  if (counters.numBytes + bytes > budgetBytes && bytes <= budgetBytes && young.length > 0 && depth === 0) sweep();
  if (counters.numBytes + bytes > budgetBytes) throw budgetError(op, dtype, bytes, shape);
  let s: Storage;
  try {
    s = backend.alloc(dtype, size);
  } catch (e) {
    if (e instanceof RangeError) {
      throw new OutOfMemoryError(`${op}: could not allocate ${bytes} bytes for shape ${fmtShape(shape)} on backend '${backend.name}': ${e.message}`);
    }
    throw e;
  }
  track(s);
  return s;
}

/** Drops one reference; the last one returns the memory to the backend. */
export function releaseStorage(s: Storage): void {
  if (s.released) return;
  if (--s.refs > 0) return;
  s.released = true;
  if (s.young !== 0) leaveYoung(s);
  if (s.tracked) untrack(s);
  s.backend.release(s);
}

// ---- tensors -------------------------------------------------------------------------------

/** Interface the tracker needs from a tensor; kept minimal to avoid importing Tensor here. */
export interface Tracked {
  _storage: Storage;
  _disposed: boolean;
  /** Live autograd nodes that saved this tensor (as an input, or as their own output). */
  _savedBy: number;
  /** Owned by the graph: disposed when `_savedBy` drops to 0. */
  _graphOwned: boolean;
}

/** Owner lists: a scope's or a frame's tensors. */
interface Owner {
  tensors: Tracked[];
  /** A frame hands tensors saved for backward to the graph; a scope frees them. */
  frame: boolean;
}
const scopes: Owner[] = [];
const kept = new WeakSet<Tracked>();

/** Called once per new tensor. */
export function trackTensor(t: Tracked): void {
  const s = t._storage;
  s.refs++;
  if (s.tracked) counters.numTensors++;
  const owner = scopes.length > 0 ? scopes[scopes.length - 1]! : null;
  if (owner) owner.tensors.push(t);
  else addYoung(s, s.refs === 1);
}

/** Eagerly releases a tensor's reference to its storage. Idempotent. */
export function disposeTensor(t: Tracked): void {
  if (t._disposed) return;
  t._disposed = true;
  if (t._storage.tracked) counters.numTensors--;
  releaseStorage(t._storage);
}

/** A node that saved `t` was released: the graph's last hold on a graph-owned tensor frees it. */
export function releaseSaved(t: Tracked): void {
  if (--t._savedBy <= 0 && t._graphOwned) disposeTensor(t);
}

/**
 * Marks a tensor as surviving every scope (parameters, buffers, optimizer state). At user level it
 * is young like any other tensor: a model nobody holds any more is swept out like its outputs (a
 * loop that builds a new model each round stays bounded), and a live one is copied back on use.
 */
export function keep<T extends Tracked>(t: T): T {
  if (t === null || typeof t !== 'object' || !('_storage' in t)) throw new ValueError(`keep: expected a Tensor, got ${describeArg(t)}`);
  kept.add(t);
  ensureResident(t._storage, 'keep');
  return t;
}

/**
 * Runs `fn` and disposes every tensor created during it, except those reachable from its return
 * value (a tensor, or arrays/objects of them) and those passed to `keep`. Optional: it only makes
 * memory return sooner in hot loops; correctness never depends on it.
 */
export function scope<R>(fn: () => R): R {
  if (typeof fn !== 'function') throw new ValueError(`scope: expected a function, got ${describeArg(fn)}`);
  if (arguments.length > 1) throw new ValueError(`scope: takes one function, got ${arguments.length} arguments`);
  return runOwned(fn, false);
}

/**
 * Library-internal scope: like `scope`, except that a tensor saved for backward is handed to the
 * graph (freed when the last node saving it is released) instead of disposed. Used around module
 * forwards, composite ops, backward and optimizer steps, so their intermediates never reach the
 * sweep. Sweeps and evict-on-read are held off inside.
 */
export function frame<R>(fn: () => R): R {
  if (depth === 0 && sweepDue()) sweep(); // user code calling in: a safe point (no view is held)
  depth++;
  try {
    return runOwned(fn, true);
  } finally {
    depth--;
  }
}

function runOwned<R>(fn: () => R, isFrame: boolean): R {
  const mine: Owner = { tensors: [], frame: isFrame };
  const at = scopes.length;
  scopes.push(mine);
  let result: R;
  try {
    result = fn();
  } catch (e) {
    scopes.length = at;
    // A failed step frees its temporaries too; kept tensors may already be referenced elsewhere.
    for (const t of mine.tensors) if (!kept.has(t)) disposeTensor(t);
    throw e;
  }
  scopes.length = at;
  // A module forward returns one tensor, an inference call a typed array: no set for those (this
  // runs for every frame of every call; single-sample inference is a few µs in all).
  const single = isTracked(result) ? result : null;
  let survivors: Set<Tracked> | null = null;
  if (single === null && result !== null && typeof result === 'object' && !ArrayBuffer.isView(result)) {
    survivors = new Set<Tracked>();
    collect(result, survivors, 0);
  }
  const outer = at > 0 ? scopes[at - 1]! : null;
  for (const t of mine.tensors) {
    if (t._disposed) continue;
    if (t === single || survivors?.has(t) || kept.has(t)) handOut(t, outer);
    else if (isFrame && t._savedBy > 0) {
      t._graphOwned = true;
      handOut(t, outer);
    } else disposeTensor(t);
  }
  return result;
}

/** A tensor leaving its list: to the enclosing list, or to the young set at user level. */
function handOut(t: Tracked, outer: Owner | null): void {
  if (outer) outer.tensors.push(t);
  else addYoung(t._storage, true);
}

function isTracked(x: unknown): x is Tracked {
  return x !== null && typeof x === 'object' && '_storage' in x && '_disposed' in x;
}

function collect(x: unknown, out: Set<Tracked>, depthNow: number): void {
  if (x === null || typeof x !== 'object' || depthNow > 8) return;
  if (isTracked(x)) {
    out.add(x as Tracked);
    return;
  }
  if (Array.isArray(x)) for (const v of x) collect(v, out, depthNow + 1);
  else if (Object.getPrototypeOf(x) === Object.prototype) for (const v of Object.values(x)) collect(v, out, depthNow + 1);
}

/** `f` run as a frame: the intermediates of a multi-op function never reach user level. */
export function framed<F extends (...args: never[]) => unknown>(f: F): F {
  const g = (...args: Parameters<F>): ReturnType<F> => frame(() => f(...args) as ReturnType<F>);
  Object.defineProperty(g, 'name', { value: f.name });
  return g as unknown as F;
}

function describeArg(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}
