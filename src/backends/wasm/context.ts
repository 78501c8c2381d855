/**
 * @file What every wasm kernel needs: the module's exports, the heap, and `ptr`, which turns a
 * kernel argument (a View whose values live in the heap) into a byte offset.
 */
import type { View } from '../../core/primitive.js';
import type { WasmHeap } from './heap.js';
import type { KernelExports } from './module.js';
import type { Parallel } from './pool/index.js';

export interface WasmContext {
  readonly wasm: KernelExports;
  readonly heap: WasmHeap;
  /**
   * A scratch block of at least `bytes` bytes owned by the backend (GEMM packing). May grow the
   * memory, so call it BEFORE taking pointers with `ptr` (a grow re-derives every view).
   */
  scratch(bytes: number): number;
  /** The worker pool (null on a non-shared memory): kernels split big ops with it, see pool/. */
  readonly parallel: Parallel | null;
}

/** What `ptr` reads of a core Tensor and its WasmStorage (duck-typed: backends import core's types only). */
interface HeapTensor {
  _disposed?: boolean;
  _storage?: { backend?: { heap?: unknown }; host?: unknown; released?: boolean; ptr?: number };
}

/**
 * Byte offset of a view's data in the heap, or -1 when it lives elsewhere (kernels then fall back
 * to the reference loops). Read `values` after any allocation: a grow of a plain memory detaches
 * the old views (a shared memory's stay valid, and heap.owns accepts them).
 */
export function ptr(ctx: WasmContext, v: View): number {
  // Fast path: a tensor (what core's dispatch passes) whose storage is a live block of this heap
  // starts at that block (views share their storage from element 0). Reading `values` instead
  // costs a view's buffer and byteOffset, ~50 ns on a shared memory's views (Node 20): a few
  // pointers per op is a tenth of a single-sample inference call.
  const s = (v as HeapTensor)._storage;
  if (s !== undefined && s.backend?.heap === ctx.heap && s.host === null && s.released === false && (v as HeapTensor)._disposed === false) return s.ptr!;
  const a = v.values;
  return ctx.heap.owns(a.buffer) ? a.byteOffset : -1;
}
