/**
 * @file The wasm backend's worker pool: results with 2 threads are bitwise those of 1 thread (each
 * output element is computed by the same instruction sequence whichever thread runs its chunk),
 * the op table passes with every splittable op forced through the pool, and each injected worker
 * fault (docs/reliability.md "Worker pool": throw, process.exit, infinite loop, JS heap exhaustion, posting a
 * detached buffer) fails its op with a WorkerCrashedError within the timeout, after which the pool
 * replaces the worker and the next op is correct.
 *
 * `mainClaims: false` keeps the main thread from taking chunks, so the compared results were
 * computed by a worker (otherwise a fast main thread could take every chunk of a small op).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as px from '../src/index.js';
import { createWasmBackend, getNumThreads, setNumThreads, WorkerCrashedError } from '../src/backends/wasm/index.js';
import { WasmHeap } from '../src/backends/wasm/heap.js';
import { createParallel } from '../src/backends/wasm/pool/index.js';
import { configurePool, forceThreading, injectWorkerFault, poolOf, resetWarning, waitForWorkers, type FaultKind } from '../src/backends/wasm/pool/testing.js';
import { loadKernels } from '../src/backends/wasm/module.js';
import { cosSin } from '../src/ops/primitives/cos-sin.js';
import { geluBackward, geluForward } from '../src/ops/primitives/gelu.js';
import { RBF_BASIS_BACKWARD } from '../src/ops/primitives/rbf.js';
import { apply } from '../src/core/dispatch.js';
import { layerNormBackward, layerNormForward } from '../src/ops/primitives/layer-norm.js';
import { gruCell, gruCellBackward, lstmCell, lstmCellBackward } from '../src/ops/primitives/recurrent-cell.js';
import { ALL_ROWS } from './op-table/all.rows.js';
import { checkCase, on } from './backend-compare.js';
import { backend, t32 } from './wasm-helpers.js';


/**
 * `f` run on the calling thread, then with 2 threads (workers only, then workers and main); all
 * bitwise equal. (The 1-thread run uses the `inline` hook, the same code path as setNumThreads(1)
 * without stopping the worker each time; the thread-count test below does the real switch.)
 */
function sameAcrossThreads(what: string, f: () => px.Tensor): void {
  const b = backend();
  setNumThreads(2);
  const saved = configurePool({ inline: true });
  let one: px.Tensor;
  try {
    one = on('wasm', f);
  } finally {
    configurePool(saved);
  }
  assert.equal(waitForWorkers(b), 1, 'worker ready');
  const pool = poolOf(b)!;
  const before = pool.stats.workerChunks;
  const prev = configurePool({ mainClaims: false });
  let two: px.Tensor;
  try {
    two = on('wasm', f);
  } finally {
    configurePool(prev);
  }
  assert.ok(pool.stats.workerChunks > before, `${what}: the worker ran no chunk`);
  const mixed = on('wasm', f);
  for (const [name, t] of [['workers only', two], ['main + worker', mixed]] as const) {
    assert.deepEqual(t.shape, one.shape);
    const a = one.values;
    const c = t.values;
    for (let i = 0; i < a.length; i++) {
      if (!Object.is(a[i], c[i])) assert.fail(`${what} (${name}): [${i}] 1 thread ${a[i]}, 2 threads ${c[i]}`);
    }
  }
}

describe('wasm pool: 2 threads give bitwise the 1-thread results', () => {
  before(() => forceThreading(true));
  after(() => forceThreading(false));
  const combos: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];
  for (const [m, n, k] of [[1, 1, 1], [3, 3, 3], [17, 17, 17], [65, 65, 65], [257, 3, 65], [3, 257, 17], [5, 9, 600], [6, 513, 260], [70, 33, 300]]) {
    for (const [tA, tB] of combos) {
      it(`GEMM ${m}x${k}·${k}x${n}, transA=${tA}, transB=${tB}`, () => {
        const a = t32(tA ? [k!, m!] : [m!, k!], m! * 7 + k!);
        const b = t32(tB ? [n!, k!] : [k!, n!], n! * 3 + 1);
        sameAcrossThreads(`mm ${m}x${k}x${n}`, () => px.mm(a, b, tA, tB));
      });
    }
  }
  it('small-M linear (unpacked, bias and relu folded in), split over output columns', () => {
    const w = t32([37, 53], 21);
    const b = t32([37], 22);
    for (const rows of [1, 2, 5]) sameAcrossThreads(`linear ${rows} rows`, () => px.noGrad(() => px.linear(t32([rows, 53], rows), w, b, 'relu')));
  });
  it('batched GEMM with broadcast batch dims [2,1] x [3]', () => {
    const a = t32([2, 1, 19, 33], 5);
    const b = t32([3, 33, 21], 6);
    sameAcrossThreads('batched mm', () => px.matmul(a, b));
  });
  it('a product big enough to split at the default thresholds', () => {
    forceThreading(false);
    try {
      const a = t32([300, 270], 8);
      const b = t32([270, 280], 9);
      sameAcrossThreads('mm 300x270x280', () => px.matmul(a, b));
    } finally {
      forceThreading(true);
    }
  });
  it('after the memory grew under running workers (operands beyond the old end)', () => {
    const b = backend();
    assert.equal(waitForWorkers(b), 1);
    const before = b.heap.stats().memoryBytes;
    px.setSweepThresholds({ bytes: 2 ** 30 }); // keep the 128 MiB filler in the heap for this test
    try {
      const filler = on('wasm', () => px.zeros([1 << 25])); // 128 MiB: forces a grow
      const x = t32([97, 61], 41);
      const y = t32([61, 45], 42);
      // _peek: the heap view itself (user code reading a young tensor's values gets a host copy)
      assert.ok(b.heap.stats().memoryBytes > before && x._peek().byteOffset > before, 'operands live in the grown part');
      sameAcrossThreads('mm after grow', () => px.matmul(x, y));
      filler.dispose();
    } finally {
      px.setSweepThresholds({ bytes: 256 * 2 ** 20 });
    }
  });
  it('elementwise maps, broadcasts, comparisons, where, clamp and reductions', () => {
    const x = t32([301, 37], 10);
    const bias = t32([37], 11);
    const col = t32([301, 1], 12);
    sameAcrossThreads('exp', () => px.exp(x));
    sameAcrossThreads('tanh', () => px.tanh(x));
    sameAcrossThreads('sin', () => px.sin(x.mul(300)));
    sameAcrossThreads('cos', () => px.cos(x.mul(300)));
    sameAcrossThreads('cosSin (row ranges, m = 37: tails)', () => cosSin(x.mul(300)));
    sameAcrossThreads('add bias row', () => x.add(bias));
    sameAcrossThreads('sub column', () => x.sub(col));
    sameAcrossThreads('mul scalar', () => x.mul(0.37));
    sameAcrossThreads('gt', () => px.gt(x, bias));
    sameAcrossThreads('where', () => px.where(px.gt(x, 0), x, bias));
    sameAcrossThreads('clamp', () => px.clamp(x, -0.3, 0.4));
    sameAcrossThreads('rbfBasis', () => px.rbfBasis(x, px.linspace(-1, 1, 8), 0.3));
    sameAcrossThreads('rbfBasis 7 centres (vector tail)', () => px.rbfBasis(x, px.linspace(-1, 1, 7), 0.3));
    for (const C of [8, 7]) {
      const c = px.linspace(-1, 1, C);
      sameAcrossThreads(`rbfBasisBackward ${C} centres`, () => apply(RBF_BASIS_BACKWARD, [t32([301, 37, C], 17), px.rbfBasis(x, c, 0.3), x, c], { width: 0.3 }));
    }
    sameAcrossThreads('erf', () => px.erf(x.mul(3)));
    sameAcrossThreads('linear gelu epilogue (row ranges)', () => px.noGrad(() => px.linear(x, t32([29, 37], 15), t32([29], 16), 'gelu')));
    sameAcrossThreads('geluBackward', () => geluBackward(x, x.mul(4)));
    sameAcrossThreads('geluForward', () => geluForward(x.mul(4)));
    sameAcrossThreads('layerNormForward (row ranges)', () => layerNormForward(x, 1, 1e-5));
    sameAcrossThreads('layerNormBackward (row ranges)', () => layerNormBackward(x.mul(2), x, 1, 1e-5));
    sameAcrossThreads('sum rows', () => x.sum([1]));
    sameAcrossThreads('max cols', () => t32([7, 43, 29], 13).max([1]));
  });
  it('scaledDotProductAttention forward over (batch, head) ranges: causal, GQA, bool and float masks, dropout', () => {
    // L 67 and S 71: two row blocks of 64 and tails; E 13, Ev 7: not multiples of 4.
    const q = t32([2, 6, 67, 13], 50);
    const k = t32([2, 3, 71, 13], 51);
    const v = t32([2, 3, 71, 7], 52);
    const sdpa = px.scaledDotProductAttention;
    sameAcrossThreads('attention causal GQA', () => px.noGrad(() => sdpa(q, k, v, { isCausal: true, enableGqa: true })));
    const keep = on('wasm', () => px.tensor(Uint8Array.from({ length: 67 * 71 }, (_, i) => (i % 5 === 2 ? 0 : 1)), { dtype: 'bool', shape: [67, 71] }));
    sameAcrossThreads('attention bool mask', () => px.noGrad(() => sdpa(q, k, v, { attnMask: keep, enableGqa: true })));
    const add = t32([2, 1, 67, 71], 53);
    sameAcrossThreads('attention float mask', () => px.noGrad(() => sdpa(q, k, v, { attnMask: add, enableGqa: true })));
    sameAcrossThreads('attention dropout', () => px.noGrad(() => sdpa(q, k, v, { dropoutP: 0.3, generator: new px.Generator(5), enableGqa: true })));
  });
  it('LSTM and GRU cells and their backward kernels (row ranges; H 9 = two f32x4 steps and a tail)', () => {
    const [B, H] = [7, 9];
    const c = t32([B, H], 30);
    const g2 = t32([2, B, H], 31);
    const x4 = on('wasm', () => t32([B, 4 * H], 32).mul(4));
    const y4 = t32([B, 4 * H], 33);
    const x3 = on('wasm', () => t32([B, 3 * H], 34).mul(4));
    const y3 = t32([B, 3 * H], 35);
    sameAcrossThreads('lstmCell', () => lstmCell(x4, y4, c));
    sameAcrossThreads('lstmCellBackward', () => lstmCellBackward(g2, x4, y4, c));
    sameAcrossThreads('gruCell', () => gruCell(x3, y3, c));
    sameAcrossThreads('gruCellBackward', () => gruCellBackward(c.mul(0.5), x3, y3, c));
  });
  it('nn.LSTM / nn.GRU forward and BPTT gradients (cells, per-step GEMMs, weight gradients on the pool)', () => {
    for (const kind of ['LSTM', 'GRU'] as const) {
      const model = on('wasm', () => {
        px.manualSeed(3);
        return kind === 'LSTM' ? new px.nn.LSTM(5, 9, { bidirectional: true }) : new px.nn.GRU(5, 9, { bidirectional: true });
      });
      const forward = (xi: px.Tensor): px.Tensor => {
        const opts = { lengths: [6, 3, 6, 1, 5, 6, 2] };
        return model instanceof px.nn.LSTM ? model.forward(xi, null, opts)[0] : model.forward(xi, null, opts)[0];
      };
      const x = t32([6, 7, 5], 40);
      sameAcrossThreads(`${kind} output and gradients`, () => {
        const xi = x.detach().requiresGrad_();
        for (const p of model.parameters()) p.grad = null;
        const out = forward(xi);
        px.sum(px.mul(out, out)).backward();
        return px.concat([out, xi.grad!, ...model.parameters().map((p) => p.grad!)].map((t) => px.reshape(t, [t.size])), 0);
      });
    }
  });
  it('splineBasis (uniform cubic core in wasm, the rest in js), values past the grid included', () => {
    const x = on('wasm', () => t32([211, 19], 14).mul(1.6));
    const g = new Float32Array(19 * 12).map((_, i) => -1 + ((i % 12) - 3) * 0.4);
    const grid = on('wasm', () => px.tensor(g, { shape: [19, 12] }));
    sameAcrossThreads('splineBasis', () => px.splineBasis(x, grid, 3));
  });
});

describe('wasm pool: op table with every splittable op on the pool (2 threads)', () => {
  let prev: ReturnType<typeof configurePool>;
  let start = { mainChunks: 0, workerChunks: 0 };
  before(() => {
    setNumThreads(2);
    forceThreading(true);
    assert.equal(waitForWorkers(backend()), 1);
    start = { ...poolOf(backend())!.stats };
    prev = configurePool({ mainClaims: false });
  });
  after(() => {
    configurePool(prev);
    forceThreading(false);
  });
  for (const row of ALL_ROWS) {
    describe(`${row.kind} ${row.op}`, () => {
      for (const c of row.cases) it(c.name, () => checkCase(row, c));
    });
  }
  it('the worker did the pool work', () => {
    const s = poolOf(backend())!.stats;
    const worker = s.workerChunks - start.workerChunks;
    const main = s.mainChunks - start.mainChunks;
    assert.ok(worker > 500 && main === 0, `worker ${worker}, main ${main} chunks`);
  });
});

describe('wasm pool: a failing worker (docs/reliability.md "Worker pool")', () => {
  const TIMEOUT = 1000;
  const CRASH_TIMEOUT = 60_000;
  let prev: ReturnType<typeof configurePool>;
  const a = t32([120, 90], 21);
  const b = t32([90, 70], 22);
  let expected: Float32Array;
  before(() => {
    setNumThreads(1);
    expected = on('wasm', () => px.matmul(a, b)).values.slice() as Float32Array;
    setNumThreads(2);
    forceThreading(true);
    prev = configurePool({ mainClaims: false, timeoutMs: TIMEOUT });
  });
  after(() => {
    configurePool(prev);
    forceThreading(false);
  });

  const cases: [FaultKind, 'threw' | 'exited' | 'timeout', RegExp][] = [
    ['throw', 'threw', /injected fault/],
    ['exit', 'exited', /ended while running/],
    ['hang', 'timeout', /no answer within/],
    ['oom', 'timeout', /no answer within/], // V8 stops the worker at its heap limit; nothing runs to report it
    ['detached', 'threw', /detached/i],
  ];
  for (const [kind, reason, cause] of cases) {
    it(`${kind}: the op throws WorkerCrashedError, the worker is replaced, the next ops are right`, () => {
      const be = backend();
      assert.equal(waitForWorkers(be), 1);
      const pool = poolOf(be)!;
      const [id] = pool.workerIds();
      const live = px.memory().numTensors;
      // A crash must be noticed at once: with a 60 s timeout for those cases, "at once" and "by the
      // timeout" stay far apart however loaded the machine is (no tight wall-clock bound).
      configurePool({ timeoutMs: reason === 'timeout' ? TIMEOUT : CRASH_TIMEOUT });
      injectWorkerFault(be, kind);
      const t0 = performance.now();
      let err: unknown;
      try {
        on('wasm', () => px.matmul(a, b));
      } catch (e) {
        err = e;
      }
      const ms = performance.now() - t0;
      configurePool({ timeoutMs: CRASH_TIMEOUT }); // the healthy ops below must not time out on a busy machine
      assert.ok(err instanceof WorkerCrashedError && err instanceof px.PlexusError, `expected WorkerCrashedError, got ${String(err)}`);
      assert.equal(err.code, 'WORKER_CRASHED');
      assert.equal(err.workerId, id);
      assert.equal(err.op, 'matmul');
      assert.equal(err.reason, reason);
      assert.match(err.cause.message, cause);
      // The pool may stretch its timeout on a slow machine (timeoutFactor x slowest chunk), never shorten it.
      if (reason === 'timeout') assert.ok(ms >= TIMEOUT * 0.95 && ms < CRASH_TIMEOUT, `${ms} ms`);
      else assert.ok(ms < CRASH_TIMEOUT, `a ${reason} worker is noticed at once, not by the timeout (${ms} ms)`);
      assert.equal(px.memory().numTensors, live, 'the partial output was released');
      assert.ok(!pool.workerIds().includes(id!), 'the crashed worker left the pool');
      // Right away (the replacement may still be starting: the main thread computes) ...
      assert.deepEqual(on('wasm', () => px.matmul(a, b)).values, expected);
      // ... and once the replacement is ready, computed by it.
      assert.equal(waitForWorkers(be), 1, 'a replacement worker is ready');
      const before = pool.stats.workerChunks;
      assert.deepEqual(on('wasm', () => px.matmul(a, b)).values, expected);
      assert.ok(pool.stats.workerChunks > before, 'the replacement ran chunks');
    });
  }

  it('a fault in an elementwise op names that op', () => {
    const be = backend();
    assert.equal(waitForWorkers(be), 1);
    const x = t32([4000], 23);
    injectWorkerFault(be, 'throw');
    assert.throws(() => on('wasm', () => px.exp(x)), (e: unknown) => e instanceof WorkerCrashedError && e.op === 'exp');
    forceThreading(false); // 4000 elements: below the threshold, so this runs on the main thread
    const expected = on('wasm', () => px.exp(x)).values.slice();
    forceThreading(true);
    assert.deepEqual(on('wasm', () => px.exp(x)).values, expected);
  });
});

describe('wasm pool: thread count', () => {
  it('setNumThreads(1) -> (2) -> (1) resizes the pool and keeps results identical', () => {
    forceThreading(true);
    try {
      const be = backend();
      const a = t32([64, 48], 31);
      const b = t32([48, 40], 32);
      const run = (): Float32Array => on('wasm', () => px.matmul(a, b)).values.slice() as Float32Array;
      setNumThreads(1);
      const r1 = run();
      assert.equal(getNumThreads(), 1);
      assert.deepEqual(poolOf(be)!.workerIds(), []);
      setNumThreads(2);
      const r2 = run();
      assert.equal(waitForWorkers(be), 1);
      assert.equal(poolOf(be)!.workerIds().length, 1);
      const r3 = run();
      setNumThreads(1);
      const r4 = run();
      assert.deepEqual(poolOf(be)!.workerIds(), []);
      for (const r of [r2, r3, r4]) assert.deepEqual(r, r1);
    } finally {
      forceThreading(false);
      setNumThreads(2);
    }
  });

  it('rejects counts outside [1, 32]', () => {
    for (const n of [0, -1, 1.5, 33, NaN]) assert.throws(() => setNumThreads(n), px.ValueError);
  });

  it('a host that refuses shared memory runs single-threaded with one warning', async () => {
    const loaded = loadKernels({ shared: false });
    const heap = new WasmHeap(loaded.memory, false, loaded.exports.heapBase());
    const parallel = createParallel({ ...loaded, sharedRefused: true }, heap);
    const seen: Error[] = [];
    const listen = (w: Error): void => void seen.push(w);
    process.on('warning', listen);
    resetWarning();
    try {
      assert.equal(parallel.threads(), 1);
      assert.equal(parallel.threads(), 1);
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', listen);
    }
    const ours = seen.filter((w) => (w as Error & { code?: string }).code === 'PLEXUS_SINGLE_THREADED');
    assert.equal(ours.length, 1);
    assert.equal(parallel.pool, null);
  });

  it('a process with a busy pool and a hung, terminated worker exits promptly', () => {
    const script = fileURLToPath(new URL('./wasm-pool-child.js', import.meta.url));
    const t0 = performance.now();
    // A process that does not exit is killed at the spawn timeout (status null): the limit only has
    // to separate "exits" from "hangs", so it is generous for a loaded machine.
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `status ${r.status} after ${(performance.now() - t0).toFixed(0)} ms: ${r.stderr}`);
    assert.match(r.stdout, /done/);
  });
});

describe('wasm heap', () => {
  it('owns views made before a grow of its shared memory (they address the same bytes)', () => {
    const b = createWasmBackend({ name: 'owns-test' });
    assert.ok(b.shared);
    const p = b.heap.alloc(64);
    const early = new Float32Array(b.heap.buffer, p, 16);
    const big = b.heap.alloc(64 << 20); // grows: memory.buffer is a new SharedArrayBuffer object
    assert.notEqual(early.buffer, b.heap.buffer);
    assert.ok(b.heap.owns(early.buffer) && b.heap.owns(b.heap.buffer));
    assert.ok(!b.heap.owns(new SharedArrayBuffer(64)) && !b.heap.owns(new ArrayBuffer(64)));
    early[3] = 42;
    assert.equal(new Float32Array(b.heap.buffer, p, 16)[3], 42);
    b.heap.release(big, 64 << 20);
    b.heap.release(p, 64);
  });


  it('defers releases in a held range (the output of a crashed task) until the hold is lifted', () => {
    const b = createWasmBackend({ name: 'hold-test' });
    const keep = b.heap.alloc(64);
    const p = b.heap.alloc(4096);
    const lift = b.heap.hold(p, p + 4096);
    b.heap.release(p, 4096);
    assert.notEqual(b.heap.alloc(4096), p, 'a held block is not reused');
    lift();
    assert.equal(b.heap.alloc(4096), p, 'reused once the hold is lifted');
    b.heap.release(keep, 64);
  });
});
