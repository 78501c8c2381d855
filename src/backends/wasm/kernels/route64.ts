/**
 * @file Which kernel a float64 op runs on the wasm backend. The float32 kernels (kernels/*.ts)
 * hand every other dtype to the reference loops; this wraps the table so that an op with a
 * float64 operand runs the f64x2 kernel where there is one (elementwise64.ts, matmul64.ts) and the
 * js backend's kernel otherwise (V8-tuned loops, dtype-agnostic, on the same heap views), and so
 * that the primitives with no wasm kernel at all (log1p, pow, argmax, argmin, ...) run
 * the js kernels for every dtype. What is left for the reference loops is what the js backend
 * leaves to them too (see bench/f64-fallbacks.ts).
 */
import type { FusedUpdates, KernelTable } from '../../../core/backend.js';
import type { Kernel, PrimitiveName, View } from '../../../core/primitive.js';
import { JS_KERNELS } from '../../js/index.js';

function hasFloat64(out: View, ins: readonly View[]): boolean {
  if (out.dtype === 'float64') return true;
  for (let i = 0; i < ins.length; i++) if (ins[i]!.dtype === 'float64') return true;
  return false;
}

/** The routed kernel table and fused updates (float32 first, then float64). */
export function withFloat64(
  table32: KernelTable, table64: KernelTable, updates32: FusedUpdates, updates64: Required<FusedUpdates>,
): { kernels: KernelTable; updates: FusedUpdates } {
  const kernels: KernelTable = {};
  const names = new Set([...Object.keys(JS_KERNELS), ...Object.keys(table32)] as PrimitiveName[]);
  for (const name of names) {
    const k32 = table32[name] as Kernel<unknown> | undefined;
    const k64 = (table64[name] ?? JS_KERNELS[name]) as Kernel<unknown> | undefined;
    if (!k32) kernels[name] = k64 as Kernel<never>;
    else if (!k64 || k64 === k32) kernels[name] = k32 as Kernel<never>;
    else kernels[name] = ((out, ins, attrs) => (hasFloat64(out, ins) ? k64 : k32)(out, ins, attrs)) as Kernel<never>;
  }
  const updates: FusedUpdates = {
    adamUpdate: (p, g, m, v, vmax, h) => (updates32.adamUpdate?.(p, g, m, v, vmax, h) ?? false) || updates64.adamUpdate(p, g, m, v, vmax, h),
    // A step mixing float32 and float64 parameters is refused by both: optim then runs adamUpdate per parameter.
    adamUpdateMany: (items) => (updates32.adamUpdateMany?.(items) ?? false) || updates64.adamUpdateMany(items),
    sgdUpdate: (p, g, buf, h) => (updates32.sgdUpdate?.(p, g, buf, h) ?? false) || updates64.sgdUpdate(p, g, buf, h),
    lambUpdate: updates64.lambUpdate,
  };
  return { kernels, updates };
}
