/**
 * @file nn.Matryoshka, nn.SortedNet, nn.HyperNetwork and nn.functionalCall: the multi-input PyTorch
 * goldens of test/golden/nested-extra.json (scripts/golden/modules_nested.py; float64, 1e-10), bad
 * construction arguments and input shapes, and config / saveModel round trips.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as px from '../src/index.js';
import { nn } from '../src/index.js';
import { assertClose } from '../src/testing/index.js';

interface Arr { shape: number[]; dtype: 'float64' | 'int32'; values: number[] }
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Case = any;
const golden = JSON.parse(readFileSync(new URL('../../test/golden/nested-extra.json', import.meta.url), 'utf8')) as { cases: Record<string, Case> };
const T = (a: Arr): px.Tensor => px.tensor(a.values, { dtype: a.dtype, shape: a.shape });
const TOL = { atol: 1e-10, rtol: 1e-10 };

function load(c: Case): nn.Module {
  const m = nn.fromConfig(c.config);
  m.loadStateDict(new Map(Object.entries(c.state as Record<string, Arr>).map(([k, a]) => [k, T(a)])));
  return m;
}
function checkParamGrads(m: nn.Module, grads: Record<string, Arr>, what: string): void {
  for (const [k, p] of m.namedParameters()) {
    if (grads[k]) assertClose(p.grad!, grads[k].values, TOL, `${what}: d/d${k}`);
    else assert.equal(p.grad, null, `${what}: ${k} must get no gradient`);
  }
}

describe('nested family vs PyTorch (float64)', () => {
  for (const [name, c] of Object.entries(golden.cases)) {
    it(name, () => {
      const m = load(c);
      const x = T(c.x).requiresGrad_();
      if (name.startsWith('mrl')) {
        const loss = (m as nn.Matryoshka).loss(x, T(c.y));
        assertClose(loss, [c.loss], TOL, `${name}: loss`);
        loss.backward();
      } else {
        let y: px.Tensor;
        const given = new Map<string, px.Tensor>();
        let z: px.Tensor | null = null;
        if (name.startsWith('hyper')) {
          z = T(c.z).requiresGrad_();
          y = (m as nn.HyperNetwork).forward(x, z);
        } else {
          for (const [k, a] of Object.entries(c.given as Record<string, Arr>)) given.set(k, T(a).requiresGrad_());
          y = nn.functionalCall(m, given, x);
        }
        assertClose(y, c.output.values, TOL, `${name}: output`);
        px.sum(px.mul(y, T(c.upstream))).backward();
        if (z) assertClose(z.grad!, c.grads.z.values, TOL, `${name}: d/dz`);
        for (const [k, t] of given) assertClose(t.grad!, c.grads[`given:${k}`].values, TOL, `${name}: d/d given ${k}`);
      }
      assertClose(x.grad!, c.grads.x.values, TOL, `${name}: d/dx`);
      checkParamGrads(m, c.grads, name);
    });
  }
});

describe('nested family: bad arguments are typed errors naming the argument', () => {
  const V = px.ValueError;
  const bad: [string, () => unknown, RegExp][] = [
    ['Matryoshka non-increasing nesting', () => new nn.Matryoshka([4, 4, 8], 10), /nestingList must be strictly increasing/],
    ['Matryoshka non-integer size', () => new nn.Matryoshka([4, 8.5], 10), /nestingList\[1\]/],
    ['Matryoshka zero size', () => new nn.Matryoshka([0, 8], 10), /nestingList\[0\]/],
    ['Matryoshka numClasses 0', () => new nn.Matryoshka([4, 8], 0), /numClasses/],
    ['Matryoshka dim not in list', () => new nn.Matryoshka([4, 8], 3, { dim: 5 }), /dim must be one of 4, 8/],
    ['Matryoshka relativeImportance length', () => new nn.Matryoshka([4, 8], 3, { relativeImportance: [1] }), /relativeImportance/],
    ['Matryoshka unknown option', () => new nn.Matryoshka([4, 8], 3, { efficent: true } as never), /efficent/],
    ['SortedNet widths decreasing', () => new nn.SortedNet([4, 8, 2], [8, 4]), /widths must be strictly increasing/],
    ['SortedNet hidden != max width', () => new nn.SortedNet([4, 8, 2], [2, 4]), /sizes\[1\]/],
    ['SortedNet width not in list', () => new nn.SortedNet([4, 8, 2], [4, 8], { width: 6 }), /width must be one of 4, 8/],
    ['SortedNet non-integer size', () => new nn.SortedNet([4.5, 8, 2], [4, 8]), /sizes\[0\]/],
    ['HyperNetwork condSize 0', () => new nn.HyperNetwork(new nn.Linear(2, 1), 0, [4]), /condSize/],
    ['HyperNetwork hidden negative', () => new nn.HyperNetwork(new nn.Linear(2, 1), 1, [-1]), /hidden\[0\]/],
    ['HyperNetwork bad encoding', () => new nn.HyperNetwork(new nn.Linear(2, 1), 1, [4], { encoding: 'cos' as never }), /'cosSin', 'none'/],
  ];
  for (const [what, call, msg] of bad) it(what, () => assert.throws(call, (e: unknown) => e instanceof V && msg.test((e as Error).message)));

  it('a setter refuses a width / prefix outside the list, leaving the old one', () => {
    const sn = new nn.SortedNet([4, 8, 2], [4, 8]);
    assert.throws(() => { sn.width = 5; }, V);
    assert.equal(sn.width, 8);
    const h = new nn.Matryoshka([4, 8], 3);
    assert.throws(() => { h.dim = 2; }, V);
    assert.equal(h.dim, 8);
  });
  it('forward on a wrong input shape names the expected and the given shape', () => {
    const S = px.ShapeError;
    assert.throws(() => new nn.SortedNet([4, 8, 2], [4, 8]).forward(px.randn([3, 5])), (e: Error) => e instanceof S && /\[3,5\]/.test(e.message) && /4/.test(e.message));
    assert.throws(() => new nn.Matryoshka([4, 8], 3).forward(px.randn([3, 5])), (e: Error) => e instanceof S && /\[3,5\]/.test(e.message) && /8/.test(e.message));
    assert.throws(() => new nn.HyperNetwork(new nn.Linear(2, 1), 1, [4]).forward(px.randn([3, 2]), px.randn([2])), (e: Error) => e instanceof S && /\[1\]/.test(e.message) && /\[2\]/.test(e.message));
  });
  it('functionalCall refuses an unknown key, a wrong shape, and leaves the module unchanged', () => {
    const lin = new nn.Linear(3, 2);
    const before = lin.weight;
    assert.throws(() => nn.functionalCall(lin, { wieght: px.randn([2, 3]) }, px.randn([1, 3])), (e: Error) => e instanceof px.ValueError && /wieght/.test(e.message));
    assert.throws(() => nn.functionalCall(lin, { weight: px.randn([3, 2]) }, px.randn([1, 3])), (e: Error) => e instanceof px.ShapeError && /\[2,3\]/.test(e.message) && /\[3,2\]/.test(e.message));
    assert.throws(() => nn.functionalCall(lin, { weight: px.randn([2, 3]) }, px.randn([1, 4])), px.ShapeError); // error inside forward
    assert.equal(lin.weight, before);
  });
});

describe('nested family: configs and saved models round-trip', () => {
  it('fromConfig(getConfig()) and io.saveModel / loadModel give the same outputs', async () => {
    px.manualSeed(0);
    const models: [nn.Module, (m: nn.Module) => px.Tensor][] = [
      [new nn.Matryoshka([2, 4], 3, { efficient: true, dim: 2 }), (m) => m.forward(px.ones([2, 4]))],
      [new nn.SortedNet([3, 6, 2], [3, 6], { width: 3 }), (m) => m.eval().forward(px.ones([2, 3]))],
      [new nn.HyperNetwork(new nn.MLP([2, 4, 1]), 1, [5]), (m) => (m as nn.HyperNetwork).forward(px.ones([2, 2]), px.tensor([0.25]))],
    ];
    for (const [m, run] of models) {
      assert.deepEqual(nn.fromConfig(m.getConfig()).getConfig(), m.getConfig());
      const { model: again } = await px.io.loadModel(px.io.saveModel(m));
      assert.deepEqual([...run(again).values], [...run(m).values], m.constructor.name);
    }
  });
});
