/**
 * @file nn.MultiheadAttention against PyTorch (test/golden/attention-mha.json, written offline by
 * scripts/golden/modules_attention.py): each case is rebuilt with nn.fromConfig, loaded with
 * PyTorch's state dict, run with the case's masks and options, and compared on the output, the
 * attention weights and the gradients of query, key, value and every parameter for
 * loss = sum(output·R) + sum(weights·Rw). Float64 to 1e-10; the same case in float32 (inputs and
 * state rounded to float32) to 1e-5.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as px from '../src/index.js';
import { nn } from '../src/index.js';
import { assertClose } from '../src/testing/index.js';

interface Arr { shape: number[]; dtype: 'float64' | 'bool'; values: (number | boolean)[] }
interface Case {
  config: nn.ModuleConfig; state: Record<string, Arr>; inputs: Record<'query' | 'key' | 'value', Arr>; masks: Record<string, Arr>;
  options: Record<string, boolean>; upstream: Arr; upstreamWeights: Arr | null; output: Arr; weights: Arr | null; grads: Record<string, Arr>;
}

const golden = JSON.parse(readFileSync(new URL('../../test/golden/attention-mha.json', import.meta.url), 'utf8')) as { cases: Record<string, Case> };

const toTensor = (a: Arr, dtype: 'float32' | 'float64'): px.Tensor => a.dtype === 'bool'
  ? px.tensor(Uint8Array.from(a.values, (v) => (v ? 1 : 0)), { dtype: 'bool', shape: a.shape })
  : px.tensor(a.values as number[], { dtype, shape: a.shape });

function run(c: Case, dtype: 'float32' | 'float64', tol: { atol: number; rtol: number }, name: string): void {
  const model = nn.fromConfig({ ...c.config, dtype }) as unknown as nn.MultiheadAttention;
  model.loadStateDict(new Map(Object.entries(c.state).map(([k, a]) => [k, toTensor(a, dtype)])));
  const [q, k, v] = (['query', 'key', 'value'] as const).map((n) => toTensor(c.inputs[n], dtype).requiresGrad_());
  const masks = Object.fromEntries(Object.entries(c.masks).map(([n, a]) => [n, toTensor(a, dtype)]));
  const [out, w] = model.forward(q!, k!, v!, { ...c.options, ...masks });
  assert.deepEqual(out.shape, c.output.shape, `${name}: output shape`);
  assertClose(out, c.output.values as number[], tol, `${name}: output`);
  let loss = px.sum(px.mul(out, toTensor(c.upstream, dtype)));
  if (c.weights) {
    assert.ok(w, `${name}: weights expected`);
    assert.deepEqual(w.shape, c.weights.shape, `${name}: weights shape`);
    assertClose(w, c.weights.values as number[], tol, `${name}: weights`);
    loss = px.add(loss, px.sum(px.mul(w, toTensor(c.upstreamWeights!, dtype))));
  } else assert.equal(w, null, `${name}: needWeights false returns null weights`);
  loss.backward();
  for (const [n, t] of [['query', q], ['key', k], ['value', v]] as const) assertClose(t!.grad!, c.grads[n]!.values as number[], tol, `${name}: d/d${n}`);
  const params = new Map(model.namedParameters());
  assert.deepEqual([...params.keys()].sort(), Object.keys(c.grads).filter((n) => !['query', 'key', 'value'].includes(n)).sort(), `${name}: parameter keys`);
  for (const [n, p] of params) assertClose(p.grad!, c.grads[n]!.values as number[], tol, `${name}: d/d${n}`);
}

describe('nn.MultiheadAttention vs PyTorch golden numbers', () => {
  for (const [name, c] of Object.entries(golden.cases)) {
    it(`${name} (float64, 1e-10)`, () => run(c, 'float64', { atol: 1e-10, rtol: 1e-10 }, name));
    it(`${name} (float32, 1e-5)`, () => run(c, 'float32', { atol: 1e-5, rtol: 1e-5 }, name));
  }
  it('state-dict keys are PyTorch\'s, in its order', () => {
    for (const c of Object.values(golden.cases)) {
      const m = nn.fromConfig(c.config);
      assert.deepEqual([...m.stateDict().keys()], Object.keys(c.state), JSON.stringify(c.config));
    }
  });
});
