/**
 * @file Reproduction check MX1 (issue #12) on Fashion-MNIST: MLP-Mixer (Tolstikhin et al. 2021,
 * https://arxiv.org/abs/2105.01601) and ResMLP (Touvron et al. 2021, https://arxiv.org/abs/2105.03404)
 * at patch 7 (16 tokens), hidden 64, token-MLP 64, channel-MLP 128, depth 4, trained with Adam lr 1e-3,
 * batch 128, 5 epochs, seed 0, float32 on wasm. Claims: Mixer test accuracy >= 86%, ResMLP >= 85%, and
 * each >= a plain ReLU MLP 784-H-10 with no more parameters (H the largest width that fits under the
 * smaller of the two) trained the same way, minus 3 points. Prints every accuracy and parameter count.
 * Skipped, with a message, without the Debian package dataset-fashion-mnist.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/node.js';
import { fashion, fitAccuracy, pct, skippedWithoutFmnist } from './fmnist-helpers.js';
import { nn } from '../src/node.js';

const EPOCHS = 5;
const PATCH = 7;
const SIZES = { dim: 64, tokenHidden: 64, channelHidden: 128, depth: 4 };

const count = (m: nn.Module): number => m.parameters().reduce((s, p) => s + p.size, 0);

function mixer(): nn.Module {
  return new nn.MLPMixer([28, 28], PATCH, SIZES.dim, SIZES.depth, 10, { tokenHidden: SIZES.tokenHidden, channelHidden: SIZES.channelHidden });
}
function resmlp(): nn.Module {
  return new nn.ResMLP([28, 28], PATCH, SIZES.dim, SIZES.depth, 10, { channelHidden: SIZES.channelHidden });
}


describe('MX1: MLP-Mixer and ResMLP on Fashion-MNIST vs a parameter-matched MLP', () => {
  if (skippedWithoutFmnist('MX1')) return;
  it(`Mixer >= 86%, ResMLP >= 85%, each >= the MLP baseline - 3 points (${EPOCHS} epochs)`, async (t) => {
    const prev = px.getBackend();
    px.setBackend('wasm');
    try {
      const data = fashion();
      const budget = Math.min(count(mixer()), count(resmlp()));
      // 784-H-10 has 795 H + 10 parameters.
      const width = Math.floor((budget - 10) / 795);
      const results: { name: string; params: number; acc: number; seconds: number }[] = [];
      for (const [name, make] of [['MLP 784-' + width + '-10', () => new nn.MLP([784, width, 10], { activation: 'relu' })], ['MLPMixer', mixer], ['ResMLP', resmlp]] as const) {
        px.manualSeed(0);
        const model = make();
        const t0 = performance.now();
        const acc = await fitAccuracy(model, data, EPOCHS);
        results.push({ name, params: count(model), acc, seconds: (performance.now() - t0) / 1000 });
        const line = `MX1 ${name}: ${count(model)} parameters, test accuracy ${pct(acc)} after ${EPOCHS} epochs (${results.at(-1)!.seconds.toFixed(0)} s)`;
        t.diagnostic(line);
        console.log(line);
      }
      const [base, mix, res] = results as [typeof results[0], typeof results[0], typeof results[0]];
      assert.ok(base.params <= Math.min(mix.params, res.params), `baseline has more parameters (${base.params}) than a model`);
      const misses: string[] = [];
      if (mix.acc < 0.86) misses.push(`Mixer ${pct(mix.acc)} < 86%`);
      if (res.acc < 0.85) misses.push(`ResMLP ${pct(res.acc)} < 85%`);
      for (const r of [mix, res]) if (r.acc < base.acc - 0.03) misses.push(`${r.name} ${pct(r.acc)} < MLP ${pct(base.acc)} - 3 points`);
      assert.deepEqual(misses, [], misses.join('; '));
    } finally {
      px.setBackend(prev);
    }
  });
});
