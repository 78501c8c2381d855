/**
 * @file The public entry of plexus. Everything a user imports comes from here.
 */
import { registerBackend, setDefaultBackendChooser } from './core/backend.js';
import { createReferenceBackend } from './backends/reference/index.js';
import { createJsBackend } from './backends/js/index.js';
import { createWasmBackend, wasmSimdSupported } from './backends/wasm/index.js';

export * from './core/errors.js';
export { type DType, type FloatDType, type TypedArray, setDefaultDType, getDefaultDType, promote, isFloat } from './core/dtype.js';
export { type Shape, broadcastShapes } from './core/shape.js';
export { Tensor } from './core/tensor.js';
export * from './core/create.js';
export { Generator, manualSeed, defaultGenerator } from './core/rng.js';
export { noGrad, enableGrad, isGradEnabled } from './core/grad-mode.js';
export { gradients, type BackwardOptions, type GradOptions } from './core/autograd.js';
export { grad, valueAndGrad, customGrad, type GradTransformOptions } from './core/functional.js';
export { memory, scope, keep, sweep, setSweepThresholds, setMemoryBudget, resetPeakMemory, type MemoryInfo } from './core/memory.js';
export { setBackend, getBackend, availableBackends, registerBackend, type Backend, type Storage, type KernelTable } from './core/backend.js';
export { PRIMITIVE_NAMES, registeredPrimitives, type Primitive, type PrimitiveName, type Kernel, type View, type Meta } from './core/primitive.js';
export * from './ops/index.js';
export { PRIMITIVES } from './ops/primitives/index.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as io from './io/index.js';
export * as data from './data/index.js';
export { DataError, IdxFormatError, CsvError, ImageFormatError } from './data/errors.js';
export { ModelFormatError, CheckpointWriteError } from './io/errors.js';
export { NonFiniteWeightsError } from './io/model.js';
export * as train from './train/index.js';
export * as analysis from './analysis/index.js';
export { fit, evaluate, predict, History, NonFiniteLossError, NonFiniteInputError, type FitOptions } from './train/index.js';
export { psnr } from './train/psnr.js';
export { Module, Parameter } from './nn/module.js';
export { setNumThreads, getNumThreads, WorkerCrashedError, wasmSimdSupported, type WorkerCrashReason } from './backends/wasm/index.js';

registerBackend('reference', createReferenceBackend);
registerBackend('js', createJsBackend);
registerBackend('wasm', createWasmBackend);
// The wasm backend where WebAssembly SIMD is available (Node >= 16, current browsers), else the
// V8-tuned js kernels; `reference` (float64 loops) stays the oracle, selected by setBackend.
setDefaultBackendChooser(() => (wasmSimdSupported() ? 'wasm' : 'js'));
export { getMemoryBudget } from './core/memory.js';
export { defaultBackend } from './core/backend.js';
