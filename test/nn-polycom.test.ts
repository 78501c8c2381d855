/**
 * @file PolyCom (Zhuo et al. 2024, https://arxiv.org/abs/2411.03884): P1 the forward at init equals
 * the closed forms (relu^3 + relu^2 + relu) / 3 and (N(x^3) + N(x^2) + N(x)) / 3; P2 gradients of the
 * input and of weight/bias against central finite differences in float64; P3 (fast part) fitting
 * x1 x2 x3 on [-1, 1]^3 with width-16 networks, where PolyReLU's cubic terms should beat ReLU by 2x
 * in test MSE (the Fashion-MNIST part of P3 is test/polycom-fmnist.slow.ts). Plus typed errors and
 * config / model-file round trips.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { io, nn, optim } from '../src/index.js';
import { assertClose, assertGradcheck } from '../src/testing/index.js';

const f64 = (v: number[], shape?: number[]): px.Tensor => px.tensor(v, { dtype: 'float64', ...(shape ? { shape } : {}) });
const isValueError = (name: RegExp) => (e: unknown): boolean => e instanceof px.ValueError && name.test(e.message);
const X = [-1.7, -0.2, 0.4, 1.3, 0.9, -2.1, 0.05, 2.4];

/** Central differences of sum(m(x) * r) in each element of `p` (float64), to compare with p.grad. */
function paramFd(m: nn.Module, p: px.Tensor, x: px.Tensor, r: px.Tensor, h = 1e-6): number[] {
  const loss = (): number => px.noGrad(() => px.sum(px.mul(m.forward(x), r)).item());
  return Array.from({ length: p.size }, (_, i) => {
    const bump = (d: number): void => { px.noGrad(() => p.mutate((v) => { v[i] = v[i]! + d; })); };
    bump(h); const up = loss();
    bump(-2 * h); const down = loss();
    bump(h);
    return (up - down) / (2 * h);
  });
}

describe('P1: PolyReLU and PolyNorm at init equal the closed forms', () => {
  it('PolyReLU = (relu^3 + relu^2 + relu) / 3', () => {
    const y = new nn.PolyReLU({ dtype: 'float64' }).forward(f64(X, [2, 4]));
    assertClose(y, X.map((x) => { const r = Math.max(x, 0); return (r ** 3 + r ** 2 + r) / 3; }), { atol: 1e-15 });
  });
  it('PolyNorm = (N(x^3) + N(x^2) + N(x)) / 3, N normalising each row by its RMS (eps 1e-6)', () => {
    const y = new nn.PolyNorm({ dtype: 'float64' }).forward(f64(X, [2, 4]));
    const want: number[] = [];
    for (const row of [X.slice(0, 4), X.slice(4)]) {
      const n = (p: number): number[] => {
        const u = row.map((x) => x ** p);
        const rms = Math.sqrt(u.reduce((s, v) => s + v * v, 0) / u.length + 1e-6);
        return u.map((v) => v / rms);
      };
      const [a, b, c] = [n(3), n(2), n(1)];
      want.push(...row.map((_, j) => (a[j]! + b[j]! + c[j]!) / 3));
    }
    assertClose(y, want, { atol: 1e-14 });
  });
  it('parameters: weight [order] = 1/order, bias [1] = 0 (the reference layout)', () => {
    const m = new nn.PolyNorm({ order: 4 });
    assert.deepEqual([...m.stateDict().keys()], ['weight', 'bias']);
    assertClose(m.weight, [0.25, 0.25, 0.25, 0.25], { atol: 0 });
    assertClose(m.bias, [0], { atol: 0 });
  });
});

describe('P2: gradients against finite differences (float64)', () => {
  for (const [name, make] of [
    ['PolyReLU', () => new nn.PolyReLU({ dtype: 'float64' })],
    ['PolyNorm', () => new nn.PolyNorm({ dtype: 'float64' })],
    ['PolyNorm order 2 eps 1e-2', () => new nn.PolyNorm({ order: 2, eps: 1e-2, dtype: 'float64' })],
  ] as const) {
    it(name, () => {
      const m = make();
      // Non-trivial coefficients, so every power's gradient path is weighted differently.
      px.noGrad(() => { m.weight.mutate((v) => v.set(v.map((_, i) => 0.3 + 0.4 * i))); m.bias.mutate((v) => { v[0] = -0.2; }); });
      const x = f64(X.map((v) => (Math.abs(v) < 0.1 ? v + 0.3 : v)), [2, 4]); // away from relu's kink
      assertGradcheck((t) => m.forward(t), [x], { atol: 1e-7, rtol: 1e-6 });
      const r = f64([0.3, -1.1, 0.7, 0.2, -0.5, 1.4, 0.9, -0.8], [2, 4]);
      m.zeroGrad();
      px.sum(px.mul(m.forward(x), r)).backward();
      for (const p of [m.weight, m.bias]) assertClose(p.grad!, paramFd(m, p, x, r), { atol: 1e-7, rtol: 1e-6 });
    });
  }
});

/** Trains a 3-16-16-1 network with `act` modules on x1 x2 x3; returns the test MSE. */
function fitProduct(act: () => nn.Module): number {
  px.manualSeed(0);
  const sample = (n: number): { x: px.Tensor; y: px.Tensor } => {
    const x = px.sub(px.mul(px.rand([n, 3]), 2), 1);
    const v = x.values;
    const y = px.tensor(Array.from({ length: n }, (_, i) => v[3 * i]! * v[3 * i + 1]! * v[3 * i + 2]!), { shape: [n, 1] });
    return { x, y };
  };
  const train = sample(512);
  const test = sample(512);
  const model = new nn.Sequential(new nn.Linear(3, 16), act(), new nn.Linear(16, 16), act(),
    new nn.Linear(16, 1));
  const opt = new optim.Adam(model.parameters(), { lr: 3e-3 });
  for (let step = 0; step < 1500; step++) {
    opt.zeroGrad();
    px.mse(model.forward(train.x), train.y).backward();
    opt.step();
  }
  return px.noGrad(() => px.mse(model.forward(test.x), test.y).item());
}

describe('P3 (fast): x1 x2 x3 on [-1, 1]^3, width 16', () => {
  it('PolyReLU test MSE <= 0.5 x ReLU test MSE', () => {
    const relu = fitProduct(() => new nn.ReLU());
    const poly = fitProduct(() => new nn.PolyReLU());
    console.log(`  x1*x2*x3, 3-16-16-1, float32, Adam lr 3e-3, 1500 full-batch steps on 512 points: test MSE ReLU ${relu.toExponential(3)}, PolyReLU ${poly.toExponential(3)} (ratio ${(poly / relu).toFixed(3)})`);
    assert.ok(Number.isFinite(poly) && poly <= 0.5 * relu, `PolyReLU ${poly} > 0.5 x ReLU ${relu}`);
  });
});

describe('PolyReLU / PolyNorm: bad arguments and round trips', () => {
  it('bad order / eps / options / inputs are typed errors naming the argument', () => {
    for (const order of [0, 2.5, -1, NaN, '3']) {
      assert.throws(() => new nn.PolyReLU({ order: order as number }), isValueError(/PolyReLU: order/));
      assert.throws(() => new nn.PolyNorm({ order: order as number }), isValueError(/PolyNorm: order/));
    }
    for (const eps of [0, -1, Infinity]) assert.throws(() => new nn.PolyNorm({ eps }), isValueError(/PolyNorm: eps/));
    assert.throws(() => new nn.PolyReLU({ eps: 1 } as never), isValueError(/eps/));
    assert.throws(() => new nn.PolyNorm({ degree: 3 } as never), isValueError(/degree/));
    assert.throws(() => new nn.PolyNorm({ dtype: 'float64' }).forward(px.scalar(1, { dtype: 'float64' })), px.ShapeError);
    assert.throws(() => new nn.PolyReLU({ dtype: 'float64' }).forward(px.zeros([2], { dtype: 'float32' })), px.DTypeError);
    assert.throws(() => nn.fromConfig({ type: 'PolyNorm', order: 1.5 }), isValueError(/order/));
  });
  it('round-trip through fromConfig and io.saveModel / loadModel', async () => {
    const m = new nn.Sequential(new nn.Linear(3, 4, { dtype: 'float64' }), new nn.PolyNorm({ order: 2, eps: 1e-4, dtype: 'float64' }),
      new nn.Linear(4, 2, { dtype: 'float64' }), new nn.PolyReLU({ dtype: 'float64' }));
    px.noGrad(() => m.parameters().forEach((p) => p.mutate((v) => v.set(v.map((a, i) => a + 0.01 * i)))));
    assert.deepEqual(nn.fromConfig(m.getConfig()).getConfig(), m.getConfig());
    const { model } = await io.loadModel(io.saveModel(m));
    const x = f64([0.1, -0.4, 0.8, 1.2, -0.3, 0.5], [2, 3]);
    assertClose(model.forward(x), m.forward(x), { atol: 0 });
  });
});
