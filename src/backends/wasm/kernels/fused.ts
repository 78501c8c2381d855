/**
 * @file The wasm backend's fused kernels (assembly/fused.as): `linear` as the backend's own matmul
 * kernel (packed GEMM, threaded where the pool is on) followed by one bias + activation pass over
 * the still-cached output; `logSoftmax` over contiguous rows; and the Adam/AdamW/SGD updates that
 * src/optim calls through `Backend.fused`. Other dtypes and layouts run the reference loops.
 */
import type { AdamUpdateArgs, FusedUpdates, KernelTable, SgdUpdateArgs } from '../../../core/backend.js';
import type { TypedArray } from '../../../core/dtype.js';
import { getPrimitive, type Kernel, type View } from '../../../core/primitive.js';
import { axisLayout, indexSelect } from '../../js/fused.js';
import { type WasmContext, ptr } from '../context.js';
import { SMALL_M, smallNT } from './matmul.js';
import { linearGeluEpilogue } from './gelu.js';
import { adamUpdateMany } from './adam-many.js';

// Attribute shapes of ops/primitives/linear.ts and log-softmax.ts (backends import only core).
interface LinearAttrs {
  activation: 'none' | 'relu' | 'tanh' | 'gelu';
}
interface LogSoftmaxAttrs {
  axis: number;
}

type Epilogue = (out: number, bias: number, rows: number, cols: number) => void;

/** The exports of assembly/fused.as (kept here so module.ts need not know them). */
interface FusedExports {
  linearBias: Epilogue;
  linearRelu: Epilogue;
  linearTanh: Epilogue;
  linearGelu: Epilogue;
  logSoftmaxRows(x: number, out: number, rows: number, len: number): void;
  adamF32(
    p: number, g: number, m: number, v: number, vmax: number, n: number,
    decay: number, l2: number, beta1: number, omb1: number, beta2: number, omb2: number,
    stepSize: number, bc2Sqrt: number, eps: number, maximize: number,
  ): void;
  sgdF32(
    p: number, g: number, buf: number, n: number,
    lr: number, momentum: number, omd: number, wd: number, nesterov: number, maximize: number, fresh: number,
  ): void;
}

const MATMUL_BT = { transA: false, transB: true };

/**
 * A few rows (one sample, a small batch: inference) run the unpacked dot-product kernel
 * (assembly/gemm-small.as) with the bias and relu folded in: no packing of the weight, no second
 * pass over the output. Returns false when an operand is not in the heap (the caller falls back).
 */
function smallLinear(ctx: WasmContext, out: View, x: View, w: View, b: View | undefined, rows: number, outF: number, inF: number, activation: LinearAttrs['activation']): boolean {
  const po = ptr(ctx, out);
  const px = ptr(ctx, x);
  const pw = ptr(ctx, w);
  const pb = b ? ptr(ctx, b) : 0;
  if (po < 0 || px < 0 || pw < 0 || pb < 0) return false;
  const wasm = ctx.wasm;
  if (activation === 'none' || activation === 'relu') {
    smallNT(ctx, rows, outF, inF, px, pw, po, pb, activation === 'relu' ? 1 : 0);
    return true;
  }
  smallNT(ctx, rows, outF, inF, px, pw, po, 0, 0);
  if (activation === 'tanh') (wasm as unknown as FusedExports).linearTanh(po, pb, rows, outF);
  else (wasm as unknown as FusedExports).linearGelu(po, pb, rows, outF);
  return true;
}

function linearKernel(ctx: WasmContext, matmul: () => Kernel<never> | undefined): Kernel<LinearAttrs> {
  const wasm = ctx.wasm as unknown as FusedExports;
  const fallback = getPrimitive<LinearAttrs>('linear').reference;
  return (out, ins, attrs) => {
    const [x, w, b] = ins as [View, View, View | undefined];
    const mmK = matmul() as Kernel<typeof MATMUL_BT> | undefined;
    if (x.dtype !== 'float32' || !mmK) return fallback(out, ins, attrs);
    const [outF, inF] = w.shape as [number, number];
    let rows = 1; // from the shape: reading out.values would make a view of the fresh output for nothing
    for (let i = 0; i < out.shape.length - 1; i++) rows *= out.shape[i]!;
    if (rows === 0 || outF === 0) return;
    if (rows <= SMALL_M.linear && smallLinear(ctx, out, x, w, b, rows, outF, inF, attrs.activation)) return;
    // The GEMM (any scratch growth happens inside it), then pointers for the epilogue.
    // Getters, not arrays: a scratch grow inside the GEMM replaces the buffer the views are on.
    const out2: View = { shape: [rows, outF], dtype: 'float32', get values() { return out.values; } };
    const x2: View = { shape: [rows, inF], dtype: 'float32', get values() { return x.values; } };
    mmK(out2, [x2, w], MATMUL_BT);
    const po = ptr(ctx, out);
    const pb = b ? ptr(ctx, b) : 0;
    if (po < 0 || pb < 0) return fallback(out, ins, attrs);
    const { activation } = attrs;
    if (activation === 'relu') wasm.linearRelu(po, pb, rows, outF);
    else if (activation === 'tanh') wasm.linearTanh(po, pb, rows, outF);
    else if (activation === 'gelu') linearGeluEpilogue(ctx, po, pb, rows, outF);
    else if (b) wasm.linearBias(po, pb, rows, outF);
  };
}

function logSoftmaxKernel(ctx: WasmContext): Kernel<LogSoftmaxAttrs> {
  const wasm = ctx.wasm as unknown as FusedExports;
  const fallback = getPrimitive<LogSoftmaxAttrs>('logSoftmax').reference;
  return (out, ins, attrs) => {
    const x = ins[0]!;
    const [outer, len, inner] = axisLayout(x.shape, attrs.axis);
    const px = x.dtype === 'float32' && inner === 1 ? ptr(ctx, x) : -1;
    const po = ptr(ctx, out);
    if (px < 0 || po < 0) return fallback(out, ins, attrs);
    if (len > 0) wasm.logSoftmaxRows(px, po, outer, len);
  };
}

/** Byte offsets of float32 arrays in the heap, or null when any is elsewhere (or not float32). */
function pointers(ctx: WasmContext, arrays: readonly (TypedArray | null)[]): number[] | null {
  const out: number[] = [];
  for (const a of arrays) {
    if (a === null) out.push(0);
    else if (a instanceof Float32Array && ctx.heap.owns(a.buffer)) out.push(a.byteOffset);
    else return null;
  }
  return out;
}

function fusedUpdates(ctx: WasmContext): FusedUpdates {
  const wasm = ctx.wasm as unknown as FusedExports;
  return {
    adamUpdate(p, g, m, v, vmax, h: AdamUpdateArgs): boolean {
      const ptrs = pointers(ctx, [p, g, m, v, vmax]);
      if (ptrs === null || g.length !== p.length) return false;
      const [pp, pg, pm, pv, pvmax] = ptrs as [number, number, number, number, number];
      wasm.adamF32(pp, pg, pm, pv, pvmax, p.length, h.decay, h.l2, h.beta1, 1 - h.beta1, h.beta2, 1 - h.beta2, h.stepSize, h.bc2Sqrt, h.eps, h.maximize ? 1 : 0);
      return true;
    },
    adamUpdateMany: adamUpdateMany(ctx),
    sgdUpdate(p, g, buf, h: SgdUpdateArgs): boolean {
      const ptrs = pointers(ctx, [p, g, buf]);
      if (ptrs === null || g.length !== p.length) return false;
      const [pp, pg, pb] = ptrs as [number, number, number];
      wasm.sgdF32(pp, pg, pb, p.length, h.lr, h.momentum, 1 - h.dampening, h.weightDecay, h.nesterov ? 1 : 0, h.maximize ? 1 : 0, h.fresh ? 1 : 0);
      return true;
    },
  };
}

/**
 * The fused kernels. `table` is the backend's finished kernel table: `linear` looks its matmul up
 * at call time, so whichever GEMM the backend runs (single- or multi-threaded) is the one used.
 */
export function fusedKernels(ctx: WasmContext, table: KernelTable): { kernels: KernelTable; updates: FusedUpdates } {
  return {
    kernels: {
      linear: linearKernel(ctx, () => table.matmul) as Kernel<never>,
      logSoftmax: logSoftmaxKernel(ctx) as Kernel<never>,
      // Plain typed-array copies work on heap views as well (batch assembly is a row gather).
      indexSelect: indexSelect as Kernel<never>,
    },
    updates: fusedUpdates(ctx),
  };
}
