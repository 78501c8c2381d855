/**
 * @file scaledDotProductAttention's forward on the wasm backend (contract in
 * ops/primitives/attention.ts): float32 in wasm (assembly/attention.as: per (batch, head) and block
 * of query rows, scores with the packed GEMM, an f32x4 masked softmax, P·V with the GEMM again),
 * every mask kind, causal, grouped heads and the dropout multiplier as the js kernel. float64 never
 * reaches this kernel (route64.ts sends it to the js kernel); operands outside the heap and S = 0
 * (every row NaN) run the js kernel too.
 *
 * Threads: the (batch, head) range is cut into pieces across the worker pool, each piece one call
 * with its own workspace (the scores of a row block and the GEMM packing). A (batch, head) is
 * computed the same way on any thread, so results are bitwise identical for any thread count.
 * The 16 integer parameters sit at the start of the main thread's scratch block (a shared memory:
 * the workers read them there); the pool passes at most 17 arguments.
 */
import type { Kernel, View } from '../../../core/primitive.js';
import { scaledDotProductAttention as jsAttention } from '../../js/attention.js';
import { type WasmContext, ptr } from '../context.js';
import { type Chunk, pieceCount, splitRange } from '../pool/index.js';
import { BLOCKS } from './matmul.js';

interface AttentionAttrs { scale: number; causal: boolean; mask: 'none' | 'bool' | 'float'; dropout: boolean }

interface AttentionExports {
  attentionWorkspaceBytes(rb: number, s: number, kc: number, mc: number, nc: number): number;
  attentionF32(q: number, k: number, v: number, mask: number, drop: number, out: number, ws: number, params: number, scale: number, bh0: number, bh1: number): void;
}

/**
 * Query rows per block: 64 rows of scores at S = 256 are 64 KiB (in L2 with the GEMM's packing), and
 * a causal block stops at its last row's keys, so smaller blocks skip more of the masked triangle
 * at the cost of re-packing Kᵀ and V per block. Measured (4×8 heads, L = S = 256, E = 32, 1 thread,
 * CPU ms, loaded 2-core VM): causal 5.7 / 5.9 / 6.0 / 6.5 for 16 / 32 / 64 / 128 rows, full 10.3 /
 * 10.0 / 9.9 / 9.8: within noise from 32 to 64. The js kernel it replaces: 92 causal, 177 full.
 */
export const ATTENTION_BLOCK = { rows: 64 };

/** Threading: from `minFlops` (2·B·Hq·L·S·(E + Ev)) the (batch, head) range is split, as matmul's. */
export const ATTENTION_THREADING = { minFlops: 1 << 21, pieceFlops: 1 << 20, piecesPerThread: 2 };

const PARAMS_BYTES = 64;

export function attentionKernel(ctx: WasmContext): Kernel<AttentionAttrs> {
  const wasm = ctx.wasm as unknown as AttentionExports;
  return (out, ins, a) => {
    const [q, k, v] = ins as [View, View, View];
    const [B, Hq, L, E] = q.shape as [number, number, number, number];
    const [, Hk, S] = k.shape as [number, number, number];
    const Ev = v.shape[3]!;
    if (q.dtype !== 'float32' || S === 0) return jsAttention(out, ins, a);
    if (B * Hq * L * Ev === 0) return;
    const { kc, mc, nc } = BLOCKS;
    const rb = ATTENTION_BLOCK.rows;
    const wsBytes = wasm.attentionWorkspaceBytes(rb, S, kc, mc, nc);
    // Scratch first: it may grow the memory, which re-derives every view.
    const base = ctx.scratch(PARAMS_BYTES + wsBytes);
    const m = a.mask === 'none' ? null : ins[3]!;
    const d = a.dropout ? ins[ins.length - 1]! : null;
    const pq = ptr(ctx, q);
    const pk = ptr(ctx, k);
    const pv = ptr(ctx, v);
    const po = ptr(ctx, out);
    const pm = m ? ptr(ctx, m) : 0;
    const pd = d ? ptr(ctx, d) : 0;
    if (pq < 0 || pk < 0 || pv < 0 || po < 0 || pm < 0 || pd < 0) return jsAttention(out, ins, a);
    let mst = [0, 0, 0, 0];
    if (m) {
      const [Bm, Hm, Lm, Sm] = m.shape as [number, number, number, number];
      mst = [Bm === 1 ? 0 : Hm * Lm * Sm, Hm === 1 ? 0 : Lm * Sm, Lm === 1 ? 0 : Sm, Sm === 1 ? 0 : 1];
    }
    const kind = a.mask === 'none' ? 0 : a.mask === 'bool' ? 1 : 2;
    new Int32Array(ctx.heap.memory.buffer, base, PARAMS_BYTES / 4).set([Hq, Hk, L, S, E, Ev, a.causal ? 1 : 0, kind, ...mst, kc, mc, nc, rb]);
    const ws = base + PARAMS_BYTES;
    const BH = B * Hq;
    const flops = 2 * BH * L * S * (E + Ev);
    const threads = flops >= ATTENTION_THREADING.minFlops && BH >= 2 && ctx.parallel ? ctx.parallel.threads() : 1;
    if (threads <= 1) {
      wasm.attentionF32(pq, pk, pv, pm, pd, po, ws, base, a.scale, 0, BH);
      return;
    }
    const pieces = Math.min(BH, pieceCount(flops, threads, ATTENTION_THREADING.pieceFlops, BH, ATTENTION_THREADING.piecesPerThread));
    const chunks: Chunk[] = splitRange(BH, pieces, 1).map(([s, e]) => ({ fn: 'attentionF32', args: [pq, pk, pv, pm, pd, po, 0, base, a.scale, s, e], wsArg: 6 }));
    ctx.parallel!.run('scaledDotProductAttention', chunks, { wsBytes, mainWs: ws, out: [po, po + 4 * BH * L * Ev] });
  };
}
