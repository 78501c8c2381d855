/**
 * @file Workload `mixer` of docs/benchmarks.md: MLP-Mixer training on Fashion-MNIST, the MX1 model
 * (patch 4 -> 49 tokens, dim 64, depth 4, token MLP 64, channel MLP 128; batch 128, Adam 1e-3):
 * batched [N, T, C] matmuls, transposes, LayerNorm and GELU rather than one big GEMM. plexus (wasm,
 * bench/mixer-child.ts) against the PyTorch peers of the same design (bench/peers/torch_mixer.py)
 * by the paired stepwise protocol (bench/paired.ts): blocks of `--steps` steps (default 10) for
 * `--blocks` rounds (default 5). Needs the Debian dataset-fashion-mnist package.
 */
import { existsSync } from 'node:fs';
import { runPaired } from './paired.js';

export interface MixerBenchOptions {
  threads?: number[];
  steps?: number;
  blocks?: number;
}

export async function runMixer(opts: MixerBenchOptions = {}): Promise<object[]> {
  if (!existsSync('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz')) {
    const line = { workload: 'mixer', skipped: ['Fashion-MNIST not found (apt-get install dataset-fashion-mnist)'] };
    console.log(JSON.stringify(line));
    return [line];
  }
  return runPaired({
    workload: 'mixer', child: 'mixer-child', peer: 'torch_mixer', quality: 'loss',
    info: { model: 'MLPMixer patch 4, dim 64, depth 4, token 64, channel 128', batch: 128 },
    threads: opts.threads, perBlock: opts.steps ?? 10, blocks: opts.blocks ?? 5,
  });
}
