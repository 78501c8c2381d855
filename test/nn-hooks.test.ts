/**
 * @file Module.registerForwardHook: hooks see (module, inputs, output) in registration order, may
 * replace the output, are removed by their handle (the class's forward is restored, so no own
 * `forward` is left behind), are invisible to the member walk and state dict, and a bad hook is a
 * typed error.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { nn } from '../src/index.js';

describe('Module.registerForwardHook', () => {
  it('sees inputs and output, in registration order, and remove() restores the class forward', () => {
    px.manualSeed(0);
    const m = new nn.MLP([3, 4, 2]);
    const lin = m.namedModules().find(([k]) => k === 'layers.0')![1];
    const calls: string[] = [];
    const h1 = lin.registerForwardHook((mod, inputs, out) => { calls.push(`a ${mod === lin} ${inputs[0]!.shape.join('x')} ${out.shape.join('x')}`); });
    const h2 = lin.registerForwardHook(() => { calls.push('b'); });
    assert.ok(Object.hasOwn(lin, 'forward'));
    assert.ok(!Object.keys(lin).includes('forward'), 'the wrapper is not enumerable');
    m.forward(px.randn([5, 3]));
    assert.deepEqual(calls, ['a true 5x3 5x4', 'b']);
    h1.remove();
    h1.remove(); // idempotent
    m.forward(px.randn([5, 3]));
    assert.deepEqual(calls, ['a true 5x3 5x4', 'b', 'b']);
    h2.remove();
    assert.ok(!Object.hasOwn(lin, 'forward'), 'the last remove deletes the wrapper');
    m.forward(px.randn([5, 3]));
    assert.equal(calls.length, 3);
    assert.deepEqual([...m.stateDict().keys()], ['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias']);
  });

  it("an MLP's fused hidden layers take the plain path while hooked: same output, hook sees the pre-activation", () => {
    px.manualSeed(3);
    const m = new nn.MLP([3, 6, 2], { dtype: 'float64' });
    const x = px.randn([4, 3], { dtype: 'float64' });
    const plain = Array.from(m.forward(x).values);
    let seen: number[] = [];
    const lin = m.namedModules().find(([k]) => k === 'layers.0')![1];
    const h = lin.registerForwardHook((_m, _i, out) => { seen = Array.from(out.values); });
    assert.deepEqual(Array.from(m.forward(x).values), plain);
    h.remove();
    assert.equal(seen.length, 24);
    assert.ok(seen.some((v) => v < 0), 'the Linear output before the ReLU');
  });

  it('a hook returning a tensor replaces the output', () => {
    const lin = new nn.Linear(2, 2, { dtype: 'float64' });
    const h = lin.registerForwardHook((_m, _i, out) => out.mul(0));
    assert.ok(Array.from(lin.forward(px.ones([1, 2], { dtype: 'float64' })).values).every((v) => v === 0));
    h.remove();
    assert.ok(Array.from(lin.forward(px.ones([1, 2], { dtype: 'float64' })).values).some((v) => v !== 0));
  });

  it('an instance forward assigned before the first hook is kept and restored', () => {
    const lin = new nn.Linear(2, 2);
    const mine = (x: px.Tensor): px.Tensor => x;
    Object.assign(lin, { forward: mine });
    let n = 0;
    const h = lin.registerForwardHook(() => { n++; });
    lin.forward(px.ones([1, 2]));
    h.remove();
    assert.equal(n, 1);
    assert.equal(lin.forward, mine);
  });

  it('bad hooks are typed errors', () => {
    const lin = new nn.Linear(2, 2);
    assert.throws(() => lin.registerForwardHook(5 as never), px.ValueError);
    assert.throws(() => (lin.registerForwardHook as (...a: unknown[]) => unknown)(() => undefined, {}), px.ValueError);
    const h = lin.registerForwardHook((() => 7) as never);
    assert.throws(() => lin.forward(px.ones([1, 2])), (e: unknown) => e instanceof px.ValueError && /must return a Tensor/.test(e.message));
    h.remove();
    assert.doesNotThrow(() => lin.forward(px.ones([1, 2])));
  });
});
