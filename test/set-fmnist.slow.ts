/**
 * @file Check SET1 (Mocanu et al. 2018, https://doi.org/10.1038/s41467-018-04316-3) on
 * Fashion-MNIST: SET-MLP 784-1000-1000-1000-10, Erdős–Rényi epsilon 20, zeta 0.3, ReLU, dropout
 * 0.3, SGD lr 0.01 momentum 0.9, batch 100, 10 epochs. Must reach >= 86.5% test accuracy and at
 * least the dense MLP of the same sizes and training minus 1.5 points; the parameter count must be
 * identical after every evolution; prints, per epoch, the share of first-layer connections that go
 * to the 100 pixels of largest variance (SET should move connections towards informative pixels).
 *
 * The dense MLP costs ~20x the sparse one per epoch (2.8M against 0.13M weights). Epoch counts can
 * be lowered with SET1_EPOCHS and SET1_DENSE_EPOCHS (default 10 each) on a slow box; the printed
 * lines say what ran. Skipped, with a message, when Fashion-MNIST is absent.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/node.js';
import { fashion, pct, skippedWithoutFmnist } from './fmnist-helpers.js';

const EPOCHS = Number(process.env.SET1_EPOCHS ?? 10);
const DENSE_EPOCHS = Number(process.env.SET1_DENSE_EPOCHS ?? 10);
const SIZES = [784, 1000, 1000, 1000, 10];

/** The 100 pixels of largest variance over the training images. */
function topPixels(x: px.Tensor, k = 100): Set<number> {
  const v = x.values;
  const n = x.shape[0]!;
  const mean = new Float64Array(784);
  const sq = new Float64Array(784);
  for (let i = 0; i < n; i++) for (let p = 0; p < 784; p++) { const a = v[i * 784 + p]!; mean[p]! += a; sq[p]! += a * a; }
  const variance = Array.from(mean, (m, p) => sq[p]! / n - (m / n) ** 2);
  return new Set(variance.map((s, p) => [s, p] as const).sort((a, b) => b[0] - a[0]).slice(0, k).map(([, p]) => p));
}

/** Share of the first layer's connections whose input pixel is in `top`. */
function share(model: px.nn.SparseMLP, top: Set<number>): number {
  const idx = model.sparseLayers()[0]!.getBuffer('indices')!.values;
  let c = 0;
  for (let j = 0; j < idx.length; j++) if (top.has(idx[j]! % 784)) c++;
  return c / idx.length;
}

async function run(model: px.nn.Module, epochs: number, algorithm: px.train.TrainingAlgorithm<unknown> | undefined, onEpoch: (e: number, acc: number, s: number) => void): Promise<number> {
  const data = fashion();
  const optimizer = new px.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const loader = new px.data.DataLoader(new px.data.TensorDataset(data.train.x, data.train.y), { batchSize: 100, shuffle: true, seed: 0 });
  const history = await px.fit(model, loader, {
    optimizer, epochs, validation: { ...data.test, batchSize: 1000 }, progress: false,
    ...(algorithm ? { algorithm } : {}),
    callbacks: [{ onEpochEnd: (e, logs) => onEpoch(e, logs.valAccuracy!, logs.seconds!) }],
  });
  assert.equal(history.stopReason, 'completed');
  return history.epochs.at(-1)!.valAccuracy!;
}

describe('SET1: SET-MLP on Fashion-MNIST', () => {
  if (skippedWithoutFmnist('SET1')) return;
  it(`SET (${EPOCHS} epochs) >= 86.5% and >= dense (${DENSE_EPOCHS} epochs) - 1.5 points; constant parameter count; connections move to informative pixels`, async () => {
    const data = fashion();
    const top = topPixels(data.train.x);
    px.manualSeed(0);
    const sparse = new px.nn.SparseMLP(SIZES, { epsilon: 20, dropout: 0.3 });
    const count = (): number => sparse.parameters().reduce((n, p) => n + p.size, 0);
    const n0 = count();
    const shares = [share(sparse, top)];
    console.log(`  SET-MLP: ${n0} parameters (${sparse.sparseLayers().map((l) => l.nnz).join(' + ')} connections); share to the top-100 pixels at init ${pct(shares[0]!)}`);
    const setAcc = await run(sparse, EPOCHS, new px.train.SET({ zeta: 0.3, epochs: EPOCHS }), (e, acc, s) => {
      assert.equal(count(), n0, `parameter count after epoch ${e}`);
      shares.push(share(sparse, top));
      console.log(`  SET epoch ${e}: test ${pct(acc)}, share to top-100 pixels ${pct(shares.at(-1)!)}, ${s.toFixed(1)} s`);
    });
    px.manualSeed(0);
    const dense = new px.nn.MLP(SIZES, { dropout: 0.3 });
    const denseAcc = await run(dense, DENSE_EPOCHS, undefined, (e, acc, s) => console.log(`  dense epoch ${e}: test ${pct(acc)}, ${s.toFixed(1)} s`));
    console.log(`  SET ${pct(setAcc)} (${EPOCHS} epochs) vs dense ${pct(denseAcc)} (${DENSE_EPOCHS} epochs); share ${pct(shares[0]!)} -> ${pct(shares.at(-1)!)}`);
    assert.ok(setAcc >= 0.865, `SET accuracy ${pct(setAcc)} < 86.5%`);
    assert.ok(setAcc >= denseAcc - 0.015, `SET ${pct(setAcc)} more than 1.5 points below dense ${pct(denseAcc)}`);
    assert.ok(shares.at(-1)! > shares[0]!, 'the share of connections to the most variable pixels grows');
  });
});
