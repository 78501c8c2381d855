/**
 * @file Whole-model golden test: small MLPs rebuilt from plexus functional ops in float64 must match
 * PyTorch's logits, losses and every gradient (test/golden/mlp3.json, written offline by
 * scripts/golden/mlp3.py). Elementwise op tests cannot catch a wrong composition (a transposed
 * weight, a bias summed over the wrong axis, a label-smoothing term reduced differently); this can.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as px from '../src/index.js';
import { assertClose } from '../src/testing/index.js';

interface Arr { shape: number[]; values: number[] }
interface Grads { input: Arr; layers: { weight: Arr; bias: Arr }[] }
interface Model {
  activations: string[];
  input: Arr;
  target: Arr;
  layers: { weight: Arr; bias: Arr }[];
}
interface Golden {
  classifier: Model & {
    logits: Arr;
    crossEntropy: { loss: number; grads: Grads };
    crossEntropyLabelSmoothing: { labelSmoothing: number; loss: number; grads: Grads };
  };
  regressor: Model & { output: Arr; mse: { loss: number; grads: Grads } };
}

// Tests run from dist/test/, so the JSON (not copied by tsc) is two levels up in the source tree.
const golden = JSON.parse(readFileSync(new URL('../../test/golden/mlp3.json', import.meta.url), 'utf8')) as Golden;

// Float64 reference vs float64 PyTorch: only summation order differs, so 1e-10 is ample yet catches
// any formula slip (which shows up at 1e-3 or worse).
const TOL = { atol: 1e-10, rtol: 1e-10 };

const f64 = (a: Arr, requiresGrad = false): px.Tensor => px.tensor(a.values, { dtype: 'float64', shape: a.shape, requiresGrad });

const ACTS: Record<string, (z: px.Tensor) => px.Tensor> = {
  tanh: (z) => px.tanh(z),
  relu: (z) => px.relu(z),
  gelu: (z) => px.gelu(z, 'none'),
  sigmoid: (z) => px.sigmoid(z),
  softplus: (z) => px.softplus(z),
  elu: (z) => px.elu(z),
};

interface Built { x: px.Tensor; params: { w: px.Tensor; b: px.Tensor }[]; out: px.Tensor }

/** Fresh leaves each call, so gradients of the two losses never accumulate into each other. */
function build(m: Model): Built {
  const x = f64(m.input, true);
  const params = m.layers.map((l) => ({ w: f64(l.weight, true), b: f64(l.bias, true) }));
  let h = x;
  params.forEach(({ w, b }, i) => {
    // nn.Linear layout: W is [out, in], y = x W^T + b (b broadcasts over the batch).
    const z = px.add(px.matmul(h, w.T), b);
    const act = m.activations[i];
    h = act === undefined ? z : ACTS[act]!(z);
  });
  return { x, params, out: h };
}

function checkGrads(b: Built, want: Grads): void {
  assertClose(b.x.grad!, want.input.values, TOL, 'd/dinput');
  assert.deepEqual(b.x.grad!.shape, want.input.shape);
  b.params.forEach(({ w, b: bias }, i) => {
    const g = want.layers[i]!;
    assert.deepEqual(w.grad!.shape, g.weight.shape, `layer ${i} weight grad shape`);
    assert.deepEqual(bias.grad!.shape, g.bias.shape, `layer ${i} bias grad shape`);
    assertClose(w.grad!, g.weight.values, TOL, `d/dlayers.${i}.weight`);
    assertClose(bias.grad!, g.bias.values, TOL, `d/dlayers.${i}.bias`);
  });
}

describe('golden MLP vs PyTorch (float64)', () => {
  const c = golden.classifier;
  const target = () => px.tensor(c.target.values, { dtype: 'int32', shape: c.target.shape });

  it('classifier logits', () => {
    const { out } = build(c);
    assert.equal(out.dtype, 'float64');
    assert.deepEqual(out.shape, c.logits.shape);
    assertClose(out, c.logits.values, TOL, 'logits');
  });

  it('classifier crossEntropy (mean): loss and every gradient', () => {
    const b = build(c);
    const loss = px.crossEntropy(b.out, target());
    assertClose([loss.item()], [c.crossEntropy.loss], TOL, 'loss');
    loss.backward();
    checkGrads(b, c.crossEntropy.grads);
  });

  it('classifier crossEntropy with labelSmoothing 0.1: loss and every gradient', () => {
    const want = c.crossEntropyLabelSmoothing;
    const b = build(c);
    const loss = px.crossEntropy(b.out, target(), { labelSmoothing: want.labelSmoothing });
    assertClose([loss.item()], [want.loss], TOL, 'loss');
    loss.backward();
    checkGrads(b, want.grads);
  });

  it('regressor (sigmoid/softplus/elu) mse: output, loss and every gradient', () => {
    const r = golden.regressor;
    const b = build(r);
    assertClose(b.out, r.output.values, TOL, 'output');
    const loss = px.mse(b.out, f64(r.target));
    assertClose([loss.item()], [r.mse.loss], TOL, 'loss');
    loss.backward();
    checkGrads(b, r.mse.grads);
  });
});
