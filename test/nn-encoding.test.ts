/**
 * @file nn.encoding (FourierFeatures, coarseToFine) and train.FrequencySchedule: construction errors,
 * the mapping against a direct formula, config and model-file round trips, the frequency mask, and a
 * quick 1-D check that Fourier features let a small ReLU net fit a sum of sines it cannot fit without.
 * The PyTorch goldens of the forward and gradients are in test/golden/modules-encoding.json.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { nn, train } from '../src/index.js';
import { assertClose } from '../src/testing/index.js';

const { FourierFeatures, coarseToFine } = nn.encoding;
const V = px.ValueError;
const f64 = { dtype: 'float64' as const };

describe('FourierFeatures', () => {
  it('refuses bad arguments with typed errors naming them', () => {
    assert.throws(() => new FourierFeatures(2, 16, { kind: 'gaussian', scale: 0 }), (e: Error) => e instanceof V && /scale/.test(e.message));
    assert.throws(() => new FourierFeatures(2, 16, { scale: -1 }), V);
    assert.throws(() => new FourierFeatures(2, 16, { scale: NaN }), V);
    assert.throws(() => new FourierFeatures(2, 2.5), (e: Error) => e instanceof V && /mappingSize/.test(e.message));
    assert.throws(() => new FourierFeatures(2, 0), V);
    assert.throws(() => new FourierFeatures(1.5, 4), (e: Error) => e instanceof V && /inFeatures/.test(e.message));
    assert.throws(() => new FourierFeatures(2), (e: Error) => e instanceof V && /needs mappingSize/.test(e.message));
    assert.throws(() => new FourierFeatures(2, 4, { kind: 'Gaussian' as never }), (e: Error) => e instanceof V && /'basic', 'positional', 'gaussian', 'learnable'/.test(e.message));
    assert.throws(() => new FourierFeatures(2, 3, { kind: 'basic' }), (e: Error) => e instanceof V && /basic/.test(e.message));
    assert.throws(() => new FourierFeatures(2, undefined, { kind: 'basic', scale: 2 }), V);
    assert.throws(() => new FourierFeatures(2, 4, { sigma: 3 } as never), (e: Error) => e instanceof V && /unknown option 'sigma'/.test(e.message));
    assert.throws(() => new FourierFeatures(2, 4, { includeInput: 'yes' as never }), V);
    for (const r of [[1, 1], [1, -1], [0, Infinity], [0], [0, 1, 2], 'unit', [0, '1']]) {
      assert.throws(() => new FourierFeatures(2, 4, { inputRange: r as never }), (e: Error) => e instanceof V && /inputRange/.test(e.message), `inputRange ${JSON.stringify(r)}`);
    }
    assert.throws(() => nn.fromConfig({ type: 'FourierFeatures', inFeatures: 2, mappingSize: 4, inputRange: [2, 0] }), V);
  });

  it('checks the input shape and dtype', () => {
    const enc = new FourierFeatures(2, 4, f64);
    assert.throws(() => enc.forward(px.zeros([5, 3], f64)), (e: Error) => e instanceof px.ShapeError && /\[5,3\]/.test(e.message) && /\[2\]/.test(e.message));
    assert.throws(() => enc.forward(px.zeros([5, 2], { dtype: 'float32' })), px.DTypeError);
  });

  it('computes [cos(2 pi B u), sin(2 pi B u), x], u = (x - lo) / (hi - lo), with the documented B of each kind', () => {
    const x = px.tensor([[0.1, -0.3], [0.7, 0.25], [-1, 1]], f64);
    const xs = x.values as Float64Array;
    const check = (enc: InstanceType<typeof FourierFeatures>, B: number[][]): void => {
      const m = B.length;
      const [lo, hi] = enc.inputRange;
      const u = (v: number): number => (v - lo) / (hi - lo);
      assert.equal(enc.numFrequencies, m);
      const want: number[] = [];
      for (let n = 0; n < 3; n++) {
        const proj = B.map((row) => 2 * Math.PI * (row[0]! * u(xs[2 * n]!) + row[1]! * u(xs[2 * n + 1]!)));
        want.push(...proj.map(Math.cos), ...proj.map(Math.sin), ...(enc.includeInput ? [xs[2 * n]!, xs[2 * n + 1]!] : []));
      }
      const y = enc.forward(x);
      assert.deepEqual(y.shape, [3, enc.outFeatures]);
      assertClose(y, want, { atol: 1e-12, rtol: 1e-12 });
    };
    check(new FourierFeatures(2, undefined, { kind: 'basic', ...f64 }), [[1, 0], [0, 1]]);
    check(new FourierFeatures(2, undefined, { kind: 'basic', inputRange: [0, 1], ...f64 }), [[1, 0], [0, 1]]);
    check(new FourierFeatures(2, undefined, { kind: 'basic', inputRange: [-3, 0.5], ...f64 }), [[1, 0], [0, 1]]);
    const s = 8;
    const pos = new FourierFeatures(2, 3, { kind: 'positional', scale: s, includeInput: true, ...f64 });
    check(pos, [0, 1, 2].flatMap((j) => [[s ** (j / 3), 0], [0, s ** (j / 3)]]));
    const g = new FourierFeatures(2, 5, { kind: 'gaussian', scale: 3, generator: new px.Generator(1), ...f64 });
    const b = g.frequencies.values as Float64Array;
    check(g, [0, 1, 2, 3, 4].map((j) => [b[2 * j]!, b[2 * j + 1]!]));
    assert.equal(g.parameters().length, 0, 'gaussian B is a fixed buffer');
    assert.equal(new FourierFeatures(2, 5, { kind: 'learnable' }).parameters().length, 1, 'learnable B is a parameter');
  });

  it('basic on the default [-1, 1] domain has one period over it: points one unit apart differ (no aliasing)', () => {
    const enc = new FourierFeatures(1, undefined, { kind: 'basic', ...f64 });
    assert.deepEqual(enc.inputRange, [-1, 1]);
    const y = enc.forward(px.tensor([[-0.5], [0.5]], f64)).values as Float64Array;
    // u = 0.25 and 0.75: cos equal (0), sin +1 vs -1; with 2 pi on raw x both would be (-1, 0).
    assert.ok(Math.abs(y[1]! - 1) < 1e-12 && Math.abs(y[3]! + 1) < 1e-12, `features ${Array.from(y)}`);
  });

  it('draws Gaussian B with standard deviation scale', () => {
    const enc = new FourierFeatures(2, 4000, { kind: 'gaussian', scale: 10, generator: new px.Generator(0), ...f64 });
    const v = enc.frequencies.values as Float64Array;
    const std = Math.sqrt(v.reduce((s, a) => s + a * a, 0) / v.length);
    assert.ok(Math.abs(std - 10) < 0.3, `std ${std}`);
  });

  it('round-trips through getConfig / fromConfig and a model file (B kept)', async () => {
    for (const kind of ['basic', 'positional', 'gaussian', 'learnable'] as const) {
      const enc = kind === 'basic' ? new FourierFeatures(3, undefined, { kind }) : new FourierFeatures(3, 6, { kind, scale: 4, includeInput: true, inputRange: [0, 2] });
      const model = new nn.Sequential(enc, new nn.Linear(enc.outFeatures, 1));
      const again = nn.fromConfig(model.getConfig());
      assert.deepEqual(again.getConfig(), model.getConfig());
      const { model: loaded } = await px.io.loadModel(px.io.saveModel(model));
      const x = px.randn([4, 3]);
      assertClose(loaded.forward(x), model.forward(x), { atol: 0, rtol: 0 }, `${kind} after saveModel/loadModel`);
    }
    assert.throws(() => nn.fromConfig({ type: 'FourierFeatures', inFeatures: 2, mappingSize: 4, scale: -2 }), V);
  });

  it('frequency mask weights each frequency\'s cosine and sine; checked when set', () => {
    const enc = new FourierFeatures(2, 3, { kind: 'gaussian', scale: 2, ...f64 });
    const x = px.randn([4, 2], f64);
    const full = enc.forward(x).values as Float64Array;
    enc.setFrequencyMask([1, 0.5, 0]);
    const masked = enc.forward(x).values as Float64Array;
    for (let n = 0; n < 4; n++) for (let j = 0; j < 3; j++) for (const off of [0, 3]) {
      assert.ok(Math.abs(masked[n * 6 + off + j]! - [1, 0.5, 0][j]! * full[n * 6 + off + j]!) < 1e-15);
    }
    enc.setFrequencyMask(px.ones([4, 3], f64)); // per point
    assertClose(enc.forward(x), Array.from(full), { atol: 0, rtol: 0 });
    enc.setFrequencyMask(px.ones([4, 1], f64).mul(0.5)); // one weight per point, broadcast over both halves
    assertClose(enc.forward(x), Array.from(full, (v) => 0.5 * v), { atol: 0, rtol: 0 });
    assert.throws(() => enc.setFrequencyMask([1, 1]), V);
    assert.throws(() => enc.setFrequencyMask(px.ones([4, 2], f64)), V);
    assert.throws(() => enc.setFrequencyMask(px.ones([3], { dtype: 'float32' })), V);
    assert.throws(() => enc.setFrequencyMask('all' as never), V);
    enc.setFrequencyMask(null);
    assertClose(enc.forward(x), Array.from(full), { atol: 0, rtol: 0 });
  });
});

describe('coarseToFine and train.FrequencySchedule', () => {
  it('opens the frequencies in order of magnitude, a positional band at once', () => {
    const enc = new FourierFeatures(2, 4, { kind: 'positional', scale: 8 });
    const sched = coarseToFine(enc, { steps: 30 });
    assert.deepEqual(sched(0), [1, 1, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(sched(15), [1, 1, 1, 1, 0.5, 0.5, 0, 0]);
    assert.deepEqual(sched(30), [1, 1, 1, 1, 1, 1, 1, 1]);
    assert.deepEqual(sched(1000), sched(30));
    const cos = coarseToFine(enc, { steps: 30, ramp: 'cosine', initial: 0 });
    assert.deepEqual(cos(0), [0, 0, 0, 0, 0, 0, 0, 0]);
    assert.ok(Math.abs(cos(15)[2]! - 1) < 1e-12 && Math.abs(cos(15)[0]! - 1) < 1e-12);
    const g = new FourierFeatures(2, 6, { kind: 'gaussian', scale: 3 });
    const norms = g.frequencyNorms();
    const w = coarseToFine(g, { steps: 10 })(4);
    const order = [...norms.keys()].sort((a, b) => norms[a]! - norms[b]!);
    for (let i = 1; i < 6; i++) assert.ok(w[order[i]!]! <= w[order[i - 1]!]!, 'a larger frequency never opens before a smaller one');
    assert.throws(() => coarseToFine(enc, { steps: 0 }), V);
    assert.throws(() => coarseToFine(enc, { steps: 10, ramp: 'exp' as never }), V);
    assert.throws(() => coarseToFine(enc, { steps: 10, initial: 9 }), V);
    assert.throws(() => coarseToFine(enc, { steps: 10, step: 1 } as never), V);
  });

  it('the callback sets the mask from the step count as fit runs', async () => {
    const enc = new FourierFeatures(1, 4, { kind: 'positional', scale: 4 });
    const model = new nn.Sequential(enc, new nn.Linear(enc.outFeatures, 1));
    const seen: number[] = [];
    const cb = new train.FrequencySchedule(enc, (step) => {
      seen.push(step);
      return [1, 1, step >= 2 ? 1 : 0, 0];
    });
    const x = px.randn([8, 1]);
    await px.fit(model, { x, y: px.randn([8, 1]), batchSize: 4 }, { optimizer: new px.optim.SGD(model.parameters(), { lr: 0.01 }), loss: 'mse', epochs: 2, callbacks: [cb], progress: false });
    assert.deepEqual(seen, [0, 1, 2, 3, 4]);
    assert.deepEqual(Array.from(enc.frequencyMask!.values), [1, 1, 1, 0]);
    assert.throws(() => new train.FrequencySchedule({} as never, () => [1]), V);
  });
});

describe('1-D quick check: Fourier features fit a sum of sines', () => {
  it('a positional encoding lets a 1x64 ReLU net fit what it cannot fit from raw x', () => {
    const { x, y } = px.data.signal1d('sines', { n: 256 });
    const run = (enc: InstanceType<typeof FourierFeatures> | null): number => {
      px.manualSeed(0);
      const inF = enc ? enc.outFeatures : 1;
      const model = new nn.Sequential(...(enc ? [enc] : []), new nn.MLP([inF, 64, 1]));
      const opt = new px.optim.Adam(model.parameters(), { lr: 3e-3 });
      for (let s = 0; s < 300; s++) px.scope(() => {
        opt.zeroGrad();
        px.mse(model.forward(x), y).backward();
        opt.step();
      });
      return px.noGrad(() => px.psnr(model.forward(x), y, 4));
    };
    const raw = run(null);
    const ff = run(new FourierFeatures(1, 8, { kind: 'positional', scale: 32 }));
    console.log(`1-D sines, 300 Adam steps: raw x ${raw.toFixed(2)} dB, positional features ${ff.toFixed(2)} dB`);
    assert.ok(ff >= raw + 10, `positional ${ff.toFixed(2)} dB is not 10 dB above raw ${raw.toFixed(2)} dB`);
  });
});
