/**
 * @file Peak RSS of a JS library's side of workloads a and f, for the workloads whose timed rounds run
 * plexus (and, in a, TensorFlow.js) inside the bench process next to each other, where one process's
 * peak would mix both libraries. Moving that side into a child would change the rounds' protocol, so
 * instead this short run repeats the side alone in a fresh process, with the same code and sizes in
 * the same order as the rounds (operands, then the warm-up calls that `prepare` makes: the memory a
 * rep uses; the timed reps allocate nothing more), and prints the process's peak after each size,
 * as the Python peers' processes report theirs after that size's rounds (a peak only grows).
 *
 *   node dist/bench/rss-probe.js a <plexus|tfjs-wasm> <threads> <n,n,...>  -> {"peakRssMB": {"<n>": MB, ...}}
 *   node dist/bench/rss-probe.js f <threads> <steps> <n,n,...>            -> {"peakRssMB": {"mlp": MB, "<n>": MB, ...}}
 *
 * gemm.ts and f64.ts start it through common.ts probePeaks.
 */
import * as px from '../src/index.js';
import { peakRssMB } from './common.js';
import { plexusGemm, plexusMlp } from './f64.js';
import { loadTfjs, plexusRunner, tfjsRunner, type Runner } from './gemm-runners.js';

async function probeGemm(lib: string, threads: number, sizes: number[]): Promise<Record<string, number>> {
  let runner: Runner;
  if (lib === 'plexus') runner = plexusRunner(threads);
  else if (lib === 'tfjs-wasm') {
    const tf = loadTfjs();
    if (typeof tf === 'string') throw new Error(tf);
    runner = tfjsRunner(tf, 'wasm');
  } else throw new Error(`unknown library '${lib}' (expected plexus or tfjs-wasm)`);
  const peaks: Record<string, number> = {};
  for (const n of sizes) {
    await runner.prepare(n);
    peaks[n] = peakRssMB();
    runner.release();
  }
  return peaks;
}

async function probeF64(threads: number, steps: number, sizes: number[]): Promise<Record<string, number>> {
  px.setNumThreads(threads);
  const mlp = plexusMlp(steps);
  await mlp.prepare();
  await mlp.rep();
  const peaks: Record<string, number> = { mlp: peakRssMB() };
  for (const n of sizes) {
    await plexusGemm(n).prepare();
    peaks[n] = peakRssMB();
  }
  return peaks;
}

async function main(): Promise<void> {
  const [workload, ...rest] = process.argv.slice(2);
  const sizes = (rest.at(-1) ?? '').split(',').map(Number);
  if (!sizes.every((n) => Number.isInteger(n) && n > 0)) throw new Error(`sizes: expected n,n,... got '${rest.at(-1)}'`);
  let peaks: Record<string, number>;
  if (workload === 'a') peaks = await probeGemm(rest[0]!, Number(rest[1]), sizes);
  else if (workload === 'f') peaks = await probeF64(Number(rest[0]), Number(rest[1]), sizes);
  else throw new Error(`unknown workload '${workload}' (expected a or f)`);
  console.log(JSON.stringify({ peakRssMB: peaks }));
}

if (process.argv[1]?.endsWith('rss-probe.js')) {
  main().then(() => process.exit(0), (e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
