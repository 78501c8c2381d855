/**
 * @file `npm run bench -- memory [--steps 50000] [--backend wasm|js]`: issue #11's loop without
 * `scope` (20-64-64-5 MLP, batch 16, Adam; zeroGrad, crossEntropy(forward).backward(), step), printing
 * RSS, memory() and sweeps every 5,000 steps and one JSON line at the end. What to read: `rssMB` stays
 * within a band (V8's own collection makes a sawtooth) instead of climbing. The pass/fail counts are
 * asserted by test/memory-loops.test.ts; RSS belongs here because it depends on V8 and the machine.
 */
import * as px from '../src/index.js';
import { peakRssMB } from './common.js';

const rss = (): number => Math.round(process.memoryUsage().rss / 2 ** 20);

/** Runs the loop on each backend (default wasm and js) and prints its RSS samples and summary line. */
export function runMemory(opts: { steps?: number; backends?: string[] } = {}): void {
  const steps = opts.steps ?? 50_000;
  if (!Number.isInteger(steps) || steps < 1) throw new px.ValueError(`memory: --steps must be a positive integer, got ${String(opts.steps)}`);
  for (const backend of opts.backends ?? ['wasm', 'js']) runOne(backend, steps);
}

function runOne(backend: string, steps: number): void {
  px.setBackend(backend);
  px.manualSeed(0);
  const model = new px.nn.MLP([20, 64, 64, 5], { activation: 'relu' });
  const opt = new px.optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = px.randn([16, 20]);
  const y = px.randint(0, 5, [16]);
  const samples: number[] = [];
  const t0 = performance.now();
  for (let step = 1; step <= steps; step++) {
    opt.zeroGrad();
    px.crossEntropy(model.forward(x), y).backward();
    opt.step();
    if (step % 5000 === 0 || step === 1000) {
      const m = px.memory();
      samples.push(rss());
      console.log(`${backend} step ${step}: rss ${rss()} MB, live tensors ${m.numTensors}, bytes ${m.numBytes}, sweeps ${m.sweeps}`);
    }
  }
  const secs = (performance.now() - t0) / 1000;
  const m = px.memory();
  console.log(JSON.stringify({
    bench: 'memory-loop', backend, steps, stepsPerSec: Math.round(steps / secs),
    rssMB: { first: samples[0], min: Math.min(...samples), max: Math.max(...samples), last: samples[samples.length - 1] },
    liveTensors: m.numTensors, liveBytes: m.numBytes, sweeps: m.sweeps, peakRssMB: { plexus: peakRssMB() },
  }));
}
