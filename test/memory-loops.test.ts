/**
 * @file No manual dispose, for real (issue #11): ordinary loops without `scope` run in bounded
 * memory on wasm and js. Every count here is deterministic: plexus never waits for V8's garbage
 * collector (docs/memory.md), so `memory()` and the wasm heap's in-use bytes depend only on the
 * program. Each loop records the counts after warm-up and at the end and asserts the end is within
 * one sweep's worth of the warm-up (the sweep threshold, 1024 young storages by default).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import type { WasmBackend } from '../src/backends/wasm/index.js';
import { on as onBackend } from './backend-compare.js';

const { nn, optim } = px;
/**
 * The js backend runs these small ops ~4x slower than wasm: in `npm test` its loops run a fifth of
 * the steps (each still crosses the sweep threshold many times); `npm run test:slow` runs them all.
 */
const FULL = process.env.PLEXUS_TEST_FULL === '1';
/** One sweep's worth of young storages plus the handful a loop body holds at any moment. */
const SLACK_TENSORS = 1024 + 64;

interface Snap { tensors: number; bytes: number; heapInUse: number; heapBytes: number }

function heapOf(): WasmBackend['heap'] | null {
  const probe = px.zeros([1]);
  const b = probe._storage.backend as Partial<WasmBackend>;
  probe.dispose();
  return b.heap ?? null;
}

function snap(): Snap {
  const m = px.memory();
  const h = heapOf()?.stats();
  return { tensors: m.numTensors, bytes: m.numBytes, heapInUse: h?.inUseBytes ?? 0, heapBytes: h?.memoryBytes ?? 0 };
}

/**
 * A sweep runs once 1024 young storages or 256 MiB of them have built up, so that is exactly how far
 * the counts may rise above their level after warm-up. A leak of one small tensor per step breaks the
 * tensor bound within a few thousand steps; a leak of big ones breaks the byte bound.
 */
const SLACK_BYTES = 256 * 2 ** 20 + 2 ** 20;

/** Asserts `end` is within a sweep of `warm` (tensors, bytes, heap blocks in use). */
function assertBounded(what: string, warm: Snap, end: Snap, bytesSlack = SLACK_BYTES): void {
  assert.ok(end.tensors <= warm.tensors + SLACK_TENSORS, `${what}: ${end.tensors} live tensors at the end vs ${warm.tensors} after warm-up`);
  assert.ok(end.bytes <= warm.bytes + bytesSlack, `${what}: ${end.bytes} bytes at the end vs ${warm.bytes} after warm-up`);
  assert.ok(end.heapInUse <= warm.heapInUse + bytesSlack, `${what}: heap in use ${end.heapInUse} vs ${warm.heapInUse}`);
  // The memory itself may have grown once during warm-up; it must not keep growing.
  assert.ok(end.heapBytes <= Math.max(warm.heapBytes, 64 * 2 ** 20), `${what}: heap ${end.heapBytes} bytes vs ${warm.heapBytes}`);
}

/** Runs `body(step)` for steps 1..n, snapshotting at `warmAt` and at the end. */
function loop(n: number, warmAt: number, body: (step: number) => void): { warm: Snap; end: Snap } {
  let warm: Snap | null = null;
  for (let step = 1; step <= n; step++) {
    body(step);
    if (step === warmAt) warm = snap();
  }
  return { warm: warm!, end: snap() };
}

function setup(): { model: px.nn.MLP; opt: px.optim.Adam; x: px.Tensor; y: px.Tensor } {
  px.manualSeed(0);
  const model = new nn.MLP([20, 64, 64, 5], { activation: 'relu' });
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  return { model, opt, x: px.randn([16, 20]), y: px.randint(0, 5, [16]) };
}

for (const backend of ['wasm', 'js']) {
  const n = (steps: number): number => (backend === 'js' && !FULL ? steps / 5 : steps);
  describe(`bounded memory without scope (${backend}${n(1) < 1 ? ', a fifth of the steps' : ''})`, () => {
    const on = <R>(fn: () => R): R => onBackend(backend, fn);

    it(`the plain training loop of the README, ${n(50_000)} steps`, () => on(() => {
      const { model, opt, x, y } = setup();
      const first = px.crossEntropy(model.forward(x), y).item();
      const { warm, end } = loop(n(50_000), 1000, () => {
        opt.zeroGrad();
        px.crossEntropy(model.forward(x), y).backward();
        opt.step();
      });
      assertBounded('training loop', warm, end);
      const last = px.crossEntropy(model.forward(x), y).item();
      assert.ok(last < first / 10, `it still trains: loss ${first} -> ${last}`);
    }));

    it(`an inference loop (noGrad, forward, read .values), ${n(100_000)} times`, () => on(() => {
      const { model, x } = setup();
      let acc = 0;
      const { warm, end } = loop(n(100_000), 1000, () => {
        px.noGrad(() => { acc += model.forward(x).values[0]!; });
      });
      assertBounded('inference loop', warm, end);
      assert.ok(Number.isFinite(acc));
    }));

    it('a loop that keeps each loss as a number (loss.item())', () => on(() => {
      const { model, opt, x, y } = setup();
      const losses: number[] = [];
      const { warm, end } = loop(n(20_000), 1000, () => {
        opt.zeroGrad();
        const loss = px.crossEntropy(model.forward(x), y);
        losses.push(loss.item());
        loss.backward();
        opt.step();
      });
      assertBounded('loss.item() loop', warm, end);
      assert.equal(losses.length, n(20_000));
    }));

    it('a loop that keeps every 100th loss tensor: those stay readable, the rest do not pile up', () => on(() => {
      const { model, opt, x, y } = setup();
      const kept: px.Tensor[] = [];
      const expected: number[] = [];
      const { warm, end } = loop(n(20_000), 1000, (step) => {
        opt.zeroGrad();
        const loss = px.crossEntropy(model.forward(x), y);
        if (step % 100 === 0) {
          kept.push(loss);
          expected.push(loss.item());
        }
        loss.backward();
        opt.step();
      });
      assertBounded('every-100th loop', warm, end);
      assert.equal(kept.length, n(20_000) / 100);
      kept.forEach((t, i) => assert.equal(t.item(), expected[i], `kept loss ${i} still reads its value`));
      // and they still work as inputs (a swept-out tensor is copied back for the kernel)
      assert.equal(px.stack(kept).sum().item(), px.tensor(expected, { dtype: kept[0]!.dtype }).sum().item());
    }));

    it('grad-of-grad in a loop (gradient-norm penalty)', () => on(() => {
      const { model, opt, x, y } = setup();
      const params = model.parameters();
      const { warm, end } = loop(n(3000), 300, () => {
        opt.zeroGrad();
        const loss = px.crossEntropy(model.forward(x), y);
        const gs = px.gradients([loss], params, { createGraph: true });
        let penalty = gs[0]!.square().sum();
        for (const g of gs.slice(1)) penalty = penalty.add(g.square().sum());
        loss.add(penalty.mul(1e-3)).backward();
        opt.step();
      });
      assertBounded('grad-of-grad loop', warm, end);
    }));

    it('L-BFGS with its closure', () => on(() => {
      const { model, x, y } = setup();
      const opt = new optim.LBFGS(model.parameters(), { lr: 0.5, maxIter: 5, historySize: 5 });
      const closure = (): px.Tensor => {
        opt.zeroGrad();
        const loss = px.crossEntropy(model.forward(x), y);
        loss.backward();
        return loss;
      };
      const { warm, end } = loop(1500, 150, () => { opt.step(closure); });
      assertBounded('L-BFGS loop', warm, end);
    }));

    it('a KAN extendGrid loop', () => on(() => {
      px.manualSeed(0);
      const xs = px.rand([64, 2]).mul(2).sub(1);
      let kan = new nn.KAN([2, 3, 1], { grid: 3 });
      const { warm, end } = loop(300, 30, (step) => {
        const g = 3 + (step % 3);
        kan = kan.refine(g, xs);
        kan.forward(xs).sum().item();
      });
      assertBounded('KAN refine loop', warm, end);
    }));
  });
}
