/**
 * @file The Optimizer base: hyperparameter validation (docs/reliability.md "Numerics and training"), param
 * groups, zeroGrad, skipping parameters without gradients, in-place updates that autograd can see,
 * float32 parameters, and state dicts (bit-identical resume; all-or-nothing loading).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { optim } from '../src/index.js';
import { assertClose } from '../src/testing/index.js';
import { OPTIMIZERS, freshParams, lossOf, trainStep } from './optim-golden-helpers.js';

const isCode = (code: string, msg?: RegExp) => (e: unknown): boolean =>
  e instanceof px.PlexusError && e.code === code && (msg === undefined || msg.test(e.message));

describe('hyperparameter validation at construction', () => {
  const { W, b } = freshParams();
  const cases: [string, () => unknown, RegExp][] = [
    ['Adam beta1 = 1', () => new optim.Adam([W], { betas: [1, 0.999] }), /^Adam: invalid beta parameter at index 0: 1$/],
    ['Adam beta2 = 1', () => new optim.Adam([W], { betas: [0.9, 1] }), /^Adam: invalid beta parameter at index 1: 1$/],
    ['Adam betas of length 1', () => new optim.Adam([W], { betas: [0.9] as never }), /^Adam: invalid betas: \[0.9\]/],
    ['Adam lr NaN', () => new optim.Adam([W], { lr: NaN }), /^Adam: invalid learning rate: NaN$/],
    ['SGD lr -1', () => new optim.SGD([W], { lr: -1 }), /^SGD: invalid learning rate: -1$/],
    ['SGD lr "0.1"', () => new optim.SGD([W], { lr: '0.1' as never }), /^SGD: invalid learning rate: "0.1"$/],
    ['SGD lr Infinity', () => new optim.SGD([W], { lr: Infinity }), /invalid learning rate: Infinity/],
    ['SGD momentum NaN', () => new optim.SGD([W], { momentum: NaN }), /^SGD: invalid momentum value: NaN$/],
    ['SGD Nesterov without momentum', () => new optim.SGD([W], { nesterov: true }), /Nesterov momentum requires a momentum and zero dampening/],
    ['SGD unknown option', () => new optim.SGD([W], { weight_decay: 0.1 } as never), /unknown option 'weight_decay'.*known: lr, momentum/],
    ['Adam eps 0', () => new optim.Adam([W], { eps: 0 }), /^Adam: invalid epsilon value: 0$/],
    ['AdamW weightDecay < 0', () => new optim.AdamW([W], { weightDecay: -0.1 }), /^AdamW: invalid weightDecay value: -0.1$/],
    ['Adam amsgrad "yes"', () => new optim.Adam([W], { amsgrad: 'yes' as never }), /invalid amsgrad: "yes"/],
    ['RMSprop alpha 1.5', () => new optim.RMSprop([W], { alpha: 1.5 }), /^RMSprop: invalid alpha value: 1.5/],
    ['Adagrad lrDecay -1', () => new optim.Adagrad([W], { lrDecay: -1 }), /^Adagrad: invalid lrDecay value: -1$/],
    ['LAMB beta1 NaN', () => new optim.LAMB([W], { betas: [NaN, 0.9] }), /^LAMB: invalid beta parameter at index 0: NaN$/],
    ['LARS trustCoefficient 0', () => new optim.LARS([W], { trustCoefficient: 0 }), /^LARS: invalid trustCoefficient value: 0$/],
    ['a group override', () => new optim.Adam([{ params: [W] }, { params: [b], lr: -1 }]), /^Adam: invalid learning rate: -1 \(param group 1\)$/],
  ];
  for (const [name, make, msg] of cases) {
    it(name, () => assert.throws(make, isCode('INVALID_HYPERPARAMETER', msg)));
  }

  it('undefined options mean "use the default"', () => {
    assert.equal(new optim.Adam([W], { lr: undefined }).defaults.lr, 1e-3);
  });
});

describe('parameters and groups', () => {
  it('rejects empty, duplicate, non-leaf, integer and mixed parameter lists', () => {
    const { W, b } = freshParams();
    assert.throws(() => new optim.SGD([]), isCode('INVALID_PARAMETERS', /empty parameter list/));
    assert.throws(() => new optim.SGD([W, W]), isCode('INVALID_PARAMETERS', /'W' \[3,4\] appears more than once/));
    assert.throws(() => new optim.SGD([{ params: [W] }, { params: [W] }]), isCode('INVALID_PARAMETERS', /more than once/));
    assert.throws(() => new optim.SGD([px.mul(W, 2)]), isCode('INVALID_PARAMETERS', /non-leaf/));
    assert.throws(() => new optim.SGD([px.tensor([1, 2], { dtype: 'int32' })]), (e: unknown) => e instanceof px.DTypeError);
    assert.throws(() => new optim.SGD([W, { params: [b] }] as never), isCode('INVALID_PARAMETERS', /all tensors or all param groups/));
  });

  it('groups take the defaults for what they omit and keep their overrides (PyTorch)', () => {
    const { W, b } = freshParams();
    const opt = new optim.Adam([{ params: [W] }, { params: [b], lr: 0.5, betas: [0.5, 0.6] }], { lr: 0.01, eps: 1e-6 });
    const [g0, g1] = opt.paramGroups;
    assert.deepEqual({ ...g0, params: g0!.params.length }, { lr: 0.01, betas: [0.9, 0.999], eps: 1e-6, weightDecay: 0, amsgrad: false, maximize: false, params: 1 });
    assert.equal(g1!.lr, 0.5);
    assert.deepEqual(g1!.betas, [0.5, 0.6]);
    // Groups own their arrays: a schedule rewriting betas of one group must not leak into others.
    g0!.betas[0] = 0.1;
    assert.deepEqual(opt.defaults.betas, [0.9, 0.999]);
    opt.addParamGroup({ params: [freshParams().W] });
    assert.deepEqual(opt.paramGroups[2]!.betas, [0.9, 0.999]);
  });
});

describe('step and zeroGrad', () => {
  it('zeroGrad sets every .grad to null', () => {
    const { W, b } = freshParams();
    const opt = new optim.SGD([W, b], { lr: 0.1 });
    lossOf(W, b).backward();
    assert.ok(W.grad && b.grad);
    opt.zeroGrad();
    assert.equal(W.grad, null);
    assert.equal(b.grad, null);
  });

  it('skips parameters without a gradient and creates no state for them', () => {
    const { W, b } = freshParams();
    const bBefore = Array.from(b.values);
    const WBefore = Array.from(W.values);
    const opt = new optim.Adam([W, b], { lr: 0.1 });
    px.sum(px.square(W)).backward(); // b gets no gradient
    opt.step();
    assert.deepEqual(Array.from(b.values), bBefore);
    assert.notDeepEqual(Array.from(W.values), WBefore);
    assert.equal(opt.state.has(b), false);
    assert.equal(opt.state.get(W)!.step, 1);
  });

  it('updates in place, visibly to autograd (a graph saved before the step refuses to backward)', () => {
    const { W, b } = freshParams();
    const opt = new optim.SGD([W, b], { lr: 0.1 });
    lossOf(W, b).backward();
    const stale = px.sum(px.mul(W, W)); // saves W
    const id = W.id;
    opt.step();
    assert.equal(W.id, id, 'the same tensor object is updated');
    assert.throws(() => stale.backward(), (e: unknown) => e instanceof px.AutogradError);
  });

  it('step(closure) evaluates the loss with grad enabled and returns it', () => {
    const { W, b } = freshParams();
    const opt = new optim.SGD([W, b], { lr: 0.1 });
    const want = lossOf(W, b).item();
    const got = px.noGrad(() => opt.step(() => {
      opt.zeroGrad();
      const l = lossOf(W, b);
      l.backward();
      return l;
    }));
    assert.equal(got, want);
    assert.notEqual(lossOf(W, b).item(), want);
  });

  it('a gradient of the wrong shape is a ShapeError naming the parameter', () => {
    const { W } = freshParams();
    const opt = new optim.SGD([W]);
    W.grad = px.zeros([4, 3], { dtype: 'float64' });
    assert.throws(() => opt.step(), (e: unknown) => e instanceof px.ShapeError && /'W' \[3,4\]/.test(e.message));
  });

  it('state made inside px.scope survives it', () => {
    const { W, b } = freshParams();
    const opt = new optim.Adam([W, b], { lr: 0.01 });
    px.scope(() => { trainStep(opt, W, b); });
    trainStep(opt, W, b); // would throw DisposedError if the moments had been freed
    assert.equal(opt.state.get(W)!.step, 2);
  });

  it('float32 parameters keep float32 state and track the float64 result', () => {
    for (const name of Object.keys(OPTIMIZERS)) {
      const p64 = freshParams();
      const W32 = p64.W.detach().cast('float32').requiresGrad_();
      const b32 = p64.b.detach().cast('float32').requiresGrad_();
      const o64 = OPTIMIZERS[name]!([p64.W, p64.b] as never, { lr: 0.01 });
      const o32 = OPTIMIZERS[name]!([W32, b32] as never, { lr: 0.01 });
      for (let i = 0; i < 3; i++) {
        trainStep(o64, p64.W, p64.b);
        trainStep(o32, W32, b32);
      }
      assert.equal(W32.dtype, 'float32');
      for (const v of Object.values(o32.state.get(W32)!)) if (v instanceof px.Tensor) assert.equal(v.dtype, 'float32', name);
      assertClose(W32, p64.W, { atol: 1e-5, rtol: 1e-4 }, `${name} float32 vs float64`);
    }
  });
});

/** JSON as io would write it: tensors become plain arrays, revived as Float64Arrays. */
function throughJson(sd: optim.OptimizerStateDict): optim.OptimizerStateDictInput {
  const text = JSON.stringify(sd, (_k, v: unknown) => (v instanceof px.Tensor ? { tensor: Array.from(v.values) } : v));
  return JSON.parse(text, (_k, v: unknown) => {
    const o = v as { tensor?: number[] } | null;
    return o !== null && typeof o === 'object' && Array.isArray(o.tensor) ? Float64Array.from(o.tensor) : v;
  }) as optim.OptimizerStateDictInput;
}

const RESUME_CONFIGS: [string, Record<string, unknown>][] = [
  ['SGD', { lr: 0.1, momentum: 0.9, nesterov: true }],
  ['Adam', { lr: 0.01, amsgrad: true, betas: [0.9, 0.5] }],
  ['AdamW', { lr: 0.01, weightDecay: 0.1 }],
  ['RMSprop', { lr: 0.01, momentum: 0.5, centered: true }],
  ['Adagrad', { lr: 0.1, initialAccumulatorValue: 0.1 }],
  ['LAMB', { lr: 0.01 }],
  ['LARS', { lr: 0.5, trustCoefficient: 0.02 }],
  ['Layca', { lr: 0.05, momentum: 0.9 }],
];

describe('state dicts', () => {
  it('every registered optimizer (optim.OPTIMIZERS) has a row here', () => {
    assert.deepEqual(RESUME_CONFIGS.map(([n]) => n).sort(), Object.keys(OPTIMIZERS).sort());
  });

  for (const [name, options] of RESUME_CONFIGS) {
    it(`${name}: 2 steps, save, load into a new optimizer, 1 step == 3 straight steps, bit for bit`, () => {
      const straight = freshParams();
      const o1 = OPTIMIZERS[name]!([{ params: [straight.W] }, { params: [straight.b], lr: 0.02 }] as never, options);
      for (let i = 0; i < 3; i++) trainStep(o1, straight.W, straight.b);

      const first = freshParams();
      const o2 = OPTIMIZERS[name]!([{ params: [first.W] }, { params: [first.b], lr: 0.02 }] as never, options);
      trainStep(o2, first.W, first.b);
      trainStep(o2, first.W, first.b);
      const saved = throughJson(o2.stateDict());

      const resumed = freshParams();
      px.noGrad(() => { resumed.W.assign(first.W); resumed.b.assign(first.b); });
      // Different settings on purpose: loading must restore the saved ones.
      const o3 = OPTIMIZERS[name]!([{ params: [resumed.W] }, { params: [resumed.b] }] as never, { lr: 0.5 });
      o3.loadStateDict(saved);
      assert.equal(o3.paramGroups[1]!.lr, 0.02);
      trainStep(o3, resumed.W, resumed.b);
      assert.deepEqual(Array.from(resumed.W.values), Array.from(straight.W.values));
      assert.deepEqual(Array.from(resumed.b.values), Array.from(straight.b.values));
    });
  }

  it('has PyTorch\'s layout and is a snapshot', () => {
    const { W, b } = freshParams();
    const opt = new optim.Adam([{ params: [W] }, { params: [b], lr: 0.02 }], { lr: 0.01 });
    trainStep(opt, W, b);
    const sd = opt.stateDict();
    assert.deepEqual(sd.paramGroups.map((g) => g.params), [[0], [1]]);
    assert.deepEqual(Object.keys(sd.state), ['0', '1']);
    assert.deepEqual(Object.keys(sd.state['0']!).sort(), ['expAvg', 'expAvgSq', 'step']);
    assert.deepEqual(sd.paramGroups[1], { lr: 0.02, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, params: [1] });
    const m = sd.state['0']!.expAvg as px.Tensor;
    assert.deepEqual(m.shape, [3, 4]);
    const copy = Array.from(m.values);
    trainStep(opt, W, b);
    assert.deepEqual(Array.from(m.values), copy, 'later steps do not change a saved dict');
  });
});

// The cases below poke at arbitrary depths of a parsed dict; typing every path would hide the intent.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

describe('loadStateDict validation (all or nothing)', () => {
  /** A trained Adam over two groups and its state dict. */
  function setup() {
    const { W, b } = freshParams();
    const opt = new optim.Adam([{ params: [W] }, { params: [b], lr: 0.02 }], { lr: 0.01 });
    trainStep(opt, W, b);
    return { opt, W, b, sd: throughJson(opt.stateDict()) };
  }
  const mutate = (f: (sd: Loose) => void) => (): optim.OptimizerStateDictInput => {
    const sd = setup().sd as Loose;
    f(sd);
    return sd as optim.OptimizerStateDictInput;
  };
  const cases: [string, () => unknown, RegExp][] = [
    ['not an object', () => 42, /expected an object \{state, paramGroups\}, got 42/],
    ['wrong group count', mutate((sd) => { sd.paramGroups.pop(); }), /the dict has 1 groups, this optimizer has 2/],
    ['wrong parameter count', mutate((sd) => { sd.paramGroups[0].params.push(7); }), /paramGroups\[0\]\.params: the dict's group has 2 parameters/],
    ['bad lr', mutate((sd) => { sd.paramGroups[1].lr = -1; }), /paramGroups\[1\]: invalid learning rate: -1/],
    ['missing hyperparameter', mutate((sd) => { delete sd.paramGroups[0].eps; }), /missing option 'eps'/],
    ['unknown hyperparameter', mutate((sd) => { sd.paramGroups[0].momentum = 0.9; }), /unknown option 'momentum'/],
    ['buffer of the wrong size', mutate((sd) => { sd.state['1'].expAvg = new Float64Array(3); }), /state\['1'\]\.expAvg: has 3 values, the parameter \[4\] has 4/],
    ['tensor of the wrong shape', mutate((sd) => { sd.state['0'].expAvg = px.zeros([4, 3], { dtype: 'float64' }); }), /shape \[4,3\] does not match the parameter's \[3,4\]/],
    ['unknown state key', mutate((sd) => { sd.state['0'].momentumBuffer = new Float64Array(12); }), /unknown key 'momentumBuffer'/],
    ['fractional step', mutate((sd) => { sd.state['0'].step = 1.5; }), /state\['0'\]\.step: invalid step count 1.5/],
    ['missing step', mutate((sd) => { delete sd.state['0'].step; }), /state\['0'\]\.step: missing/],
    ['no such parameter', mutate((sd) => { sd.state['5'] = sd.state['0']; }), /state\['5'\]: no parameter has this index/],
    ['non-canonical index', mutate((sd) => { sd.state['01'] = sd.state['0']; }), /state\['01'\]: no parameter has this index/],
    ['__proto__ key', () => JSON.parse('{"__proto__": {}, "state": {}, "paramGroups": []}') as unknown, /unknown key '__proto__'/],
    ['two problems at once', mutate((sd) => { sd.paramGroups[0].lr = NaN; sd.state['1'].step = -1; }), /invalid learning rate: NaN.*; state\['1'\]\.step: invalid step count -1/],
  ];
  for (const [name, make, msg] of cases) {
    it(`${name}: typed error, optimizer unchanged`, () => {
      const { opt, W, b } = setup();
      const before = JSON.stringify(throughJson(opt.stateDict()), (_k, v: unknown) => (v instanceof Float64Array ? Array.from(v) : v));
      const bad = make();
      assert.throws(() => opt.loadStateDict(bad as never), isCode('INVALID_STATE_DICT', msg));
      const after = JSON.stringify(throughJson(opt.stateDict()), (_k, v: unknown) => (v instanceof Float64Array ? Array.from(v) : v));
      assert.equal(after, before);
      trainStep(opt, W, b); // still usable
    });
  }
});
