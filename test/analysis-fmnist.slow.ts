/**
 * @file Reproduction check for CKA's layer correspondence (Kornblith, Norouzi, Lee & Hinton 2019,
 * "Similarity of Neural Network Representations Revisited", https://arxiv.org/abs/1905.00414, sec. 6.1:
 * linear CKA identifies the corresponding layer of a network trained from another seed) on
 * Fashion-MNIST: two MLPs 784 -> 256 -> 256 -> 256 -> 256 -> 10 (a ReLU after each hidden layer, as
 * distinct Sequential modules so each post-ReLU output is hooked), Adam lr 1e-3, batch 128,
 * 3 epochs, seeds 1 and 2. On 2000 test images: for every layer of net 1, the most similar layer
 * of net 2 (linear CKA) must be the corresponding one, and likewise by minibatch CKA (unbiased,
 * batches of 500). Prints both matrices. Skipped, with a message, without dataset-fashion-mnist.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/node.js';
import { analysis, nn } from '../src/node.js';
import { accuracy, fashion, pct, skippedWithoutFmnist, trainLoop } from './fmnist-helpers.js';

const EPOCHS = 3;

function net(seed: number): nn.Sequential {
  px.manualSeed(seed);
  return new nn.Sequential(new nn.Flatten(), ...[784, 256, 256, 256].flatMap((i) => [new nn.Linear(i, 256), new nn.ReLU()]), new nn.Linear(256, 10));
}

describe('CKA layer correspondence on Fashion-MNIST (Kornblith et al. 2019)', () => {
  if (skippedWithoutFmnist('the CKA layer-correspondence check')) return;
  it('each layer of one net is most similar to the corresponding layer of a net trained from another seed', () => {
    const prev = px.getBackend();
    px.setBackend('wasm');
    try {
      const data = fashion();
      const nets = [1, 2].map((seed) => {
        const m = net(seed);
        trainLoop(m, data.train, (x, y) => px.crossEntropy(m.forward(x), y), { epochs: EPOCHS, seed });
        return m;
      });
      nets.forEach((m, i) => console.log(`seed ${i + 1}: test accuracy ${pct(accuracy(data.test.x, data.test.y, (x) => m.forward(x)))}`));
      const x = px.sliceAxis(data.test.x, 0, 0, 2000);
      // Sequential indices: 0 Flatten, then Linear/ReLU pairs; the post-ReLU outputs are 2, 4, 6, 8 and the logits 9.
      const layers = ['2', '4', '6', '8', '9'];
      const acts = nets.map((m) => analysis.activations(m, x, layers));
      const linear = analysis.ckaMatrix([...acts[0]!.values()], [...acts[1]!.values()]);
      const mb = layers.map((_, i) => layers.map((_, j) => {
        const m = new analysis.MinibatchCKA();
        for (let s = 0; s < 2000; s += 500) m.update(px.sliceAxis(acts[0]!.get(layers[i]!)!, 0, s, s + 500), px.sliceAxis(acts[1]!.get(layers[j]!)!, 0, s, s + 500));
        return m.compute();
      }));
      for (const [what, m] of [['linear CKA', linear], ['minibatch CKA (unbiased)', mb]] as const) {
        console.log(`${what}, rows seed 1, cols seed 2 (post-ReLU hidden layers 1-4, logits):`);
        m.forEach((row, i) => console.log(`  ${layers[i]!.padEnd(3)} ${row.map((v) => v.toFixed(3)).join('  ')}`));
        const hits = m.filter((row, i) => row.every((v, j) => j === i || v < row[i]!)).length;
        console.log(`  rows whose maximum is the corresponding layer: ${hits}/${layers.length}`);
      }
      for (const m of [linear, mb]) m.forEach((row, i) => row.forEach((v, j) => { if (j !== i) assert.ok(row[i]! > v, `CKA(${layers[i]}, ${layers[i]}) = ${row[i]} <= CKA(${layers[i]}, ${layers[j]}) = ${v}`); }));
    } finally {
      px.setBackend(prev);
    }
  });
});
