/**
 * @file P3 (slow part): Fashion-MNIST, MLP 784-256-256-10 with ReLU, PolyReLU or PolyNorm after each
 * hidden Linear (Zhuo et al. 2024, https://arxiv.org/abs/2411.03884; a fresh activation module, with
 * its own 4 coefficients, per hidden layer as in the paper's FFN blocks), Adam lr 1e-3, batch 128,
 * seeded shuffle, 10 epochs, default backend. Claim: each polynomial activation ends within 1
 * accuracy point of ReLU (>= ReLU - 1) with no NaN loss. Skipped, with a message, when
 * dataset-fashion-mnist is absent. A few minutes on the 2-core machine (npm run test:slow).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as px from '../src/node.js';
import { nn } from '../src/node.js';

const DIR = process.env.FASHION_MNIST_DIR ?? px.data.FASHION_MNIST_DIR;
const present = existsSync(join(DIR, 'train-images-idx3-ubyte.gz')) || existsSync(join(DIR, 'train-images-idx3-ubyte'));
const EPOCHS = 10;

async function train(act: () => nn.Module): Promise<{ acc: number[]; losses: number[] }> {
  const { train: tr, test } = px.data.fashionMnist({ dir: DIR });
  px.manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(784, 256), act(), new nn.Linear(256, 256), act(), new nn.Linear(256, 10));
  const optimizer = new px.optim.Adam(model.parameters(), { lr: 1e-3 });
  const loader = new px.data.DataLoader(new px.data.TensorDataset(tr.x, tr.y), { batchSize: 128, shuffle: true, seed: 0 });
  const history = await px.fit(model, loader, { optimizer, epochs: EPOCHS, loss: 'crossEntropy', validation: { ...test, batchSize: 1000 }, progress: false });
  assert.equal(history.stopReason, 'completed', `training stopped early: ${String(history.stopReason)}`);
  return { acc: history.epochs.map((e) => e.valAccuracy!), losses: history.epochs.map((e) => e.loss) };
}

describe('P3: PolyReLU / PolyNorm on Fashion-MNIST 784-256-256-10, 10 epochs', () => {
  if (!present) {
    it('dataset-fashion-mnist is absent', (t) => t.skip(`no Fashion-MNIST at ${DIR} (apt-get install dataset-fashion-mnist, or set FASHION_MNIST_DIR); the training runs did not run`));
    return;
  }
  it('PolyReLU and PolyNorm reach >= ReLU - 1 point test accuracy, without NaN', async () => {
    const results: Record<string, { acc: number[]; losses: number[] }> = {};
    for (const [name, act] of [['ReLU', () => new nn.ReLU()], ['PolyReLU', () => new nn.PolyReLU()], ['PolyNorm', () => new nn.PolyNorm()]] as const) {
      const t0 = performance.now();
      results[name] = await train(act);
      const r = results[name];
      console.log(`  ${name}: test accuracy per epoch ${r.acc.map((a) => (100 * a).toFixed(2)).join(', ')} (%), final train loss ${r.losses.at(-1)!.toFixed(4)}, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }
    const relu = results.ReLU!.acc.at(-1)!;
    for (const name of ['PolyReLU', 'PolyNorm']) {
      const r = results[name]!;
      assert.ok(r.losses.every((l) => Number.isFinite(l)) && r.acc.every((a) => Number.isFinite(a)), `${name}: NaN/Inf loss or accuracy`);
      assert.ok(r.acc.at(-1)! >= relu - 0.01, `${name}: ${(100 * r.acc.at(-1)!).toFixed(2)}% < ReLU ${(100 * relu).toFixed(2)}% - 1`);
    }
  });
});
