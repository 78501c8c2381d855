/**
 * @file One library's run of a training workload, in its own process (so peak RSS is its own).
 * Workload b (bench/mlp.ts): Fashion-MNIST 784-256-256-10, Adam, batch 128, the shared mulberry32
 * order; workload c (bench/small.ts): 2-64-64-1 tanh, MSE, Adam, batch 32, fixed order. The timed
 * region is the training loop only, as docs/benchmarks.md says; evaluation and loading are not.
 *
 * `node dist/bench/child.js b plexus <threads>` is stepwise, because mlp.ts interleaves plexus and
 * PyTorch epoch by epoch (this VM's core speed drifts for seconds to minutes; back-to-back runs let
 * a slow phase land on one library, see mlp.ts). After loading the data and building the model
 * (untimed) it prints {"ready": true, ...}; then each stdin line `epoch` trains one epoch over the
 * next permutation of the shared order and prints {samplesPerSec, cpuSamplesPerSec, testAccuracy,
 * steps}; `done` prints {peakRssMB, orderChecksum (of epoch 1's order), leakedTensors} and exits.
 * Anything else, or stdin closing first, exits with an error (mlp.ts then skips plexus).
 *
 * The other runs are one-shot, printing one JSON line: `child.js b <tfjs-wasm|tfjs-cpu> 1 [epochs]`
 * (below 1: that fraction of one epoch) and `child.js c <plexus|tfjs-wasm|tfjs-cpu> <threads> [steps]`.
 */
import readline from 'node:readline';
import * as px from '../src/node.js';
import { setNumThreads } from '../src/node.js';
import { mulberry32, orderChecksum, peakRssKiB, permutation } from './common.js';
import { loadTf, tfDense, tfForward } from './tfjs.js';

interface Data {
  xTrain: Float32Array;
  yTrain: Int32Array;
  xTest: Float32Array;
  yTest: Int32Array;
}

/** Fashion-MNIST as plain arrays (loaded on the reference backend: not part of any timing). */
function fashion(): Data {
  px.setBackend('reference');
  const { train, test } = px.data.fashionMnist();
  return { xTrain: train.x.values as Float32Array, yTrain: train.y.values as Int32Array, xTest: test.x.values as Float32Array, yTest: test.y.values as Int32Array };
}

/** Fashion-MNIST loaded straight into the wasm heap (one copy of the images, as PyTorch holds one). */
function fashionOnWasm(): { x: px.Tensor; y: px.Tensor; xTest: px.Tensor; yTest: Int32Array } {
  px.setBackend('wasm');
  const { train, test } = px.data.fashionMnist();
  return { x: train.x, y: train.y, xTest: test.x, yTest: test.y.values.slice() as Int32Array };
}

const rssMB = (): number => peakRssKiB() / 1024;

// ---- workload b ---------------------------------------------------------------------------------

/** One epoch's figures (one JSON line of the stepwise protocol). */
interface EpochFigures {
  samplesPerSec: number;
  /** The same timed by process CPU seconds (a busy machine's tie-breaker; all threads summed). */
  cpuSamplesPerSec: number;
  /** After the epoch, outside the timing. */
  testAccuracy: number;
  /** Steps actually timed (less than 469 when limited for a slow peer). */
  steps: number;
}

/**
 * Epochs over the shared order, one per `epoch()` call: the e-th call trains on the e-th permutation
 * drawn from mulberry32(0), so a run's order does not depend on how its epochs are spread in time.
 */
function trainer(n: number, step: (idx: Int32Array) => void, evaluate: () => number): { epoch(maxSteps?: number): EpochFigures; checksum(): number | undefined } {
  const rng = mulberry32(0);
  let checksum: number | undefined;
  return {
    epoch(maxSteps = Infinity) {
      const perm = permutation(n, rng);
      checksum ??= orderChecksum(perm);
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      let seen = 0;
      let steps = 0;
      for (; seen < n && steps < maxSteps; steps++) {
        const idx = perm.subarray(seen, Math.min(seen + 128, n));
        step(idx);
        seen += idx.length;
      }
      const wall = (performance.now() - t0) / 1000;
      const c = process.cpuUsage(c0);
      return { samplesPerSec: seen / wall, cpuSamplesPerSec: seen / ((c.user + c.system) / 1e6), testAccuracy: evaluate(), steps };
    },
    checksum: () => checksum,
  };
}

/**
 * Lets the worker pool come up before timing: workers start on the first parallel op and join once
 * the event loop has turned (the timed loops below are synchronous, as a training loop is).
 */
async function settle(op: () => void): Promise<void> {
  op();
  await new Promise((r) => setTimeout(r, 500));
  op();
}

const emit = (o: object): void => console.log(JSON.stringify(o));

/**
 * Live tensors once garbage is gone: an unreachable tensor leaves the count only when its finalizer
 * runs, after a GC and a turn of the event loop, which the stepwise loop now gives between epochs.
 * Counting both ends this way keeps the leak check from going negative (needs --expose-gc).
 */
async function liveTensors(): Promise<number> {
  for (let i = 0; i < 2; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((r) => setTimeout(r, 20));
  }
  return px.memory().numTensors;
}

/**
 * plexus in workload b, stepwise (see the file comment): bench/mlp.ts interleaves its epochs with
 * PyTorch's, so this process waits for `epoch` / `done` on stdin between epochs.
 */
async function plexusMlp(threads: number): Promise<void> {
  const { x: X, y: Y, xTest: Xt, yTest } = fashionOnWasm();
  setNumThreads(threads);
  await settle(() => px.scope(() => px.mm(px.indexSelect(X, 0, px.arange(0, 128).cast('int32')), Xt, false, true)));
  px.manualSeed(0);
  const model = new px.nn.MLP([784, 256, 256, 10], { activation: 'relu' });
  const opt = new px.optim.Adam(model.parameters(), { lr: 1e-3, betas: [0.9, 0.999] });
  const before = await liveTensors();
  const run = trainer(60000, (perm) => px.scope(() => {
    const idx = px.tensor(perm, { dtype: 'int32' });
    const loss = px.crossEntropy(model.forward(px.indexSelect(X, 0, idx)), px.indexSelect(Y, 0, idx));
    opt.zeroGrad();
    loss.backward();
    opt.step();
  }), () => px.noGrad(() => px.scope(() => {
    const pred = px.argmax(model.forward(Xt), 1).values;
    let ok = 0;
    for (let i = 0; i < pred.length; i++) if (pred[i] === yTest[i]) ok++;
    return ok / pred.length;
  })));
  emit({ ready: true, lib: 'plexus', threads });
  for await (const line of readline.createInterface({ input: process.stdin })) {
    const cmd = line.trim();
    if (cmd === 'epoch') emit(run.epoch());
    else if (cmd === 'done') {
      // Optimizer state (2 buffers per parameter) is the only thing a run may add.
      const leaked = (await liveTensors()) - before - 2 * model.parameters().length;
      emit({ lib: 'plexus', threads, peakRssMB: rssMB(), orderChecksum: run.checksum(), leakedTensors: leaked });
      return;
    } else throw new Error(`unknown command '${cmd}' (expected 'epoch' or 'done')`);
  }
  throw new Error("stdin closed before 'done'");
}

/**
 * TensorFlow.js in workload b, one-shot: `count` epochs (or `maxSteps` steps of one) back to back,
 * figures per epoch as arrays. Its runs are too short or too slow to pair epoch by epoch (mlp.ts).
 */
async function tfjsMlp(d: Data, backend: 'wasm' | 'cpu', count: number, maxSteps: number): Promise<Record<string, unknown>> {
  const tf = await loadTf(backend);
  await tf.setBackend(backend);
  await tf.ready();
  const X = tf.tensor2d(d.xTrain, [60000, 784]);
  const Y = tf.tensor1d(d.yTrain, 'int32');
  const Xt = tf.tensor2d(d.xTest, [10000, 784]);
  const vars = tfDense(tf, [784, 256, 256, 10]);
  const opt = tf.train.adam(1e-3, 0.9, 0.999);
  const run = trainer(60000, (perm) => tf.tidy(() => {
    const idx = tf.tensor1d(perm, 'int32');
    const x = tf.gather(X, idx);
    const y = tf.oneHot(tf.gather(Y, idx), 10);
    opt.minimize(() => tf.losses.softmaxCrossEntropy(y, tfForward(tf, vars, x, 'relu')) as import('@tensorflow/tfjs-core').Scalar, false, vars);
  }), () => tf.tidy(() => {
    const pred = tf.argMax(tfForward(tf, vars, Xt, 'relu'), 1).dataSync();
    let ok = 0;
    for (let i = 0; i < pred.length; i++) if (pred[i] === d.yTest[i]) ok++;
    return ok / pred.length;
  }));
  const figures = Array.from({ length: count }, () => run.epoch(maxSteps));
  const each = <K extends keyof EpochFigures>(k: K): EpochFigures[K][] => figures.map((f) => f[k]);
  return { samplesPerSec: each('samplesPerSec'), cpuSamplesPerSec: each('cpuSamplesPerSec'), testAccuracy: each('testAccuracy'), steps: figures.at(-1)!.steps, peakRssMB: rssMB(), orderChecksum: run.checksum() };
}

// ---- workload c ---------------------------------------------------------------------------------

/** The 1024 points and targets of workload c, from the shared generator (same as the Python peer). */
function smallData(): { x: Float32Array; y: Float32Array } {
  const rng = mulberry32(1234);
  const x = new Float32Array(2048);
  const y = new Float32Array(1024);
  for (let i = 0; i < 1024; i++) {
    // Python draws x0 then x1 as doubles and rounds them to float32 afterwards; so do we.
    x[2 * i] = rng() * 2 - 1;
    x[2 * i + 1] = rng() * 2 - 1;
  }
  // y from the float32 inputs in float32 arithmetic of sin/cos (torch computes it on float32 tensors).
  for (let i = 0; i < 1024; i++) y[i] = Math.fround(Math.fround(Math.sin(Math.fround(Math.PI * x[2 * i]!))) * Math.fround(Math.cos(Math.fround(Math.PI * x[2 * i + 1]!))));
  return { x, y };
}

/** 200 warm-up steps, then blocks of `block` steps: steps/s per block (wall and CPU clock). */
function blocks(step: (k: number) => void, block: number, count: number): { stepsPerSec: number[]; cpuStepsPerSec: number[] } {
  let s = 0;
  for (; s < 200; s++) step(s % 32);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let b = 0; b < count; b++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < block; i++, s++) step(s % 32);
    wall.push(block / ((performance.now() - t0) / 1000));
    const c = process.cpuUsage(c0);
    cpu.push(block / ((c.user + c.system) / 1e6));
  }
  return { stepsPerSec: wall, cpuStepsPerSec: cpu };
}

async function plexusSmall(threads: number, block: number): Promise<Record<string, unknown>> {
  px.setBackend('wasm');
  setNumThreads(threads);
  await settle(() => px.scope(() => px.mm(px.ones([256, 256]), px.ones([256, 256]))));
  const { x, y } = smallData();
  const xs = Array.from({ length: 32 }, (_, k) => px.keep(px.tensor(x.subarray(64 * k, 64 * k + 64), { shape: [32, 2] })));
  const ys = Array.from({ length: 32 }, (_, k) => px.keep(px.tensor(y.subarray(32 * k, 32 * k + 32), { shape: [32, 1] })));
  px.manualSeed(0);
  const model = new px.nn.MLP([2, 64, 64, 1], { activation: 'tanh' });
  const opt = new px.optim.Adam(model.parameters(), { lr: 1e-3 });
  const sps = blocks((k) => px.scope(() => {
    const loss = px.mse(model.forward(xs[k]!), ys[k]!);
    opt.zeroGrad();
    loss.backward();
    opt.step();
  }), block, 3);
  const all = px.tensor(x, { shape: [1024, 2] });
  const finalLoss = px.noGrad(() => px.mse(model.forward(all), px.tensor(y, { shape: [1024, 1] })).item());
  return { ...sps, finalLoss, peakRssMB: rssMB() };
}

async function tfjsSmall(backend: 'wasm' | 'cpu', block: number): Promise<Record<string, unknown>> {
  const tf = await loadTf(backend);
  await tf.setBackend(backend);
  await tf.ready();
  const { x, y } = smallData();
  const xs = Array.from({ length: 32 }, (_, k) => tf.tensor2d(x.subarray(64 * k, 64 * k + 64), [32, 2]));
  const ys = Array.from({ length: 32 }, (_, k) => tf.tensor2d(y.subarray(32 * k, 32 * k + 32), [32, 1]));
  const vars = tfDense(tf, [2, 64, 64, 1]);
  const opt = tf.train.adam(1e-3);
  const sps = blocks((k) => tf.tidy(() => {
    opt.minimize(() => tf.losses.meanSquaredError(ys[k]!, tfForward(tf, vars, xs[k]!, 'tanh')) as import('@tensorflow/tfjs-core').Scalar, false, vars);
  }), block, 3);
  const finalLoss = tf.tidy(() => tf.losses.meanSquaredError(tf.tensor2d(y, [1024, 1]), tfForward(tf, vars, tf.tensor2d(x, [1024, 2]), 'tanh')).dataSync()[0]);
  return { ...sps, finalLoss, peakRssMB: rssMB() };
}

async function main(): Promise<void> {
  const [workload, lib, threadsArg, countArg] = process.argv.slice(2);
  const threads = Number(threadsArg ?? 1);
  const count = Number(countArg ?? (workload === 'b' ? 5 : 3000));
  let out: object;
  if (workload === 'b') {
    // tfjs-cpu trains at ~0.3k samples/s: `count` < 1 means a fraction of one epoch for it.
    if (lib === 'plexus') return plexusMlp(threads); // stepwise: prints its own lines
    if (lib === 'tfjs-wasm') out = await tfjsMlp(fashion(), 'wasm', Math.max(1, count), count < 1 ? Math.ceil(469 * count) : Infinity);
    else if (lib === 'tfjs-cpu') out = await tfjsMlp(fashion(), 'cpu', 1, count < 1 ? Math.ceil(469 * count) : Infinity);
    else throw new Error(`unknown library ${lib}`);
  } else if (workload === 'c') {
    if (lib === 'plexus') out = await plexusSmall(threads, count);
    else if (lib === 'tfjs-wasm' || lib === 'tfjs-cpu') out = await tfjsSmall(lib === 'tfjs-wasm' ? 'wasm' : 'cpu', count);
    else throw new Error(`unknown library ${lib}`);
  } else throw new Error(`unknown workload ${workload}`);
  console.log(JSON.stringify({ lib, threads, ...out }));
}

main().then(() => process.exit(0), (e: unknown) => {
  console.error(e);
  process.exit(1);
});
