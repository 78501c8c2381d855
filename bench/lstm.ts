/**
 * @file Workload e of docs/benchmarks.md: LSTM training throughput. nn.LSTM(input 64, hidden 256)
 * over seq 100 x batch 32 plus a Linear(256, 1) head on the last step, MSE, Adam lr 1e-3, one fixed
 * batch. plexus (wasm, bench/lstm-child.ts) and the PyTorch peers (bench/peers/torch_lstm.py
 * `nn.LSTM`, as installed and over OpenBLAS when found) each run in their own process, stepwise:
 * after an untimed warm-up, blocks of `--steps` training steps (default 4) alternate between the
 * libraries for `--blocks` rounds (default 5). Prints one JSON line per thread count (`--threads`,
 * default 1,2): median steps/s of each library and the paired ratio plexus / peer (median over
 * rounds of the blocks run back to back). Goal: ratio >= 1.0.
 */
import { Stepwise } from './stepwise.js';
import { PYTHON, load1, median, repoPath, round, threadEnv, torchPeers } from './common.js';

export interface LstmBenchOptions {
  threads?: number[];
  steps?: number;
  blocks?: number;
}

export async function runLstm(opts: LstmBenchOptions = {}): Promise<object[]> {
  const perBlock = opts.steps ?? 4;
  const blocks = opts.blocks ?? 5;
  if (!Number.isInteger(perBlock) || perBlock < 1 || !Number.isInteger(blocks) || blocks < 1) throw new Error('--steps and --blocks must be positive integers');
  const lines: object[] = [];
  for (const threads of opts.threads ?? [1, 2]) {
    const load0 = load1();
    const libs = [
      { name: 'plexus', proc: Stepwise.start(process.execPath, ['--expose-gc', repoPath('dist/bench/lstm-child.js'), String(threads), String(perBlock)], {}), sps: [] as number[], loss: NaN },
      ...torchPeers().map((p) => ({ name: p.name, proc: Stepwise.start(PYTHON, [repoPath('bench/peers/torch_lstm.py'), String(perBlock)], { ...threadEnv(threads), ...p.env }), sps: [] as number[], loss: NaN })),
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
      for (let b = 0; b < blocks; b++) {
        const order = b % 2 === 0 ? libs : [...libs].reverse();
        for (const lib of order) {
          if (!alive.has(lib)) continue;
          try {
            const r = await lib.proc.ask('block');
            lib.sps.push(r.stepsPerSec as number);
            lib.loss = r.loss as number;
          } catch (e) {
            fail(lib, e);
          }
        }
      }
      for (const lib of alive) lib.proc.stop();
    } finally {
      for (const lib of libs) lib.proc.kill();
    }
    const mine = libs[0]!;
    const peers = Object.fromEntries(libs.slice(1).filter((l) => l.sps.length).map((l) => [l.name, round(median(l.sps), 3)]));
    const ratios = Object.fromEntries(libs.slice(1).filter((l) => l.sps.length && mine.sps.length).map((l) => [l.name, round(median(mine.sps.map((p, i) => p / l.sps[i]!)))]));
    const line = {
      workload: 'e', metric: 'train_steps_per_s', model: 'LSTM(64, 256), seq 100, batch 32', threads, stepsPerBlock: perBlock, blocks,
      plexus: mine.sps.length ? round(median(mine.sps), 3) : null, peers, ratios,
      pairs: Object.fromEntries(libs.slice(1).filter((l) => l.sps.length).map((l) => [l.name, mine.sps.map((p, i) => round(p / l.sps[i]!))])),
      loss: Object.fromEntries(libs.filter((l) => l.sps.length).map((l) => [l.name, round(l.loss, 5)])),
      load: [load0, load1()], ...(skipped.length ? { skipped } : {}),
    };
    console.log(JSON.stringify(line));
    lines.push(line);
  }
  return lines;
}
