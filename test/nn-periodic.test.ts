/**
 * @file Periodic activations and SIREN (src/nn/activations/periodic.ts, siren.ts): forward against
 * closed forms, SIREN's initialisation bounds (Sitzmann et al. 2020, first layer U(-1/n, 1/n), later
 * layers U(-sqrt(6/n)/w0, sqrt(6/n)/w0)), SPDER's finite gradient at 0, typed errors naming the bad
 * argument, and config / model-file round trips.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { io, nn } from '../src/index.js';
import { assertClose } from '../src/testing/index.js';

const f64 = (v: number[], shape?: number[]): px.Tensor => px.tensor(v, { dtype: 'float64', ...(shape ? { shape } : {}) });
const isValueError = (name: RegExp) => (e: unknown): boolean => e instanceof px.ValueError && name.test(e.message);

describe('Sine, SPDER, GCU', () => {
  const xs = [-3.1, -0.4, 0, 0.7, 2.5];
  it('forward equals sin(w0 x), sin(x) sqrt(|x|), x cos x', () => {
    assertClose(new nn.Sine(30).forward(f64(xs)), xs.map((x) => Math.sin(30 * x)), { atol: 1e-12 });
    assertClose(new nn.Sine().forward(f64(xs)), xs.map(Math.sin), { atol: 1e-15 });
    assertClose(new nn.SPDER().forward(f64(xs)), xs.map((x) => Math.sin(x) * Math.sqrt(Math.abs(x))), { atol: 1e-12 });
    assertClose(new nn.GCU().forward(f64(xs)), xs.map((x) => x * Math.cos(x)), { atol: 1e-15 });
  });
  it('SPDER has a finite gradient at 0 (an unfloored sqrt(|x|) gives NaN there)', () => {
    const x = f64([0, -0, 1e-12]).requiresGrad_();
    px.sum(new nn.SPDER().forward(x)).backward();
    const g = [...x.grad!.values];
    assert.ok(g.every((v) => Number.isFinite(v)), `grad ${g}`);
    assertClose(x.grad!, [1e-3, 1e-3, 1e-3], { atol: 1e-12 });
    const raw = f64([0]).requiresGrad_();
    px.sum(px.mul(px.sin(raw), px.sqrt(px.abs(raw)))).backward();
    assert.ok(Number.isNaN(raw.grad!.values[0]!), 'the unfloored form is NaN at 0 (why the floor exists)');
  });
  it('bad w0 / eps are ValueErrors naming the argument', () => {
    for (const w0 of [0, -1, NaN, Infinity, '30']) assert.throws(() => new nn.Sine(w0 as number), isValueError(/Sine: w0/));
    for (const eps of [0, -1e-6, NaN]) assert.throws(() => new nn.SPDER({ eps }), isValueError(/SPDER: eps/));
    assert.throws(() => new nn.SPDER({ epsilon: 1 } as never), isValueError(/epsilon/));
    assert.throws(() => nn.fromConfig({ type: 'Sine', w0: -2 }), isValueError(/w0/));
  });
  it('are in the activation registry (MLP configs can name them) and round-trip through configs', () => {
    for (const name of ['sine', 'spder', 'gcu'] as const) {
      const m = new nn.MLP([2, 4, 1], { activation: name, dtype: 'float64' });
      assert.deepEqual(m.forward(f64([0.1, 0.2], [1, 2])).shape, [1, 1]);
      assert.equal((nn.fromConfig(m.getConfig()) as nn.MLP).activationName, name);
    }
    for (const m of [new nn.Sine(7.5), new nn.SPDER({ eps: 1e-4 }), new nn.GCU()]) assert.deepEqual(nn.fromConfig(m.getConfig()).getConfig(), m.getConfig());
  });
});

describe('SIREN', () => {
  it('initialises as the reference: first layer U(-1/n, 1/n), later U(-sqrt(6/n)/w0, sqrt(6/n)/w0), biases as nn.Linear', () => {
    px.manualSeed(1);
    const m = new nn.SIREN([3, 64, 64, 2], { w0: 20 });
    const bounds = [1 / 3, Math.sqrt(6 / 64) / 20, Math.sqrt(6 / 64) / 20];
    [...m.layers].forEach((l, i) => {
      const w = [...(l as nn.Linear).weight.values];
      const amax = Math.max(...w.map(Math.abs));
      assert.ok(amax <= bounds[i]! && amax > 0.9 * bounds[i]!, `layer ${i}: max |w| ${amax} vs bound ${bounds[i]}`);
      const b = [...(l as nn.Linear).bias!.values].map(Math.abs);
      assert.ok(Math.max(...b) <= 1 / Math.sqrt((l as nn.Linear).inFeatures), `layer ${i} bias`);
    });
  });
  it('forward is sin(w0 (W h + b)) per hidden layer, then linear; sine outermost with outermostLinear false', () => {
    px.manualSeed(2);
    for (const outermostLinear of [true, false]) {
      const m = new nn.SIREN([2, 5, 3], { w0: 10, firstW0: 4, outermostLinear, dtype: 'float64' });
      const x = f64([0.3, -0.6, 0.1, 0.9], [2, 2]);
      const [l0, l1] = [...m.layers] as nn.Linear[];
      const h = px.sin(px.mul(l0!.forward(x), 4));
      const y = outermostLinear ? l1!.forward(h) : px.sin(px.mul(l1!.forward(h), 10));
      assertClose(m.forward(x), y, { atol: 1e-14 });
    }
  });
  it("activation 'spder' applies SPDER to w0 z", () => {
    px.manualSeed(3);
    const m = new nn.SIREN([1, 4, 1], { activation: 'spder', dtype: 'float64' });
    const x = f64([0.25], [1, 1]);
    const [l0, l1] = [...m.layers] as nn.Linear[];
    assertClose(m.forward(x), l1!.forward(px.spder(px.mul(l0!.forward(x), 30))), { atol: 1e-14 });
  });
  it('bad arguments are typed errors naming the argument', () => {
    assert.throws(() => new nn.SIREN([2, 3.5, 1]), isValueError(/sizes\[1\]/));
    assert.throws(() => new nn.SIREN([2, 0, 1]), isValueError(/sizes\[1\]/));
    assert.throws(() => new nn.SIREN([2]), isValueError(/sizes/));
    for (const w0 of [0, -30, NaN]) {
      assert.throws(() => new nn.SIREN([2, 3, 1], { w0 }), isValueError(/SIREN: w0/));
      assert.throws(() => new nn.SIREN([2, 3, 1], { firstW0: w0 }), isValueError(/SIREN: firstW0/));
    }
    assert.throws(() => new nn.SIREN([2, 3, 1], { activation: 'Sine' as never }), isValueError(/activation.*'sine', 'spder'/));
    assert.throws(() => new nn.SIREN([2, 3, 1], { outermostLinear: 'yes' as never }), isValueError(/outermostLinear/));
    assert.throws(() => new nn.SIREN([2, 3, 1], { omega: 30 } as never), isValueError(/omega/));
    assert.throws(() => new nn.SIREN([2, 3, 1]).forward(px.zeros([4, 3])), px.ShapeError);
  });
  it('round-trips through fromConfig and io.saveModel / loadModel with identical outputs', async () => {
    px.manualSeed(4);
    const m = new nn.SIREN([2, 8, 8, 1], { w0: 15, firstW0: 25, activation: 'spder', dtype: 'float64' });
    const again = nn.fromConfig(m.getConfig());
    assert.deepEqual(again.getConfig(), m.getConfig());
    const { model } = await io.loadModel(io.saveModel(m));
    const x = f64([0.1, 0.2, -0.5, 0.7], [2, 2]);
    assertClose(model.forward(x), m.forward(x), { atol: 0 });
  });
});
