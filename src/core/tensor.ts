/**
 * @file The Tensor: an immutable-shaped handle on backend storage, plus its autograd links.
 * Op methods (`a.add(b)`, `x.relu()`, ...) are installed by ops/methods.ts so that core imports
 * nothing from ops; this file holds only what needs no op.
 */
import type { Storage } from './backend.js';
import { type DType, type TypedArray, isFloat } from './dtype.js';
import { AutogradError, DTypeError, DisposedError, ShapeError, ValueError, fmtShape } from './errors.js';
import type { Primitive, View } from './primitive.js';
import { type Shape, numel, shapesEqual } from './shape.js';
import { atUserLevel, disposeTensor, exposeForRead, trackTensor } from './memory.js';
import { isGradEnabled } from './grad-mode.js';
import { backward as runBackward, type BackwardOptions } from './autograd.js';
import { formatTensor, toNested, type Nested } from './format.js';

/** One recorded op: what produced a tensor, so backward can apply the primitive's vjp. */
export class Node {
  constructor(
    readonly prim: Primitive<never>,
    /** Inputs saved for the vjp; null once the graph is freed by a backward without retainGraph. */
    public inputs: readonly Tensor[] | null,
    readonly attrs: unknown,
    /** Storage versions at record time, to detect in-place changes of saved tensors. */
    readonly versions: readonly number[],
  ) {}
}

let nextId = 1;

export class Tensor implements View {
  readonly id: number;
  readonly shape: Shape;
  readonly dtype: DType;
  readonly size: number;
  /** @internal */ _storage: Storage;
  /** @internal */ _disposed = false;
  /** @internal the op that produced this tensor, or null for leaves */ _node: Node | null = null;
  /** @internal storage version when this tensor was produced (for saved-output checks) */ _version: number;
  /** @internal live autograd nodes that saved this tensor (core/memory.ts) */ _savedBy = 0;
  /** @internal owned by the graph: freed when the last node saving it is released */ _graphOwned = false;
  /** @internal the gradient slot behind `grad` */ _grad: Tensor | null = null;
  /**
   * @internal the slot's tensor was made by backward and never handed to user code: replacing it
   * (zeroGrad, the next accumulation) frees it, as PyTorch frees a dropped .grad.
   */
  _gradOwned = false;

  /** Gradient accumulated by backward() on leaves that require grad. */
  get grad(): Tensor | null {
    if (this._gradOwned && atUserLevel()) this._gradOwned = false; // the user may keep it now
    return this._grad;
  }

  set grad(g: Tensor | null) {
    this._setGrad(g, false);
  }

  /** @internal sets the slot; `owned` when backward made `g`. Frees the old one if it was owned. */
  _setGrad(g: Tensor | null, owned: boolean): void {
    const old = this._grad;
    if (old !== null && old !== g && this._gradOwned) disposeTensor(old);
    this._grad = g;
    this._gradOwned = owned && g !== null;
  }
  /** Whether backward computes a gradient for this tensor (set on leaves with requiresGrad_). */
  requiresGrad = false;
  /** Optional name shown in errors and summaries (Parameters get their state-dict key). */
  name?: string;

  /** @internal use the creation functions (`tensor`, `zeros`, ...) instead. */
  constructor(storage: Storage, shape: Shape, dtype: DType) {
    this.id = nextId++;
    this._storage = storage;
    this.shape = shape;
    this.dtype = dtype;
    this.size = numel(shape);
    this._version = storage.version;
    trackTensor(this);
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Same as `rank` (NumPy/PyTorch name). */
  get ndim(): number {
    return this.shape.length;
  }

  /** Number of dims (PyTorch `dim()`; same as `ndim` and `rank`). */
  dim(): number {
    return this.shape.length;
  }

  /** Number of elements (PyTorch `numel()`; same as the `size` property). */
  numel(): number {
    return this.size;
  }

  /**
   * Live view of the storage, row-major. Read-only by contract: write with `assign` so autograd's
   * version checks see the change.
   */
  get values(): TypedArray {
    if (this._disposed) throw new DisposedError(`tensor #${this.id} ${fmtShape(this.shape)} was disposed and cannot be read`);
    const s = this._storage;
    // Read by user code, a young tensor first moves to GC-owned memory, so the array handed out
    // stays valid whatever the engine reuses its block for later (core/memory.ts).
    if (s.young) exposeForRead(s);
    return s.size === this.size ? s.data : s.data.subarray(0, this.size);
  }

  /** @internal the values without the move of `values`: for copies made right away. */
  _peek(): TypedArray {
    if (this._disposed) throw new DisposedError(`tensor #${this.id} ${fmtShape(this.shape)} was disposed and cannot be read`);
    const s = this._storage;
    return s.size === this.size ? s.data : s.data.subarray(0, this.size);
  }

  /** Name of the op that produced this tensor (PyTorch's grad_fn), or null for leaves. */
  get gradFn(): string | null {
    return this._node ? this._node.prim.name : null;
  }

  get isLeaf(): boolean {
    return this._node === null;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new ShapeError(`item: tensor of shape ${fmtShape(this.shape)} has ${this.size} elements, expected 1`);
    return this._peek()[0]!;
  }

  /** A copy of the values as a typed array (Float32Array, Float64Array, Int32Array, Uint8Array for bool). */
  dataSync(): TypedArray {
    return this._peek().slice();
  }

  /** Async form of dataSync, for symmetry with backends that compute off-thread. */
  data(): Promise<TypedArray> {
    return Promise.resolve(this.dataSync());
  }

  /** Nested JS arrays (booleans for bool tensors); a number for rank 0. */
  toArray(): Nested {
    return toNested(this._peek(), this.shape, this.dtype === 'bool');
  }

  /** A tensor sharing this storage, cut from the graph (PyTorch detach). */
  detach(): Tensor {
    return new Tensor(this._storage, this.shape, this.dtype);
  }

  /** Marks a leaf as needing gradients. Only float tensors can. Returns this. */
  requiresGrad_(on = true): this {
    if (on && !isFloat(this.dtype)) {
      throw new DTypeError(`requiresGrad_: only float tensors can require gradients, got ${this.dtype} ${fmtShape(this.shape)}`);
    }
    if (!on && this._node) {
      throw new AutogradError('NON_LEAF', 'requiresGrad_(false): only leaves can stop requiring grad; use detach()');
    }
    this.requiresGrad = on;
    return this;
  }

  /**
   * Accumulates d(this)/d(leaf) into `.grad` of every leaf that requires grad. A non-scalar needs
   * a seed gradient of its shape.
   */
  backward(seed?: Tensor | BackwardOptions, options: BackwardOptions = {}): void {
    // `loss.backward({ retainGraph: true })` as in PyTorch's keyword form: options without a seed.
    if (seed !== undefined && !(seed instanceof Tensor)) {
      if (seed === null || typeof seed !== 'object' || Array.isArray(seed)) {
        throw new ValueError(`backward: the first argument must be a seed Tensor or an options object {createGraph, retainGraph}, got ${seed === null ? 'null' : Array.isArray(seed) ? 'an array' : typeof seed}`);
      }
      if (arguments.length > 1) throw new ValueError('backward: options given twice (first argument is already an options object)');
      options = seed;
      seed = undefined;
    }
    checkBackwardOptions(options);
    runBackward(this, seed, options);
  }

  /**
   * Copies `src`'s values into this tensor in place (same shape; dtype converted like a cast).
   * Bumps the storage version. Refused on a tensor that requires grad while grad mode is on,
   * as in PyTorch, because the graph would silently go stale.
   */
  assign(src: Tensor | ArrayLike<number>): this {
    if (this.requiresGrad && isGradEnabled()) {
      throw new AutogradError('INPLACE_ON_LEAF', `assign: tensor #${this.id}${this.name ? ` (${this.name})` : ''} requires grad; wrap the update in noGrad()`);
    }
    const dst = this.values;
    if (src instanceof Tensor) {
      if (!shapesEqual(src.shape, this.shape)) {
        throw new ShapeError(`assign: source shape ${fmtShape(src.shape)} does not match destination ${fmtShape(this.shape)}`);
      }
      copyInto(dst, src.values, this.dtype);
    } else {
      if (src.length !== this.size) {
        throw new ShapeError(`assign: source has ${src.length} values, destination ${fmtShape(this.shape)} has ${this.size}`);
      }
      copyInto(dst, src, this.dtype);
    }
    this._storage.version++;
    return this;
  }

  /**
   * Runs `fn` on the live values to change them in place (optimizer updates, initialisers) and bumps
   * the storage version. Same grad-mode rule as `assign`.
   */
  mutate(fn: (values: TypedArray) => void): this {
    if (this.requiresGrad && isGradEnabled()) {
      throw new AutogradError('INPLACE_ON_LEAF', `mutate: tensor #${this.id}${this.name ? ` (${this.name})` : ''} requires grad; wrap the update in noGrad()`);
    }
    fn(this.values);
    this._storage.version++;
    return this;
  }

  /** Releases the storage now instead of at garbage collection. Using the tensor afterwards throws. */
  dispose(): void {
    if (this._disposed) throw new DisposedError(`dispose: tensor #${this.id} ${fmtShape(this.shape)} was already disposed`, 'DOUBLE_DISPOSE');
    disposeTensor(this);
  }

  toString(): string {
    if (this._disposed) return `tensor(<disposed>, shape=${fmtShape(this.shape)}, dtype=${this.dtype})`;
    return formatTensor(this._peek(), this.shape, this.dtype, this.requiresGrad, this._node?.prim.name);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

function checkBackwardOptions(o: BackwardOptions): void {
  if (o === null || typeof o !== 'object') throw new ValueError(`backward: options must be an object, got ${String(o)}`);
  for (const [k, v] of Object.entries(o)) {
    if (k !== 'createGraph' && k !== 'retainGraph') throw new ValueError(`backward: unknown option '${k}' (allowed: createGraph, retainGraph)`);
    if (v !== undefined && typeof v !== 'boolean') throw new ValueError(`backward: option '${k}' must be a boolean, got ${typeof v}`);
  }
}

function copyInto(dst: TypedArray, src: ArrayLike<number>, dtype: DType): void {
  if (dtype === 'bool') {
    for (let i = 0; i < dst.length; i++) dst[i] = src[i] ? 1 : 0;
    return;
  }
  for (let i = 0; i < dst.length; i++) {
    const v = src[i]!;
    if (dtype === 'int32' && !Number.isFinite(v)) throw new ValueError(`assign: cannot store ${v} in an int32 tensor`);
    dst[i] = v;
  }
}
