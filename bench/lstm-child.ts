/**
 * @file plexus's side of workload e (bench/lstm.ts), stepwise in its own process:
 * `node dist/bench/lstm-child.js <threads> <stepsPerBlock>` builds nn.LSTM(64, 256) + Linear(256, 1)
 * on the wasm backend and one fixed batch (x [100, 32, 64] = sin(0.37·k + 0.1) in row-major order,
 * y[b] = sin(0.5·b), the same formulas as bench/peers/torch_lstm.py), runs 2 untimed warm-up steps
 * and prints {"ready": true}; each stdin line `block` runs that many Adam training steps (MSE of the
 * head on the last step) and prints {stepsPerSec, loss}; `done` exits.
 */
import * as px from '../src/node.js';
import { runChild, serveBlocks } from './stepwise-child.js';

const T = 100;
const B = 32;
const I = 64;
const H = 256;

async function main(): Promise<void> {
  const threads = Number(process.argv[2] ?? 1);
  const perBlock = Number(process.argv[3] ?? 4);
  px.setBackend(process.env.PLEXUS_BACKEND ?? 'wasm');
  if (px.getBackend() === 'wasm') px.setNumThreads(threads);
  // Values in float64 then rounded, as torch computes them (float64 sin, then .float()).
  const x = px.keep(px.tensor(Float32Array.from({ length: T * B * I }, (_, k) => Math.sin(0.37 * k + 0.1)), { shape: [T, B, I] }));
  const y = px.keep(px.tensor(Float32Array.from({ length: B }, (_, b) => Math.sin(0.5 * b)), { shape: [B, 1] }));
  px.manualSeed(0);
  const lstm = new px.nn.LSTM(I, H);
  const head = new px.nn.Linear(H, 1);
  const opt = new px.optim.Adam([...lstm.parameters(), ...head.parameters()], { lr: 1e-3 });
  let loss = NaN;
  const step = (): void => px.scope(() => {
    const [out] = lstm.forward(x);
    const l = px.mse(head.forward(px.reshape(px.slice(out, [[T - 1, T]]), [B, H])), y);
    opt.zeroGrad();
    l.backward();
    opt.step();
    loss = l.item();
  });
  step();
  await new Promise((r) => setTimeout(r, 300)); // let the worker pool come up (it joins after an event-loop turn)
  step();
  await serveBlocks(threads, perBlock, step, () => ({ loss }));
}

runChild(main);
