/**
 * @file One JS library's side of workloads g and h (bench/latency.ts), in its own process, stepwise
 * (bench/stepwise.ts): `node dist/bench/latency-child.js <g|h> <plexus|tfjs-wasm> <threads>`.
 * After building the model and warming up (untimed) it prints {"ready": true}; each stdin line
 * `round <x>` runs one round and prints its figures; `done` prints a final line (with the process's
 * peakRssMB) and exits.
 *
 * g: inference latency of workload b's model (784-256-256-10 ReLU), one sample and a batch of 8,
 * inputs uniform in [0, 1) from mulberry32(7) as in bench/peers/torch_latency.py. A call is what an
 * application does with a trained model: plexus `noGrad(() => scope(() => model.forward(x).dataSync()))`,
 * TF.js `tidy(() => forward(x)).dataSync()` (then disposed). `round <seconds>`: per batch size, calls for
 * about that long; callsPerSec, medianUs and p99Us of the per-call times.
 * h: training 784-512-512-512-10 ReLU, cross-entropy, Adam lr 1e-3, batch 256, 8 fixed batches
 * (inputs from mulberry32(11), labels from mulberry32(12)) cycled; `round <steps>`: steps/s.
 */
import readline from 'node:readline';
import * as px from '../src/node.js';
import { setNumThreads } from '../src/node.js';
import { mulberry32, peakRssMB } from './common.js';

const emit = (o: object): void => console.log(JSON.stringify(o));

/** n floats uniform in [0, 1), as the Python peer draws them (doubles rounded to float32). */
function uniform(n: number, seed: number): Float32Array {
  const rng = mulberry32(seed);
  return Float32Array.from({ length: n }, () => rng());
}

/** Calls `call` for about `seconds`; per-call wall times (µs) summarised. */
function latencyRound(call: () => void, seconds: number): { callsPerSec: number; medianUs: number; p99Us: number; calls: number } {
  const times: number[] = [];
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  for (;;) {
    const s = performance.now();
    call();
    const e = performance.now();
    times.push(e - s);
    if (e >= end) break;
  }
  const wall = (performance.now() - t0) / 1000;
  times.sort((a, b) => a - b);
  return { callsPerSec: times.length / wall, medianUs: times[times.length >> 1]! * 1000, p99Us: times[Math.floor(times.length * 0.99)]! * 1000, calls: times.length };
}

/** Serves `round <arg>` lines with `round(arg)` until `done`. */
async function serve(round: (arg: number) => object, final: () => object): Promise<void> {
  emit({ ready: true });
  for await (const line of readline.createInterface({ input: process.stdin })) {
    const [cmd, arg] = line.trim().split(/\s+/);
    if (cmd === 'round' && arg !== undefined && Number.isFinite(Number(arg))) emit(round(Number(arg)));
    else if (cmd === 'done') {
      emit({ ...final(), peakRssMB: peakRssMB() });
      return;
    } else throw new Error(`unknown command '${line.trim()}' (expected 'round <n>' or 'done')`);
  }
  throw new Error("stdin closed before 'done'");
}

async function plexusG(threads: number): Promise<void> {
  px.setBackend('wasm');
  setNumThreads(threads);
  px.manualSeed(0);
  const model = new px.nn.MLP([784, 256, 256, 10], { activation: 'relu' });
  const xs = new Map([1, 8].map((b) => [b, px.keep(px.tensor(uniform(b * 784, 7), { shape: [b, 784] }))]));
  const calls = new Map([1, 8].map((b) => [b, () => { px.noGrad(() => px.scope(() => model.forward(xs.get(b)!).dataSync())); }]));
  for (const c of calls.values()) latencyRound(c, 0.2);
  // Let the pool's workers come up (they join once the event loop turns), then warm up again.
  await new Promise((r) => setTimeout(r, 300));
  for (const c of calls.values()) latencyRound(c, 0.1);
  await serve((s) => ({ b1: latencyRound(calls.get(1)!, s), b8: latencyRound(calls.get(8)!, s) }), () => ({ lib: 'plexus', threads }));
}

async function tfjsG(): Promise<void> {
  const { loadTf, tfDense, tfForward } = await import('./tfjs.js');
  const tf = await loadTf('wasm');
  await tf.setBackend('wasm');
  await tf.ready();
  const vars = tfDense(tf, [784, 256, 256, 10]);
  const xs = new Map([1, 8].map((b) => [b, tf.tensor2d(uniform(b * 784, 7), [b, 784])]));
  const calls = new Map([1, 8].map((b) => [b, () => {
    const y = tf.tidy(() => tfForward(tf, vars, xs.get(b)!, 'relu'));
    y.dataSync();
    y.dispose();
  }]));
  for (const c of calls.values()) latencyRound(c, 0.3);
  await serve((s) => ({ b1: latencyRound(calls.get(1)!, s), b8: latencyRound(calls.get(8)!, s) }), () => ({ lib: 'tfjs-wasm', threads: 1 }));
}

async function plexusH(threads: number): Promise<void> {
  px.setBackend('wasm');
  setNumThreads(threads);
  px.manualSeed(0);
  const model = new px.nn.MLP([784, 512, 512, 512, 10], { activation: 'relu' });
  const opt = new px.optim.Adam(model.parameters(), { lr: 1e-3, betas: [0.9, 0.999] });
  const xAll = uniform(8 * 256 * 784, 11);
  const rng = mulberry32(12);
  const yAll = Int32Array.from({ length: 8 * 256 }, () => Math.floor(rng() * 10));
  const xs = Array.from({ length: 8 }, (_, k) => px.keep(px.tensor(xAll.subarray(k * 256 * 784, (k + 1) * 256 * 784), { shape: [256, 784] })));
  const ys = Array.from({ length: 8 }, (_, k) => px.keep(px.tensor(yAll.subarray(k * 256, (k + 1) * 256), { dtype: 'int32' })));
  let step = 0;
  let last = NaN;
  const steps = (n: number): void => {
    for (let i = 0; i < n; i++, step++) {
      px.scope(() => {
        const loss = px.crossEntropy(model.forward(xs[step % 8]!), ys[step % 8]!);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        if (i === n - 1) last = loss.item();
      });
    }
  };
  steps(3);
  await new Promise((r) => setTimeout(r, 300));
  steps(3);
  await serve((n) => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    steps(n);
    const wall = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    return { stepsPerSec: n / wall, cpuStepsPerSec: n / ((c.user + c.system) / 1e6), loss: last };
  }, () => ({ lib: 'plexus', threads }));
}

async function main(): Promise<void> {
  const [workload, lib, threadsArg] = process.argv.slice(2);
  const threads = Number(threadsArg ?? 1);
  if (workload === 'g' && lib === 'plexus') return plexusG(threads);
  if (workload === 'g' && lib === 'tfjs-wasm') return tfjsG();
  if (workload === 'h' && lib === 'plexus') return plexusH(threads);
  throw new Error(`unknown workload/library ${workload} ${lib}`);
}

main().then(() => process.exit(0), (e: unknown) => {
  console.error(e);
  process.exit(1);
});
