/**
 * @file MR1, Matryoshka Representation Learning (Kusupati et al. 2022, arXiv 2205.13147) on
 * Fashion-MNIST: a 784-256-(64)-10 ReLU MLP whose 64-dim embedding is trained with the MRL loss over
 * the prefixes {4, 8, 16, 32, 64} (nn.Matryoshka), against the same MLP trained with plain
 * cross-entropy, both 10 epochs (Adam 1e-3, batch 128, seed 0). Claims checked:
 * - the full 64-dim accuracy of MRL is within 0.5 points of the baseline (no loss at full size);
 * - MRL's 8-dim prefix reaches >= 80% and beats, by >= 10 points, the baseline's first 8 embedding
 *   dims with a linear head retrained on them (10 epochs, the rest frozen).
 * Prints every prefix's accuracy. Skipped when Fashion-MNIST is absent. A few minutes on wasm.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/node.js';
import { accuracy, fashion, pct, skippedWithoutFmnist, trainLoop } from './fmnist-helpers.js';

const NESTING = [4, 8, 16, 32, 64];
const EPOCHS = 10;

describe('MR1: Matryoshka representations on Fashion-MNIST', () => {
  if (skippedWithoutFmnist('MR1')) return;
  it('MRL keeps full-dim accuracy and makes the 8-dim prefix >= 80% and >= 10 points over the baseline prefix', (t) => {
    const { train, test } = fashion();
    // Baseline: the plain MLP; its embedding is the ReLU output of the 64-wide layer.
    px.manualSeed(0);
    const base = new px.nn.MLP([784, 256, 64, 10]);
    trainLoop(base, train, (x, y) => px.crossEntropy(base.forward(x), y), { epochs: EPOCHS, seed: 0 });
    const baseEmbed = (x: px.Tensor): px.Tensor => px.relu(base.layers.at(1).forward(px.relu(base.layers.at(0).forward(x))));
    const baseFull = accuracy(test.x, test.y, (x) => base.forward(x));

    // The baseline's first 8 dims with a retrained linear head (features frozen).
    px.manualSeed(1);
    const head8 = new px.nn.Linear(8, 10);
    const prefix = (x: px.Tensor): px.Tensor => px.noGrad(() => px.sliceAxis(baseEmbed(x), 1, 0, 8));
    trainLoop(head8, train, (x, y) => px.crossEntropy(head8.forward(prefix(x)), y), { epochs: EPOCHS, seed: 1 });
    const base8 = accuracy(test.x, test.y, (x) => head8.forward(prefix(x)));

    // MRL: same encoder shape, Matryoshka head, loss summed over the prefixes.
    px.manualSeed(0);
    const model = new px.nn.Sequential(new px.nn.MLP([784, 256, 64]), new px.nn.ReLU(), new px.nn.Matryoshka(NESTING, 10));
    const embed = (x: px.Tensor): px.Tensor => model.at(1).forward(model.at(0).forward(x));
    const head = model.at(2) as px.nn.Matryoshka;
    trainLoop(model, train, (x, y) => head.loss(embed(x), y), { epochs: EPOCHS, seed: 0 });
    const mrl = NESTING.map((m) => accuracy(test.x, test.y, (x) => head.forwardAt(embed(x), m)));

    t.diagnostic(`baseline MLP 784-256-64-10: full ${pct(baseFull)}, first 8 dims + retrained head ${pct(base8)}`);
    t.diagnostic(`MRL: ${NESTING.map((m, i) => `${m}-dim ${pct(mrl[i]!)}`).join(', ')}`);
    const full = mrl.at(-1)!;
    const m8 = mrl[NESTING.indexOf(8)]!;
    assert.ok(full >= baseFull - 0.005, `MRL full-dim ${pct(full)} < baseline ${pct(baseFull)} - 0.5 points`);
    assert.ok(m8 >= 0.8, `MRL 8-dim ${pct(m8)} < 80%`);
    assert.ok(m8 >= base8 + 0.1, `MRL 8-dim ${pct(m8)} < baseline 8-dim ${pct(base8)} + 10 points`);
  });
});
