/**
 * @file Helpers of the wasm pool tests (wasm-pool, wasm-small-threads): the backend instance,
 * deterministic float32 operands on it.
 */
import * as px from '../src/index.js';
import { createWasmBackend, type WasmBackend } from '../src/backends/wasm/index.js';
import { on } from './backend-compare.js';

if (!px.availableBackends().includes('wasm')) px.registerBackend('wasm', createWasmBackend);

/** The registered wasm backend instance. */
export const backend = (): WasmBackend => on('wasm', () => px.zeros([1])._storage.backend as WasmBackend);

/** Deterministic float32 values in [-1, 1). */
export function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return -1 + (2 * s) / 2 ** 32;
  });
}

/** A float32 tensor of `shape` on wasm from values(…, seed). */
export const t32 = (shape: number[], seed: number): px.Tensor => on('wasm', () => px.tensor(values(shape.reduce((p, d) => p * d, 1), seed), { shape }));
