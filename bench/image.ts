/**
 * @file Workload `image` of docs/benchmarks.md: full-batch image fitting, the float32 GEMM-heavy loop of
 * coordinate networks. Gaussian Fourier features (128, s = 10) + 3x128 ReLU MLP + sigmoid on every
 * pixel of the 112x112 mosaic (12544 rows a step), MSE, Adam lr 1e-3. plexus (wasm, bench/image-child.ts)
 * and the PyTorch peers (bench/peers/torch_image.py, as installed and over OpenBLAS when found), run
 * by the paired stepwise protocol (bench/paired.ts): blocks of `--steps` steps (default 20) for
 * `--blocks` rounds (default 5); one JSON line per thread count with steps/s, paired ratios and PSNR.
 */
import { runPaired } from './paired.js';

export interface ImageBenchOptions {
  threads?: number[];
  steps?: number;
  blocks?: number;
}

export async function runImage(opts: ImageBenchOptions = {}): Promise<object[]> {
  return runPaired({
    workload: 'image', child: 'image-child', peer: 'torch_image', quality: 'psnr', info: { pixels: 12544 },
    threads: opts.threads, perBlock: opts.steps ?? 20, blocks: opts.blocks ?? 5,
  });
}
