/**
 * @file The `wasm` backend: tensor storage in one WebAssembly.Memory (heap.ts) and SIMD kernels
 * compiled from AssemblyScript (assembly/*.as) for GEMM, elementwise ops and reductions. Every
 * primitive or dtype without a wasm kernel runs its reference loops on the same heap views.
 *
 * Register with `registerBackend('wasm', createWasmBackend)`; `wasmSimdSupported()` says whether
 * this engine can run it (WebAssembly SIMD: Node >= 16 and every current browser).
 */
import type { Backend, KernelTable, Storage } from '../../core/backend.js';
import { type DType, type TypedArray, bytesPerElement } from '../../core/dtype.js';
import { BackendError } from '../../core/errors.js';
import type { WasmContext } from './context.js';
import { WasmHeap } from './heap.js';
import { loadKernels, wasmSimdSupported } from './module.js';
import { elementwiseKernels } from './kernels/elementwise.js';
import { matmulKernels } from './kernels/matmul.js';
import { attentionKernel } from './kernels/attention.js';
import { reduceKernels } from './kernels/reduce.js';
import { fusedKernels } from './kernels/fused.js';
import { splineKernel } from './kernels/spline.js';
import { rbfBackwardKernel, rbfKernel } from './kernels/rbf.js';
import { geluBackwardKernel } from './kernels/gelu.js';
import { layerNormKernels } from './kernels/layernorm.js';
import { recurrentKernels } from './kernels/recurrent.js';
import { permuteKernel } from './kernels/movement.js';
import { elementwise64Kernels } from './kernels/elementwise64.js';
import { matmul64Kernels } from './kernels/matmul64.js';
import { fusedUpdates64 } from './kernels/fused64.js';
import { withFloat64 } from './kernels/route64.js';
import { spline64Kernel } from './kernels/spline64.js';
import { cast, expand, slice } from '../js/movement.js';
import { sampledMatmul, sparseLinear } from '../js/sparse.js';
import { type Parallel, createParallel } from './pool/index.js';

export { wasmSimdSupported, wasmRelaxedSimdSupported } from './module.js';
export { sizeClass, type HeapStats, WasmHeap } from './heap.js';
export { setNumThreads, getNumThreads, WorkerCrashedError, type WorkerCrashReason } from './pool/index.js';

function view(buffer: ArrayBufferLike, dtype: DType, offset: number, size: number): TypedArray {
  switch (dtype) {
    case 'float32': return new Float32Array(buffer, offset, size);
    case 'float64': return new Float64Array(buffer, offset, size);
    case 'int32': return new Int32Array(buffer, offset, size);
    case 'bool': return new Uint8Array(buffer, offset, size);
  }
}

/**
 * A block of the heap; `data` is a typed-array view re-derived when the memory has grown. A sweep
 * may evict it (core/memory.ts): the values move to a GC-owned `host` array, the block goes back to
 * the heap, and `restore` copies them into a new block before a kernel reads them again.
 */
export class WasmStorage implements Storage {
  refs = 0;
  version = 0;
  released = false;
  tracked = false;
  young: 0 | 1 | 2 = 0;
  /** The values while evicted, else null. */
  host: TypedArray | null = null;
  private cached: TypedArray | null = null;
  private generation = -1;

  constructor(
    readonly backend: WasmBackend,
    readonly dtype: DType,
    readonly size: number,
    /** Byte offset in the memory (meaningless while evicted). */
    public ptr: number,
  ) {}

  get data(): TypedArray {
    if (this.host !== null) return this.host;
    const heap = this.backend.heap;
    if (this.generation !== heap.generation || this.cached === null) {
      if (this.released) {
        throw new BackendError('USE_AFTER_RELEASE', `wasm storage at ${this.ptr} (${this.size} ${this.dtype}) was released; its memory may already hold another tensor`);
      }
      this.cached = view(heap.buffer, this.dtype, this.ptr, this.size);
      this.generation = heap.generation;
    }
    return this.cached;
  }

  /** Drops the cached view so a released block is never read through it. */
  forget(): void {
    this.cached = null;
  }
}

export interface WasmBackend extends Backend {
  readonly heap: WasmHeap;
  /** Whether the memory is a SharedArrayBuffer (usable by worker threads). */
  readonly shared: boolean;
  /** Whether the relaxed-SIMD build (FMA) is running. */
  readonly relaxed: boolean;
  /** The worker pool handle (null on a non-shared memory). */
  readonly parallel: Parallel | null;
}

export interface WasmBackendOptions {
  /** Prefer a shared memory (default true; falls back to a plain one where the host refuses). */
  shared?: boolean;
  /** Use the relaxed-SIMD build where supported (default true). */
  relaxed?: boolean;
  /** Backend name (default 'wasm'); tests register a second instance under another name. */
  name?: string;
}

/** Creates a wasm backend with its own memory. Throws a BackendError where wasm SIMD is unavailable. */
export function createWasmBackend(options: WasmBackendOptions = {}): WasmBackend {
  if (!wasmSimdSupported()) {
    throw new BackendError('WASM_UNAVAILABLE', 'the wasm backend needs WebAssembly with SIMD (Node >= 16, current browsers); use the reference backend');
  }
  const loaded = loadKernels(options);
  const { exports: wasm, memory, shared, relaxed } = loaded;
  const heap = new WasmHeap(memory, shared, wasm.heapBase());
  const parallel = shared || loaded.sharedRefused ? createParallel(loaded, heap) : null;
  let scratchPtr = 0;
  let scratchBytes = 0;
  const ctx: WasmContext = {
    wasm,
    heap,
    scratch(bytes: number): number {
      if (bytes > scratchBytes) {
        if (scratchBytes > 0) heap.release(scratchPtr, scratchBytes);
        scratchPtr = heap.alloc(bytes);
        scratchBytes = bytes;
      }
      return scratchPtr;
    },
    parallel,
  };
  // Data movement, layer norm, the recurrent cells and the CSR products (the CSR products as the js
  // backend's dtype-agnostic fast paths, which work on heap views as they are).
  const movement = { expand, permute: permuteKernel(ctx), slice, cast, ...layerNormKernels(ctx), ...recurrentKernels(ctx), sparseLinear, sampledMatmul } as unknown as KernelTable;
  const kernels: KernelTable = { ...movement, ...elementwiseKernels(ctx), ...reduceKernels(ctx), ...matmulKernels(ctx), splineBasis: splineKernel(ctx) as KernelTable['splineBasis'], rbfBasis: rbfKernel(ctx) as KernelTable['rbfBasis'], rbfBasisBackward: rbfBackwardKernel(ctx) as KernelTable['rbfBasisBackward'], geluBackward: geluBackwardKernel(ctx) as KernelTable['geluBackward'], scaledDotProductAttention: attentionKernel(ctx) as KernelTable['scaledDotProductAttention'] };
  const fused = fusedKernels(ctx, kernels);
  Object.assign(kernels, fused.kernels);
  // float64 operands: the f64x2 kernels, else the js kernels (never the reference loops).
  const routed = withFloat64(kernels, { ...elementwise64Kernels(ctx), ...matmul64Kernels(ctx), splineBasis: spline64Kernel(ctx) as KernelTable['splineBasis'] }, fused.updates, fusedUpdates64(ctx));
  const backend: WasmBackend = {
    name: options.name ?? 'wasm',
    heap,
    shared,
    relaxed,
    parallel,
    kernels: routed.kernels,
    fused: routed.updates,
    alloc(dtype: DType, size: number): Storage {
      const p = heap.alloc(size * bytesPerElement(dtype));
      return new WasmStorage(backend, dtype, size, p);
    },
    release(s: Storage): void {
      const w = s as WasmStorage;
      if (w.host === null) heap.release(w.ptr, w.size * bytesPerElement(w.dtype));
      w.forget();
    },
    evict(s: Storage): void {
      const w = s as WasmStorage;
      if (w.host !== null) return;
      const host = w.data.slice();
      heap.release(w.ptr, w.size * bytesPerElement(w.dtype));
      w.forget();
      w.host = host;
    },
    restore(s: Storage): void {
      const w = s as WasmStorage;
      const host = w.host;
      if (host === null) return;
      w.ptr = heap.alloc(w.size * bytesPerElement(w.dtype)); // may throw RangeError: still evicted then
      w.host = null;
      (w.data as { set(a: ArrayLike<number>): void }).set(host);
    },
    isEvicted: (s: Storage): boolean => (s as WasmStorage).host !== null,
  };
  return backend;
}
