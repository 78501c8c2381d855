/**
 * @file Workload d of docs/benchmarks.md: KAN [784, 64, 10] training throughput, plexus
 * against an efficient-KAN-style PyTorch network written for the benchmark (peers/torch_kan.py,
 * same design: uniform grid 5 on [-1, 1] extended by 3 knots, 8 cubic bases, silu base branch,
 * one matmul per branch). Inputs x/255*2-1, cross-entropy, AdamW lr 1e-3 / weight decay 1e-4,
 * batch 128, epoch order = mulberry32 + Fisher-Yates permutation (seed 0), identical in both.
 *
 * Measured: train steps/s over `--steps` steps of the epoch (default the whole epoch, 469 steps;
 * batch assembly + forward + loss + backward + update), forward+backward steps/s on a fixed batch
 * (>= 2 s), and test accuracy after those steps. Both run at 1 and 2 threads: PyTorch through
 * OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / torch.set_num_threads (OMP_WAIT_POLICY=PASSIVE), plexus'
 * wasm backend through setNumThreads. Backend: $PLEXUS_BACKEND, else wasm if registered, else js
 * (single-threaded: measured once and compared with each thread count).
 * Prints one JSON line per thread count:
 *   {"workload":"d","metric":"train_steps_per_s","threads":1,"plexus":..,"peers":{"torch":..},"ratios":{"torch":..},...}
 *
 * Each line's plexus run happens in a fresh process of its own (this file with `--plexus-child`), as
 * each torch run does, so `peakRssMB` is that run's alone on both sides (a run keeps its data on the
 * wasm heap, which never shrinks: in one process, every line's peak would hold the lines before).
 *
 * Run: `npx tsc -p . && node dist/bench/kan-speed.js [--steps 469] [--threads 1,2]`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import * as px from '../src/node.js';
import { setNumThreads } from '../src/node.js';

const { KAN } = px.nn;
const { AdamW } = px.optim;
const { fashionMnist } = px.data;
import { PYTHON, mulberry32, peakRssMB, permutation, repoPath, threadEnv, torchPeers } from './common.js';

function flag(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? dflt : dflt;
}

interface Figures { train: number; fwdBwd: number; steps: number; accuracy: number }

/** `fastkan`: the same layer sizes with FastKAN's basis (8 Gaussian RBFs, LayerNorm on each layer input). */
function measurePlexus(steps: number, variant: 'bspline' | 'fastkan' = 'bspline'): Figures {
  const { train, test } = fashionMnist(process.env.FASHION_MNIST_DIR ? { dir: process.env.FASHION_MNIST_DIR } : {});
  const x = px.keep(train.x.mul(2).sub(1));
  const xt = px.keep(test.x.mul(2).sub(1));
  px.manualSeed(0);
  const model = variant === 'fastkan' ? new KAN([784, 64, 10], { basis: 'rbf', grid: 8 }) : new KAN([784, 64, 10], { grid: 5, k: 3, init: 'efficient-kan' });
  const opt = new AdamW(model.parameters(), { lr: 1e-3, weightDecay: 1e-4 });
  const order = permutation(x.shape[0]!, mulberry32(0)); // bit-identical to peers/torch_kan.py's
  const n = Math.min(steps, Math.ceil(x.shape[0]! / 128));
  const t0 = performance.now();
  for (let s = 0; s < n; s++) {
    px.scope(() => {
      const idx = px.tensor(order.slice(s * 128, (s + 1) * 128), { dtype: 'int32' });
      const xb = px.indexSelect(x, 0, idx);
      const yb = px.indexSelect(train.y, 0, idx);
      opt.zeroGrad();
      px.crossEntropy(model.forward(xb), yb).backward();
      opt.step();
    });
  }
  const trainSps = n / ((performance.now() - t0) / 1000);
  const accuracy = px.noGrad(() => px.scope(() => model.forward(xt).argmax(-1).eq(test.y).cast('float32').mean().item()));
  const xb = px.keep(px.slice(x, [[0, 128]]));
  const yb = px.keep(px.slice(train.y, [[0, 128]]));
  let k = 0;
  const t1 = performance.now();
  while (k < 3 || performance.now() - t1 < 2000) {
    px.scope(() => {
      model.zeroGrad();
      px.crossEntropy(model.forward(xb), yb).backward();
    });
    k++;
  }
  return { train: trainSps, fwdBwd: k / ((performance.now() - t1) / 1000), steps: n, accuracy };
}

/** measurePlexus in a fresh process (see the file comment), with that process's peak RSS. */
function measurePlexusChild(steps: number, variant: 'bspline' | 'fastkan', threads: number, backend: string): Figures & { peakRssMB: number } {
  const args = ['--expose-gc', fileURLToPath(import.meta.url), '--plexus-child', variant, '--threads', String(threads), '--steps', String(steps)];
  const r = spawnSync(process.execPath, args, { env: { ...process.env, PLEXUS_BACKEND: backend }, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`plexus child failed: ${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Figures & { peakRssMB: number };
}

interface TorchFigures { train_steps_per_s: number; fwd_bwd_steps_per_s: number; steps: number; test_accuracy: number; version: string; peakRssMB: number }

function measureTorch(threads: number, steps: number, env: NodeJS.ProcessEnv): TorchFigures | string {
  const script = repoPath('bench/peers/torch_kan.py');
  const r = spawnSync(PYTHON, [script, '--steps', String(steps)], { env: { ...process.env, ...threadEnv(threads), ...env }, encoding: 'utf8' });
  if (r.status !== 0) return `torch peer failed: ${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)}`;
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as TorchFigures;
}

export interface KanSpeedOptions { threads?: number[]; steps?: number }

/** Runs workload d; prints and returns one line per thread count. */
export function runKanSpeed(opts: KanSpeedOptions = {}): object[] {
  const backend = process.env.PLEXUS_BACKEND ?? (['wasm', 'js'].find((b) => px.availableBackends().includes(b)) ?? 'reference');
  px.setBackend(backend);
  const steps = opts.steps ?? 469;
  const lines: object[] = [];
  let me: (Figures & { peakRssMB: number }) | null = null;
  for (const th of opts.threads ?? [1, 2]) {
    const load0 = os.loadavg()[0]!;
    if (backend === 'wasm') setNumThreads(th);
    if (backend === 'wasm' || !me) me = measurePlexusChild(steps, 'bspline', th, backend);
    const bsplineEpochSeconds = Math.ceil(60000 / 128) / me.train;
    const r2 = (v: number): number => Math.round(v * 1000) / 1000;
    const peers: Record<string, number> = {};
    const ratios: Record<string, number> = {};
    const fwdBwd: Record<string, number> = { plexus: r2(me.fwdBwd) };
    const testAccuracy: Record<string, number> = { plexus: me.accuracy };
    const peaks: Record<string, number> = { plexus: me.peakRssMB };
    const skipped: string[] = [];
    for (const peer of torchPeers()) {
      const r = measureTorch(th, steps, peer.env);
      if (typeof r === 'string') {
        skipped.push(`${peer.name}: ${r}`);
        continue;
      }
      peers[peer.name] = r2(r.train_steps_per_s);
      ratios[peer.name] = r2(me.train / r.train_steps_per_s);
      fwdBwd[peer.name] = r2(r.fwd_bwd_steps_per_s);
      testAccuracy[peer.name] = r.test_accuracy;
      peaks[peer.name] = r.peakRssMB;
    }
    const line: Record<string, unknown> = {
      workload: 'd', metric: 'train_steps_per_s', threads: th, backend, plexusThreads: backend === 'wasm' ? th : 1, plexus: r2(me.train), peers, ratios,
      fwdBwd, testAccuracy, steps: me.steps, epochSeconds: r2(bsplineEpochSeconds), peakRssMB: peaks, load: [r2(load0), r2(os.loadavg()[0]!)],
    };
    if (skipped.length) line.skipped = skipped;
    console.log(JSON.stringify(line));
    lines.push(line);
    // FastKAN (issue #18): the same run with the RBF basis, against the B-spline KAN just measured
    // (the ratio is FastKAN / B-spline steps/s; an epoch takes the same number of steps, so >= 1 is
    // "FastKAN's epoch time <= the B-spline KAN's"). No PyTorch FastKAN peer is written yet.
    const fast = measurePlexusChild(steps, 'fastkan', th, backend);
    const fastLine = {
      workload: 'd', model: 'fastkan', metric: 'train_steps_per_s', threads: th, backend, plexusThreads: backend === 'wasm' ? th : 1,
      plexus: r2(fast.train), ratios: { 'plexus-bspline': r2(fast.train / me.train) }, fwdBwd: { plexus: r2(fast.fwdBwd) },
      testAccuracy: { plexus: fast.accuracy }, steps: fast.steps, epochSeconds: r2(Math.ceil(60000 / 128) / fast.train), peakRssMB: { plexus: fast.peakRssMB }, load: r2(os.loadavg()[0]!),
    };
    console.log(JSON.stringify(fastLine));
    lines.push(fastLine);
  }
  return lines;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  if (process.argv.includes('--plexus-child')) {
    // One plexus run for measurePlexusChild: its figures and this process's peak RSS, then exit.
    const backend = process.env.PLEXUS_BACKEND ?? 'wasm';
    px.setBackend(backend);
    if (backend === 'wasm') setNumThreads(Number(flag('threads', '1')));
    const variant = flag('plexus-child', 'bspline') === 'fastkan' ? 'fastkan' : 'bspline';
    console.log(JSON.stringify({ ...measurePlexus(Number(flag('steps', '469')), variant), peakRssMB: peakRssMB() }));
    process.exit(0);
  }
  runKanSpeed({ steps: Number(flag('steps', '469')), threads: flag('threads', '1,2').split(',').map(Number) });
}
