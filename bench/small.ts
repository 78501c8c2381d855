/**
 * @file Workload c of docs/benchmarks.md: a small, overhead-dominated model. 1024 seeded
 * points in [-1,1]^2, y = sin(pi x0)·cos(pi x1); 2-64-64-1 tanh; MSE; Adam lr 1e-3; batch 32 in fixed
 * order (batch k = rows 32k..32k+31, k = step mod 32); the loss is never read back during training.
 * 200 warm-up steps, then 3 blocks of 3000 steps; steps/s is the median block. One JSON line per
 * thread count with plexus, each peer and the ratios (the bar is against PyTorch at 1 thread).
 * Each library runs in its own process; `load` is the 1-minute load average after each run, and
 * `peakRssMB` each process's peak resident set.
 */
import { PYTHON, load1, median, repoPath, round, runChild, runJson, threadEnv, torchPeers } from './common.js';

export interface SmallBenchOptions {
  threads?: number[];
  /** Steps per timed block (default 3000). */
  block?: number;
  skipTfjsCpu?: boolean;
}

type Result = Record<string, unknown>;

export async function runSmall(opts: SmallBenchOptions = {}): Promise<object[]> {
  const threadCounts = opts.threads ?? [1];
  const block = opts.block ?? 3000;
  const tfjs = new Map<string, Result | string>();
  const lines: object[] = [];
  for (const threads of threadCounts) {
    const peers: Record<string, number> = {};
    const finalLoss: Record<string, number> = {};
    const cpu: Record<string, number> = {};
    const peakRssMB: Record<string, number> = {};
    const skipped: string[] = [];
    const notes: string[] = [];
    const loads: Record<string, number> = {};
    const take = (name: string, r: Result | string): number | null => {
      loads[name] = load1();
      if (typeof r === 'string') {
        skipped.push(`${name}: ${r}`);
        return null;
      }
      finalLoss[name] = round(r.finalLoss as number, 5);
      cpu[name] = Math.round(median(r.cpuStepsPerSec as number[]));
      if (typeof r.peakRssMB === 'number') peakRssMB[name] = Math.round(r.peakRssMB);
      return median(r.stepsPerSec as number[]);
    };
    const plexus = take('plexus', await runChild('c', 'plexus', threads, [String(block)]));
    for (const peer of torchPeers()) {
      // The small model does no BLAS-heavy work, so the OpenBLAS build is run only as a cross-check.
      const r = await runJson(PYTHON, [repoPath('bench/peers/torch_mlp.py'), 'small'], { ...threadEnv(threads), ...peer.env });
      const v = take(peer.name, r);
      if (v !== null) {
        peers[peer.name] = v;
        if (typeof r !== 'string') notes.push(`${peer.name}: torch ${String(r.version)}, BLAS ${String(r.blas)}`);
      }
    }
    for (const lib of ['tfjs-wasm', 'tfjs-cpu']) {
      if (lib === 'tfjs-cpu' && opts.skipTfjsCpu) {
        skipped.push('tfjs-cpu: skipped by --skip-tfjs-cpu');
        continue;
      }
      if (!tfjs.has(lib)) tfjs.set(lib, await runChild('c', lib, 1, [String(block)]));
      const v = take(lib, tfjs.get(lib)!);
      if (v !== null) peers[lib] = v;
    }
    if (threads > 1 && tfjs.size) notes.push('tfjs runs single-threaded in Node; its 1-thread figures are repeated');
    const ratios: Record<string, number> = {};
    if (plexus !== null) for (const [k, v] of Object.entries(peers)) ratios[k] = round(plexus / v);
    const line = {
      workload: 'c', metric: 'steps_per_s', threads,
      plexus: plexus === null ? null : Math.round(plexus),
      peers: Object.fromEntries(Object.entries(peers).map(([k, v]) => [k, Math.round(v)])),
      ratios, finalLoss, peakRssMB,
      // Steps per CPU-second: on a busy machine the 1-thread figure closest to uncontended speed.
      ...(threads === 1 ? { cpu } : {}),
      load: loads,
      ...(skipped.length ? { skipped } : {}),
      ...(notes.length ? { notes } : {}),
    };
    console.log(JSON.stringify(line));
    lines.push(line);
  }
  return lines;
}
