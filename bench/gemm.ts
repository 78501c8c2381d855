/**
 * @file Workload a of docs/benchmarks.md: square float32 GEMM, C = A·B, n in
 * {64, ..., 1024}, entries uniform in [-1, 1). Per call a complete C readable from JS (tfjs:
 * matMul + dataSync). GFLOPS = 2n^3·calls / s. Prints one JSON line per (n, threads).
 *
 * Protocol, per (threads, n): every library (a Runner) prepares first: operands, warm-up >= 2
 * calls and 0.1 s, which gives its time per call and so its calls per rep = ceil(0.25 s / call
 * time). Then R rounds (`reps`, default 7) in which every library runs one rep; round r starts at
 * library r mod k and odd rounds run the order backwards, so none always runs first or last or
 * after the same neighbour (in 2-thread rounds a Python peer is followed by a 150 ms pause: its
 * OpenBLAS threads spin after a call). A library's figure is its median over rounds.
 *
 * Why rounds: this VM is shared and a core's speed changes by up to 2x for seconds at a time.
 * Measured back to back, a slow episode lands on one library and skews plexus / peer. So `ratios`
 * are paired: the median over rounds of (plexus in round r / peer in round r). Both reps of a pair
 * ran within about a second of each other, mostly inside the same episode, and a round hit as a
 * whole cancels out; the median then drops the rounds in which an episode began between the two.
 *
 * Threads: the Python peers run in persistent child processes per thread count (OMP/OpenBLAS
 * threads set at start). TensorFlow.js has no thread control in Node (its wasm backend is
 * single-threaded there), so it runs in the first pass that has the size and its figure is
 * repeated, with a note, on lines of other thread counts. Lines with threads > 1 also pair plexus
 * with plexus at 1 thread in the same rounds: ratios['plexus-1-thread'] is the paired speed-up
 * (bar: >= 1.8 at n >= 512). The 1-thread runs use their own wasm backend instance: a 1-thread
 * GEMM on the multi-threaded instance would shrink its pool to no workers (parallel.threads()
 * resizes the pool to getNumThreads() - 1), and every 2-thread rep would start cold workers.
 * `workerShare` in the notes checks that the kept workers really did their part.
 *
 * On a busy machine 1-thread lines also carry `cpu` (the same rounds timed by process CPU seconds:
 * time actually on a core) and every line `load`, the 1-minute load average. `--best` adds `best`:
 * the fastest of 30 windows of >= 20 ms per library, the closest to its uncontended speed.
 *
 * `peakRssMB`: plexus and TF.js wasm share this process in the rounds, so their peaks come from a
 * short run of each side alone in a fresh process (bench/rss-probe.ts: the same sizes in the same
 * order, operands and warm-up calls; plexus at the line's thread count, without the 1-thread
 * instance the rounds add); the Python peers report their own process's peak after the size's rounds.
 */
import { getNumThreads, setNumThreads } from '../src/index.js';
import { wasmRelaxedSimdSupported } from '../src/internal.js';
import { simdPeakGflops } from './simd-peak.js';
import { load1, median, probePeaks, round } from './common.js';
import { type Runner, gflops, plexusRunner, loadTfjs, tfjsRunner, PythonPeer, pythonPeers, sink } from './gemm-runners.js';

export const SIZES = [64, 128, 256, 512, 1024];

export interface GemmBenchOptions {
  sizes?: number[];
  threads?: number[];
  /** Skip TensorFlow.js's cpu backend (0.5 GFLOPS: ~4 s per call at n = 1024). */
  skipTfjsCpu?: boolean;
  /** Also report `best`: the fastest of 30 short windows. */
  best?: boolean;
  /** Rounds per (threads, n) (default 7). */
  reps?: number;
}

/** Per runner, GFLOPS per round by wall clock and by CPU seconds (see the file comment). */
async function rounds(runners: Runner[], n: number, reps: number, settle: (r: Runner) => boolean): Promise<{ wall: number[][]; cpu: number[][] }> {
  const calls: number[] = [];
  for (const r of runners) calls.push(Math.max(1, Math.ceil(0.25 / (await r.prepare(n)))));
  const wall: number[][] = runners.map(() => []);
  const cpu: number[][] = runners.map(() => []);
  const k = runners.length;
  let prev: Runner | undefined;
  for (let round = 0; round < reps; round++) {
    for (let i = 0; i < k; i++) {
      // Odd rounds walk the order backwards, so each library follows a different neighbour in turn.
      const j = round % 2 === 0 ? (round + i) % k : (round + k - i) % k;
      // OpenBLAS's threads spin for ~0.1 s after a call before sleeping: a rep right after one would
      // share its cores with them. A short idle gap after a multi-threaded Python peer lets them sleep.
      if (prev && settle(prev)) await new Promise((resolve) => setTimeout(resolve, 150));
      const r = await runners[j]!.rep(calls[j]!);
      prev = runners[j]!;
      wall[j]!.push(gflops(n, calls[j]!, r.wall));
      // A rep shorter than the CPU clock's tick could show 0 CPU seconds; wall/1000 caps the figure.
      cpu[j]!.push(gflops(n, calls[j]!, Math.max(r.wall * 1e-3, r.cpu)));
    }
  }
  return { wall, cpu };
}

/** A tfjs figure kept for lines of other thread counts. */
interface Kept {
  gflops: number;
  cpu: number;
  best?: number;
}

/** Runs workload a and prints its JSON lines; returns them for callers that aggregate. */
export async function runGemm(opts: GemmBenchOptions = {}): Promise<object[]> {
  const sizes = opts.sizes ?? SIZES;
  const threadCounts = opts.threads ?? [1, 2];
  const reps = opts.reps ?? 7;
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps: expected a positive integer, got ${reps}`);
  const tf = loadTfjs();
  const tfjsKept = new Map<string, Kept>();
  const threadsBefore = getNumThreads();
  const lines: object[] = [];
  const relaxed = wasmRelaxedSimdSupported();
  const ceiling = { baseline: round(simdPeakGflops('f32x4', false)), ...(relaxed ? { relaxed: round(simdPeakGflops('f32x4', true)) } : {}) };
  const peakLine = { workload: 'a', metric: 'f32x4_peak_gflops', threads: 1, plexus: Math.max(ceiling.baseline, ceiling.relaxed ?? 0), ceiling, load: load1(),
    notes: ['gemmPeak: 8 independent f32x4 madds per step, operands in registers (assembly/gemm.as); per core; the better of the baseline (mul + add) and relaxed (FMA, latency-bound at 8 accumulators) builds; a GEMM line over it is the kernel\'s share of the 128-bit ceiling'] };
  console.log(JSON.stringify(peakLine));
  lines.push(peakLine);
  let tfjsPeaks: Record<string, number> | string | undefined;
  for (const threads of threadCounts) {
    // Before the rounds, so the probes' processes do not share the cores with a timed rep.
    const plexusPeaks = await probePeaks(['a', 'plexus', String(threads), sizes.join(',')]);
    if (typeof tf !== 'string') tfjsPeaks ??= await probePeaks(['a', 'tfjs-wasm', '1', sizes.join(',')]);
    const py = await pythonPeers(threads);
    const plexus = plexusRunner(threads);
    const oneThread = threads > 1 ? plexusRunner(1) : null;
    const tfjs = typeof tf === 'string' ? [] : (['wasm', 'cpu'] as const).filter((b) => b !== 'cpu' || !opts.skipTfjsCpu).map((b) => tfjsRunner(tf, b));
    for (const n of sizes) {
      const skipped = [...py.skipped];
      const notes = [...py.notes];
      if (typeof tf === 'string') skipped.push(`tfjs: ${tf}`);
      if (typeof tf !== 'string' && opts.skipTfjsCpu) skipped.push('tfjs-cpu: skipped by --skip-tfjs-cpu');
      const tfjsNow = tfjs.filter((r) => !tfjsKept.has(`${r.name}:${n}`));
      const runners: Runner[] = [plexus, ...(oneThread ? [oneThread] : []), ...py.peers, ...tfjsNow];
      const { wall, cpu: cpuRounds } = await rounds(runners, n, reps, (r) => threads > 1 && r instanceof PythonPeer);
      const bestOf: number[] = [];
      if (opts.best) for (const r of runners) bestOf.push(await r.best()); // one at a time, like the reps
      for (const r of runners) r.release();
      const peakRssMB: Record<string, number> = {};
      for (const [name, peaks] of [['plexus', plexusPeaks], ['tfjs-wasm', tfjsPeaks]] as const) {
        if (typeof peaks === 'string') notes.push(`${name} peakRssMB: ${peaks}`);
        else if (peaks?.[n] !== undefined) peakRssMB[name] = peaks[n];
      }
      for (const peer of py.peers) {
        const v = await peer.rss().catch(() => undefined);
        if (v !== undefined) peakRssMB[peer.name] = v;
      }
      notes.push('peakRssMB: plexus and tfjs-wasm from a short run of their side alone in a process of its own (bench/rss-probe.ts), the Python peers from their processes');

      const peers: Record<string, number> = {};
      const ratios: Record<string, number> = {};
      const cpu: Record<string, number> = {};
      const best: Record<string, number> = {};
      const paired = (j: number): number => median(wall[0]!.map((p, r) => p / wall[j]![r]!));
      const plexusFigure = median(wall[0]!);
      cpu.plexus = median(cpuRounds[0]!);
      if (opts.best) best.plexus = bestOf[0]!;
      runners.forEach((r, j) => {
        if (j === 0) return;
        if (r === oneThread) {
          ratios['plexus-1-thread'] = round(paired(j));
          if (opts.best) ratios['plexus-1-thread-best'] = round(bestOf[0]! / bestOf[j]!);
          notes.push(`plexus at 1 thread in the same rounds: ${round(median(wall[j]!))} GFLOPS`);
          return;
        }
        peers[r.name] = median(wall[j]!);
        ratios[r.name] = round(paired(j));
        cpu[r.name] = median(cpuRounds[j]!);
        if (opts.best) best[r.name] = bestOf[j]!;
        if (tfjsNow.includes(r)) tfjsKept.set(`${r.name}:${n}`, { gflops: peers[r.name]!, cpu: cpu[r.name]!, ...(opts.best ? { best: bestOf[j]! } : {}) });
      });
      // tfjs measured in an earlier pass: an unpaired ratio against its median.
      const repeated = tfjs.filter((r) => !tfjsNow.includes(r));
      for (const r of repeated) {
        const kept = tfjsKept.get(`${r.name}:${n}`)!;
        peers[r.name] = kept.gflops;
        ratios[r.name] = round(plexusFigure / kept.gflops);
        cpu[r.name] = kept.cpu;
        if (opts.best && kept.best !== undefined) best[r.name] = kept.best;
      }
      if (repeated.length) notes.push('tfjs runs single-threaded in Node; its 1-thread figure is repeated');
      const pool = plexus.pool();
      if (pool) {
        notes.push(`pool workers ran ${Math.round(pool.workerShare * 100)}% of the GEMM pieces`);
        if (pool.replaced) notes.push('a pool worker was replaced during the rounds (crash or timeout): the 2-thread figure includes a cold start');
      }
      const rounded = (o: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v)]));
      const line = {
        workload: 'a', metric: 'gflops', n, threads, reps,
        plexus: round(plexusFigure),
        peers: rounded(peers),
        ratios,
        ...(threads === 1 ? { cpu: rounded(cpu) } : {}),
        ...(opts.best ? { best: rounded(best) } : {}),
        peakRssMB,
        load: load1(),
        ...(skipped.length ? { skipped } : {}),
        ...(notes.length ? { notes } : {}),
      };
      console.log(JSON.stringify(line));
      lines.push(line);
    }
    for (const peer of py.peers) peer.stop();
  }
  setNumThreads(threadsBefore);
  if (Number.isNaN(sink)) throw new Error('unreachable: keeps the reads alive');
  return lines;
}
