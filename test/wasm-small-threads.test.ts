/**
 * @file The small-M path (assembly/gemm-small.as through kernels/matmul-small.ts) across the worker
 * pool: with 2 threads every row count 1..9 (the single-row loop, the 2-row tile and its odd
 * tail), odd widths and k tails, with and without bias, each epilogue, gives bitwise the 1-thread
 * result; and the dispatch rules: a product of 256 KFLOP or more (one sample through a 784x256
 * layer, 8 through a 256x256 one) is split one block per thread, a smaller one is not, and a split call that came back late keeps the next calls on the calling
 * thread (the late check is forced with thresholds that make every call late, so nothing here
 * depends on timing).
 *
 * `mainClaims: false` keeps the main thread from taking chunks, so the compared results were
 * computed by a worker.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { setNumThreads } from '../src/backends/wasm/index.js';
import { SMALL_THREADING } from '../src/backends/wasm/kernels/matmul-small.js';
import { configurePool, forceThreading, poolOf, waitForWorkers } from '../src/backends/wasm/pool/testing.js';
import { on } from './backend-compare.js';
import { backend, t32 } from './wasm-helpers.js';


/** Worker chunks run while `f` runs with 2 threads and the main thread claiming none. */
function workerChunks(f: () => px.Tensor): { out: px.Tensor; chunks: number } {
  const b = backend();
  setNumThreads(2);
  assert.equal(waitForWorkers(b), 1, 'worker ready');
  const pool = poolOf(b)!;
  const before = pool.stats.workerChunks;
  const prev = configurePool({ mainClaims: false });
  try {
    const out = on('wasm', f);
    return { out, chunks: pool.stats.workerChunks - before };
  } finally {
    configurePool(prev);
  }
}

function sameBits(what: string, a: px.Tensor, b: px.Tensor): void {
  assert.deepEqual(a.shape, b.shape);
  const x = a.values;
  const y = b.values;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) assert.fail(`${what}: [${i}] 1 thread ${x[i]}, 2 threads ${y[i]}`);
}

/** `f` inline, then by the worker alone, then main + worker: all bitwise equal, and the worker ran a chunk. */
function sameAcrossThreads(what: string, f: () => px.Tensor): void {
  setNumThreads(2);
  const saved = configurePool({ inline: true });
  let one: px.Tensor;
  try {
    one = on('wasm', f);
  } finally {
    configurePool(saved);
  }
  const { out: two, chunks } = workerChunks(f);
  assert.ok(chunks > 0, `${what}: the worker ran no chunk`);
  sameBits(`${what} (workers only)`, one, two);
  sameBits(`${what} (main + worker)`, one, on('wasm', f));
}

describe('wasm small-M path: 2 threads give bitwise the 1-thread results', () => {
  before(() => forceThreading(true));
  after(() => {
    forceThreading(false);
    setNumThreads(1);
  });
  for (const [n, k] of [[5, 1], [37, 53], [131, 203], [64, 256]] as const) {
    it(`rows 1..9, ${k} -> ${n}, bias or none, each activation`, () => {
      const w = t32([n, k], n + k);
      const b = t32([n], n);
      for (let rows = 1; rows <= 9; rows++) {
        const x = t32([rows, k], rows * 31 + k);
        for (const act of ['none', 'relu', 'tanh', 'gelu'] as const) {
          for (const bias of [b, null]) sameAcrossThreads(`linear ${rows}x${k} -> ${n} ${act} bias=${bias !== null}`, () => px.noGrad(() => px.linear(x, w, bias, act)));
        }
      }
    });
  }
  it('x·Wᵀ through matmul with few rows', () => {
    const w = t32([29, 45], 3);
    for (const rows of [1, 4, 7]) sameAcrossThreads(`mm ${rows}x45·(29x45)ᵀ`, () => px.mm(t32([rows, 45], rows), w, false, true));
  });
});

describe('wasm small-M path: when it splits (default thresholds)', () => {
  before(() => forceThreading(false));
  after(() => {
    forceThreading(false);
    setNumThreads(1);
  });
  it('one row through a 784x256 weight (0.4 MFLOP) is split one block per thread, bitwise as inline', () => {
    const w = t32([256, 784], 1); // 784 KiB: the benchmark MLP's first layer
    const b = t32([256], 2);
    const x = t32([1, 784], 3);
    const f = (): px.Tensor => px.noGrad(() => px.linear(x, w, b, 'relu'));
    const saved = configurePool({ inline: true });
    let one: px.Tensor;
    try {
      one = on('wasm', f);
    } finally {
      configurePool(saved);
    }
    const prev = SMALL_THREADING.cooldownMs;
    SMALL_THREADING.cooldownMs = 0; // no late check: whatever the machine's load, the split is taken
    try {
      const { out, chunks } = workerChunks(f);
      assert.equal(chunks, 2, 'one block per thread (with mainClaims off the worker runs both)');
      sameBits('linear 1x784 -> 256', one, out);
    } finally {
      SMALL_THREADING.cooldownMs = prev;
    }
  });
  it('one row through a 256x256 weight (0.13 MFLOP) stays on the calling thread; 8 rows are split', () => {
    const w = t32([256, 256], 4);
    assert.equal(workerChunks(() => px.noGrad(() => px.linear(t32([1, 256], 5), w, null, 'relu'))).chunks, 0);
    const prev = SMALL_THREADING.cooldownMs;
    SMALL_THREADING.cooldownMs = 0;
    try {
      assert.equal(workerChunks(() => px.noGrad(() => px.linear(t32([8, 256], 6), w, null, 'relu'))).chunks, 2);
    } finally {
      SMALL_THREADING.cooldownMs = prev;
    }
  });
  it('fewer than 8 output columns stay on the calling thread whatever the size', () => {
    const prev = SMALL_THREADING.cooldownMs;
    SMALL_THREADING.cooldownMs = 0;
    try {
      assert.equal(workerChunks(() => px.noGrad(() => px.linear(t32([8, 8192], 8), t32([7, 8192], 9), null, 'none'))).chunks, 0);
    } finally {
      SMALL_THREADING.cooldownMs = prev;
    }
  });
  it('after a split call that came back late, the next calls run on the calling thread, bitwise the same', () => {
    const w = t32([256, 784], 6);
    const x = t32([2, 784], 7);
    const f = (): px.Tensor => px.noGrad(() => px.linear(x, w, null, 'none'));
    const prev = { ...SMALL_THREADING };
    // Every call is late: an estimate of 0 µs and no floor.
    Object.assign(SMALL_THREADING, { gflops: Number.MAX_VALUE, lateMinUs: 0, cooldownMs: 1e9 });
    try {
      const first = workerChunks(f);
      assert.equal(first.chunks, 2, 'the first call is split');
      const second = workerChunks(f);
      assert.equal(second.chunks, 0, 'the next one runs inline');
      sameBits('late then inline', first.out, second.out);
      forceThreading(false); // clears the cooldown
      Object.assign(SMALL_THREADING, { cooldownMs: 0 });
      assert.equal(workerChunks(f).chunks, 2, 'split again once the cooldown is cleared');
    } finally {
      Object.assign(SMALL_THREADING, prev);
      forceThreading(false);
    }
  });
});
