/**
 * @file Workload b of docs/benchmarks.md: Fashion-MNIST MLP 784-256-256-10 (ReLU), mean
 * softmax cross-entropy, Adam lr 1e-3, batch 128, 5 epochs over one seeded order shared by every peer
 * (mulberry32 + Fisher-Yates; each peer prints a checksum of it). Prints one JSON line per thread
 * count: samples/s (median over epochs) of plexus and each peer, the ratios plexus / peer, test
 * accuracy after epochs 1 and 5, peak RSS, and the 1-minute load average around each run.
 *
 * Protocol, per thread count: plexus (bench/child.ts) and each PyTorch peer (bench/peers/torch_mlp.py:
 * as installed, and over OpenBLAS when one is found, see common.ts torchPeers) start together in
 * stepwise mode, each in its own process so RSS and JIT state stay per library. Once all have loaded
 * their data and built their model (untimed), epoch e runs one epoch of every library in turn,
 * starting at library e mod k, odd epochs walking the order backwards (as workload a's rounds do,
 * see gemm.ts), so none always runs first or after the same neighbour. A library's samples/s is its
 * median over epochs; `ratios` for the PyTorch peers are paired: the median over epochs of (plexus
 * in epoch e / peer in epoch e).
 *
 * Why: this VM is shared and a core's speed drifts by up to 2x for seconds to minutes. Run back to
 * back (5 epochs each), a slow phase landed on one library: plexus / torch-openblas measured 0.60 in
 * one run and 0.79 in another. Two epochs of a pair run within seconds of each other, mostly in the
 * same phase, and the median drops the epochs in which a phase began between them. `load` is each
 * library's median of the load average sampled after its epochs.
 *
 * TensorFlow.js (wasm: 1 epoch by default, ~50 s; cpu: a tenth of an epoch, it runs at ~0.3k
 * samples/s) keeps a one-shot run after the interleaved ones, so its ratios are unpaired (plexus's
 * median / its median). It has no thread control in Node, so it runs once and its figures repeat on
 * the 2-thread line with a note.
 */
import { Stepwise } from './stepwise.js';
import { PYTHON, load1, median, orderChecksum, permutation, mulberry32, repoPath, round, runChild, threadEnv, torchPeers } from './common.js';

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

/** A stepwise library's epochs so far and, after `done`, its final line. */
interface Lib {
  name: string;
  proc: Stepwise;
  python: boolean;
  epochs: Result[];
  loads: number[];
  final?: Result;
}

/**
 * plexus and the PyTorch peers at `threads`, interleaved epoch by epoch (see the file comment).
 * Returns the libraries that finished, each as a one-shot result (per-epoch arrays + final line),
 * and why the others were skipped.
 */
async function interleaved(threads: number, epochs: number): Promise<{ results: { name: string; r: Result; load: number }[]; skipped: string[] }> {
  const libs: Lib[] = [
    { name: 'plexus', proc: Stepwise.start(process.execPath, ['--expose-gc', repoPath('dist/bench/child.js'), 'b', 'plexus', String(threads)], {}), python: false, epochs: [], loads: [] },
    ...torchPeers().map((p) => ({ name: p.name, proc: Stepwise.start(PYTHON, [repoPath('bench/peers/torch_mlp.py'), 'mlp'], { ...threadEnv(threads), ...p.env }), python: true, epochs: [], loads: [] })),
  ];
  const failed = new Map<Lib, string>();
  const fail = (lib: Lib, e: unknown): void => {
    failed.set(lib, `${lib.name}: ${(e as Error).message}`);
    lib.proc.kill();
  };
  const step = async (lib: Lib, command: string): Promise<Result | null> => {
    if (failed.has(lib)) return null;
    try {
      return await lib.proc.ask(command);
    } catch (e) {
      fail(lib, e);
      return null;
    }
  };
  try {
    // Loading is untimed, so the processes load at the same time; all stay alive from here on.
    await Promise.all(libs.map((lib) => lib.proc.read().catch((e: unknown) => fail(lib, e))));
    const k = libs.length;
    let prev: Lib | undefined;
    for (let e = 0; e < epochs; e++) {
      for (let i = 0; i < k; i++) {
        const lib = libs[e % 2 === 0 ? (e + i) % k : (e + k - i) % k]!;
        if (failed.has(lib)) continue;
        // OpenBLAS's threads spin ~0.1 s after a call (here the evaluation's) before sleeping: let them.
        if (threads > 1 && prev?.python) await new Promise((resolve) => setTimeout(resolve, 150));
        prev = lib;
        const r = await step(lib, 'epoch');
        if (r && typeof r.samplesPerSec !== 'number') fail(lib, new Error(`answered 'epoch' with ${JSON.stringify(r).slice(0, 200)}`));
        else if (r) {
          lib.epochs.push(r);
          lib.loads.push(load1());
        }
      }
    }
    for (const lib of libs) lib.final = (await step(lib, 'done')) ?? undefined;
  } finally {
    // On any error (ours or a child's) no process outlives the run.
    for (const lib of libs) if (!lib.final) lib.proc.kill();
  }
  const each = (lib: Lib, key: string): unknown[] => lib.epochs.map((r) => r[key]);
  return {
    results: libs.filter((l) => !failed.has(l)).map((l) => ({
      name: l.name,
      r: { ...l.final, samplesPerSec: each(l, 'samplesPerSec'), cpuSamplesPerSec: each(l, 'cpuSamplesPerSec'), testAccuracy: each(l, 'testAccuracy') },
      load: median(l.loads),
    })),
    skipped: [...failed.values()],
  };
}

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
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`--epochs: expected a positive integer, got ${epochs}`);
  const expected = orderChecksum(permutation(60000, mulberry32(0)));
  const tfjs = new Map<string, Result | string>();
  const lines: object[] = [];
  for (const threads of threadCounts) {
    const peers: Record<string, number> = {};
    const ratios: Record<string, number> = {};
    const accuracy: Record<string, number[]> = {};
    const peakRssMB: Record<string, number> = {};
    const cpu: Record<string, number> = {};
    const notes: string[] = [];
    const loads: Record<string, number> = {};
    const take = (name: string, r: Result, load: number): void => {
      loads[name] = round(load);
      if (r.orderChecksum !== undefined && r.orderChecksum !== expected) notes.push(`${name}: data order checksum ${String(r.orderChecksum)} != ${expected}`);
      const s = summarize(r);
      accuracy[name] = s.acc;
      peakRssMB[name] = s.rss;
      cpu[name] = Math.round(s.cpu);
      if (name !== 'plexus') peers[name] = s.sps;
    };
    const { results, skipped } = await interleaved(threads, epochs);
    for (const { name, r, load } of results) take(name, r, load);
    const mine = results.find((x) => x.name === 'plexus')?.r;
    const plexus = mine ? summarize(mine).sps : null;
    if (mine && mine.leakedTensors !== 0) notes.push(`plexus: ${String(mine.leakedTensors)} tensors left after training`);
    for (const { name, r } of results) {
      if (name === 'plexus') continue;
      notes.push(`${name}: torch ${String(r.version)}, BLAS ${String(r.blas)}`);
      // Paired: both figures of a quotient come from the same epoch's turn (see the file comment).
      if (mine) ratios[name] = round(median(num(mine, 'samplesPerSec').map((p, e) => p / num(r, 'samplesPerSec')[e]!)));
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
      const r = tfjs.get(lib)!;
      if (typeof r === 'string') {
        skipped.push(`${lib}: ${r}`);
        continue;
      }
      take(lib, r, load1());
      // Unpaired: a one-shot run of its own (see the file comment).
      if (plexus !== null) ratios[lib] = round(plexus / peers[lib]!);
      if (num(r, 'samplesPerSec').length < epochs) notes.push(`${lib}: ${(r.steps as number) < 469 ? `${String(r.steps)} steps of epoch 1` : `${num(r, 'samplesPerSec').length} epoch(s)`} timed; its accuracy is after that`);
    }
    if (threads > 1 && tfjs.size) notes.push('tfjs runs single-threaded in Node; its 1-thread figures are repeated');
    const line = {
      workload: 'b', metric: 'samples_per_s', threads, epochsInterleaved: true,
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
