/**
 * @file `node dist/bench/memory.js [--steps 50000] [--backend wasm|js]`: issue #11's loop without
 * `scope` (20-64-64-5 MLP, batch 16, Adam; zeroGrad, crossEntropy(forward).backward(), step), printing
 * RSS, memory() and sweeps every 5,000 steps and one JSON line at the end. What to read: `rssMB` stays
 * within a band (V8's own collection makes a sawtooth) instead of climbing. The pass/fail counts are
 * asserted by test/memory-loops.test.ts; RSS belongs here because it depends on V8 and the machine.
 */
import * as px from '../src/index.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const steps = Number(arg('steps', '50000'));
if (!Number.isInteger(steps) || steps < 1) throw new px.ValueError(`--steps must be a positive integer, got ${arg('steps', '')}`);
const backends = process.argv.includes('--backend') ? [arg('backend', 'wasm')] : ['wasm', 'js'];

const rss = (): number => Math.round(process.memoryUsage().rss / 2 ** 20);

for (const backend of backends) {
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
    liveTensors: m.numTensors, liveBytes: m.numBytes, sweeps: m.sweeps,
  }));
}
