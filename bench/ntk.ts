/**
 * @file Workload ntk of docs/benchmarks.md: the empirical NTK of a 784-256-256-10 ReLU MLP on the
 * first 512 Fashion-MNIST training images (pixels / 255), all 10 outputs, mode 'trace' (a [512, 512]
 * kernel, sum over outputs), float64 arithmetic on both sides; each library's default initialisation.
 * plexus: `analysis.ntk` (the explicit MLP path, TorchNTK's per-layer products; and, for reference,
 * the autograd path on the first `--autograd` (16) samples). Peer: peers/torch_ntk.py (functorch
 * vmap(jacrev) per-sample Jacobians contracted chunk by chunk, or a plain autograd loop when functorch
 * is missing). Reported: seconds (best of `--reps`, 3), peak RSS of each process (MiB; also as
 * `peakRssMB`, whole MB, as on the other workloads' lines: plexus runs alone in its workload's process, see
 * run.ts), plexus's peak backend bytes, and the kernel's trace as a sanity figure (not comparable: the weights differ).
 *
 * `--samples` (512) shrinks the set for a quick check that the workload runs (not for timing).
 *
 * Run: `npx tsc -p . && node dist/bench/ntk.js [--reps 3] [--autograd 16] [--samples 512]` or `npm run bench -- ntk`.
 */
import * as px from '../src/node.js';
import { PYTHON, peakRssKiB, peakRssMB, repoPath, round, runJson, threadEnv } from './common.js';

export interface NtkBenchOptions { reps?: number; autograd?: number; samples?: number }

const mib = (kb: number): number => round(kb / 1024, 1);

export async function runNtk(opts: NtkBenchOptions = {}): Promise<void> {
  const reps = opts.reps ?? 3;
  const nAuto = opts.autograd ?? 16;
  const N = opts.samples ?? 512;
  const { train } = px.data.fashionMnist({ limit: N, ...(process.env.FASHION_MNIST_DIR ? { dir: process.env.FASHION_MNIST_DIR } : {}) });
  const x = px.keep(px.indexSelect(train.x, 0, px.arange(0, N, 1, { dtype: 'int32' })));
  px.manualSeed(0);
  const model = new px.nn.MLP([784, 256, 256, 10]);
  let best = Infinity;
  let trace = NaN;
  px.resetPeakMemory();
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const k = px.analysis.ntk(model, x, null, { mode: 'trace' }) as px.Tensor;
    best = Math.min(best, (performance.now() - t0) / 1000);
    const v = k.values;
    trace = 0;
    for (let i = 0; i < N; i++) trace += v[i * N + i]!;
  }
  const xa = px.keep(px.indexSelect(train.x, 0, px.arange(0, nAuto, 1, { dtype: 'int32' })));
  const t1 = performance.now();
  px.analysis.ntk(model, xa, null, { mode: 'trace', implementation: 'autograd' });
  const autoSeconds = (performance.now() - t1) / 1000;
  const plexus = {
    seconds: round(best, 3), peakRssMiB: mib(peakRssKiB()), peakBackendMiB: round(px.memory().peakBytes / 2 ** 20, 1),
    trace: round(trace, 2), autograd: { samples: nAuto, seconds: round(autoSeconds, 3) },
  };
  const peer = await runJson(PYTHON, [repoPath('bench/peers/torch_ntk.py'), '--reps', String(reps), '--samples', String(N)], threadEnv(2));
  console.log(JSON.stringify({
    workload: 'ntk', metric: 'seconds', model: '784-256-256-10 relu', samples: N, outputs: 10, mode: 'trace', dtype: 'float64',
    backend: px.getBackend(), plexus, peers: { torch: peer },
    ratios: typeof peer === 'object' && typeof peer.seconds === 'number' ? { torch: round(peer.seconds / best, 3) } : {},
    peakRssMB: { plexus: peakRssMB(), ...(typeof peer === 'object' && typeof peer.peakRssMiB === 'number' ? { torch: Math.round(peer.peakRssMiB) } : {}) },
    load1: round((await import('node:os')).loadavg()[0]!),
  }));
}

if (process.argv[1]?.endsWith('ntk.js')) {
  const flag = (n: string): number | undefined => { const i = process.argv.indexOf(`--${n}`); return i >= 0 ? Number(process.argv[i + 1]) : undefined; };
  runNtk({ reps: flag('reps'), autograd: flag('autograd'), samples: flag('samples') }).catch((e) => { console.error(e); process.exitCode = 1; });
}
