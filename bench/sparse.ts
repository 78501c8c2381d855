/**
 * @file `npm run bench -- sparse [--reps 5] [--backend wasm|js]`: the CSR layer against the dense
 * one it replaces, a SET-sized 1000 -> 1000 layer at batch 100: forward + backward (gradients of the
 * input and of the weights) of `sparseLinear` at several densities against `linear` with the full
 * [1000, 1000] weight. One JSON line per density with the median milliseconds of each and the
 * ratio; what to read: `speedup` > 1 where sparse is cheaper (SET's layers run at ~4% density).
 */
import * as px from '../src/index.js';
import { median, peakRssMB, round } from './common.js';

const N = 1000;
const K = 1000;
const B = 100;

function time(f: () => void, reps: number): number {
  f(); // warm-up (kernels compiled, transposed pattern cached)
  const ts: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    px.scope(f);
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

export function runSparse(opts: { reps?: number; backend?: string } = {}): void {
  const reps = opts.reps ?? 5;
  if (!Number.isInteger(reps) || reps < 1) throw new px.ValueError(`sparse: --reps must be a positive integer, got ${String(opts.reps)}`);
  if (opts.backend) px.setBackend(opts.backend);
  px.manualSeed(0);
  const x = px.keep(px.randn([B, K], { requiresGrad: true }));
  const w = px.keep(px.randn([N, K], { requiresGrad: true }));
  const step = (y: px.Tensor): void => {
    y.sum().backward();
    x.grad = null;
  };
  const dense = time(() => { step(px.linear(x, w)); w.grad = null; }, reps);
  for (const density of [0.01, 0.02, 0.04, 0.1, 0.2, 0.5]) {
    const nnz = Math.round(density * N * K);
    const pattern = px.CsrPattern.fromIndices(N, K, px.nn.sampleSorted(N * K, nnz, new px.Generator(1)));
    const v = px.keep(px.randn([nnz], { requiresGrad: true }));
    const sparse = time(() => { step(px.sparseLinear(x, v, pattern)); v.grad = null; }, reps);
    console.log(JSON.stringify({
      workload: 'sparse', backend: px.getBackend(), batch: B, shape: [N, K], density, nnz,
      sparseMs: round(sparse), denseMs: round(dense), speedup: round(dense / sparse), peakRssMB: { plexus: peakRssMB() },
    }));
    v.dispose();
  }
  x.dispose();
  w.dispose();
}
