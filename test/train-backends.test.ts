/**
 * @file End to end on the fast backends, in seconds: fit() trains the digits MLP (64-128-10 ReLU,
 * Adam 1e-3, batch 32, seeded shuffle, validation every epoch) on wasm with 1 thread, on wasm with 2
 * threads splitting every op however small (forceThreading, so the pool runs the GEMMs, elementwise
 * ops, reductions and the fused Adam update), and on js. Each run must learn (>= 95% test accuracy
 * after 10 epochs; the default 20 reach ~97%) and release every storage it allocated beyond the
 * optimizer state, and the two wasm runs must end with bitwise identical weights: the pool splits work,
 * never the order of a sum. The Fashion-MNIST version of this (workload b's model, ~40 s) is
 * `npm run test:slow` (test/train-fmnist.slow.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/node.js';
import { getNumThreads, setNumThreads, type WasmBackend } from '../src/backends/wasm/index.js';
import { forceThreading, poolOf, waitForWorkers } from '../src/backends/wasm/pool/testing.js';
import { allocationsDuring } from './allocations.js';

const EPOCHS = 10;

interface Run {
  accuracy: number[];
  weights: string;
}

async function train(backend: string, threads: number): Promise<Run> {
  px.setBackend('reference');
  const { train: tr, test } = px.data.digits({ seed: 0 });
  px.setBackend(backend);
  const prevThreads = getNumThreads();
  let pool: ReturnType<typeof poolOf> = null;
  if (backend === 'wasm') {
    setNumThreads(threads);
    if (threads > 1) {
      forceThreading(true);
      const be = px.zeros([1])._storage.backend as WasmBackend;
      assert.equal(waitForWorkers(be), threads - 1, 'workers ready');
      pool = poolOf(be);
    }
  }
  const chunks0 = pool?.stats.workerChunks ?? 0;
  try {
    px.manualSeed(0);
    const model = new px.nn.MLP([64, 128, 10], { activation: 'relu' });
    const optimizer = new px.optim.Adam(model.parameters(), { lr: 1e-3 });
    const run = await allocationsDuring(() => px.fit(model, { ...tr, batchSize: 32 }, { optimizer, epochs: EPOCHS, seed: 0, validation: test, progress: false }));
    const history = run.result!;
    assert.equal(history.stopReason, 'completed', `training stopped early: ${String(history.stopReason)}`);
    // What may remain: Adam's two moment buffers per parameter, created by the first step.
    assert.equal(run.live, 2 * model.parameters().length, `storages left behind by training: ${run.live}`);
    if (pool) assert.ok(pool.stats.workerChunks > chunks0, 'the pool workers ran part of the training');
    const weights = model.parameters().map((p) => Buffer.from(p.values.buffer, p.values.byteOffset, p.values.byteLength).toString('hex')).join();
    return { accuracy: history.epochs.map((e) => e.valAccuracy!), weights };
  } finally {
    forceThreading(false);
    setNumThreads(prevThreads);
    px.setBackend('reference');
  }
}

describe('fit on the fast backends (digits MLP, 10 epochs)', () => {
  const runs = new Map<string, Run>();
  for (const [backend, threads] of [['wasm', 1], ['wasm', 2], ['js', 1]] as const) {
    it(`${backend}, ${threads} thread(s): learns and leaves only the optimizer state`, async (t) => {
      const r = await train(backend, threads);
      runs.set(`${backend}-${threads}`, r);
      t.diagnostic(`test accuracy per epoch ${r.accuracy.map((a) => (100 * a).toFixed(2) + '%').join(', ')}`);
      assert.equal(r.accuracy.length, EPOCHS);
      assert.ok(r.accuracy[EPOCHS - 1]! >= 0.95, `test accuracy ${r.accuracy[EPOCHS - 1]} < 0.95`);
    });
  }
  it('wasm with 2 threads ends with the same weights as with 1, bit for bit', () => {
    const one = runs.get('wasm-1');
    const two = runs.get('wasm-2');
    assert.ok(one && two, 'both wasm runs finished');
    assert.equal(two.weights, one.weights);
  });
});
