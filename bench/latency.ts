/**
 * @file Workloads g and h of docs/benchmarks.md, both interleaved round by round like workload b
 * (each library in its own stepwise process, bench/stepwise.ts; round r starts at library r mod k,
 * odd rounds walk the order backwards) with paired ratios: the median over rounds of plexus's figure
 * / the peer's figure in the same round.
 *
 * g: single-sample and batch-8 inference latency of workload b's model (784-256-256-10 ReLU):
 * calls/s, median and p99 per-call time in µs; plexus (bench/latency-child.ts), the PyTorch peers
 * (bench/peers/torch_latency.py, torch.inference_mode) and TF.js wasm (single-threaded in Node, so
 * its 1-thread process is the peer on every thread count's line, still interleaved). `--rounds` (7),
 * `--seconds` per batch size per round (0.5).
 * h: training 784-512-512-512-10 ReLU, batch 256, Adam: steps/s; plexus and the PyTorch peers.
 * `--rounds` (7), `--steps` per round (20).
 */
import { Stepwise } from './stepwise.js';
import { PYTHON, load1, median, repoPath, round, threadEnv, torchPeers } from './common.js';

type Result = Record<string, unknown>;

export interface LatencyBenchOptions {
  threads?: number[];
  rounds?: number;
  /** g: seconds per batch size per round; h: steps per round. */
  perRound?: number;
}

interface Lib {
  name: string;
  proc: Stepwise;
  python: boolean;
  rounds: Result[];
  final?: Result;
}

/** Starts every library, runs `rounds` interleaved rounds of `round <arg>`, then `done`. */
async function interleave(libs: Lib[], rounds: number, arg: number, threads: number): Promise<string[]> {
  const failed = new Map<Lib, string>();
  const fail = (lib: Lib, e: unknown): void => {
    failed.set(lib, `${lib.name}: ${(e as Error).message}`);
    lib.proc.kill();
  };
  const ask = async (lib: Lib, cmd: string): Promise<Result | null> => {
    if (failed.has(lib)) return null;
    try {
      return await lib.proc.ask(cmd);
    } catch (e) {
      fail(lib, e);
      return null;
    }
  };
  try {
    await Promise.all(libs.map((lib) => lib.proc.read().catch((e: unknown) => fail(lib, e))));
    const k = libs.length;
    let prev: Lib | undefined;
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < k; i++) {
        const lib = libs[r % 2 === 0 ? (r + i) % k : (r + k - i) % k]!;
        // OpenBLAS's threads spin ~0.1 s after a call before sleeping: let them (see mlp.ts).
        if (threads > 1 && prev?.python) await new Promise((resolve) => setTimeout(resolve, 150));
        prev = lib;
        const res = await ask(lib, `round ${arg}`);
        if (res) lib.rounds.push(res);
      }
    }
    for (const lib of libs) lib.final = (await ask(lib, 'done')) ?? undefined;
  } finally {
    for (const lib of libs) if (!lib.final) lib.proc.kill();
  }
  return [...failed.values()];
}

const child = (workload: string, lib: string, threads: number): Stepwise =>
  Stepwise.start(process.execPath, ['--expose-gc', repoPath('dist/bench/latency-child.js'), workload, lib, String(threads)], {});

function startLibs(workload: 'g' | 'h', threads: number): Lib[] {
  const libs: Lib[] = [{ name: 'plexus', proc: child(workload, 'plexus', threads), python: false, rounds: [] }];
  for (const p of torchPeers()) {
    libs.push({ name: p.name, proc: Stepwise.start(PYTHON, [repoPath('bench/peers/torch_latency.py'), workload], { ...threadEnv(threads), ...p.env }), python: true, rounds: [] });
  }
  if (workload === 'g') libs.push({ name: 'tfjs-wasm', proc: child('g', 'tfjs-wasm', 1), python: false, rounds: [] });
  return libs;
}

/** The median over rounds of `get(plexus round) / get(peer round)`. */
function paired(mine: Lib, peer: Lib, get: (r: Result) => number): number {
  const n = Math.min(mine.rounds.length, peer.rounds.length);
  return round(median(Array.from({ length: n }, (_, i) => get(mine.rounds[i]!) / get(peer.rounds[i]!))));
}

/** Each finished process's peak RSS (MB), from its `done` line. */
const peaksOf = (libs: Lib[]): Record<string, number> => Object.fromEntries(libs.filter((l) => typeof l.final?.peakRssMB === 'number').map((l) => [l.name, l.final!.peakRssMB as number]));

const notesOf = (libs: Lib[]): string[] => libs.filter((l) => l.python && l.final).map((l) => `${l.name}: torch ${String(l.final!.version)}, BLAS ${String(l.final!.blas)}`);

/** Workload g: one line per thread count and batch size (1, 8). */
export async function runLatency(opts: LatencyBenchOptions = {}): Promise<object[]> {
  const lines: object[] = [];
  for (const threads of opts.threads ?? [1, 2]) {
    const libs = startLibs('g', threads);
    const skipped = await interleave(libs, opts.rounds ?? 7, opts.perRound ?? 0.5, threads);
    const ok = libs.filter((l) => l.rounds.length > 0 && !skipped.some((s) => s.startsWith(`${l.name}:`)));
    const mine = ok.find((l) => l.name === 'plexus');
    for (const b of ['b1', 'b8']) {
      const fig = (r: Result, key: string): number => (r[b] as Record<string, number>)[key]!;
      const summary = (l: Lib): object => ({
        callsPerSec: Math.round(median(l.rounds.map((r) => fig(r, 'callsPerSec')))),
        medianUs: round(median(l.rounds.map((r) => fig(r, 'medianUs'))), 1),
        p99Us: round(median(l.rounds.map((r) => fig(r, 'p99Us'))), 1),
      });
      const peers = Object.fromEntries(ok.filter((l) => l !== mine).map((l) => [l.name, summary(l)]));
      const ratios = mine ? Object.fromEntries(ok.filter((l) => l !== mine).map((l) => [l.name, paired(mine, l, (r) => fig(r, 'callsPerSec'))])) : {};
      const notes = notesOf(libs);
      if (threads > 1) notes.push('tfjs-wasm runs single-threaded in Node');
      const line = {
        workload: 'g', metric: 'inference_calls_per_s', batch: b === 'b1' ? 1 : 8, threads, roundsInterleaved: true,
        plexus: mine ? summary(mine) : null, peers, ratios, peakRssMB: peaksOf(libs), load: load1(),
        ...(skipped.length ? { skipped } : {}), ...(notes.length ? { notes } : {}),
      };
      console.log(JSON.stringify(line));
      lines.push(line);
    }
  }
  return lines;
}

/** Workload h: one line per thread count. */
export async function runDeepTraining(opts: LatencyBenchOptions = {}): Promise<object[]> {
  const lines: object[] = [];
  for (const threads of opts.threads ?? [1, 2]) {
    const libs = startLibs('h', threads);
    const skipped = await interleave(libs, opts.rounds ?? 7, opts.perRound ?? 20, threads);
    const ok = libs.filter((l) => l.rounds.length > 0 && !skipped.some((s) => s.startsWith(`${l.name}:`)));
    const mine = ok.find((l) => l.name === 'plexus');
    const sps = (l: Lib, key = 'stepsPerSec'): number => round(median(l.rounds.map((r) => r[key] as number)), 1);
    const peers = Object.fromEntries(ok.filter((l) => l !== mine).map((l) => [l.name, sps(l)]));
    const ratios = mine ? Object.fromEntries(ok.filter((l) => l !== mine).map((l) => [l.name, paired(mine, l, (r) => r.stepsPerSec as number)])) : {};
    const notes = notesOf(libs);
    const line = {
      workload: 'h', metric: 'steps_per_s', threads, roundsInterleaved: true,
      plexus: mine ? sps(mine) : null, peers, ratios,
      ...(threads === 1 ? { cpu: Object.fromEntries(ok.map((l) => [l.name, sps(l, 'cpuStepsPerSec')])) } : {}),
      finalLoss: Object.fromEntries(ok.map((l) => [l.name, round(l.rounds.at(-1)!.loss as number, 4)])),
      peakRssMB: peaksOf(libs), load: load1(),
      ...(skipped.length ? { skipped } : {}), ...(notes.length ? { notes } : {}),
    };
    console.log(JSON.stringify(line));
    lines.push(line);
  }
  return lines;
}
