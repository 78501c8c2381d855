/**
 * @file `permute` on the wasm backend: a float32 permute that is a (batched) 2-D transpose once
 * adjacent dims are merged, such as MLP-Mixer's token-mixing [B, T, C] <-> [B, C, T], runs the
 * blocked wasm transpose (assembly/movement.as); every other permute, dtype or operand outside the
 * heap runs the js strided copy. Both are plain copies, so results are bit-identical.
 */
import type { Kernel, View } from '../../../core/primitive.js';
import { stridesOf } from '../../../core/shape.js';
import { permute as jsPermute } from '../../js/movement.js';
import { type WasmContext, ptr } from '../context.js';

interface MovementExports {
  transposeF32(src: number, dst: number, B: number, Q: number, P: number): void;
}

/**
 * [B, Q, P] when out[b, p, q] = x[b, q, p] after dropping size-1 dims and merging dims the source
 * walks contiguously (out dims [B?, P, Q] with source strides [P·Q, 1, P]); else null.
 */
export function transposeShape(shape: readonly number[], perm: readonly number[]): [number, number, number] | null {
  const st = stridesOf(shape);
  const dims: number[] = [];
  const strides: number[] = [];
  for (const p of perm) {
    const n = shape[p]!;
    if (n === 1) continue;
    const k = dims.length - 1;
    if (k >= 0 && strides[k] === st[p]! * n) {
      dims[k] = dims[k]! * n;
      strides[k] = st[p]!;
    } else {
      dims.push(n);
      strides.push(st[p]!);
    }
  }
  const r = dims.length;
  if (r < 2 || r > 3) return null;
  const P = dims[r - 2]!;
  const Q = dims[r - 1]!;
  if (strides[r - 2] !== 1 || strides[r - 1] !== P) return null;
  if (r === 3 && strides[0] !== P * Q) return null;
  return [r === 3 ? dims[0]! : 1, Q, P];
}

export function permuteKernel(ctx: WasmContext): Kernel<{ perm: readonly number[] }> {
  const wasm = ctx.wasm as unknown as MovementExports;
  return (out, ins, attrs) => {
    const x = ins[0] as View;
    if (out.values.length === 0) return;
    const px = x.dtype === 'float32' ? ptr(ctx, x) : -1;
    const po = ptr(ctx, out);
    const t = px >= 0 && po >= 0 ? transposeShape(x.shape, attrs.perm) : null;
    if (t === null) return jsPermute(out, ins, attrs);
    wasm.transposeF32(px, po, t[0], t[1], t[2]);
  };
}
