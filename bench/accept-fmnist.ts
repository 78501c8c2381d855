/**
 * @file The acceptance run: Fashion-MNIST, MLP 784-256-256-10 ReLU, Adam lr 1e-3, batch 64,
 * 10 epochs, seed 0 (targets: test accuracy >= 83% after epoch 1 and >= 88% after epoch 10).
 * Prints one JSON line per epoch ({"epoch":1,"testAccuracy":...}) on stdout and a summary line at
 * the end; progress goes to stderr.
 *
 * Run: `npx tsc -p . && node dist/bench/accept-fmnist.js [--epochs N]`. The backend is
 * $PLEXUS_BACKEND, else the fastest registered one (wasm, then js).
 * Needs the Debian package dataset-fashion-mnist (or FASHION_MNIST_DIR pointing at the IDX files).
 */
import * as px from '../src/node.js';
import { fit, nn, optim } from '../src/node.js';

const { DataLoader, TensorDataset, fashionMnist } = px.data;

const SEED = 0;

function pickBackend(): string {
  const want = process.env.PLEXUS_BACKEND;
  if (want) return want;
  const have = px.availableBackends();
  return ['wasm', 'js'].find((b) => have.includes(b)) ?? 'reference';
}

function epochsArg(): number {
  const i = process.argv.indexOf('--epochs');
  const n = i >= 0 ? Number(process.argv[i + 1]) : 10;
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`--epochs must be a positive integer, got ${process.argv[i + 1]}`);
  return n;
}

async function main(): Promise<void> {
  const backend = pickBackend();
  px.setBackend(backend);
  const epochs = epochsArg();
  const dir = process.env.FASHION_MNIST_DIR;
  const { train, test } = fashionMnist(dir ? { dir } : {});
  px.manualSeed(SEED);
  const model = new nn.MLP([784, 256, 256, 10], { activation: 'relu' });
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const loader = new DataLoader(new TensorDataset(train.x, train.y), { batchSize: 64, shuffle: true, seed: SEED });
  const t0 = performance.now();
  const history = await fit(model, loader, {
    optimizer, loss: 'crossEntropy', epochs, validation: { ...test, batchSize: 1000 },
    callbacks: [{
      onEpochEnd: (epoch, logs) => {
        console.log(JSON.stringify({ epoch, testAccuracy: logs.valAccuracy, testLoss: logs.valLoss, trainLoss: logs.loss, seconds: logs.seconds }));
      },
    }],
  });
  const last = history.last;
  console.log(JSON.stringify({
    bench: 'accept-fmnist', backend, epochs: history.epochs.length, stopReason: history.stopReason,
    testAccuracy: last?.valAccuracy ?? null, epoch1TestAccuracy: history.epochs[0]?.valAccuracy ?? null,
    pass: (history.epochs[0]?.valAccuracy ?? 0) >= 0.83 && (epochs < 10 || (last?.valAccuracy ?? 0) >= 0.88),
    seconds: (performance.now() - t0) / 1000,
  }));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
