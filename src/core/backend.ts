/**
 * @file The Backend interface and the registry behind setBackend/getBackend. A backend owns
 * storage (alloc/release) and a partial kernel table; every primitive it lacks runs its
 * `reference` kernel on the same typed-array views, so a new backend can start empty.
 */
import type { DType, TypedArray } from './dtype.js';
import type { Kernel, PrimitiveName } from './primitive.js';
import { BackendError } from './errors.js';

/** A block of elements owned by a backend. `data` is a live view (a wasm backend re-derives it). */
export interface Storage {
  readonly backend: Backend;
  readonly dtype: DType;
  readonly size: number;
  readonly data: TypedArray;
  /** Tensors sharing this storage (views, detach); released when it reaches 0. */
  refs: number;
  /** Bumped by in-place writes; autograd checks it to catch a saved tensor modified in place. */
  version: number;
  released: boolean;
  /** Counted by memory() and held in backend memory (false once moved to GC-owned host memory). */
  tracked: boolean;
  /**
   * In the sweep list (made outside any scope, so only a sweep can reclaim it, core/memory.ts):
   * 0 no, 1 counted toward the next sweep, 2 brought back from host memory (not counted).
   */
  young: 0 | 1 | 2;
}

export type KernelTable = { [P in PrimitiveName]?: Kernel<never> };

/** Adam/AdamW hyperparameters as a fused update needs them (bias corrections precomputed by the caller). */
export interface AdamUpdateArgs {
  /** 1 - lr·wd for AdamW (decoupled), else 1. */
  decay: number;
  /** wd for Adam's L2 term (g += wd·p), else 0. */
  l2: number;
  beta1: number;
  beta2: number;
  /** lr / (1 - beta1^t). */
  stepSize: number;
  /** sqrt(1 - beta2^t). */
  bc2Sqrt: number;
  eps: number;
  maximize: boolean;
}

/** One parameter of a multi-tensor Adam/AdamW update (FusedUpdates.adamUpdateMany). */
export interface AdamItem {
  p: TypedArray;
  g: TypedArray;
  m: TypedArray;
  v: TypedArray;
  /** AMSGrad's running max, else null. */
  vmax: TypedArray | null;
  /** Per parameter: the bias corrections depend on the parameter's own step count. */
  h: AdamUpdateArgs;
}

export interface SgdUpdateArgs {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
  /** The momentum buffer was just created: it starts as the direction itself. */
  fresh: boolean;
}

/** LAMB hyperparameters as a fused update needs them (bias corrections precomputed by the caller). */
export interface LambUpdateArgs {
  lr: number;
  beta1: number;
  beta2: number;
  /** 1 - beta1^t with bias correction, else 1. */
  bc1: number;
  /** sqrt(1 - beta2^t) with bias correction, else 1. */
  bc2Sqrt: number;
  eps: number;
  weightDecay: number;
}

/**
 * Optional whole-update kernels (optim calls them when a parameter's storage lives on the backend).
 * Each returns false when it cannot handle the arrays (dtype, memory), and the caller then runs its
 * plain typed-array function; a true return must give the same numbers as that function.
 */
export interface FusedUpdates {
  adamUpdate?(p: TypedArray, g: TypedArray, m: TypedArray, v: TypedArray, vmax: TypedArray | null, h: AdamUpdateArgs): boolean;
  /**
   * Every item's adamUpdate in one call (an optimizer step over all its parameters: one dispatch,
   * and a threaded backend can split the whole update across its pool). All or nothing: false,
   * with nothing updated, when any item is not one this backend takes.
   */
  adamUpdateMany?(items: readonly AdamItem[]): boolean;
  sgdUpdate?(p: TypedArray, g: TypedArray, buf: TypedArray | null, h: SgdUpdateArgs): boolean;
  lambUpdate?(p: TypedArray, g: TypedArray, m: TypedArray, v: TypedArray, h: LambUpdateArgs): boolean;
}

export interface Backend {
  readonly name: string;
  /** Storage for `size` elements; contents unspecified (kernels write every element). */
  alloc(dtype: DType, size: number): Storage;
  /** Returns the memory; called exactly once per storage. */
  release(s: Storage): void;
  /**
   * Moves a storage's values into a fresh GC-owned typed array and returns its backend block (a
   * sweep, core/memory.ts); `data` then reads the host array. Backends whose storage already is a
   * JS typed array leave this out: untracking is all a sweep does to them.
   */
  evict?(s: Storage): void;
  /** Moves an evicted storage back into backend memory (before a kernel reads it). */
  restore?(s: Storage): void;
  /** Whether `s` is evicted (its values live in a host array). */
  isEvicted?(s: Storage): boolean;
  readonly kernels: KernelTable;
  /** Fused optimizer updates, where the backend has them. */
  readonly fused?: FusedUpdates;
}

const backends = new Map<string, () => Backend>();
const instances = new Map<string, Backend>();
let current: Backend | undefined;
let currentName: string | undefined;
let chooseDefault: () => string = () => 'reference';

/**
 * How the backend is picked when nobody called setBackend: the package entry makes it wasm where
 * WebAssembly SIMD validates, else js. Lazy, so importing plexus compiles no module.
 */
export function setDefaultBackendChooser(choose: () => string): void {
  chooseDefault = choose;
}

/** The backend `getBackend()` picks when nobody called setBackend (what the CLI's "auto" means). */
export function defaultBackend(): string {
  return chooseDefault();
}

/** Makes a backend available by name; the factory runs on first use. */
export function registerBackend(name: string, factory: () => Backend): void {
  backends.set(name, factory);
}

export function availableBackends(): string[] {
  return [...backends.keys()];
}

function instantiate(name: string): Backend {
  let b = instances.get(name);
  if (!b) {
    const f = backends.get(name);
    if (!f) {
      throw new BackendError('UNKNOWN_BACKEND', `setBackend: unknown backend '${name}'; available: ${availableBackends().join(', ')}`);
    }
    b = f();
    instances.set(name, b);
  }
  return b;
}

/** Selects the backend new tensors are created on and ops run on. */
export function setBackend(name: string): void {
  current = instantiate(name);
  currentName = name;
}

export function getBackend(): string {
  return currentName ??= chooseDefault();
}

export function currentBackend(): Backend {
  return current ?? (current = instantiate(getBackend()));
}
