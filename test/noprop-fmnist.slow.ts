/**
 * @file Reproduction check NP1 (issue #15) on Fashion-MNIST: NoProp-DT (Li, Teh & Pascanu 2025,
 * https://arxiv.org/abs/2503.24322) with the paper's block design scaled to the CPU budget — T = 10
 * blocks, cosine schedule, learned embeddings (d = 10), η = 0.1, AdamW lr 1e-3 / weight decay 1e-3,
 * batch 128 (the paper's MNIST settings) — but a fully connected image branch 784-256-128 instead of
 * the paper's convolutional one and width 128 instead of 256, trained for EPOCHS epochs (the paper:
 * 100). Claim: test accuracy >= 85% from the deterministic chain (`model.forward`). Printed beside it:
 * the paper's stochastic chain (`model.sample`) and backprop on the same model (end to end through the
 * deterministic chain, same optimizer, epochs and data order). Float32 on wasm, seed 0.
 *
 * The paper's own test accuracies (Table 1, quoted from memory of the paper, not re-measured; the
 * NoProp-DT row is the headline result, the CT / FM rows are less certain):
 *   MNIST:    NoProp-DT 99.47%, NoProp-CT ~97.2%, NoProp-FM ~99.0%, backprop (same DT model) ~99.4%
 *   CIFAR-10: NoProp-DT 80.54%, NoProp-CT ~66.5%, NoProp-FM ~73.3%, backprop (same DT model) ~79.9%
 *   (CIFAR-100: NoProp-DT 46.06%.)
 * Measured (wasm, a loaded 2-core box, 2026-12-03): NoProp-DT 86.60% (deterministic chain), 80.70%
 * (stochastic chain), 430 s; backprop through the same chain 77.18%, 185 s. Backprop end to end has
 * to push gradients through ten softmax · W_embed bottlenecks and trails here; the paper's backprop
 * rows are level with NoProp-DT, so that gap is this small setup's, not a claim.
 * Skipped, with a message, without the Debian package dataset-fashion-mnist.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/node.js';
import { nn, train } from '../src/node.js';
import { accuracy, fashion, pct, skippedWithoutFmnist } from './fmnist-helpers.js';

const EPOCHS = 3;
const MODEL: nn.NoPropModelOptions = { numBlocks: 10, width: 128, imageHidden: [256] };

async function trained(algorithm: train.NoProp | null, data: ReturnType<typeof fashion>): Promise<{ model: nn.NoPropModel; seconds: number }> {
  px.manualSeed(0);
  const model = new nn.NoPropModel(784, 10, MODEL);
  const optimizer = new px.optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 1e-3 });
  const loader = new px.data.DataLoader(new px.data.TensorDataset(data.train.x, data.train.y), { batchSize: 128, shuffle: true, seed: 0 });
  const t0 = performance.now();
  const history = await px.fit(model, loader, { optimizer, epochs: EPOCHS, progress: false, ...(algorithm ? { algorithm } : {}) });
  assert.equal(history.stopReason, 'completed');
  model.eval();
  return { model, seconds: (performance.now() - t0) / 1000 };
}

describe('NP1: NoProp-DT on Fashion-MNIST beside backprop on the same model', () => {
  if (skippedWithoutFmnist('NP1')) return;
  it(`NoProp-DT (T=10) test accuracy >= 85% after ${EPOCHS} epochs`, async (t) => {
    const prev = px.getBackend();
    px.setBackend('wasm');
    try {
      const data = fashion();
      const say = (line: string): void => { t.diagnostic(line); console.log(line); };
      const np = await trained(new train.NoProp({ eta: 0.1, trainMetrics: false }), data);
      const npAcc = accuracy(data.test.x, data.test.y, (x) => np.model.forward(x));
      const g = new px.Generator(0);
      const npSampled = accuracy(data.test.x, data.test.y, (x) => np.model.sample(x, { generator: g }));
      const params = np.model.parameters().reduce((s, p) => s + p.size, 0);
      say(`NP1 NoProp-DT: ${params} parameters, test accuracy ${pct(npAcc)} (deterministic chain), ${pct(npSampled)} (stochastic chain), ${EPOCHS} epochs in ${np.seconds.toFixed(0)} s`);
      const bp = await trained(null, data);
      const bpAcc = accuracy(data.test.x, data.test.y, (x) => bp.model.forward(x));
      say(`NP1 backprop, same model end to end: test accuracy ${pct(bpAcc)}, ${EPOCHS} epochs in ${bp.seconds.toFixed(0)} s`);
      assert.ok(npAcc >= 0.85, `NoProp-DT test accuracy ${pct(npAcc)} < 85%`);
    } finally {
      px.setBackend(prev);
    }
  });
});
