/**
 * @file Host-array helpers shared by the kernel tools: reading tensors as float64 copies, the dense
 * product A B^T through the backend's float64 matmul (the contraction every kernel reduces to), and
 * running a model read-only (eval mode for the call, the training flags restored afterwards).
 */
import { tensor } from '../../core/create.js';
import { DTypeError, ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import { noGrad } from '../../core/grad-mode.js';
import { frame } from '../../core/memory.js';
import { Tensor } from '../../core/tensor.js';
import { matmul, transpose } from '../../ops/primitives/index.js';
import type { Module } from '../../nn/module.js';

/** A float tensor's values as a fresh Float64Array (nothing held on backend memory). */
export function f64(t: Tensor): Float64Array {
  return Float64Array.from(t._peek() as Float32Array | Float64Array);
}

/** A float tensor of rank 2, checked; `what` names it in messages. */
export function matrixArg(where: string, what: string, t: unknown, cols?: number): Tensor {
  if (!(t instanceof Tensor)) throw new ValueError(`${where}: ${what} must be a Tensor, got ${t === null ? 'null' : typeof t}`, 'INVALID_ARGUMENT');
  if (t.dtype !== 'float32' && t.dtype !== 'float64') throw new DTypeError(`${where}: ${what} must be float32 or float64, got ${t.dtype}`);
  if (t.rank !== 2 || (cols !== undefined && t.shape[1] !== cols)) {
    throw new ShapeError(`${where}: ${what} must be [N, ${cols ?? 'D'}], got ${fmtShape(t.shape)}`);
  }
  return t;
}

/**
 * C = A B^T for row-major A [m, k] and B [n, k] (float64 throughout), as a fresh Float64Array [m, n].
 * Runs the backend's float64 GEMM inside a frame, so no temporary outlives the call.
 */
export function abt(a: Float64Array, m: number, b: Float64Array, n: number, k: number): Float64Array {
  if (m === 0 || n === 0) return new Float64Array(m * n);
  if (k === 0) return new Float64Array(m * n);
  return frame(() => noGrad(() => {
    const A = tensor(a.subarray(0, m * k), { dtype: 'float64', shape: [m, k] });
    const B = a === b && m === n ? A : tensor(b.subarray(0, n * k), { dtype: 'float64', shape: [n, k] });
    return Float64Array.from(matmul(A, transpose(B, 0, 1))._peek() as Float64Array);
  }));
}

/**
 * Runs `fn` with every module of `model` in eval mode (no dropout, BatchNorm running statistics, so
 * samples are independent and no buffer changes) and restores each module's own flag afterwards.
 */
export function inEval<R>(model: Module, fn: () => R): R {
  const mods = model.modules();
  const flags = mods.map((m) => m.training);
  for (const m of mods) m.training = false;
  try {
    return fn();
  } finally {
    mods.forEach((m, i) => { m.training = flags[i]!; });
  }
}

/** Rows [start, end) of a row-major [N, D] tensor's values as a new [end - start, D] tensor of `like`'s dtype. */
export function rows(values: Float64Array, d: number, start: number, end: number, dtype: 'float32' | 'float64'): Tensor {
  const part = values.subarray(start * d, end * d);
  return tensor(dtype === 'float64' ? part : Float32Array.from(part), { dtype, shape: [end - start, d] });
}
