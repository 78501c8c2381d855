/**
 * @file nn layers against PyTorch (test/golden/modules.json, written offline by
 * scripts/golden/modules.py, and one test/golden/modules-<family>.json per layer family, written by
 * scripts/golden/modules_<family>.py with the same `case` helper): each module is rebuilt with nn.fromConfig, loaded with PyTorch's
 * initial state dict through loadStateDict, then run step by step (train/eval), comparing outputs,
 * the gradients of the input and of every parameter, and the state dict after each step (BatchNorm's
 * running statistics and batch counter). Float64 on both sides: 1e-10 leaves room only for
 * summation order, so a wrong variance correction or momentum rule fails by orders of magnitude.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as px from '../src/index.js';
import { nn } from '../src/index.js';
import { assertClose } from '../src/testing/index.js';

interface Arr { shape: number[]; dtype: 'float64' | 'int32'; values: number[] }
interface Step { mode: 'train' | 'eval'; input: Arr; upstream: Arr; output: Arr; grads: Record<string, Arr>; stateAfter: Record<string, Arr> }
interface Case { config: nn.ModuleConfig; state: Record<string, Arr>; steps: Step[] }

// Tests run from dist/test/, so the JSON (not copied by tsc) is two levels up in the source tree.
const DIR = new URL('../../test/golden/', import.meta.url);
const FILES = readdirSync(DIR).filter((f) => /^modules(-[\w-]+)?\.json$/.test(f)).sort();
const golden = { cases: Object.fromEntries(FILES.flatMap((f) => {
  const cases = (JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) as { cases: Record<string, Case> }).cases;
  return Object.entries(cases).map(([name, c]) => [f === 'modules.json' ? name : `${f.slice(8, -5)}/${name}`, c] as const);
})) };

const TOL = { atol: 1e-10, rtol: 1e-10 };
const toTensor = (a: Arr): px.Tensor => px.tensor(a.values, { dtype: a.dtype, shape: a.shape });

function checkState(model: nn.Module, want: Record<string, Arr>, what: string): void {
  const sd = model.stateDict();
  // Same keys in the same order as torch's state_dict, so a state dict maps one to one.
  assert.deepEqual([...sd.keys()], Object.keys(want), `${what}: state-dict keys`);
  for (const [k, a] of Object.entries(want)) {
    const t = sd.get(k)!;
    assert.deepEqual(t.shape, a.shape, `${what}: ${k} shape`);
    assert.equal(t.dtype, a.dtype, `${what}: ${k} dtype`);
    assertClose(t, a.values, TOL, `${what}: ${k}`);
  }
}

describe('nn modules vs PyTorch golden numbers (float64)', () => {
  for (const [name, c] of Object.entries(golden.cases)) {
    it(name, () => {
      const model = nn.fromConfig(c.config);
      const sd = new Map(Object.entries(c.state).map(([k, a]) => [k, toTensor(a)]));
      model.loadStateDict(sd);
      checkState(model, c.state, `${name} after load`);
      c.steps.forEach((s, i) => {
        const what = `${name} step ${i} (${s.mode})`;
        if (s.mode === 'train') model.train();
        else model.eval();
        model.zeroGrad();
        const x = toTensor(s.input).requiresGrad_();
        const y = model.forward(x);
        assert.deepEqual(y.shape, s.output.shape, `${what}: output shape`);
        assertClose(y, s.output.values, TOL, `${what}: output`);
        px.sum(px.mul(y, toTensor(s.upstream))).backward();
        assertClose(x.grad!, s.grads.input!.values, TOL, `${what}: d/dinput`);
        const params = new Map(model.namedParameters());
        assert.deepEqual([...params.keys()].sort(), Object.keys(s.grads).filter((k) => k !== 'input').sort(), `${what}: parameter keys`);
        for (const [k, p] of params) assertClose(p.grad!, s.grads[k]!.values, TOL, `${what}: d/d${k}`);
        checkState(model, s.stateAfter, what);
      });
    });
  }
});
