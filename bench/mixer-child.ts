/**
 * @file plexus's side of workload `mixer` (bench/mixer.ts), stepwise in its own process:
 * `node dist/bench/mixer-child.js <threads> <stepsPerBlock>` builds the MX1 MLP-Mixer (28x28
 * Fashion-MNIST, patch 4 -> 49 tokens, dim 64, depth 4, token MLP 64, channel MLP 128, GELU,
 * LayerNorm) on the wasm backend, cuts the first 64 batches of 128 training images (fixed, so data
 * loading is not timed), runs 3 untimed warm-up steps and prints {"ready": true}; each stdin line
 * `block` runs that many Adam (lr 1e-3) cross-entropy steps over the batches in turn and prints
 * {stepsPerSec, loss}; `done` exits.
 */
import * as px from '../src/node.js';
import { runChild, serveBlocks } from './stepwise-child.js';

const BATCH = 128;
const BATCHES = 64;

async function main(): Promise<void> {
  const threads = Number(process.argv[2] ?? 1);
  const perBlock = Number(process.argv[3] ?? 10);
  px.setBackend('wasm');
  px.setNumThreads(threads);
  // Only the images the run trains on (as torch_mixer.py reads them), so peak RSS compares like with like.
  const { train } = px.data.fashionMnist({ limit: BATCHES * BATCH });
  const batches = Array.from({ length: BATCHES }, (_, b) => [
    px.keep(px.sliceAxis(train.x, 0, b * BATCH, (b + 1) * BATCH)), px.keep(px.sliceAxis(train.y, 0, b * BATCH, (b + 1) * BATCH)),
  ] as const);
  px.manualSeed(0);
  const model = new px.nn.MLPMixer([28, 28], 4, 64, 4, 10, { tokenHidden: 64, channelHidden: 128 });
  const opt = new px.optim.Adam(model.parameters(), { lr: 1e-3 });
  let loss = NaN;
  let next = 0;
  const step = (): void => px.scope(() => {
    const [x, y] = batches[next++ % BATCHES]!;
    opt.zeroGrad();
    const l = px.crossEntropy(model.forward(x), y);
    l.backward();
    opt.step();
    loss = l.item();
  });
  step();
  await new Promise((r) => setTimeout(r, 300)); // let the worker pool come up (it joins after an event-loop turn)
  for (let i = 0; i < 2; i++) step();
  await serveBlocks(threads, perBlock, step, () => ({ loss }));
}

runChild(main);
