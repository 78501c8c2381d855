/**
 * @file Reproduction checks of the layer-local algorithms on Fashion-MNIST (print their numbers,
 * fail when missed; skipped with a message when the data set is absent):
 * - MF1 (Mono-Forward, https://arxiv.org/abs/2501.09238): MLP 784-256-256-10 ReLU, Adam 1e-3 per
 *   layer, batch 64, 10 epochs: last-layer test accuracy >= 87.0% and >= backprop on the same trunk
 *   (same init, data order and optimizer) - 1.5 points.
 * - FF2 (Forward-Forward, https://arxiv.org/abs/2212.13345): 784-256-256, batch 100, Adam 0.01,
 *   threshold 2, 15 epochs, goodness prediction: test accuracy >= 79%.
 * - FF3 (collaborative FF, https://arxiv.org/abs/2305.12393), same setup: after 3 epochs CFF >= FF +
 *   10 points, and after 15 epochs CFF >= FF - 1 point, mean over PLEXUS_FF3_SEEDS seeds (default 3;
 *   the FF arm of seed 0 is FF2's run).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/node.js';
import { fashion, pct, skippedWithoutFmnist } from './fmnist-helpers.js';

type Algo = string | px.train.TrainingAlgorithm<unknown>;

/** Trains MLP [784, 256, 256, 10] with `algorithm`; test accuracy after each epoch in `at`. */
async function run(algorithm: Algo, opts: { epochs: number; batchSize: number; lr: number; seed: number; at: readonly number[] }): Promise<Map<number, number>> {
  const data = fashion();
  px.manualSeed(opts.seed);
  const model = new px.nn.MLP([784, 256, 256, 10]);
  const optimizer = new px.optim.Adam(model.parameters(), { lr: opts.lr });
  const loader = new px.data.DataLoader(new px.data.TensorDataset(data.train.x, data.train.y), { batchSize: opts.batchSize, shuffle: true, seed: opts.seed });
  const out = new Map<number, number>();
  const history = await px.fit(model, loader, {
    optimizer, epochs: opts.epochs, algorithm, progress: false,
    callbacks: [{
      onEpochEnd: (epoch, _logs, ctl) => {
        if (!opts.at.includes(epoch)) return;
        const acc = px.evaluate(model, { ...data.test, batchSize: 1000 }, { algorithm: ctl.algorithm! }).accuracy!;
        out.set(epoch, acc);
        console.log(`  ${typeof algorithm === 'string' ? algorithm : `${algorithm.name}${(algorithm as px.train.ForwardForward).options?.collaborative ? ' (collaborative)' : ''}`} seed ${opts.seed} epoch ${epoch}: test accuracy ${pct(acc)}`);
      },
    }],
  });
  assert.equal(history.stopReason, 'completed');
  return out;
}

const FF = { epochs: 15, batchSize: 100, lr: 0.01, at: [3, 15] } as const;
let ffSeed0: Map<number, number> | null = null;

describe('MF1: Mono-Forward on Fashion-MNIST', () => {
  if (skippedWithoutFmnist('MF1')) return;
  it('784-256-256 ReLU, Adam 1e-3, batch 64, 10 epochs: >= 87.0% and >= backprop - 1.5 points', async () => {
    const o = { epochs: 10, batchSize: 64, lr: 1e-3, seed: 0, at: [10] };
    const mf = (await run('mono-forward', o)).get(10)!;
    const bp = (await run('backprop', o)).get(10)!;
    console.log(`MF1: mono-forward ${pct(mf)}, backprop ${pct(bp)} (difference ${((mf - bp) * 100).toFixed(2)} points)`);
    assert.ok(mf >= 0.87, `mono-forward ${pct(mf)} < 87.0%`);
    assert.ok(mf >= bp - 0.015, `mono-forward ${pct(mf)} more than 1.5 points below backprop ${pct(bp)}`);
  });
});

describe('FF2 / FF3: Forward-Forward and collaborative FF on Fashion-MNIST', () => {
  if (skippedWithoutFmnist('FF2/FF3')) return;
  it('FF2: 784-256-256, batch 100, Adam 0.01, threshold 2, 15 epochs: >= 79%', async () => {
    ffSeed0 = await run(new px.train.ForwardForward({ threshold: 2 }), { ...FF, seed: 0 });
    const acc = ffSeed0.get(15)!;
    console.log(`FF2: forward-forward ${pct(acc)}`);
    assert.ok(acc >= 0.79, `${pct(acc)} < 79%`);
  });

  it('FF3: collaborative FF >= FF + 10 points after 3 epochs, >= FF - 1 point after 15 (mean over seeds)', async () => {
    const seeds = Number(process.env.PLEXUS_FF3_SEEDS ?? 3);
    const ff3: number[] = [];
    const ff15: number[] = [];
    const cff3: number[] = [];
    const cff15: number[] = [];
    for (let s = 0; s < seeds; s++) {
      const f = s === 0 && ffSeed0 ? ffSeed0 : await run(new px.train.ForwardForward({ threshold: 2, seed: s }), { ...FF, seed: s });
      const c = await run(new px.train.ForwardForward({ threshold: 2, collaborative: true, seed: s }), { ...FF, seed: s });
      ff3.push(f.get(3)!); ff15.push(f.get(15)!); cff3.push(c.get(3)!); cff15.push(c.get(15)!);
    }
    const m = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
    console.log(`FF3 (${seeds} seed(s)): epoch 3 FF ${pct(m(ff3))} CFF ${pct(m(cff3))}; epoch 15 FF ${pct(m(ff15))} CFF ${pct(m(cff15))}`);
    assert.ok(m(cff3) >= m(ff3) + 0.10, `after 3 epochs CFF ${pct(m(cff3))} is not 10 points above FF ${pct(m(ff3))}`);
    assert.ok(m(cff15) >= m(ff15) - 0.01, `after 15 epochs CFF ${pct(m(cff15))} is more than 1 point below FF ${pct(m(ff15))}`);
  });
});
