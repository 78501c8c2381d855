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
import { disposeTensor, trackTensor } from './memory.js';
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
  /** Gradient accumulated by backward() on leaves that require grad. */
  grad: Tensor | null = null;
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
    return this.values[0]!;
  }

  /** A copy of the values as a typed array (Float32Array, Float64Array, Int32Array, Uint8Array for bool). */
  dataSync(): TypedArray {
    return this.values.slice();
  }

  /** Async form of dataSync, for symmetry with backends that compute off-thread. */
  data(): Promise<TypedArray> {
    return Promise.resolve(this.dataSync());
  }

  /** Nested JS arrays (booleans for bool tensors); a number for rank 0. */
  toArray(): Nested {
    return toNested(this.values, this.shape, this.dtype === 'bool');
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
  backward(seed?: Tensor, options: BackwardOptions = {}): void {
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
    return formatTensor(this.values, this.shape, this.dtype, this.requiresGrad, this._node?.prim.name);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
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
