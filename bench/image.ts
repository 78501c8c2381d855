/**
 * @file Workload `image` of docs/benchmarks.md: full-batch image fitting, the float32 GEMM-heavy loop of
 * coordinate networks. Gaussian Fourier features (128, s = 10) + 3x128 ReLU MLP + sigmoid on every
 * pixel of the 112x112 mosaic (12544 rows a step), MSE, Adam lr 1e-3. plexus (wasm, bench/image-child.ts)
 * and the PyTorch peers (bench/peers/torch_image.py, as installed and over OpenBLAS when found) each run
 * in their own process, stepwise: after an untimed warm-up, blocks of `--steps` steps (default 20)
 * alternate between the libraries for `--blocks` rounds (default 5), so a phase of the VM's drifting
 * core speed lands on both. Prints one JSON line per thread count: median steps/s of each library and
 * the paired ratio plexus / peer (median over rounds of the two blocks run back to back).
 */
import { Stepwise } from './stepwise.js';
import { PYTHON, median, repoPath, round, threadEnv, torchPeers } from './common.js';

export interface ImageBenchOptions {
  threads?: number[];
  steps?: number;
  blocks?: number;
}

export async function runImage(opts: ImageBenchOptions = {}): Promise<object[]> {
  const perBlock = opts.steps ?? 20;
  const blocks = opts.blocks ?? 5;
  if (!Number.isInteger(perBlock) || perBlock < 1 || !Number.isInteger(blocks) || blocks < 1) throw new Error('--steps and --blocks must be positive integers');
  const lines: object[] = [];
  for (const threads of opts.threads ?? [1, 2]) {
    const libs = [
      { name: 'plexus', proc: Stepwise.start(process.execPath, ['--expose-gc', repoPath('dist/bench/image-child.js'), String(threads), String(perBlock)], {}), sps: [] as number[], psnr: NaN },
      ...torchPeers().map((p) => ({ name: p.name, proc: Stepwise.start(PYTHON, [repoPath('bench/peers/torch_image.py'), String(perBlock)], { ...threadEnv(threads), ...p.env }), sps: [] as number[], psnr: NaN })),
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
            lib.psnr = r.psnr as number;
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
    const peers = Object.fromEntries(libs.slice(1).filter((l) => l.sps.length).map((l) => [l.name, round(median(l.sps))]));
    const ratios = Object.fromEntries(libs.slice(1).filter((l) => l.sps.length && mine.sps.length).map((l) => [l.name, round(median(mine.sps.map((p, i) => p / l.sps[i]!)))]));
    const line = {
      workload: 'image', metric: 'steps_per_s', threads, pixels: 12544, stepsPerBlock: perBlock, blocks,
      plexus: mine.sps.length ? round(median(mine.sps)) : null, peers, ratios,
      psnr: Object.fromEntries(libs.filter((l) => l.sps.length).map((l) => [l.name, round(l.psnr)])),
      ...(skipped.length ? { skipped } : {}),
    };
    console.log(JSON.stringify(line));
    lines.push(line);
  }
  return lines;
}
