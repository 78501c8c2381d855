/**
 * @file The wasm backend's float32 erf and GELU (assembly/vmath.as verf, vgelu, vgeluGrad) on dense
 * samples of float32: every 149th float32 bit pattern (~2.7M inputs) in ±[1e-6, 16) plus the special values, within
 * docs/reliability.md "Tolerances" (<= 4 ulp of Math.fround(float64 result), NaN/Inf positions exact)
 * with no absolute floor, so GELU's negative tail (values down to 1e-45) must hold its relative
 * accuracy against the float64 geluScalar (which takes erfc there, not 1 + erf). geluBackward, whose
 * result has a genuine zero at z = -0.7518, is held to the same bound plus the rounding of its two
 * terms. Also: the 'gelu' epilogue with a bias and odd widths against the reference backend. Both
 * builds (relaxed SIMD, which fuses the polynomials' multiply-adds, and baseline) are checked.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { createWasmBackend } from '../src/backends/wasm/index.js';
import { erfScalar, geluGradScalar, geluScalar } from '../src/core/special.js';
import { geluBackward, geluForward } from '../src/ops/primitives/gelu.js';
import { on } from './backend-compare.js';

if (!px.availableBackends().includes('wasm')) px.registerBackend('wasm', createWasmBackend);
// the relaxed-SIMD build fuses the polynomials' multiply-adds: both builds are checked
if (!px.availableBackends().includes('wasm-baseline')) px.registerBackend('wasm-baseline', () => createWasmBackend({ relaxed: false, name: 'wasm-baseline' }));

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** Spacing of float32 just above |x| (at least the smallest subnormal). */
const ulp = (x: number): number => {
  f32[0] = Math.min(Math.abs(x), 3.4028234663852886e38);
  u32[0] = u32[0]! + 1;
  return Math.max(f32[0]! - Math.min(Math.abs(Math.fround(x)), 3.4028234663852886e38), 2 ** -149);
};
const bits = (x: number): number => ((f32[0] = x), u32[0]!);

/** Every `stride`-th float32 in [lo, hi) (lo, hi > 0), both signs, then the specials. */
function dense(lo: number, hi: number, stride: number): Float32Array {
  const pos: number[] = [];
  for (let u = bits(lo), e = bits(hi); u < e; u += stride) pos.push((u32[0] = u, f32[0]!));
  const specials = [NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 1e-40, -1e-40, 1.17549435e-38, -20, -30, -1e4, 20, 1e4, 3.4e38, -3.4e38];
  return Float32Array.from([...pos, ...pos.map((v) => -v), ...specials]);
}

const INPUT = dense(1e-6, 16, 149);

/** Asserts got[i] within `maxUlp` ulp (+ slack(i)) of fround(ref(x[i])), NaN and ±Infinity exactly; returns the worst ulp. */
function assertUlp(name: string, x: Float32Array, got: ArrayLike<number>, ref: (i: number) => number, maxUlp: number, slack: (i: number) => number = () => 0): number {
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const e = Math.fround(ref(i));
    const a = got[i]!;
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      if (!Object.is(a, e) && !(Number.isNaN(a) && Number.isNaN(e))) assert.fail(`${name}(${x[i]}) = ${a}, expected ${e}`);
      continue;
    }
    const err = Math.abs(a - e);
    if (err > maxUlp * ulp(e) + slack(i)) assert.fail(`${name}(${x[i]}) = ${a}, expected ${e} (${(err / ulp(e)).toFixed(1)} ulp)`);
    worst = Math.max(worst, err / ulp(e));
  }
  return worst;
}

for (const backend of ['wasm', 'wasm-baseline']) describe(`${backend} float32 erf and GELU: <= 4 ulp of the float64 value on a dense float32 sample`, () => {
  it(`erf (${INPUT.length} inputs)`, () => {
    const got = on(backend, () => px.erf(px.tensor(INPUT)).values);
    const worst = assertUlp('erf', INPUT, got, (i) => erfScalar(INPUT[i]!), 4);
    assert.ok(worst > 0, 'not bit-identical to the float64 result (the comparison is live)');
    assert.ok(Object.is(got[INPUT.length - 13], -0), 'erf(-0) = -0');
  });

  it('GELU through linear\'s epilogue, negative tail included (relative, no absolute floor)', () => {
    // x[n, 1]·[[1]]: the GEMM passes z through exactly (a -0 becomes +0 in its sum, as in the reference).
    const got = on(backend, () => px.linear(px.tensor(INPUT, { shape: [INPUT.length, 1] }), px.ones([1, 1]), null, 'gelu').values);
    assertUlp('gelu', INPUT, got, (i) => geluScalar(INPUT[i]! + 0), 4);
    // where z/2·(1 + erf(z/√2)) in float32 would give 0
    const tail = INPUT.findIndex((v) => v < -13 && v > -13.1);
    assert.ok(got[tail]! < 0 && got[tail]! > -1e-36, `gelu(${INPUT[tail]}) = ${got[tail]}: resolved, not 0`);
  });

  it('geluForward (the training path of linear\'s gelu): the same bound, -0 kept', () => {
    const got = on(backend, () => geluForward(px.tensor(INPUT)).values);
    assertUlp('geluForward', INPUT, got, (i) => geluScalar(INPUT[i]!), 4);
    assert.ok(Object.is(got[INPUT.length - 13], -0), 'gelu(-0) = -0');
  });

  it('geluBackward: g·(Φ(z) + z·φ(z)), bounded by 4 ulp plus the rounding of Φ and z·φ (it has a zero at z = -0.7518)', () => {
    const g = Float32Array.from(INPUT, (_, i) => 0.5 + ((i * 0.618) % 1));
    const got = on(backend, () => geluBackward(px.tensor(g), px.tensor(INPUT)).values);
    const terms = (z: number): number => Math.abs(geluGradScalar(z) - z * Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI)) + Math.abs(z * Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI));
    assertUlp('geluBackward', INPUT, got, (i) => g[i]! * geluGradScalar(INPUT[i]!), 4, (i) => 8 * 2 ** -24 * g[i]! * terms(INPUT[i]!));
  });

  it('the gelu epilogue with a bias, odd widths (scalar tails) and the small-batch path agree with the reference backend', () => {
    for (const [rows, inF, outF] of [[300, 7, 13], [3, 5, 6], [1, 4, 1]] as const) {
      const mk = (n: number, k: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + k) * 3);
      const x = mk(rows * inF, 1);
      const w = mk(outF * inF, 2);
      const b = mk(outF, 3);
      const run = (name: string): Float32Array => on(name, () => px.linear(px.tensor(x, { shape: [rows, inF] }), px.tensor(w, { shape: [outF, inF] }), px.tensor(b), 'gelu').values) as Float32Array;
      const z = on('reference', () => px.linear(px.tensor(x, { shape: [rows, inF] }), px.tensor(w, { shape: [outF, inF] }), px.tensor(b)).values);
      const a = run(backend);
      const e = run('reference');
      // the GEMM's float32 sum differs from the reference's double one: allow its error through GELU' (<= 1.13)
      for (let i = 0; i < a.length; i++) {
        const tol = 4 * ulp(e[i]!) + 1.13 * 2 * inF * 2 ** -24 * (Math.abs(z[i]!) + 3 * 3 * inF);
        assert.ok(Math.abs(a[i]! - e[i]!) <= tol, `[${rows},${inF},${outF}] #${i}: wasm ${a[i]} reference ${e[i]}`);
      }
    }
  });
});
