/**
 * @file Shared by the Fashion-MNIST reproduction checks (test/*.slow.ts): loading (a skipped test
 * when absent), a plain Adam training loop with a per-batch loss, fit() with validation, and accuracy.
 */
import { existsSync } from 'node:fs';
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as px from '../src/node.js';

export const FMNIST_DIR = process.env.FASHION_MNIST_DIR ?? px.data.FASHION_MNIST_DIR;
export const fmnistPresent = existsSync(join(FMNIST_DIR, 'train-images-idx3-ubyte.gz')) || existsSync(join(FMNIST_DIR, 'train-images-idx3-ubyte'));

/**
 * Inside a describe: when Fashion-MNIST is absent, registers a skipped test saying `check` did not
 * run and returns true (the caller returns); otherwise returns false.
 */
export function skippedWithoutFmnist(check: string): boolean {
  if (fmnistPresent) return false;
  it('dataset-fashion-mnist is absent', (t) => t.skip(`no Fashion-MNIST at ${FMNIST_DIR}; ${check} did not run`));
  return true;
}

let cached: ReturnType<typeof px.data.fashionMnist> | undefined;
/** The data set, loaded once per process. */
export function fashion(): ReturnType<typeof px.data.fashionMnist> {
  return (cached ??= px.data.fashionMnist({ dir: FMNIST_DIR }));
}

/**
 * Adam (lr 1e-3) on mini-batches of 128, shuffled with `seed`, for `epochs`; `loss(x, y)` is the
 * batch's scalar loss. `params` defaults to every parameter of `model`.
 */
export function trainLoop(model: px.nn.Module, data: { x: px.Tensor; y: px.Tensor }, loss: (x: px.Tensor, y: px.Tensor) => px.Tensor,
  opts: { epochs: number; seed: number; lr?: number; params?: px.nn.Parameter[] }): void {
  const optimizer = new px.optim.Adam(opts.params ?? model.parameters(), { lr: opts.lr ?? 1e-3 });
  const loader = new px.data.DataLoader(new px.data.TensorDataset(data.x, data.y), { batchSize: 128, shuffle: true, seed: opts.seed });
  model.train();
  for (let e = 0; e < opts.epochs; e++) {
    for (const [x, y] of loader) {
      px.scope(() => {
        optimizer.zeroGrad();
        loss(x!, y!).backward();
        optimizer.step();
      });
    }
  }
  model.eval();
}

/** Accuracy of `logits(x)` on (x, y), in batches of 1000, without gradients. */
export function accuracy(x: px.Tensor, y: px.Tensor, logits: (x: px.Tensor) => px.Tensor): number {
  const n = x.shape[0]!;
  const labels = y.values;
  let correct = 0;
  px.noGrad(() => {
    for (let i = 0; i < n; i += 1000) {
      const end = Math.min(n, i + 1000);
      px.scope(() => {
        const pred = px.argmax(logits(px.sliceAxis(x, 0, i, end)), 1).values;
        for (let j = 0; j < end - i; j++) if (pred[j] === labels[i + j]) correct++;
      });
    }
  });
  return correct / n;
}

export const pct = (a: number): string => `${(100 * a).toFixed(2)}%`;

/**
 * fit() with Adam (lr 1e-3) on mini-batches of 128 shuffled with seed 0 for `epochs`, validated on the
 * test set; returns the last epoch's test accuracy.
 */
export async function fitAccuracy(model: px.nn.Module, data: ReturnType<typeof px.data.fashionMnist>, epochs: number): Promise<number> {
  const optimizer = new px.optim.Adam(model.parameters(), { lr: 1e-3 });
  const loader = new px.data.DataLoader(new px.data.TensorDataset(data.train.x, data.train.y), { batchSize: 128, shuffle: true, seed: 0 });
  const history = await px.fit(model, loader, { optimizer, epochs, validation: { ...data.test, batchSize: 1000 }, progress: false });
  assert.equal(history.stopReason, 'completed');
  return history.epochs.at(-1)!.valAccuracy!;
}
