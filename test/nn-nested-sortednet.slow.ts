/**
 * @file SN1, SortedNet (Valipour et al. 2023, arXiv 2309.00255) on Fashion-MNIST: one
 * 784-256-256-10 ReLU MLP with nested hidden widths {32, 64, 128, 256} sharing parameters, trained
 * with one sub-model sampled per step (nn.SortedNet in training mode), against independently trained
 * MLPs of each width (784-w-w-10); every run 10 epochs, Adam 1e-3, batch 128. Claims checked:
 * - the sorted model's accuracy is monotone (non-decreasing) in width;
 * - each width reaches >= 96% of the independent model of that width;
 * - the full width is within 1 point of the independent full-width model (the baseline).
 * Prints every accuracy. Skipped when Fashion-MNIST is absent. A few minutes on wasm.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/node.js';
import { accuracy, fashion, pct, skippedWithoutFmnist, trainLoop } from './fmnist-helpers.js';

const WIDTHS = [32, 64, 128, 256];
const EPOCHS = 10;

describe('SN1: SortedNet nested widths on Fashion-MNIST', () => {
  if (skippedWithoutFmnist('SN1')) return;
  it('accuracy is monotone in width, each width >= 96% of its independent model, full width >= baseline - 1 point', (t) => {
    const { train, test } = fashion();
    px.manualSeed(0);
    const sorted = new px.nn.SortedNet([784, 256, 256, 10], WIDTHS);
    trainLoop(sorted, train, (x, y) => px.crossEntropy(sorted.forward(x), y), { epochs: EPOCHS, seed: 0 });
    const nested = WIDTHS.map((w) => accuracy(test.x, test.y, (x) => sorted.forwardAt(x, w)));
    const independent = WIDTHS.map((w) => {
      px.manualSeed(0);
      const m = new px.nn.MLP([784, w, w, 10]);
      trainLoop(m, train, (x, y) => px.crossEntropy(m.forward(x), y), { epochs: EPOCHS, seed: 0 });
      return accuracy(test.x, test.y, (x) => m.forward(x));
    });
    t.diagnostic(`SortedNet: ${WIDTHS.map((w, i) => `w=${w} ${pct(nested[i]!)}`).join(', ')}`);
    t.diagnostic(`independent: ${WIDTHS.map((w, i) => `w=${w} ${pct(independent[i]!)}`).join(', ')}`);
    t.diagnostic(`ratios: ${WIDTHS.map((w, i) => `w=${w} ${(nested[i]! / independent[i]!).toFixed(4)}`).join(', ')}`);
    for (let i = 1; i < WIDTHS.length; i++) {
      assert.ok(nested[i]! >= nested[i - 1]!, `not monotone: w=${WIDTHS[i]} ${pct(nested[i]!)} < w=${WIDTHS[i - 1]} ${pct(nested[i - 1]!)}`);
    }
    WIDTHS.forEach((w, i) => assert.ok(nested[i]! >= 0.96 * independent[i]!, `w=${w}: ${pct(nested[i]!)} < 96% of independent ${pct(independent[i]!)}`));
    assert.ok(nested.at(-1)! >= independent.at(-1)! - 0.01, `full width ${pct(nested.at(-1)!)} < baseline ${pct(independent.at(-1)!)} - 1 point`);
  });
});
