/**
 * @file The wasm backend's GEMM at awkward sizes and its memory manager. GEMM results are checked
 * against a plain float64 triple loop with the length-scaled bound of docs/reliability.md "Tolerances",
 * |err| <= 2·K·u·Σ|a·b| (floor: the float32 elementwise tolerance), on mixed-sign and same-sign
 * data (same-sign data is what exposes a dropped or doubled k block).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as px from '../src/index.js';
import { createWasmBackend, sizeClass, type WasmBackend } from '../src/backends/wasm/index.js';
import { BLOCKS } from '../src/backends/wasm/kernels/matmul.js';
import { cosSin } from '../src/ops/primitives/cos-sin.js';
import { on } from './backend-compare.js';
import { assertGemmMatchesLoop } from './gemm-loop.js';

if (!px.availableBackends().includes('wasm')) px.registerBackend('wasm', createWasmBackend);
px.registerBackend('wasm-plain', () => createWasmBackend({ shared: false, name: 'wasm-plain' }));
px.registerBackend('wasm-baseline', () => createWasmBackend({ relaxed: false, name: 'wasm-baseline' }));

const U = 2 ** -24;
/** V8 11.4+ ships relaxed SIMD; 11.0-11.3 (Node 20) has it behind a flag that plexus turns on. */
const [V8_MAJOR = 0, V8_MINOR = 0] = process.versions.v8.split('.').map(Number);

/** Deterministic float32 values in [lo, hi). */
function values(n: number, seed: number, lo: number, hi: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + ((hi - lo) * s) / 2 ** 32;
  });
}

/** Checks mm(a, b, tA, tB) on `backend` for op(A) m×k, op(B) k×n with batch dims ba / bb. */
function checkGemm(backend: string, m: number, n: number, k: number, tA: boolean, tB: boolean, lo = -1, ba: number[] = [], bb: number[] = []): void {
  const aShape = [...ba, ...(tA ? [k, m] : [m, k])];
  const bShape = [...bb, ...(tB ? [n, k] : [k, n])];
  const na = aShape.reduce((p, d) => p * d, 1);
  const nb = bShape.reduce((p, d) => p * d, 1);
  const av = values(na, m * 31 + k, lo, 1);
  const bv = values(nb, n * 17 + k + 5, lo, 1);
  const out = on(backend, () => px.mm(px.tensor(av, { shape: aShape }), px.tensor(bv, { shape: bShape }), tA, tB));
  assertGemmMatchesLoop(out, av, bv, { m, n, k, tA, tB, ba, bb }, (s, sAbs) => Math.max(1e-5 + 1.3e-6 * Math.abs(s), 2 * k * U * sAbs), 'mm');
  out.dispose();
}

describe('wasm GEMM against a float64 loop', () => {
  const combos: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];
  it('block sizes are what these sizes are chosen to cross', () => {
    // 257 crosses kc = 256 by one, 65 crosses mc = 64, 513 crosses nc = 512.
    assert.deepEqual(BLOCKS, { kc: 256, mc: 64, nc: 512 });
  });
  for (const s of [1, 3, 17, 65, 257]) {
    for (const [tA, tB] of combos) {
      it(`square ${s}, transA=${tA}, transB=${tB}`, () => checkGemm('wasm', s, s, s, tA, tB));
    }
  }
  for (const [m, n, k] of [[257, 3, 65], [3, 257, 17], [65, 17, 257], [1, 257, 3], [257, 1, 300], [5, 9, 600], [6, 513, 260], [7, 9, 15], [9, 8, 12]]) {
    for (const [tA, tB] of combos) {
      it(`rectangular ${m}x${k} · ${k}x${n}, transA=${tA}, transB=${tB}`, () => checkGemm('wasm', m!, n!, k!, tA, tB));
    }
  }
  for (const [tA, tB] of combos) {
    it(`same-sign data 65x520x33 (catches a dropped k block), transA=${tA}, transB=${tB}`, () => checkGemm('wasm', 65, 33, 520, tA, tB, 0));
    it(`batch broadcast [2,1]x[3] of 17x33·33x9, transA=${tA}, transB=${tB}`, () => checkGemm('wasm', 17, 9, 33, tA, tB, -1, [2, 1], [3]));
  }
  it('runs on a plain (non-shared) memory too', () => checkGemm('wasm-plain', 67, 35, 270, true, false));
  for (const [tA, tB] of combos) {
    it(`baseline-SIMD build (no FMA) 65x257·257x17, transA=${tA}, transB=${tB}`, () => checkGemm('wasm-baseline', 65, 17, 257, tA, tB));
  }

  it('uses the relaxed-SIMD (FMA) build on V8 >= 11 (Node 20 through its flag) and the baseline one when asked', () => {
    const relaxed = (name: string): boolean => on(name, () => (px.tensor([1])._storage.backend as WasmBackend).relaxed);
    assert.equal(relaxed('wasm'), V8_MAJOR >= 11, `V8 ${process.versions.v8}`);
    assert.equal(relaxed('wasm-baseline'), false);
  });

  it('PLEXUS_WASM_RELAXED=0 keeps the baseline build (and leaves V8 flags alone); other values are refused', () => {
    // Prints whether plexus picks the relaxed build, then whether the engine now validates it at all.
    const url = (f: string): string => JSON.stringify(new URL(`../src/backends/wasm/${f}`, import.meta.url).href);
    const script = `import(${url('module.js')}).then((m) =>
      process.stdout.write(m.wasmRelaxedSimdSupported() + ' ' + WebAssembly.validate(m.plainBuild(true))))`;
    const run = (env: Record<string, string>): string =>
      execFileSync(process.execPath, ['-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
    const native = V8_MAJOR > 11 || (V8_MAJOR === 11 && V8_MINOR >= 4);
    assert.equal(run({ PLEXUS_WASM_RELAXED: '0' }), `false ${native}`);
    assert.equal(run({ PLEXUS_WASM_RELAXED: '' }), `${V8_MAJOR >= 11} ${V8_MAJOR >= 11}`);
    assert.equal(run({ PLEXUS_WASM_RELAXED: '1' }), `${V8_MAJOR >= 11} ${V8_MAJOR >= 11}`);
    assert.throws(
      () => execFileSync(process.execPath, ['-e', script], { env: { ...process.env, PLEXUS_WASM_RELAXED: 'false' }, encoding: 'utf8', stdio: 'pipe' }),
      (e: Error & { stderr?: string }) => /ValueError: PLEXUS_WASM_RELAXED: expected 0 .* or 1 .*, got 'false'/.test(e.stderr ?? ''),
    );
  });

  it('overwrites garbage in a reused output block, including k = 0', () => {
    on('wasm', () => {
      for (const k of [0, 5]) {
        px.full([7, 9], NaN).dispose(); // the next [7,9] float32 block is this one
        const out = px.mm(px.ones([7, k]), px.ones([k, 9]));
        assert.ok(Array.from(out.values).every((v) => v === k), `k=${k}: ${Array.from(out.values).slice(0, 4)}`);
      }
    });
  });
});

describe('wasm splineBasis', () => {
  /** Knots per feature: uniform (KAN's default grid, spacing varying per feature) except feature 2. */
  function grid(F: number, K: number): Float32Array {
    const g = new Float32Array(F * K);
    for (let f = 0; f < F; f++) {
      for (let j = 0; j < K; j++) g[f * K + j] = f === 2 ? -1.1 + (j - 3) * 0.41 + 0.01 * j * j : -1 + (j - 3) * (0.4 + 0.01 * f);
    }
    return g;
  }
  // The wasm core (uniform cubic, inside the core range) must reproduce the js kernel bit for bit;
  // the other elements go through the js code itself.
  for (const [n, F, k] of [[7, 33, 3], [3000, 33, 3], [400, 5, 3], [50, 6, 2]] as const) {
    it(`[${n}, ${F}] order ${k} equals the js kernel bitwise (NaN, +-1, outside the knots, a non-uniform feature)`, () => {
      const x = values(n * F, n + F, -1.7, 1.7);
      x[3] = NaN;
      x[5] = 1;
      x[6] = -1;
      x[7] = 2;
      const K = 12;
      const res = ['js', 'wasm'].map((b) => on(b, () => px.splineBasis(px.tensor(x, { shape: [n, F] }), px.tensor(grid(F, K), { shape: [F, K] }), k).values.slice()));
      const [js, wasm] = res as [Float32Array, Float32Array];
      assert.equal(wasm.length, n * F * (K - k - 1));
      for (let i = 0; i < js.length; i++) if (!Object.is(js[i], wasm[i])) assert.fail(`[${i}] js ${js[i]} wasm ${wasm[i]}`);
      assert.ok(js.some((v) => v > 0), 'non-trivial output');
    });
  }
});

describe('wasm transcendentals (docs/reliability.md "Tolerances": <= 4 ulp of fround(f64), NaN/Inf exact)', () => {
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  /** Spacing of float32 just above |x| (2^104 at the top, so ±Infinity counts as 2^128). */
  const ulp = (x: number): number => {
    f32[0] = Math.min(Math.abs(x), 3.4028234663852886e38);
    u32[0] = u32[0]! + 1;
    return Math.max(f32[0]! - Math.min(Math.abs(Math.fround(x)), 3.4028234663852886e38), 2 ** -149);
  };
  const big = (v: number): number => (Number.isFinite(v) ? v : Math.sign(v) * 2 ** 128);
  const grid = (lo: number, hi: number, n: number): number[] => Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
  const specials = [NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 1e-40, 1.17549435e-38, 3.4e38, -3.4e38];
  const cases: [string, (t: px.Tensor) => px.Tensor, (x: number) => number, number[]][] = [
    ['exp', px.exp, Math.exp, [...grid(-110, 95, 20001), 88.72283, 88.7228, -87.33654, -103.97]],
    ['log', px.log, Math.log, [...grid(1e-6, 10, 20001), ...grid(0.9, 1.1, 2001), ...Array.from({ length: 300 }, (_, i) => 2 ** (i - 149))]],
    ['tanh', px.tanh, Math.tanh, [...grid(-12, 12, 20001), ...grid(-0.7, 0.7, 2001), 1e-20, -1e-20]],
    ['sqrt', px.sqrt, Math.sqrt, [...grid(0, 1e4, 20001)]],
  ];
  for (const [name, f, ref, xs] of cases) {
    it(name, () => {
      const input = Float32Array.from([...xs, ...specials]);
      const out = on('wasm', () => f(px.tensor(input)));
      const got = out.values;
      for (let i = 0; i < input.length; i++) {
        const e = Math.fround(ref(input[i]!));
        const a = got[i]!;
        if (Number.isNaN(e) || Number.isNaN(a)) {
          assert.ok(Number.isNaN(e) && Number.isNaN(a), `${name}(${input[i]}) = ${a}, expected ${e}`);
          continue;
        }
        const errUlp = Math.abs(big(a) - big(e)) / ulp(e);
        const close = Math.abs(a - e) <= 1e-5 + 1.3e-6 * Math.abs(e);
        assert.ok(errUlp <= 4 || close, `${name}(${input[i]}) = ${a}, expected ${e} (${errUlp.toFixed(1)} ulp)`);
      }
      out.dispose();
    });
  }

  // sin/cos (assembly/vtrig.as): musl's sinf/cosf, so <= 1 ulp of fround(float64) with no absolute
  // floor, also next to the zeros at multiples of π/2 and far out (Fourier features reach |x| ~ 400;
  // past 4.2e8 the lanes go to the scalar float64 code), on every build.
  const near = (v: number, d: number): number => {
    f32[0] = v;
    u32[0] = u32[0]! + d;
    return f32[0]!;
  };
  const trigInputs = [
    ...grid(-400, 400, 40001), ...grid(-1, 1, 2001),
    ...Array.from({ length: 601 }, (_, k) => Math.fround((k - 300) * Math.PI / 2)).flatMap((v) => [-3, -2, -1, 0, 1, 2, 3].map((d) => near(v, d))),
    ...Array.from({ length: 400 }, (_, i) => (i % 2 ? -1 : 1) * 1.37 ** (i / 2 - 60)),
    421657440, -421657440, 421657408, 4.2165744e8 - 64, 1e9, 1e12, 1e20, 1e30, 2.44140625e-4, 2.4414e-4,
  ];
  for (const [name, f, ref] of [['sin', px.sin, Math.sin], ['cos', px.cos, Math.cos]] as const) {
    it(`${name}: <= 1 ulp on ${trigInputs.length} inputs in [-3e38, 3e38], wasm and wasm-baseline; ±0 and NaN/Inf exact`, () => {
      const input = Float32Array.from([...trigInputs, ...specials]);
      for (const b of ['wasm', 'wasm-baseline']) {
        const out = on(b, () => f(px.tensor(input)));
        const got = out.values;
        for (let i = 0; i < input.length; i++) {
          const e = Math.fround(ref(input[i]!));
          const a = got[i]!;
          if (Number.isNaN(e) || e === 0) {
            assert.ok(Object.is(a, e), `${b} ${name}(${input[i]}) = ${a}, expected ${e}`);
            continue;
          }
          const errUlp = Math.abs(a - e) / ulp(e);
          assert.ok(errUlp <= 1, `${b} ${name}(${input[i]}) = ${a}, expected ${e} (${errUlp.toFixed(1)} ulp)`);
        }
        out.dispose();
      }
    });
  }
  it('cosSin (Fourier features) is bitwise [cos p, sin p] of the same inputs, rows of m = 1, 6, 37', () => {
    for (const m of [1, 6, 37]) {
      const rows = Math.floor(trigInputs.length / m);
      const p = on('wasm', () => px.tensor(Float32Array.from(trigInputs.slice(0, rows * m)), { shape: [rows, m] }));
      const [fused, c, s] = on('wasm', () => [cosSin(p), px.cos(p), px.sin(p)].map((t) => t.values)) as [px.TypedArray, px.TypedArray, px.TypedArray];
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < m; j++) {
          const at = `m ${m} [${r}, ${j}] p = ${p.values[r * m + j]}`;
          assert.ok(Object.is(fused[2 * r * m + j], c[r * m + j]), `${at}: cos ${fused[2 * r * m + j]} vs ${c[r * m + j]}`);
          assert.ok(Object.is(fused[2 * r * m + m + j], s[r * m + j]), `${at}: sin ${fused[2 * r * m + m + j]} vs ${s[r * m + j]}`);
        }
      }
    }
  });
});

describe('wasm memory manager', () => {
  it('size classes round up by at most 25% (16 bytes for small blocks) and stay 16-aligned', () => {
    let prev = 0;
    for (let b = 1; b < 1 << 20; b = Math.ceil(b * 1.07) + 1) {
      const c = sizeClass(b);
      assert.ok(c >= b && c % 16 === 0 && c >= prev, `sizeClass(${b}) = ${c}`);
      assert.ok(c <= Math.max(b + 15, b * 1.25), `sizeClass(${b}) = ${c} wastes too much`);
      prev = c;
    }
  });

  it('reuses a released block for the next request of its size class', () => {
    const b = createWasmBackend();
    const keep = b.heap.alloc(64); // so the block below is not the top one
    const p = b.heap.alloc(4000);
    const q = b.heap.alloc(64);
    b.heap.release(p, 4000);
    assert.equal(b.heap.alloc(3900), p, 'same class, same block');
    assert.notEqual(b.heap.alloc(4000), p);
    b.heap.release(q, 64);
    b.heap.release(keep, 64);
  });

  it('keeps existing tensors intact and re-derives their views when the memory grows', () => {
    for (const name of ['wasm', 'wasm-plain']) {
      on(name, () => {
        // _peek: the heap view itself (user code reading a young tensor's values gets a host copy)
        const t = px.arange(0, 1000).cast('float32');
        const heap = (t._storage.backend as WasmBackend).heap;
        const before = heap.stats().memoryBytes;
        const big = px.zeros([1 << 24]); // 64 MiB: more than any initial size
        assert.ok(heap.stats().memoryBytes > before, `${name}: memory grew`);
        assert.ok(t._peek().buffer === heap.buffer, `${name}: view re-derived`);
        assert.deepEqual(Array.from(t.values.slice(0, 4)), [0, 1, 2, 3]);
        assert.equal(t.values[999], 999);
        big.dispose();
        t.dispose();
      });
    }
  });

  it('returns memory() and the heap to their baseline after a scoped training-like loop', () => {
    on('wasm', () => {
      const x = px.randn([32, 20]);
      const w = px.randn([20, 16]);
      const b = px.randn([16]);
      const lossOf = (w: px.Tensor, b: px.Tensor): px.Tensor => px.relu(px.matmul(x, w).add(b)).square().mean();
      const gradFn = px.grad(lossOf, { argnums: [0, 1] });
      const step = (): void => {
        px.scope(() => {
          gradFn(w, b);
        });
      };
      step(); // warm-up: the GEMM workspace is allocated once and kept
      const heap = (x._storage.backend as WasmBackend).heap;
      const mem0 = px.memory();
      const heap0 = heap.stats();
      for (let i = 0; i < 20; i++) step();
      const mem1 = px.memory();
      assert.equal(mem1.numTensors, mem0.numTensors);
      assert.equal(mem1.numBytes, mem0.numBytes);
      assert.equal(heap.stats().inUseBytes, heap0.inUseBytes, 'heap blocks in use');
      assert.equal(heap.stats().memoryBytes, heap0.memoryBytes, 'a steady loop must not keep growing the memory');
      for (const t of [x, w, b]) t.dispose();
    });
  });

  it('maps a failed memory.grow to OutOfMemoryError and stays usable', () => {
    on('wasm', () => {
      assert.throws(() => px.zeros([2 ** 29, 2]), (e: unknown) => e instanceof px.OutOfMemoryError && /wasm/.test(String((e as Error).message)));
      assert.deepEqual(Array.from(px.ones([3]).add(1).values), [2, 2, 2]);
    });
  });

  it('refuses to read a released storage', () => {
    const b = createWasmBackend();
    const s = b.alloc('float32', 8);
    assert.equal(s.data.length, 8);
    s.released = true; // as core's releaseStorage does before calling release
    b.release(s);
    assert.throws(() => s.data, (e: unknown) => e instanceof px.BackendError && (e as px.BackendError).code === 'USE_AFTER_RELEASE');
  });
});
