/**
 * @file The paired stepwise protocol of the training workloads (image, mixer): plexus and each
 * PyTorch peer run in their own process; after an untimed warm-up, blocks of `perBlock` steps
 * alternate between the libraries for `blocks` rounds (order reversed every other round), so a phase
 * of the VM's drifting core speed lands on all of them. Per thread count it prints one JSON line:
 * the median steps/s of each library and the paired ratio plexus / peer (median over rounds of the
 * blocks run back to back), plus a quality number each child reports (PSNR, loss) and each process's
 * peak RSS, which every child reports on `done` (`peakRssMB`).
 */
import { Stepwise } from './stepwise.js';
import { PYTHON, load1, median, repoPath, round, threadEnv, torchPeers } from './common.js';

export interface PairedWorkload {
  workload: string;
  /** dist/bench/<child>.js: plexus's side, called with <threads> <perBlock>. */
  child: string;
  /** bench/peers/<script>.py: the PyTorch side, called with <perBlock>. */
  peer: string;
  /** The key of the quality number in each child's block answer (e.g. 'psnr', 'loss'). */
  quality: string;
  /** Extra fields for the JSON line (sizes, model). */
  info: Record<string, unknown>;
  /** The JSON line's metric name (default 'steps_per_s'). */
  metric?: string;
  threads?: number[];
  perBlock: number;
  blocks: number;
}

export async function runPaired(w: PairedWorkload): Promise<object[]> {
  if (!Number.isInteger(w.perBlock) || w.perBlock < 1 || !Number.isInteger(w.blocks) || w.blocks < 1) throw new Error('--steps and --blocks must be positive integers');
  const lines: object[] = [];
  for (const threads of w.threads ?? [1, 2]) {
    const load0 = load1();
    const libs = [
      { name: 'plexus', proc: Stepwise.start(process.execPath, ['--expose-gc', repoPath(`dist/bench/${w.child}.js`), String(threads), String(w.perBlock)], {}), sps: [] as number[], q: NaN, rss: NaN },
      ...torchPeers().map((p) => ({ name: p.name, proc: Stepwise.start(PYTHON, [repoPath(`bench/peers/${w.peer}.py`), String(w.perBlock)], { ...threadEnv(threads), ...p.env }), sps: [] as number[], q: NaN, rss: NaN })),
    ];
    const skipped: string[] = [];
    const alive = new Set(libs);
    const fail = (lib: (typeof libs)[number], e: unknown): void => {
      skipped.push(`${lib.name}: ${(e as Error).message}`);
      alive.delete(lib);
      lib.proc.kill();
    };
    try {
      await Promise.all(libs.map((lib) => lib.proc.read().catch((e: unknown) => fail(lib, e))));
      for (let b = 0; b < w.blocks; b++) {
        const order = b % 2 === 0 ? libs : [...libs].reverse();
        for (const lib of order) {
          if (!alive.has(lib)) continue;
          try {
            const r = await lib.proc.ask('block');
            lib.sps.push(r.stepsPerSec as number);
            lib.q = r[w.quality] as number;
          } catch (e) {
            fail(lib, e);
          }
        }
      }
      for (const lib of alive) {
        try {
          lib.rss = (await lib.proc.ask('done')).peakRssMB as number;
          lib.proc.stop();
        } catch (e) {
          fail(lib, e);
        }
      }
    } finally {
      for (const lib of libs) lib.proc.kill();
    }
    const mine = libs[0]!;
    const peers = Object.fromEntries(libs.slice(1).filter((l) => l.sps.length).map((l) => [l.name, round(median(l.sps), 3)]));
    const ratios = Object.fromEntries(libs.slice(1).filter((l) => l.sps.length && mine.sps.length).map((l) => [l.name, round(median(mine.sps.map((p, i) => p / l.sps[i]!)))]));
    const line = {
      workload: w.workload, metric: w.metric ?? 'steps_per_s', threads, ...w.info, stepsPerBlock: w.perBlock, blocks: w.blocks,
      plexus: mine.sps.length ? round(median(mine.sps), 3) : null, peers, ratios,
      // Every round's ratio, and the load average before and after: how much to trust the median.
      pairs: Object.fromEntries(libs.slice(1).filter((l) => l.sps.length).map((l) => [l.name, mine.sps.map((p, i) => round(p / l.sps[i]!))])),
      [w.quality]: Object.fromEntries(libs.filter((l) => l.sps.length).map((l) => [l.name, round(l.q, 5)])),
      peakRssMB: Object.fromEntries(libs.filter((l) => Number.isFinite(l.rss)).map((l) => [l.name, l.rss])),
      load: [load0, load1()], ...(skipped.length ? { skipped } : {}),
    };
    console.log(JSON.stringify(line));
    lines.push(line);
  }
  return lines;
}
