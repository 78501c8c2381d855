/**
 * @file `npm run bench -- algorithms [--steps 200] [--sizes 784,256,256,10] [--batch 64]`: training
 * throughput and peak memory of every registered training algorithm on the same MLP and batches, one
 * JSON line each: samplesPerSec (steps x batch / wall time, after a warm-up step) and peakMB (backend
 * bytes above what was live before the timed steps: activations, gradients, temporaries, the
 * algorithm's own state). Synthetic data (random inputs, random labels): the cost, not the accuracy,
 * is measured. What to read: Mono-Forward near backprop's speed with less memory at depth;
 * Forward-Forward about twice backprop's cost per sample (a positive and a negative pass).
 */
import * as px from '../src/index.js';
import { peakRssMB } from './common.js';

/** Runs each registered algorithm on one MLP config and prints its line. */
export function runAlgorithms(opts: { steps?: number; sizes?: number[]; batch?: number } = {}): void {
  const steps = opts.steps ?? 200;
  const sizes = opts.sizes ?? [784, 256, 256, 10];
  const batch = opts.batch ?? 64;
  if (!Number.isInteger(steps) || steps < 1) throw new px.ValueError(`algorithms: --steps must be a positive integer, got ${String(opts.steps)}`);
  const g = new px.Generator(0);
  const x = px.rand([batch, sizes[0]!], { generator: g });
  const y = px.randint(0, sizes[sizes.length - 1]!, [batch], { generator: g });
  for (const name of px.train.algorithmNames()) {
    const model = new px.nn.MLP(sizes, { generator: new px.Generator(0) });
    let algorithm: px.train.TrainingAlgorithm<unknown>;
    try {
      algorithm = px.train.createAlgorithm(name, {}, model);
    } catch (e) {
      // An algorithm registered later may not apply to a plain MLP with default options: say so, go on.
      console.log(JSON.stringify({ bench: 'algorithms', algorithm: name, skipped: [(e as Error).message] }));
      continue;
    }
    const optimizer = new px.optim.Adam(model.parameters(), { lr: 1e-3 });
    const ctx = { optimizer, loss: px.train.resolveLoss('crossEntropy'), lossName: 'crossEntropy', metrics: [], schedulerInterval: 'epoch' as const };
    const state = algorithm.init(model, ctx);
    px.scope(() => algorithm.step(model, [x, y], state)); // warm-up: lazy optimizer state, kernel set-up
    const base = px.memory().numBytes;
    px.resetPeakMemory();
    const t0 = performance.now();
    for (let s = 0; s < steps; s++) px.scope(() => algorithm.step(model, [x, y], state));
    const secs = (performance.now() - t0) / 1000;
    console.log(JSON.stringify({
      bench: 'algorithms', algorithm: name, backend: px.getBackend(), sizes, batch, steps,
      samplesPerSec: Math.round((steps * batch) / secs), peakMB: Number(((px.memory().peakBytes - base) / 2 ** 20).toFixed(2)),
      peakRssMB: { plexus: peakRssMB() },
    }));
  }
}
