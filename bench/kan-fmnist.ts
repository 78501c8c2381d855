/**
 * @file Acceptance K3 of issue #5: KAN [784, 64, 10] (cubic B-splines, G = 5; Liu et al. 2024,
 * arXiv 2404.19756, efficient-kan layout) and FastKAN [784, 64, 10] (Gaussian RBF, 8 centres,
 * LayerNorm before the basis; Li 2024, arXiv 2405.06721) on Fashion-MNIST: AdamW lr 1e-3
 * (weight decay 1e-4, as workload d), batch 128, 10 epochs, seed 0; target >= 87% test accuracy
 * for each. Inputs are pixels/255 * 2 - 1, so they span the default grid [-1, 1].
 * Prints one JSON line per epoch ({"model","epoch","testAccuracy",...}) and a summary per model.
 *
 * Run: `npx tsc -p . && node dist/bench/kan-fmnist.js [--model kan|fastkan|both] [--epochs 10]`.
 * Backend: $PLEXUS_BACKEND, else the fastest registered (wasm, then js). Slow on the js backend
 * (~3 min per KAN epoch on a shared 2-core machine): run it in the background.
 */
import * as px from '../src/node.js';
import { fit } from '../src/node.js';

const { KAN } = px.nn;
const { AdamW } = px.optim;
const { DataLoader, TensorDataset, fashionMnist } = px.data;

const SEED = 0;

function flag(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? dflt : dflt;
}

async function run(kind: 'kan' | 'fastkan', epochs: number, data: ReturnType<typeof fashionMnist>, backend: string): Promise<boolean> {
  px.manualSeed(SEED);
  const model = kind === 'kan' ? new KAN([784, 64, 10], { basis: 'bspline', grid: 5, k: 3 }) : new KAN([784, 64, 10], { basis: 'rbf', grid: 8 });
  const optimizer = new AdamW(model.parameters(), { lr: 1e-3, weightDecay: 1e-4 });
  const scaled = (x: px.Tensor): px.Tensor => px.keep(x.mul(2).sub(1));
  const train = { x: scaled(data.train.x), y: data.train.y };
  const test = { x: scaled(data.test.x), y: data.test.y, batchSize: 1000 };
  const loader = new DataLoader(new TensorDataset(train.x, train.y), { batchSize: 128, shuffle: true, seed: SEED });
  const t0 = performance.now();
  const history = await fit(model, loader, {
    optimizer, loss: 'crossEntropy', epochs, validation: test, progress: false,
    callbacks: [{
      onEpochEnd: (epoch, logs) => {
        console.log(JSON.stringify({ model: kind, epoch, testAccuracy: logs.valAccuracy, testLoss: logs.valLoss, trainLoss: logs.loss, seconds: logs.seconds }));
      },
    }],
  });
  const acc = history.last?.valAccuracy ?? 0;
  const pass = epochs >= 10 ? acc >= 0.87 : null;
  console.log(JSON.stringify({
    bench: 'kan-fmnist', model: kind, backend, params: model.numParameters(), epochs: history.epochs.length, stopReason: history.stopReason,
    testAccuracy: acc, pass, seconds: (performance.now() - t0) / 1000,
  }));
  return pass !== false;
}

async function main(): Promise<void> {
  const backend = process.env.PLEXUS_BACKEND ?? (['wasm', 'js'].find((b) => px.availableBackends().includes(b)) ?? 'reference');
  px.setBackend(backend);
  const epochs = Number(flag('epochs', '10'));
  if (!(Number.isInteger(epochs) && epochs >= 1)) throw new Error('--epochs must be a positive integer');
  const which = flag('model', 'both');
  const dir = process.env.FASHION_MNIST_DIR;
  const data = fashionMnist(dir ? { dir } : {});
  let ok = true;
  for (const kind of ['kan', 'fastkan'] as const) if (which === 'both' || which === kind) ok = (await run(kind, epochs, data, backend)) && ok;
  if (!ok) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
