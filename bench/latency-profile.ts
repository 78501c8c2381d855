/**
 * @file Where a single-sample inference call of workload g goes (issue #18): process CPU time per
 * call at 1 thread (so a loaded machine inflates it less than wall time) of
 * - `call`: `noGrad(() => scope(() => model.forward(x).dataSync()))`, the benchmark MLP
 *   784-256-256-10 ReLU, batch 1 and 8;
 * - `kernels`: the three gemm-small.as products alone, on a kernel instance of their own
 *   (same sizes, bias and relu), i.e. the call without any dispatch;
 * - `tinyCall`: the same call on a 4-4-4-4 MLP, whose kernels are negligible: the per-call
 *   overhead of noGrad, scope, three linear dispatches, the module frames and the readback.
 * `node dist/bench/latency-profile.js [--rounds 7]`: median over rounds, one JSON line.
 */
import os from 'node:os';
import * as px from '../src/index.js';
import { loadKernels } from '../src/internal.js';

const arg = process.argv.indexOf('--rounds');
const rounds = arg > 0 ? Number(process.argv[arg + 1]) : 7;

/** CPU µs per call of `f` over `n` calls. */
function cpuUs(f: () => void, n: number): number {
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

px.setBackend('wasm');
px.setNumThreads(1);
px.manualSeed(0);
const model = new px.nn.MLP([784, 256, 256, 10], { activation: 'relu' });
const tiny = new px.nn.MLP([4, 4, 4, 4], { activation: 'relu' });
const input = (b: number, k: number): px.Tensor => px.keep(px.tensor(Float32Array.from({ length: b * k }, (_, i) => (i * 0.37) % 1), { shape: [b, k] }));
const xs = new Map([1, 8].map((b) => [b, input(b, 784)]));
const x4 = input(1, 4);

// The bare kernels: their own instance over its own memory, weights laid out as in the heap.
const { exports: k, memory } = loadKernels({});
const layers: [number, number][] = [[784, 256], [256, 256], [256, 10]];
let top = (k.heapBase() + 63) & ~63;
const alloc = (floats: number): number => {
  const p = top;
  top += (4 * floats + 63) & ~63;
  return p;
};
const pX = alloc(8 * 784);
const ptrs = layers.map(([inF, outF]) => ({ inF, outF, w: alloc(inF * outF), b: alloc(outF), out: alloc(8 * outF) }));
if (top > memory.buffer.byteLength) memory.grow(Math.ceil((top - memory.buffer.byteLength) / 65536));
const heap = new Float32Array(memory.buffer);
for (let i = pX / 4; i < top / 4; i++) heap[i] = Math.sin(i) * 0.05;
const kernels = (m: number) => (): void => {
  let a = pX;
  ptrs.forEach((l, i) => {
    k.gemmSmallNT(m, l.outF, l.inF, a, l.inF, l.w, l.inF, l.out, l.outF, l.b, i < 2 ? 1 : 0);
    a = l.out;
  });
};

const runs: Record<string, [() => void, number]> = {
  callB1: [() => { px.noGrad(() => px.scope(() => model.forward(xs.get(1)!).dataSync())); }, 2000],
  kernelsB1: [kernels(1), 2000],
  callB8: [() => { px.noGrad(() => px.scope(() => model.forward(xs.get(8)!).dataSync())); }, 400],
  kernelsB8: [kernels(8), 400],
  tinyCall: [() => { px.noGrad(() => px.scope(() => tiny.forward(x4).dataSync())); }, 20000],
};
const samples: Record<string, number[]> = {};
for (const [f, n] of Object.values(runs)) cpuUs(f, n); // warm up (tier-up, caches)
for (let r = 0; r < rounds; r++) for (const [name, [f, n]] of Object.entries(runs)) (samples[name] ??= []).push(cpuUs(f, n));
const us = Object.fromEntries(Object.entries(samples).map(([name, v]) => [name, Math.round(median(v) * 100) / 100]));
console.log(JSON.stringify({ bench: 'latency-profile', cpuUsPerCall: us, overheadB1: Math.round((us.callB1! - us.kernelsB1!) * 100) / 100, rounds, load: Math.round(os.loadavg()[0]! * 100) / 100 }));
