/**
 * @file Reproduction check for bilinear MLPs (Pearce et al., "Bilinear MLPs enable weight-based
 * mechanistic interpretability", 2024, https://arxiv.org/abs/2410.08417) on Fashion-MNIST: a bilinear
 * MLP 784 -(W x) * (V x)-> 128 -> 10 (GLUFeedForward, gate 'identity', no biases in the bilinear layer)
 * must reach at least the test accuracy of a ReLU MLP of the same width minus 1 point, both trained
 * the same way (Adam lr 1e-3, batch 128, 3 epochs, seed 0, float32 on wasm). Then the top
 * eigenvector of each class's interaction matrix is returned as a 28 x 28 image (analysis.topEigenImages)
 * and the ten are written as one PNG, runs/bilinear-fmnist-eigenvectors.png (runs/ is git-ignored).
 * Prints both accuracies, the top eigenvalues and the PNG path. Skipped, with a message, without the
 * Debian package dataset-fashion-mnist.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as px from '../src/node.js';
import { fashion, fitAccuracy, skippedWithoutFmnist } from './fmnist-helpers.js';
import { analysis, nn } from '../src/node.js';

const WIDTH = 128;
const EPOCHS = 3;


describe('bilinear MLP on Fashion-MNIST (Pearce et al. 2024)', () => {
  if (skippedWithoutFmnist('the bilinear check')) return;
  it(`bilinear MLP >= ReLU MLP of width ${WIDTH} - 1 point; top interaction eigenvector per class as an image`, async (t) => {
    const prev = px.getBackend();
    px.setBackend('wasm');
    try {
      const data = fashion();
      px.manualSeed(0);
      const relu = new nn.MLP([784, WIDTH, 10], { activation: 'relu' });
      const reluAcc = await fitAccuracy(relu, data, EPOCHS);
      px.manualSeed(0);
      const bilinear = new nn.GLUFeedForward(784, WIDTH, 10, { gate: 'identity', bias: false, outBias: true });
      const bilinearAcc = await fitAccuracy(bilinear, data, EPOCHS);
      t.diagnostic(`test accuracy after ${EPOCHS} epochs: ReLU MLP ${(100 * reluAcc).toFixed(2)}%, bilinear MLP ${(100 * bilinearAcc).toFixed(2)}%`);
      console.log(`bilinear Fashion-MNIST: ReLU MLP ${(100 * reluAcc).toFixed(2)}%, bilinear MLP ${(100 * bilinearAcc).toFixed(2)}% (width ${WIDTH}, ${EPOCHS} epochs)`);
      assert.ok(bilinearAcc >= reluAcc - 0.01, `bilinear ${bilinearAcc} < ReLU ${reluAcc} - 0.01`);

      const t0 = performance.now();
      const { images, values } = analysis.topEigenImages(bilinear, { shape: [28, 28] });
      assert.deepEqual(images.shape, [10, 1, 28, 28]);
      const top = [...values.dataSync()];
      // Each class has a positive top eigenvalue (an input direction that raises its logit).
      assert.ok(top.every((v) => v > 0), `top eigenvalues ${top.join(', ')}`);
      mkdirSync('runs', { recursive: true });
      const file = join('runs', 'bilinear-fmnist-eigenvectors.png');
      writeFileSync(file, analysis.imageGridPng(images.reshape([10, 28, 28]), { cols: 5, scale: 4 }));
      console.log(`top eigenvalues per class: ${top.map((v) => v.toFixed(3)).join(', ')} (${((performance.now() - t0) / 1000).toFixed(1)} s); wrote ${file}`);
    } finally {
      px.setBackend(prev);
    }
  });
});
