/**
 * @file Reproduction check HG1 (issue #12) for the Hourglass MLP ("Rethinking the shape convention
 * of an MLP", https://arxiv.org/abs/2510.01796) on Fashion-MNIST denoising: pixels in [0, 1] plus
 * Gaussian noise of std 0.3 (drawn once, seed 1) -> the clean image, MSE, Adam lr 1e-3, batch 128,
 * 5 epochs, seed 0, float32 on wasm. Models: HourglassMLP(784, 256, 64, 3, 784) (wide-narrow-wide
 * blocks, skips at 256) with a trained and with a frozen random lift, and a conventional residual MLP
 * of no more parameters: the same lift / blocks / head with narrow-wide-narrow blocks
 * (HourglassMLP(784, d, 4d, 3, 784), d the largest width that fits). Claims: Hourglass test PSNR >=
 * conventional - 0.2 dB, and the frozen lift loses <= 0.3 dB against the trained one. Prints every
 * PSNR and parameter count. Skipped, with a message, without the Debian package dataset-fashion-mnist.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as px from '../src/node.js';
import { nn } from '../src/node.js';

const DIR = process.env.FASHION_MNIST_DIR ?? px.data.FASHION_MNIST_DIR;
const present = existsSync(join(DIR, 'train-images-idx3-ubyte.gz')) || existsSync(join(DIR, 'train-images-idx3-ubyte'));
const EPOCHS = 5;
const NOISE = 0.3;
const [WIDE, NARROW, DEPTH] = [256, 64, 3];

function noisy(clean: px.Tensor, seed: number): px.Tensor {
  const g = new px.Generator(seed);
  return clean.add(px.randn(clean.shape, { generator: g }).mul(NOISE));
}

async function trainAndScore(model: nn.Module, train: { x: px.Tensor; y: px.Tensor }, test: { x: px.Tensor; y: px.Tensor }): Promise<number> {
  const optimizer = new px.optim.Adam(model.parameters().filter((p) => p.requiresGrad), { lr: 1e-3 });
  const loader = new px.data.DataLoader(new px.data.TensorDataset(train.x, train.y), { batchSize: 128, shuffle: true, seed: 0 });
  const history = await px.fit(model, loader, { optimizer, epochs: EPOCHS, loss: 'mse', progress: false });
  assert.equal(history.stopReason, 'completed');
  return px.noGrad(() => px.psnr(model.forward(test.x), test.y, 1));
}

describe('HG1: Hourglass MLP on Fashion-MNIST denoising vs a parameter-matched residual MLP', () => {
  if (!present) {
    it('dataset-fashion-mnist is absent', (t) => t.skip(`no Fashion-MNIST at ${DIR} (apt-get install dataset-fashion-mnist, or set FASHION_MNIST_DIR); the check did not run`));
    return;
  }
  it(`Hourglass >= conventional - 0.2 dB; frozen lift >= trained lift - 0.3 dB (${EPOCHS} epochs, noise ${NOISE})`, async (t) => {
    const prev = px.getBackend();
    px.setBackend('wasm');
    try {
      const data = px.data.fashionMnist({ dir: DIR });
      const train = { x: noisy(data.train.x, 1), y: data.train.x };
      const test = { x: noisy(data.test.x, 2), y: data.test.x };
      const inputPsnr = px.psnr(test.x, test.y, 1);
      const budget = new nn.HourglassMLP(784, WIDE, NARROW, DEPTH, 784).numParameters();
      let d = 1;
      while (new nn.HourglassMLP(784, d + 1, 4 * (d + 1), DEPTH, 784).numParameters() <= budget) d++;
      const models: [string, () => nn.Module][] = [
        [`Hourglass ${WIDE}-${NARROW}-${WIDE}`, () => new nn.HourglassMLP(784, WIDE, NARROW, DEPTH, 784)],
        [`Hourglass ${WIDE}-${NARROW}-${WIDE}, frozen lift`, () => new nn.HourglassMLP(784, WIDE, NARROW, DEPTH, 784, { freezeLift: true })],
        [`conventional ${d}-${4 * d}-${d}`, () => new nn.HourglassMLP(784, d, 4 * d, DEPTH, 784)],
      ];
      const scores: number[] = [];
      const params: number[] = [];
      for (const [name, make] of models) {
        px.manualSeed(0);
        const model = make();
        const t0 = performance.now();
        scores.push(await trainAndScore(model, train, test));
        params.push(model.numParameters());
        const line = `HG1 ${name}: ${model.numParameters()} parameters (${model.numParameters({ trainableOnly: true })} trained), test PSNR ${scores.at(-1)!.toFixed(2)} dB (noisy input ${inputPsnr.toFixed(2)} dB; ${((performance.now() - t0) / 1000).toFixed(0)} s)`;
        t.diagnostic(line);
        console.log(line);
      }
      const [hg, frozen, conv] = scores as [number, number, number];
      assert.ok(params[2]! <= params[0]!, `conventional has more parameters (${params[2]}) than the Hourglass (${params[0]})`);
      const misses: string[] = [];
      if (hg < conv - 0.2) misses.push(`Hourglass ${hg.toFixed(2)} dB < conventional ${conv.toFixed(2)} - 0.2 dB`);
      if (frozen < hg - 0.3) misses.push(`frozen lift ${frozen.toFixed(2)} dB < trained lift ${hg.toFixed(2)} - 0.3 dB`);
      assert.deepEqual(misses, [], misses.join('; '));
    } finally {
      px.setBackend(prev);
    }
  });
});
