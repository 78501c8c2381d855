/**
 * @file The wasm backend's float64 optimizer updates (assembly/fused64.as): Adam/AdamW, SGD and
 * LAMB over float64 parameters in the heap (Adam also over many parameters in one call), f64x2 passes, bit for bit src/optim's adamUpdate,
 * sgdUpdate and lambUpdate. Composed with the float32 updates in ../index.ts (each returns false for arrays it
 * does not take, and optim then runs its typed-array function).
 */
import type { AdamUpdateArgs, FusedUpdates, LambUpdateArgs, SgdUpdateArgs } from '../../../core/backend.js';
import type { TypedArray } from '../../../core/dtype.js';
import type { WasmContext } from '../context.js';

interface Fused64Exports {
  adamF64(
    p: number, g: number, m: number, v: number, vmax: number, n: number,
    decay: number, l2: number, beta1: number, omb1: number, beta2: number, omb2: number,
    stepSize: number, bc2Sqrt: number, eps: number, maximize: number,
  ): void;
  sgdF64(
    p: number, g: number, buf: number, n: number,
    lr: number, momentum: number, omd: number, wd: number, nesterov: number, maximize: number, fresh: number,
  ): void;
  lambF64(
    p: number, g: number, m: number, v: number, n: number,
    lr: number, beta1: number, omb1: number, beta2: number, omb2: number, bc1: number, bc2Sqrt: number, eps: number, wd: number,
  ): void;
}

/** Byte offsets of float64 arrays in the heap, or null when any is elsewhere (or not float64). */
function pointers(ctx: WasmContext, arrays: readonly (TypedArray | null)[]): number[] | null {
  const out: number[] = [];
  for (const a of arrays) {
    if (a === null) out.push(0);
    else if (a instanceof Float64Array && ctx.heap.owns(a.buffer)) out.push(a.byteOffset);
    else return null;
  }
  return out;
}

export function fusedUpdates64(ctx: WasmContext): Required<FusedUpdates> {
  const wasm = ctx.wasm as unknown as Fused64Exports;
  return {
    adamUpdate(p, g, m, v, vmax, h: AdamUpdateArgs): boolean {
      const ptrs = pointers(ctx, [p, g, m, v, vmax]);
      if (ptrs === null || g.length !== p.length) return false;
      const [pp, pg, pm, pv, pvmax] = ptrs as [number, number, number, number, number];
      wasm.adamF64(pp, pg, pm, pv, pvmax, p.length, h.decay, h.l2, h.beta1, 1 - h.beta1, h.beta2, 1 - h.beta2, h.stepSize, h.bc2Sqrt, h.eps, h.maximize ? 1 : 0);
      return true;
    },
    adamUpdateMany(items): boolean {
      // All pointers first (all or nothing), then one pass per parameter on this thread.
      const all = items.map((it) => (it.g.length === it.p.length ? pointers(ctx, [it.p, it.g, it.m, it.v, it.vmax]) : null));
      if (all.some((x) => x === null)) return false;
      items.forEach((it, i) => {
        const [pp, pg, pm, pv, pvmax] = all[i] as [number, number, number, number, number];
        const h = it.h;
        wasm.adamF64(pp, pg, pm, pv, pvmax, it.p.length, h.decay, h.l2, h.beta1, 1 - h.beta1, h.beta2, 1 - h.beta2, h.stepSize, h.bc2Sqrt, h.eps, h.maximize ? 1 : 0);
      });
      return true;
    },
    sgdUpdate(p, g, buf, h: SgdUpdateArgs): boolean {
      const ptrs = pointers(ctx, [p, g, buf]);
      if (ptrs === null || g.length !== p.length) return false;
      const [pp, pg, pb] = ptrs as [number, number, number];
      wasm.sgdF64(pp, pg, pb, p.length, h.lr, h.momentum, 1 - h.dampening, h.weightDecay, h.nesterov ? 1 : 0, h.maximize ? 1 : 0, h.fresh ? 1 : 0);
      return true;
    },
    lambUpdate(p, g, m, v, h: LambUpdateArgs): boolean {
      const ptrs = pointers(ctx, [p, g, m, v]);
      if (ptrs === null || g.length !== p.length) return false;
      const [pp, pg, pm, pv] = ptrs as [number, number, number, number];
      wasm.lambF64(pp, pg, pm, pv, p.length, h.lr, h.beta1, 1 - h.beta1, h.beta2, 1 - h.beta2, h.bc1, h.bc2Sqrt, h.eps, h.weightDecay);
      return true;
    },
  };
}
