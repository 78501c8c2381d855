/**
 * @file Workload e of docs/benchmarks.md: LSTM training throughput. nn.LSTM(input 64, hidden 256)
 * over seq 100 x batch 32 plus a Linear(256, 1) head on the last step, MSE, Adam lr 1e-3, one fixed
 * batch. plexus (wasm, bench/lstm-child.ts) and the PyTorch peers (bench/peers/torch_lstm.py
 * `nn.LSTM`, as installed and over OpenBLAS when found) each run in their own process, by the paired
 * stepwise protocol (bench/paired.ts): after an untimed warm-up, blocks of `--steps` training steps (default 4) alternate between the
 * libraries for `--blocks` rounds (default 5). Prints one JSON line per thread count (`--threads`,
 * default 1,2): median steps/s of each library and the paired ratio plexus / peer (median over
 * rounds of the blocks run back to back). Goal: ratio >= 1.0.
 */
import { runPaired } from './paired.js';

export interface LstmBenchOptions {
  threads?: number[];
  steps?: number;
  blocks?: number;
}

export async function runLstm(opts: LstmBenchOptions = {}): Promise<object[]> {
  return runPaired({
    workload: 'e', metric: 'train_steps_per_s', child: 'lstm-child', peer: 'torch_lstm', quality: 'loss',
    info: { model: 'LSTM(64, 256), seq 100, batch 32' }, threads: opts.threads, perBlock: opts.steps ?? 4, blocks: opts.blocks ?? 5,
  });
}
