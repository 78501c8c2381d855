/**
 * @file Module mechanics: parameter/module discovery and key order, state dicts (round trip, every
 * loadStateDict problem listed at once, model untouched on failure, `__proto__` keys inert), modes,
 * dtype conversion, counting and the summary table.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { nn } from '../src/index.js';

/** A hand-written model exercising every discovery rule. */
class Net extends nn.Module {
  scale = new nn.Parameter(px.ones([1]));
  encoder = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 4));
  heads = [new nn.Linear(4, 2), new nn.Linear(4, 1, { bias: false })];
  norm = new nn.BatchNorm1d(4);
  sizes = [3, 4, 2]; // plain data: ignored
  cache = px.zeros([2]); // plain tensor: not state
  forward(x: px.Tensor): px.Tensor {
    const h = this.norm.forward(this.encoder.forward(x));
    return px.mul(px.concat(this.heads.map((m) => m.forward(h)), 1), this.scale);
  }
}

const snapshot = (m: nn.Module): Map<string, number[]> => new Map([...m.stateDict()].map(([k, t]) => [k, Array.from(t.values)]));

describe('Module discovery', () => {
  it('finds parameters, children, arrays and buffers with stable dotted keys', () => {
    const net = new Net();
    assert.deepEqual(net.namedParameters().map(([k]) => k), [
      'scale',
      'encoder.0.weight', 'encoder.0.bias', 'encoder.2.weight', 'encoder.2.bias',
      'heads.0.weight', 'heads.0.bias', 'heads.1.weight',
      'norm.weight', 'norm.bias',
    ]);
    assert.deepEqual(net.namedBuffers().map(([k]) => k), ['norm.running_mean', 'norm.running_var', 'norm.num_batches_tracked']);
    assert.deepEqual(net.namedModules().map(([k, m]) => `${k}:${m.constructor.name}`), [
      ':Net', 'encoder:Sequential', 'encoder.0:Linear', 'encoder.1:ReLU', 'encoder.2:Linear',
      'heads.0:Linear', 'heads.1:Linear', 'norm:BatchNorm1d',
    ]);
    assert.deepEqual(net.namedChildren().map(([k]) => k), ['encoder', 'heads.0', 'heads.1', 'norm']);
    // state dict: own params, own buffers, then children (PyTorch's order).
    assert.deepEqual([...net.stateDict().keys()].slice(-5), ['norm.weight', 'norm.bias', 'norm.running_mean', 'norm.running_var', 'norm.num_batches_tracked']);
    assert.equal(net.numParameters(), 1 + (12 + 4) + (16 + 4) + (8 + 2) + 4 + (4 + 4));
    assert.ok(net.parameters().every((p) => p instanceof nn.Parameter && p.requiresGrad));
  });

  it('counts a tied parameter once and keeps both keys in the state dict', () => {
    class Tied extends nn.Module {
      a = new nn.Linear(3, 3);
      b = new nn.Linear(3, 3);
      constructor() {
        super();
        this.b.weight = this.a.weight;
      }
      forward(x: px.Tensor): px.Tensor { return this.b.forward(this.a.forward(x)); }
    }
    const m = new Tied();
    assert.deepEqual(m.namedParameters().map(([k]) => k), ['a.weight', 'a.bias', 'b.bias']);
    assert.equal(m.numParameters(), 9 + 3 + 3);
    assert.deepEqual([...m.stateDict().keys()], ['a.weight', 'a.bias', 'b.weight', 'b.bias']);
    m.to('float64');
    assert.equal(m.a.weight, m.b.weight, 'to() keeps tied parameters tied');
  });

  it('visits a module reachable twice (or through a cycle) once', () => {
    class Loop extends nn.Module {
      inner = new nn.Linear(2, 2);
      again = this.inner;
      self: nn.Module[] = [];
      forward(x: px.Tensor): px.Tensor { return x; }
    }
    const m = new Loop();
    m.self.push(m);
    assert.deepEqual(m.namedModules().map(([k]) => k), ['', 'inner']);
    assert.equal(m.numParameters(), 6);
  });

  it('rejects an array field mixing modules with other values', () => {
    class Bad extends nn.Module {
      mixed: unknown[] = [new nn.ReLU(), 3];
      forward(x: px.Tensor): px.Tensor { return x; }
    }
    assert.throws(() => new Bad().parameters(), (e: px.PlexusError) => e.code === 'INVALID_MODULE_FIELD' && /mixed/.test(e.message));
  });

  it('registerBuffer refuses dotted, prototype and clashing names', () => {
    const m = new nn.Linear(2, 2);
    for (const bad of ['a.b', '', '__proto__', 'weight']) {
      assert.throws(() => m.registerBuffer(bad, px.zeros([1])), (e: px.PlexusError) => e.code === 'INVALID_NAME', bad);
    }
    m.registerBuffer('steps', px.zeros([1]));
    assert.deepEqual([...m.stateDict().keys()], ['weight', 'bias', 'steps']);
  });

  it('Parameter shares its source storage and is a leaf', () => {
    const t = px.tensor([1, 2, 3]);
    const p = new nn.Parameter(t);
    assert.ok(p.isLeaf && p.requiresGrad);
    assert.deepEqual(Array.from(p.values), [1, 2, 3]);
    assert.equal(new nn.Parameter(t, false).requiresGrad, false);
    assert.throws(() => new nn.Parameter(px.tensor([1], { dtype: 'int32' })), px.DTypeError);
  });

  it('training steps inside scope() leak no tensors (BatchNorm stats update in place)', () => {
    const m = new nn.MLP([4, 16, 16, 3], { norm: 'batch', dropout: 0.2 });
    const x = px.randn([8, 4]);
    const step = (): void => px.scope(() => {
      m.zeroGrad();
      px.sum(m.forward(x)).backward();
    });
    step();
    const before = px.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    assert.equal(px.memory().numTensors, before);
    assert.equal(m.norms!.at(0).getBuffer('num_batches_tracked')!.item(), 6);
  });

  it('parameters created inside scope() survive it', () => {
    const m = px.scope(() => new nn.Linear(3, 2));
    assert.equal(m.weight.isDisposed, false);
    assert.deepEqual(m.forward(px.ones([1, 3])).shape, [1, 2]);
  });
});

describe('modes, gradients, conversion', () => {
  it('train()/eval() reach every submodule', () => {
    const net = new Net();
    net.eval();
    assert.ok(net.modules().every((m) => !m.training));
    net.train();
    assert.ok(net.modules().every((m) => m.training));
  });

  it('zeroGrad clears gradients; requiresGrad_(false) freezes', () => {
    const net = new Net();
    px.sum(net.forward(px.randn([5, 3]))).backward();
    assert.ok(net.parameters().every((p) => p.grad !== null));
    net.zeroGrad();
    assert.ok(net.parameters().every((p) => p.grad === null));
    net.requiresGrad_(false);
    assert.equal(net.numParameters({ trainableOnly: true }), 0);
  });

  it('apply() visits children before parents', () => {
    const seen: string[] = [];
    new nn.Sequential(new nn.Linear(1, 1), new nn.ReLU()).apply((m) => seen.push(m.constructor.name));
    assert.deepEqual(seen, ['ReLU', 'Linear', 'Sequential']);
  });

  it('to(dtype) converts float parameters and buffers, not the int batch counter', () => {
    const net = new Net();
    const before = snapshot(net);
    net.to('float64');
    for (const [k, t] of net.stateDict()) {
      assert.equal(t.dtype, k.endsWith('num_batches_tracked') ? 'int32' : 'float64', k);
      assert.deepEqual(Array.from(t.values), before.get(k)!, k);
    }
    assert.ok(net.parameters().every((p) => p instanceof nn.Parameter && p.requiresGrad));
    assert.equal(net.forward(px.randn([4, 3], { dtype: 'float64' })).dtype, 'float64');
    assert.throws(() => net.forward(px.randn([4, 3], { dtype: 'float32' })), px.DTypeError);
  });
});

describe('stateDict / loadStateDict', () => {
  it('round-trips into a fresh model (values copied, not aliased)', () => {
    const a = new Net();
    const b = new Net();
    px.noGrad(() => a.norm.forward(px.randn([6, 4]))); // move running stats off their defaults
    a.norm.forward(px.randn([6, 4]));
    const res = b.loadStateDict(a.stateDict());
    assert.deepEqual(res, { missingKeys: [], unexpectedKeys: [] });
    assert.deepEqual(snapshot(b), snapshot(a));
    assert.notEqual(b.encoder.at(0), a.encoder.at(0));
    px.noGrad(() => (a.encoder.at(0) as nn.Linear).weight.assign(px.zeros([4, 3])));
    assert.notDeepEqual(snapshot(b), snapshot(a));
  });

  it('accepts a plain object and returns missing/unexpected keys when not strict', () => {
    const m = new nn.Linear(2, 2);
    const res = m.loadStateDict({ weight: px.ones([2, 2]), extra: px.ones([1]) }, { strict: false });
    assert.deepEqual(res, { missingKeys: ['bias'], unexpectedKeys: ['extra'] });
    assert.deepEqual(Array.from(m.weight.values), [1, 1, 1, 1]);
  });

  it('lists every problem in one StateDictError and leaves the model unchanged', () => {
    const net = new Net();
    const before = snapshot(net);
    const sd = net.stateDict();
    const bad = new Map(sd);
    bad.set('encoder.0.weight', px.ones([3, 4])); // transposed shape
    bad.set('heads.0.bias', px.ones([2], { dtype: 'float64' })); // dtype
    bad.delete('scale');
    bad.delete('norm.running_var');
    bad.set('encoder.9.weight', px.ones([1]));
    bad.set('norm.num_batches_tracked', 3 as unknown as px.Tensor);
    // A valid entry too, to prove nothing was copied before validation finished.
    bad.set('heads.1.weight', px.full([1, 4], 7));
    let err: nn.StateDictError | undefined;
    try {
      net.loadStateDict(bad);
    } catch (e) {
      err = e as nn.StateDictError;
    }
    assert.ok(err instanceof nn.StateDictError && err instanceof px.PlexusError);
    assert.equal(err.code, 'STATE_MISMATCH');
    assert.deepEqual(err.missingKeys, ['scale', 'norm.running_var']);
    assert.deepEqual(err.unexpectedKeys, ['encoder.9.weight']);
    assert.deepEqual(err.mismatched.map((m) => m.key), ['encoder.0.weight', 'heads.0.bias', 'norm.num_batches_tracked']);
    for (const s of ['scale', 'norm.running_var', 'encoder.9.weight', '[3,4] in the state dict, [4,3] in the model', 'float64', 'expected a Tensor']) {
      assert.ok(err.message.includes(s), `message mentions ${s}: ${err.message}`);
    }
    assert.deepEqual(snapshot(net), before);
  });

  it('reports shape/dtype problems even when not strict', () => {
    const m = new nn.Linear(2, 3);
    assert.throws(() => m.loadStateDict({ weight: px.ones([2, 3]) }, { strict: false }), (e: nn.StateDictError) => e.mismatched.length === 1 && e.missingKeys.length === 0);
  });

  it('treats __proto__ / constructor keys as plain unexpected keys (JSON objects and Maps)', () => {
    const m = new nn.Linear(2, 2);
    const before = snapshot(m);
    const obj = JSON.parse('{"__proto__": {"polluted": 1}, "constructor": 5}') as Record<string, unknown>;
    obj.weight = px.ones([2, 2]);
    obj.bias = px.ones([2]);
    assert.throws(() => m.loadStateDict(obj), (e: nn.StateDictError) => e.unexpectedKeys.join() === '__proto__,constructor');
    assert.deepEqual(snapshot(m), before);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const res = m.loadStateDict(new Map<string, unknown>([['__proto__', px.ones([1])], ['weight', px.ones([2, 2])], ['bias', px.ones([2])]]), { strict: false });
    assert.deepEqual(res.unexpectedKeys, ['__proto__']);
    assert.equal(m.bias!.values[0], 1);
  });

  it('rejects disposed source tensors and non-objects', () => {
    const m = new nn.Linear(1, 1);
    const w = px.ones([1, 1]);
    w.dispose();
    assert.throws(() => m.loadStateDict({ weight: w, bias: px.ones([1]) }), /disposed/);
    assert.throws(() => m.loadStateDict(null as unknown as Record<string, unknown>), (e: px.PlexusError) => e.code === 'INVALID_ARGUMENT');
  });

  it('stateDict values share storage with the model but are detached', () => {
    const m = new nn.Linear(2, 2);
    const w = m.stateDict().get('weight')!;
    assert.equal(w.requiresGrad, false);
    px.noGrad(() => m.weight.assign(px.zeros([2, 2])));
    assert.deepEqual(Array.from(w.values), [0, 0, 0, 0]);
  });
});

describe('summary', () => {
  it('prints a table with every module, parameter shapes, counts and the totals', () => {
    const net = new Net();
    const s = net.summary();
    const lines = s.split('\n');
    assert.match(lines[0]!, /^name\s+type\s+parameters \(\* = buffer\)\s+count$/);
    assert.match(s, /\(root\)\s+Net\s+scale \[1\]\s+1\n/);
    assert.match(s, /\n {2}heads\.0\s+Linear\s+weight \[2,4\], bias \[2\]\s+10\n/, 'array children are depth 1');
    assert.match(s, /\n {4}encoder\.0\s+Linear\s+weight \[4,3\], bias \[4\]\s+16\n/);
    assert.match(s, /\n {2}norm\s+BatchNorm1d\s+weight \[4\], bias \[4\], running_mean\* \[4\], running_var\* \[4\], num_batches_tracked\* \[\]\s+8\n/);
    assert.match(lines.at(-1)!, new RegExp(`^Total parameters: ${net.numParameters()} \\(trainable: ${net.numParameters()}\\); buffer values: 9$`));
    assert.equal(lines.length, 2 + net.namedModules().length + 1);
  });
});
