/**
 * @file Gradient noise (optim/gradient-noise.ts, Neelakantan et al. 2015): check N1 (the injected
 * variance is eta/(1+t)^0.55 at t = 0, 99, 999), the order with clipping, state-dict resume,
 * scheduler sharing and typed option errors. Check N2 (deep net, poor init) is in
 * test/gradient-noise-deep.slow.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { optim } from '../src/index.js';

const isValue = (re: RegExp) => (e: Error): boolean => e instanceof px.ValueError && re.test(e.message);

/** SGD with lr 1 on zero gradients: the parameter moves by exactly minus the injected noise. */
function noiseAt(t: number, eta: number, n = 200_000): number {
  const p = px.zeros([n], { dtype: 'float64', requiresGrad: true });
  const opt = new optim.GradientNoise(new optim.SGD([p], { lr: 1 }), { eta, seed: 7 });
  if (t > 0) {
    const sd = opt.stateDict();
    (sd.paramGroups[0]!.gradientNoise as { step: number }).step = t;
    opt.loadStateDict(sd);
  }
  p.grad = px.zeros([n], { dtype: 'float64' });
  opt.step();
  const v = p.values;
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) { s += v[i]!; s2 += v[i]! * v[i]!; }
  const mean = s / n;
  return s2 / n - mean * mean;
}

describe('GradientNoise', () => {
  it('N1: the injected variance is eta/(1+t)^0.55 within 5% at t = 0, 99, 999 (the formula is the variance)', () => {
    for (const t of [0, 99, 999]) {
      const want = 0.3 / (1 + t) ** 0.55;
      const got = noiseAt(t, 0.3);
      console.log(`  t=${t}: variance ${got.toExponential(4)}, eta/(1+t)^0.55 = ${want.toExponential(4)}`);
      assert.ok(Math.abs(got / want - 1) < 0.05, `t=${t}: ${got} vs ${want}`);
    }
  });

  it('adds the noise after clipping (clip, then noise): a clipped-to-zero gradient still moves by the noise', () => {
    const p = px.zeros([4], { dtype: 'float64', requiresGrad: true });
    const opt = new optim.GradientNoise(new optim.SGD([p], { lr: 1 }), { eta: 1e-2, seed: 1 });
    p.grad = px.tensor([100, -100, 50, 0], { dtype: 'float64' });
    optim.clipGradNorm([p], 1e-12);
    opt.step();
    const g = new px.Generator(1);
    const want = Array.from({ length: 4 }, () => g.nextNormal() * 0.1);
    // p = -(clipped g + noise): the clipped part is ~1e-12, so p is the negated noise to ~1e-12.
    Array.from(p.values).forEach((v, i) => assert.ok(Math.abs(-v - want[i]!) < 1e-11, `${i}: ${v}`));
  });

  it('stateDict / loadStateDict resume the same noise sequence; schedulers move the inner lr', () => {
    const mk = (): { p: px.Tensor; opt: optim.GradientNoise } => {
      const p = px.ones([8], { dtype: 'float64', requiresGrad: true });
      return { p, opt: new optim.GradientNoise(new optim.Adam([p], { lr: 0.1 }), { eta: 0.5, seed: 3 }) };
    };
    const a = mk();
    const run = (o: { p: px.Tensor; opt: optim.GradientNoise }, k: number): void => {
      for (let i = 0; i < k; i++) { o.p.grad = px.fullLike(o.p, 0.1); o.opt.step(); }
    };
    run(a, 3);
    const sd = a.opt.stateDict();
    const b = mk();
    px.noGrad(() => b.p.mutate((v) => v.set(a.p.values)));
    b.opt.loadStateDict(sd);
    assert.equal(b.opt.t, 3);
    run(a, 2);
    run(b, 2);
    assert.deepEqual(Array.from(b.p.values), Array.from(a.p.values));
    const sched = new optim.StepLR(a.opt, { stepSize: 1, gamma: 0.5 });
    sched.step();
    assert.equal(a.opt.inner.paramGroups[0]!.lr, 0.05);
    const bad = a.opt.stateDict();
    (bad.paramGroups[0]!.gradientNoise as { eta: number }).eta = 9;
    assert.throws(() => b.opt.loadStateDict(bad), isValue(/gradientNoise must be \{eta: 0\.5/));
  });

  it('bad options are typed errors naming the option', () => {
    const p = px.zeros([2], { requiresGrad: true });
    const sgd = new optim.SGD([p], { lr: 0.1 });
    assert.throws(() => new optim.GradientNoise(sgd, { eta: 0 }), isValue(/invalid eta: 0/));
    assert.throws(() => new optim.GradientNoise(sgd, { eta: 1, gamma: -1 }), isValue(/invalid gamma: -1/));
    assert.throws(() => new optim.GradientNoise(sgd, { eta: 1, seed: 0.5 }), isValue(/invalid seed: 0\.5/));
    assert.throws(() => new optim.GradientNoise(sgd, { eta: 1, sigma: 2 } as never), isValue(/unknown option 'sigma'/));
    assert.throws(() => new optim.GradientNoise({} as never, { eta: 1 }), isValue(/inner must be an Optimizer/));
    assert.throws(() => new optim.GradientNoise(new optim.LBFGS([p]) as never, { eta: 1 }), isValue(/cannot wrap LBFGS/));
  });

  it('NoisyBackprop under fit (also built from GRADIENT_NOISE_OPTIONS): noise on top of backprop, clip first', async () => {
    const defaults = Object.fromEntries(Object.entries(px.train.GRADIENT_NOISE_OPTIONS).map(([k, v]) => [k, v.default]));
    const algorithm = px.train.createNoisyBackprop(defaults);
    assert.deepEqual(algorithm.options, { eta: 0.01, gamma: 0.55, seed: 0 });
    const run = async (alg?: px.train.TrainingAlgorithm<unknown>): Promise<number[]> => {
      px.manualSeed(3);
      const m = new px.nn.Linear(3, 1, { dtype: 'float64' });
      const x = px.randn([16, 3], { dtype: 'float64' });
      await px.fit(m, { x, y: x.sum(1, { keepDims: true }), batchSize: 16, shuffle: false }, { optimizer: new optim.SGD(m.parameters(), { lr: 0.1 }), loss: 'mse', epochs: 3, clipGradNorm: 1, progress: false, ...(alg ? { algorithm: alg } : {}) });
      return Array.from(m.weight.values);
    };
    const plain = await run();
    const noisy = await run(algorithm);
    assert.notDeepEqual(noisy, plain);
    assert.ok(noisy.every((v, i) => Math.abs(v - plain[i]!) < 1), 'the noise (std 0.1 at most) perturbs, it does not blow up');
    assert.throws(() => new px.train.NoisyBackprop({ eta: -1 }), isValue(/invalid eta: -1/));
  });
});
