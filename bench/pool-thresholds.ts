/**
 * @file Where splitting an op across the worker pool starts to pay (the thresholds in
 * kernels/matmul.ts THREADING, kernels/elementwise.ts EW_THREADING, kernels/reduce.ts,
 * kernels/adam-many.ts ADAM_THREADING): for each op
 * and size, the best-of-windows time on the calling thread (pool `inline` hook) and with 2 threads
 * (every op forced through the pool), and their ratio. Also the GEMM piece count per thread.
 *
 * `small`: the small-M path (kernels/matmul-small.ts: few-row `linear`) inline vs split one block per
 * thread, per weight size and row count, with its late-worker check off.
 * `node dist/bench/pool-thresholds.js [ew|gemm|pieces|small|adam]`. Best-of-windows because the machine is
 * shared: the fastest short window is the closest to uncontended speed. Prints JSON lines.
 */
import os from 'node:os';
import * as px from '../src/index.js';
import { setNumThreads } from '../src/index.js';
import { SMALL_THREADING, THREADING, type WasmBackend, configurePool, forceThreading, waitForWorkers } from '../src/internal.js';

px.setBackend('wasm');
setNumThreads(2);
const backend = px.zeros([1])._storage.backend as WasmBackend;
if (waitForWorkers(backend, 10000) < 1) throw new Error('no pool worker');

/** Fastest per-call time (ms) over `windows` windows of >= 10 ms. */
function best(f: () => void, windows = 25): number {
  f();
  const t0 = performance.now();
  f();
  const per = Math.max(1e-3, performance.now() - t0);
  const reps = Math.max(1, Math.ceil(10 / per));
  let top = Infinity;
  for (let w = 0; w < windows; w++) {
    const t = performance.now();
    for (let i = 0; i < reps; i++) f();
    top = Math.min(top, (performance.now() - t) / reps);
  }
  return top;
}

/** [inline ms, 2-thread ms] for `f`, alternated twice to even out load changes. */
function compare(f: () => void): [number, number] {
  let one = Infinity;
  let two = Infinity;
  for (let r = 0; r < 2; r++) {
    const prev = configurePool({ inline: true });
    one = Math.min(one, best(f));
    configurePool(prev);
    two = Math.min(two, best(f));
  }
  return [one, two];
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

function elementwise(): void {
  forceThreading(true);
  for (const [name, op] of [
    ['add', (x: px.Tensor) => x.add(x)],
    ['exp', (x: px.Tensor) => px.exp(x)],
    ['tanh', (x: px.Tensor) => px.tanh(x)],
    ['sin', (x: px.Tensor) => px.sin(x.mul(100))],
    ['sum rows', (x: px.Tensor) => x.reshape([-1, 64]).sum([1])],
  ] as const) {
    for (let e = 12; e <= 20; e += 1) {
      const x = px.randn([1 << e]);
      const [one, two] = compare(() => op(x).dispose());
      console.log(JSON.stringify({ op: name, n: 1 << e, inlineMs: r3(one), twoThreadMs: r3(two), speedup: r3(one / two), load: r3(os.loadavg()[0]!) }));
      x.dispose();
    }
  }
  forceThreading(false);
}

function gemm(): void {
  forceThreading(true);
  for (const [m, n, k] of [[16, 16, 16], [32, 32, 32], [64, 64, 64], [96, 96, 96], [128, 128, 128], [128, 256, 784], [128, 784, 256], [784, 256, 128], [256, 256, 256]]) {
    const a = px.randn([m!, k!]);
    const b = px.randn([k!, n!]);
    const [one, two] = compare(() => px.matmul(a, b).dispose());
    console.log(JSON.stringify({ op: 'matmul', m, n, k, flops: 2 * m! * n! * k!, inlineMs: r3(one), twoThreadMs: r3(two), speedup: r3(one / two), load: r3(os.loadavg()[0]!) }));
  }
  forceThreading(false);
}

function pieces(): void {
  const saved = { ...THREADING };
  for (const n of [256, 512, 1024]) {
    const a = px.randn([n, n]);
    const b = px.randn([n, n]);
    const prev = configurePool({ inline: true });
    const one = best(() => px.matmul(a, b).dispose(), 15);
    configurePool(prev);
    for (const per of [1, 2, 4, 8]) {
      THREADING.piecesPerThread = per;
      const two = best(() => px.matmul(a, b).dispose(), 15);
      console.log(JSON.stringify({ op: 'matmul', n, piecesPerThread: per, gflops1: r3((2 * n ** 3) / one / 1e6), gflops2: r3((2 * n ** 3) / two / 1e6), speedup: r3(one / two), load: r3(os.loadavg()[0]!) }));
    }
  }
  Object.assign(THREADING, saved);
}

function small(): void {
  const saved = { ...SMALL_THREADING };
  // Every product splits, one block per thread (minFlops keeps its default), no late check.
  Object.assign(SMALL_THREADING, { blockFlops: 0, cooldownMs: 0 });
  for (const [n, k] of [[128, 256], [256, 256], [256, 784], [512, 512], [1024, 1024]]) {
    const w = px.randn([n!, k!]);
    const b = px.randn([n!]);
    for (const rows of [1, 8]) {
      const x = px.randn([rows, k!]);
      const [one, two] = compare(() => px.noGrad(() => px.linear(x, w, b, 'relu')).dispose());
      console.log(JSON.stringify({ op: 'linear small-M', rows, n, k, weightKiB: (4 * n! * k!) / 1024, inlineUs: r3(one * 1000), twoThreadUs: r3(two * 1000), speedup: r3(one / two), load: r3(os.loadavg()[0]!) }));
      x.dispose();
    }
  }
  Object.assign(SMALL_THREADING, saved);
}

/** One multi-tensor Adam step over `n` elements (a weight of n - 64 and a bias of 64), split or not. */
function adam(): void {
  forceThreading(true);
  for (let e = 12; e <= 20; e += 2) {
    const n = 1 << e;
    const params = [px.keep(px.randn([n - 64])), px.keep(px.randn([64]))];
    const opt = new px.optim.Adam(params, { lr: 1e-3 });
    for (const p of params) p.grad = px.keep(px.randn(p.shape));
    const [one, two] = compare(() => opt.step());
    console.log(JSON.stringify({ op: 'adamUpdateMany', n, inlineMs: r3(one), twoThreadMs: r3(two), speedup: r3(one / two), load: r3(os.loadavg()[0]!) }));
  }
  forceThreading(false);
}

const which = process.argv[2];
if (!which || which === 'ew') elementwise();
if (!which || which === 'gemm') gemm();
if (!which || which === 'pieces') pieces();
if (!which || which === 'small') small();
if (!which || which === 'adam') adam();
