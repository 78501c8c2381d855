/**
 * @file `npm run bench -- noise [--epochs 5] [--seeds 3]`: the deep-network setting of Neelakantan
 * et al. 2015 (https://arxiv.org/abs/1511.06807, section 4.1): a 20-hidden-layer x 50 ReLU MLP with
 * a poor ("simple") init, weights N(0, 0.1²) and zero biases, trained with Adam (lr 1e-3, batch 50),
 * with and without annealed gradient noise (eta 0.01, gamma 0.55), on Fashion-MNIST (the paper used
 * MNIST). Prints one JSON line per seed and setting with the test accuracy per epoch; nothing is
 * asserted (test/gradient-noise-deep.slow.ts holds the asserted small-task check N2). Needs the
 * Debian package dataset-fashion-mnist.
 */
import * as px from '../src/node.js';
import { peakRssMB } from './common.js';

function deepNet(seed: number): px.nn.MLP {
  const g = new px.Generator(seed);
  const m = new px.nn.MLP([784, ...Array<number>(20).fill(50), 10]);
  for (const l of m.layers) {
    px.nn.init.normal((l as px.nn.Linear).weight, 0, 0.1, { generator: g });
    px.nn.init.zeros((l as px.nn.Linear).bias!);
  }
  return m;
}

export async function runGradientNoise(opts: { epochs?: number; seeds?: number } = {}): Promise<void> {
  const epochs = opts.epochs ?? 5;
  const seeds = opts.seeds ?? 3;
  const data = px.data.fashionMnist();
  for (let seed = 0; seed < seeds; seed++) {
    for (const eta of [0, 0.01]) {
      const model = deepNet(seed);
      const adam = new px.optim.Adam(model.parameters(), { lr: 1e-3 });
      const optimizer = eta === 0 ? adam : new px.optim.GradientNoise(adam, { eta, seed });
      const loader = new px.data.DataLoader(new px.data.TensorDataset(data.train.x, data.train.y), { batchSize: 50, shuffle: true, seed });
      const h = await px.fit(model, loader, { optimizer, epochs, validation: { ...data.test, batchSize: 1000 }, progress: false });
      console.log(JSON.stringify({ workload: 'noise', seed, eta, gamma: 0.55, valAccuracy: h.epochs.map((e) => Math.round(1e4 * e.valAccuracy!) / 1e4), peakRssMB: { plexus: peakRssMB() } }));
    }
  }
}
