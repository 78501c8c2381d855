/**
 * @file plexus's side of workload `image` (bench/image.ts), stepwise in its own process:
 * `node dist/bench/image-child.js <threads> <stepsPerBlock>` loads the 112x112 mosaic, builds Gaussian
 * Fourier features (128, s = 10) + a 3x128 ReLU MLP with a sigmoid output on the wasm backend, runs 5
 * untimed warm-up steps and prints {"ready": true}; each stdin line `block` runs that many full-batch
 * Adam steps (12544 pixels) and prints {stepsPerSec, psnr}; `done` exits.
 */
import * as px from '../src/node.js';
import { runChild, serveBlocks } from './stepwise-child.js';

async function main(): Promise<void> {
  const threads = Number(process.argv[2] ?? 1);
  const perBlock = Number(process.argv[3] ?? 20);
  px.setBackend('wasm');
  px.setNumThreads(threads);
  const { train } = px.data.imageGrid(px.data.builtinImage('mosaic'), { split: 'all' });
  px.manualSeed(0);
  const enc = new px.nn.encoding.FourierFeatures(2, 128, { kind: 'gaussian', scale: 10 });
  const model = new px.nn.Sequential(enc, new px.nn.MLP([enc.outFeatures, 128, 128, 128, 1]), new px.nn.Sigmoid());
  const opt = new px.optim.Adam(model.parameters(), { lr: 1e-3 });
  let loss = NaN;
  const step = (): void => px.scope(() => {
    opt.zeroGrad();
    const l = px.mse(model.forward(train.x), train.y);
    l.backward();
    opt.step();
    loss = l.item();
  });
  step();
  await new Promise((r) => setTimeout(r, 300)); // let the worker pool come up (it joins after an event-loop turn)
  for (let i = 0; i < 4; i++) step();
  await serveBlocks(threads, perBlock, step, () => ({ psnr: 10 * Math.log10(1 / loss) }));
}

runChild(main);
