/**
 * @file Workload b of ../shared/bench/WORKLOADS.md: Fashion-MNIST MLP 784-256-256-10 (ReLU), mean
 * softmax cross-entropy, Adam lr 1e-3, batch 128, 5 epochs over one seeded order shared by every peer
 * (mulberry32 + Fisher-Yates; each peer prints a checksum of it). Prints one JSON line per thread
 * count: samples/s (median over epochs) of plexus and each peer, the ratios plexus / peer, test
 * accuracy after epochs 1 and 5, peak RSS, and the 1-minute load average around each run.
 *
 * Each library runs in its own process (bench/child.ts, bench/peers/torch_mlp.py), one after the
 * other, so RSS and JIT state are per library; on a shared machine compare ratios within a line and
 * mind `load`. Peers: PyTorch through /usr/bin/python3 (as installed, and over OpenBLAS when one is
 * found, see common.ts torchPeers), TensorFlow.js wasm (1 epoch by default: ~50 s) and cpu (a tenth
 * of an epoch: it runs at ~0.3k samples/s). TensorFlow.js has no thread control in Node, so it runs
 * once and its figures repeat on the 2-thread line with a note.
 */
import { PYTHON, load1, median, orderChecksum, permutation, mulberry32, repoPath, round, runChild, runJson, threadEnv, torchPeers } from './common.js';

export interface MlpBenchOptions {
  threads?: number[];
  /** Epochs for plexus and PyTorch (default 5). */
  epochs?: number;
  /** Epochs for tfjs-wasm (default 1); tfjs-cpu runs `tfjsCpuFraction` of one epoch. */
  tfjsEpochs?: number;
  tfjsCpuFraction?: number;
  skipTfjsCpu?: boolean;
}

type Result = Record<string, unknown>;

const num = (r: Result, k: string): number[] => (r[k] as number[] | undefined) ?? [];

/** The figures one library contributes to a line: samples/s is the median over its epochs. */
function summarize(r: Result): { sps: number; cpu: number; acc: number[]; rss: number } {
  const acc = num(r, 'testAccuracy');
  return { sps: median(num(r, 'samplesPerSec')), cpu: median(num(r, 'cpuSamplesPerSec')), acc: [acc[0]!, acc[acc.length - 1]!].map((a) => round(a, 4)), rss: round(r.peakRssMB as number, 0) };
}

/** Runs workload b; prints and returns one line per thread count. */
export async function runMlp(opts: MlpBenchOptions = {}): Promise<object[]> {
  const threadCounts = opts.threads ?? [1, 2];
  const epochs = opts.epochs ?? 5;
  const expected = orderChecksum(permutation(60000, mulberry32(0)));
  const tfjs = new Map<string, Result | string>();
  const lines: object[] = [];
  for (const threads of threadCounts) {
    const peers: Record<string, number> = {};
    const accuracy: Record<string, number[]> = {};
    const peakRssMB: Record<string, number> = {};
    const cpu: Record<string, number> = {};
    const skipped: string[] = [];
    const notes: string[] = [];
    const loads: Record<string, number> = {};
    const take = (name: string, r: Result | string): Result | null => {
      loads[name] = load1();
      if (typeof r === 'string') {
        skipped.push(`${name}: ${r}`);
        return null;
      }
      if (r.orderChecksum !== undefined && r.orderChecksum !== expected) notes.push(`${name}: data order checksum ${String(r.orderChecksum)} != ${expected}`);
      const s = summarize(r);
      accuracy[name] = s.acc;
      peakRssMB[name] = s.rss;
      cpu[name] = Math.round(s.cpu);
      return r;
    };
    const mine = take('plexus', await runChild('b', 'plexus', threads, [String(epochs)]));
    const plexus = mine ? summarize(mine).sps : null;
    if (mine && mine.leakedTensors !== 0) notes.push(`plexus: ${String(mine.leakedTensors)} tensors left after training`);
    for (const peer of torchPeers()) {
      const r = take(peer.name, await runJson(PYTHON, [repoPath('bench/peers/torch_mlp.py'), 'mlp', String(epochs)], { ...threadEnv(threads), ...peer.env }));
      if (r) {
        peers[peer.name] = summarize(r).sps;
        notes.push(`${peer.name}: torch ${String(r.version)}, BLAS ${String(r.blas)}`);
      }
    }
    for (const lib of ['tfjs-wasm', 'tfjs-cpu']) {
      if (lib === 'tfjs-cpu' && opts.skipTfjsCpu) {
        skipped.push('tfjs-cpu: skipped by --skip-tfjs-cpu');
        continue;
      }
      if (!tfjs.has(lib)) {
        const count = lib === 'tfjs-wasm' ? opts.tfjsEpochs ?? 1 : opts.tfjsCpuFraction ?? 0.1;
        tfjs.set(lib, await runChild('b', lib, 1, [String(count)]));
      }
      const r = take(lib, tfjs.get(lib)!);
      if (r) {
        peers[lib] = summarize(r).sps;
        if (num(r, 'samplesPerSec').length < epochs) notes.push(`${lib}: ${(r.steps as number) < 469 ? `${String(r.steps)} steps of epoch 1` : `${num(r, 'samplesPerSec').length} epoch(s)`} timed; its accuracy is after that`);
      }
    }
    if (threads > 1 && tfjs.size) notes.push('tfjs runs single-threaded in Node; its 1-thread figures are repeated');
    const ratios: Record<string, number> = {};
    if (plexus !== null) for (const [k, v] of Object.entries(peers)) ratios[k] = round(plexus / v);
    const line = {
      workload: 'b', metric: 'samples_per_s', threads,
      plexus: plexus === null ? null : Math.round(plexus),
      peers: Object.fromEntries(Object.entries(peers).map(([k, v]) => [k, Math.round(v)])),
      ratios, accuracy, peakRssMB,
      // Samples per CPU-second: on a busy machine the 1-thread figure closest to uncontended speed.
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
