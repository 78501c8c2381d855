/**
 * @file `plexus/internal`: the documented internal entry, for the benchmarks (bench/) and the CLI
 * (apps/cli) where they must reach below the public API. Not a stable API: names here may change
 * in any release. What and why:
 * - createWasmBackend, WasmBackend: bench/gemm.ts registers extra wasm instances (baseline vs
 *   relaxed SIMD) and reads a backend's pool to time GEMM with the workers warm;
 * - THREADING, SMALL_THREADING, configurePool, forceThreading, waitForWorkers: bench/pool-thresholds.ts
 *   measures where threading starts to pay, the numbers the kernels' thresholds come from;
 * - parseJsonBytes, JsonNumber, JsonValue: the strict JSON parser of the safetensors header, which
 *   the CLI also uses for config files (duplicate keys, positions, number literals kept as text).
 * - loadKernels, wasmRelaxedSimdSupported: bench/f64.ts instantiates a kernel module of its own to time
 *   the f64x2 ceiling (gemm64Peak), baseline and relaxed SIMD;
 * - currentPool: the playground (apps/playground) shows how many pool workers run and how many
 *   chunks they took, in a browser tab;
 * - getPrimitive: bench/f64-fallbacks.ts wraps each primitive's reference kernel with a counter to
 *   list which ops a backend leaves to the reference loops.
 * Node-free, like the public entry.
 */
export { createWasmBackend, type WasmBackend } from './backends/wasm/index.js';
export { THREADING } from './backends/wasm/kernels/matmul.js';
export { SMALL_THREADING } from './backends/wasm/kernels/matmul-small.js';
export { configurePool, forceThreading, waitForWorkers } from './backends/wasm/pool/testing.js';
export { getPrimitive } from './core/primitive.js';
export { loadKernels } from './backends/wasm/module.js';
export { wasmRelaxedSimdSupported } from './backends/wasm/index.js';
export { JsonNumber, type JsonValue, parseJsonBytes } from './io/json.js';
export { currentPool } from './backends/wasm/pool/testing.js';
