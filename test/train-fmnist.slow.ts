/**
 * @file End to end: Fashion-MNIST through fit() with the configuration of workload b (MLP
 * 784-256-256-10 ReLU, Adam lr 1e-3, batch 128, seeded shuffle) on the fast backends: wasm with 1 and
 * 2 threads for 2 epochs each, and js for 1 epoch (its GEMM is plain JS at ~3 GFLOPS, so a second
 * epoch would add about a minute to the suite; one epoch already clears the bar). Each run must reach
 * >= 80% test accuracy (PyTorch gets ~84% after one epoch, ~86% after two) and leave no tensors behind.
 * Skipped, with a message, when the Debian package dataset-fashion-mnist is not installed.
 *
 * About 25-40 s on the 2-core machine, so it is not part of `npm test` but of `npm run test:slow`
 * (files named *.slow.ts). test/train-backends.test.ts keeps the same checks in npm test on the
 * digits set in seconds: fit on wasm at 1 and 2 threads and on js, learning, no leak, and wasm's
 * 1- and 2-thread runs bitwise equal.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as px from '../src/node.js';
import { getNumThreads, setNumThreads } from '../src/node.js';
import { allocationsDuring } from './allocations.js';

const DIR = process.env.FASHION_MNIST_DIR ?? px.data.FASHION_MNIST_DIR;
const present = existsSync(join(DIR, 'train-images-idx3-ubyte.gz')) || existsSync(join(DIR, 'train-images-idx3-ubyte'));

/** Loaded once on the reference backend: plain arrays, from which each batch is copied onto the backend under test. */
let data: ReturnType<typeof px.data.fashionMnist> | undefined;
function fashion(): ReturnType<typeof px.data.fashionMnist> {
  px.setBackend('reference');
  return (data ??= px.data.fashionMnist({ dir: DIR }));
}

async function train(backend: string, threads: number, epochs: number): Promise<number[]> {
  const { train: tr, test } = fashion();
  px.setBackend(backend);
  const prevThreads = getNumThreads();
  if (backend === 'wasm') setNumThreads(threads);
  try {
    px.manualSeed(0);
    const model = new px.nn.MLP([784, 256, 256, 10], { activation: 'relu' });
    const optimizer = new px.optim.Adam(model.parameters(), { lr: 1e-3 });
    const loader = new px.data.DataLoader(new px.data.TensorDataset(tr.x, tr.y), { batchSize: 128, shuffle: true, seed: 0 });
    // Counted by allocations, not memory() across the awaits (test/allocations.ts).
    const run = await allocationsDuring(() => px.fit(model, loader, { optimizer, epochs, validation: { ...test, batchSize: 1000 }, progress: false }));
    const history = run.result!;
    assert.equal(history.stopReason, 'completed', `training stopped early: ${String(history.stopReason)}`);
    // What may remain: 2 Adam buffers per parameter.
    assert.ok(run.live <= 2 * model.parameters().length, `storages left behind by training: ${run.live}`);
    return history.epochs.map((e) => e.valAccuracy!);
  } finally {
    setNumThreads(prevThreads);
    px.setBackend('reference');
  }
}

describe('Fashion-MNIST MLP training (workload b configuration) on the fast backends', () => {
  if (!present) {
    it('dataset-fashion-mnist is absent', (t) => t.skip(`no Fashion-MNIST at ${DIR} (apt-get install dataset-fashion-mnist, or set FASHION_MNIST_DIR); the training runs did not run`));
    return;
  }
  const runs: [string, number, number][] = [['wasm', 1, 2], ['wasm', 2, 2], ['js', 1, 1]];
  for (const [backend, threads, epochs] of runs) {
    it(`${backend}, ${threads} thread(s), ${epochs} epoch(s): test accuracy >= 80%`, async (t) => {
      const t0 = performance.now();
      const acc = await train(backend, threads, epochs);
      t.diagnostic(`${backend} ${threads}T: test accuracy per epoch ${acc.map((a) => (100 * a).toFixed(2) + '%').join(', ')} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      assert.equal(acc.length, epochs);
      assert.ok(acc[acc.length - 1]! >= 0.8, `test accuracy ${acc[acc.length - 1]} < 0.80`);
    });
  }
});
