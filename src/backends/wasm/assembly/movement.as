/**
 * @file float32 batched transpose for `permute` (src/backends/wasm/kernels/movement.ts): dst[b, p, q] =
 * src[b, q, p], in 4×4 blocks transposed in registers (two rounds of shuffles), edges element by
 * element. A pure copy: results are bit-identical to the js gather.
 */

/** src [B, Q, P] (contiguous) -> dst [B, P, Q]. */
export function transposeF32(src: usize, dst: usize, B: i32, Q: i32, P: i32): void {
  const Q4 = Q & ~3;
  const P4 = P & ~3;
  const plane = <usize>(P * Q) << 2;
  for (let b = 0; b < B; b++) {
    const s = src + <usize>b * plane;
    const d = dst + <usize>b * plane;
    for (let q = 0; q < Q4; q += 4) {
      const s0 = s + (<usize>(q * P) << 2);
      const rowBytes = <usize>P << 2;
      for (let p = 0; p < P4; p += 4) {
        const o = <usize>p << 2;
        const r0 = v128.load(s0 + o);
        const r1 = v128.load(s0 + rowBytes + o);
        const r2 = v128.load(s0 + 2 * rowBytes + o);
        const r3 = v128.load(s0 + 3 * rowBytes + o);
        const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
        const t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
        const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
        const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
        const d0 = d + (<usize>(p * Q + q) << 2);
        const colBytes = <usize>Q << 2;
        v128.store(d0, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
        v128.store(d0 + colBytes, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
        v128.store(d0 + 2 * colBytes, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
        v128.store(d0 + 3 * colBytes, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
      }
      for (let p = P4; p < P; p++) {
        for (let k = 0; k < 4; k++) store<u32>(d + (<usize>(p * Q + q + k) << 2), load<u32>(s + (<usize>((q + k) * P + p) << 2)));
      }
    }
    for (let q = Q4; q < Q; q++) {
      for (let p = 0; p < P; p++) store<u32>(d + (<usize>(p * Q + q) << 2), load<u32>(s + (<usize>(q * P + p) << 2)));
    }
  }
}
