/**
 * @file SET (train/algorithms/set.ts) and its layers (nn/sparse): the sparse layer against the dense
 * weight it stands for (forward and gradients), the evolution rule (which weights go, constant
 * count, optimizer buffers following their connections), save/load of the topology, SET under fit
 * on the digits set, and the typed option errors. Check SET1 (Fashion-MNIST) is test/set-fmnist.slow.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/node.js';
import { io, nn, optim, train } from '../src/node.js';

const isValue = (re: RegExp) => (e: Error): boolean => e instanceof px.ValueError && re.test(e.message);
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-12): void => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= tol * (1 + Math.abs(b[i]!)), `[${i}] ${a[i]} vs ${b[i]}`);
};

describe('nn.SparseLinear', () => {
  it('Erdős–Rényi count, forward and gradients equal the dense layer with the same weight (float64)', () => {
    assert.equal(nn.erdosRenyiCount(784, 1000, 20), 35680);
    const l = new nn.SparseLinear(30, 20, { epsilon: 3, dtype: 'float64', generator: new px.Generator(1) });
    assert.equal(l.nnz, nn.erdosRenyiCount(30, 20, 3));
    assert.equal(l.parameters().reduce((n, p) => n + p.size, 0), l.nnz + 20);
    const idx = Array.from(l.getBuffer('indices')!.values);
    assert.ok(idx.every((v, i) => i === 0 || v > idx[i - 1]!), 'indices strictly increasing');
    const x = px.randn([7, 30], { dtype: 'float64', requiresGrad: true });
    const w = l.denseWeight().detach();
    w.requiresGrad = true;
    const dense = px.linear(x, w, l.bias);
    close(l.forward(x).values, dense.values);
    const gy = px.randn([7, 20], { dtype: 'float64' });
    l.forward(x).mul(gy).sum().backward();
    const gxSparse = Float64Array.from(x.grad!.values);
    const gv = Float64Array.from(l.values.grad!.values);
    x.grad = null;
    dense.mul(gy).sum().backward();
    close(gxSparse, x.grad!.values);
    const gw = w.grad!.values;
    close(gv, idx.map((f) => gw[f]!));
  });

  it('evolve: drops the zeta share of smallest positives and largest negatives, regrows as many, keeps survivors', () => {
    const l = new nn.SparseLinear(10, 10, { nnz: 20, dtype: 'float64', generator: new px.Generator(2) });
    const vals = [-5, -4, -3, -2, -1, -0.5, -0.4, -0.3, -0.2, -0.1, 0.1, 0.2, 0.3, 0.4, 0.5, 1, 2, 3, 4, 5];
    px.noGrad(() => l.values.mutate((a) => a.set(vals)));
    const before = new Map(Array.from(l.getBuffer('indices')!.values, (f, j) => [f, vals[j]!]));
    const from = l.evolve(0.3, new px.Generator(3));
    assert.equal(l.values.size, 20);
    const after = Array.from(l.getBuffer('indices')!.values);
    assert.ok(after.every((v, i) => i === 0 || v > after[i - 1]!));
    // 30% of 10 positives (0.1, 0.2, 0.3) and of 10 negatives (-0.1, -0.2, -0.3) are gone.
    const survivors = [...before].filter(([, v]) => ![0.1, 0.2, 0.3, -0.1, -0.2, -0.3].includes(v));
    for (const [f, v] of survivors) {
      const j = after.indexOf(f);
      assert.ok(j >= 0, `survivor at ${f} kept`);
      assert.equal(l.values.values[j], v);
      assert.equal(vals[from[j]!], v);
    }
    assert.equal(Array.from(from).filter((s) => s < 0).length, 6);
    // The cached CSR pattern follows the new indices.
    assert.deepEqual(Array.from(l.pattern.indices()), after);
  });

  it('saveModel / loadModel restores the topology exactly (a SparseMLP after an evolution)', async () => {
    const m = new nn.SparseMLP([12, 9, 4], { epsilon: 2, dropout: 0.1, generator: new px.Generator(4) });
    m.sparseLayers()[0]!.evolve(0.3, new px.Generator(5));
    const { model: back } = await io.loadModel(io.saveModel(m));
    assert.ok(back instanceof nn.SparseMLP);
    for (const [a, b] of m.sparseLayers().map((l, i) => [l, (back as nn.SparseMLP).sparseLayers()[i]!] as const)) {
      assert.deepEqual(Array.from(b.getBuffer('indices')!.values), Array.from(a.getBuffer('indices')!.values));
      assert.deepEqual(Array.from(b.values.values), Array.from(a.values.values));
    }
    m.eval();
    back.eval();
    const x = px.randn([3, 12]);
    assert.deepEqual(Array.from(back.forward(x).values), Array.from(m.forward(x).values));
  });
});

describe('SET under fit', () => {
  it('trains a SparseMLP on digits: constant parameter count after every evolution, momentum follows, learns', async () => {
    const { train: tr, test } = px.data.digits({ seed: 0 });
    const model = new nn.SparseMLP([64, 64, 64, 10], { epsilon: 5, generator: new px.Generator(6) });
    const count = (): number => model.parameters().reduce((n, p) => n + p.size, 0);
    const n0 = count();
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
    const algorithm = new train.SET({ zeta: 0.3, epochs: 3, seed: 7 });
    const counts: number[] = [];
    const changed: number[] = [];
    let prev = Array.from(model.sparseLayers()[0]!.getBuffer('indices')!.values);
    const h = await px.fit(model, { ...tr, batchSize: 32 }, {
      optimizer, epochs: 3, seed: 1, validation: test, progress: false, algorithm,
      callbacks: [{ onEpochEnd: () => {
        counts.push(count());
        const now = Array.from(model.sparseLayers()[0]!.getBuffer('indices')!.values);
        changed.push(now.filter((f) => !prev.includes(f)).length);
        prev = now;
        // Every momentum buffer still matches its parameter.
        for (const p of model.parameters()) assert.equal((optimizer.state.get(p)?.momentumBuffer as px.Tensor | undefined)?.size ?? p.size, p.size);
      } }],
    });
    assert.deepEqual(counts, [n0, n0, n0]);
    assert.ok(changed.slice(0, 2).every((c) => c > 0), `topology changed after epochs 1-2: ${changed}`);
    assert.equal(changed[2], 0, 'no evolution after the last epoch');
    assert.ok(h.last!.valAccuracy! > 0.85, `valAccuracy ${h.last!.valAccuracy}`);
  });

  it('regrown connections start with a zero momentum buffer; survivors keep theirs', () => {
    const model = new nn.SparseMLP([6, 5], { epsilon: 1, dtype: 'float64', generator: new px.Generator(8) });
    const layer = model.sparseLayers()[0]!;
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const algorithm = new train.SET({ zeta: 0.5, seed: 9 });
    const state = algorithm.init(model, { optimizer, loss: train.resolveLoss('mse'), metrics: [], schedulerInterval: 'epoch' });
    const x = px.randn([4, 6], { dtype: 'float64' });
    algorithm.step(model, [x, px.randn([4, 5], { dtype: 'float64' })], state);
    const buf = optimizer.state.get(layer.values)!.momentumBuffer as px.Tensor;
    const oldBuf = Array.from(buf.values);
    const oldIdx = Array.from(layer.getBuffer('indices')!.values);
    const oldVals = Array.from(layer.values.values);
    algorithm.onEpochEnd(model, state, { epoch: 1, logs: {} });
    let fresh = 0;
    Array.from(layer.getBuffer('indices')!.values).forEach((f, j) => {
      const o = oldIdx.indexOf(f);
      // A survivor keeps its buffer; a regrown connection (possibly at a just-pruned position) starts at 0.
      if (o >= 0 && buf.values[j] === oldBuf[o]) return;
      assert.equal(buf.values[j], 0, `slot ${j}`);
      fresh++;
    });
    const pos = oldVals.filter((v) => v >= 0).length;
    assert.equal(fresh, Math.floor(0.5 * pos) + Math.floor(0.5 * (oldVals.length - pos)), 'as many regrown as pruned');
    assert.equal(state.evolutions, 1);
  });

  it('bad options are typed errors naming the option, before training', async () => {
    for (const zeta of [0, 1, 1.5, -0.1, Number.NaN]) assert.throws(() => new train.SET({ zeta }), isValue(/SET: zeta must be a number in \(0, 1\)/));
    assert.throws(() => new train.SET({ epochs: 0 }), isValue(/epochs must be an integer >= 1/));
    assert.throws(() => new train.SET({ zetta: 0.3 } as never), isValue(/unknown option 'zetta'/));
    for (const epsilon of [0, -1, Infinity]) {
      assert.throws(() => new nn.SparseMLP([4, 3], { epsilon }), isValue(/epsilon must be a finite number > 0/));
      assert.throws(() => new nn.SparseLinear(4, 3, { epsilon }), isValue(/epsilon must be a finite number > 0/));
    }
    assert.throws(() => new nn.SparseLinear(4, 3, { nnz: 13 }), isValue(/nnz must be an integer in \[1, 12\]/));
    const dense = new nn.MLP([4, 3]);
    await assert.rejects(px.fit(dense, { x: px.randn([4, 4]), y: px.tensor([0, 1, 2, 0], { dtype: 'int32' }) }, { optimizer: new optim.SGD(dense.parameters(), { lr: 0.1 }), progress: false, algorithm: new train.SET() }),
      isValue(/no nn\.SparseLinear layer/));
    assert.throws(() => nn.fromConfig({ type: 'SparseMLP', sizes: [4, 3], epsilon: -2 }), isValue(/epsilon/));
    assert.throws(() => px.CsrPattern.fromIndices(2, 3, [4, 1]), isValue(/strictly increasing integers in \[0, 6\), got 1 at 1 after 4/));
    assert.throws(() => px.CsrPattern.fromIndices(2, 3, [6]), isValue(/got 6 at 0/));
    assert.throws(() => px.CsrPattern.fromIndices(-1, 3, []), isValue(/rows must be an integer >= 0/));
    assert.throws(() => new nn.SparseLinear(4, 3).forward(px.ones([2, 5])), (e: Error) => e instanceof px.ShapeError && /SparseLinear\(4, 3\)/.test(e.message));
  });

  it('registry adapters: SET_OPTIONS defaults build a SET; setAppliesTo names a model without sparse layers', () => {
    const defaults = Object.fromEntries(Object.entries(train.SET_OPTIONS).map(([k, v]) => [k, v.default]));
    const a = train.createSET(defaults);
    assert.equal(a.zeta, 0.3);
    assert.equal(a.epochs, undefined);
    assert.equal(train.createSET({ zeta: 0.2, epochs: 5 }).epochs, 5);
    assert.throws(() => train.createSET({ zeta: 1, epochs: 0 }), isValue(/zeta must be a number in \(0, 1\)/));
    assert.equal(train.setAppliesTo(new nn.SparseMLP([4, 3])), null);
    assert.match(train.setAppliesTo(new nn.MLP([4, 3]))!, /MLP has none/);
  });

  it('a checkpoint (model, optimizer, default generator) resumes SET exactly: 1 + 1 epochs = 2 epochs', async () => {
    const { train: tr } = px.data.digits({ seed: 0 });
    const data = { x: px.sliceAxis(tr.x, 0, 0, 256), y: px.sliceAxis(tr.y, 0, 0, 256), batchSize: 64, shuffle: false };
    const make = (): { m: nn.SparseMLP; o: optim.SGD } => {
      const m = new nn.SparseMLP([64, 32, 10], { epsilon: 3, generator: new px.Generator(11) });
      return { m, o: new optim.SGD(m.parameters(), { lr: 0.05, momentum: 0.9 }) };
    };
    const opts = (o: optim.SGD, epochs: number, initialEpoch = 0) => ({ optimizer: o, epochs, initialEpoch, progress: false as const, algorithm: new train.SET({ zeta: 0.3 }) });
    px.manualSeed(5);
    const a = make();
    await px.fit(a.m, data, opts(a.o, 2));
    px.manualSeed(5);
    const b = make();
    await px.fit(b.m, data, opts(b.o, 1));
    const bytes = io.saveCheckpoint({ model: b.m, optimizer: b.o, epoch: 1, step: 4 });
    px.manualSeed(99); // the checkpoint brings the generator back
    const c = make();
    await io.loadCheckpoint(bytes, { model: c.m, optimizer: c.o });
    await px.fit(c.m, data, opts(c.o, 2, 1));
    for (const [k, t] of a.m.stateDict()) assert.deepEqual(Array.from(c.m.stateDict().get(k)!.values), Array.from(t.values), k);
  });
});
