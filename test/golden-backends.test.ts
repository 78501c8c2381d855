/**
 * @file The PyTorch golden tests on the fast backends: the whole-model MLP goldens (logits, losses,
 * every gradient; test/golden/mlp3.json) and every optimizer configuration (3 steps each;
 * test/golden/optimizers.json) run on `js` in float64 and in float32, and on `wasm` in float32 with
 * 1 thread and with 2 threads splitting every op however small (forceThreading), so the wasm GEMM,
 * elementwise, reduction and fused Adam/AdamW/SGD kernels, threaded or not, meet PyTorch's numbers.
 *
 * Tolerances (docs/reliability.md "Tolerances"): float64 on js as the reference-backend goldens
 * (1e-10: only summation order differs). float32 against the float64 goldens: these products are
 * at most 7 long and the values O(1), so the length-scaled matmul bound (2·K·2^-24·Σ|terms|) stays
 * below the float32 elementwise row; the activations add <= 4 ulp each over 4 layers and the
 * optimizers' 3 steps compound a few more, so rtol 1e-5 / atol 1e-5 (about 80 ulp) with a formula
 * slip still showing at 1e-3 or worse.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as px from '../src/index.js';
import { getNumThreads, setNumThreads, type WasmBackend } from '../src/backends/wasm/index.js';
import { forceThreading, waitForWorkers } from '../src/backends/wasm/pool/testing.js';
import { assertClose } from '../src/testing/index.js';
import { OPTIMIZERS, golden as optGolden } from './optim-golden-helpers.js';

interface Arr { shape: number[]; values: number[] }
interface Grads { input: Arr; layers: { weight: Arr; bias: Arr }[] }
interface Model { activations: string[]; input: Arr; target: Arr; layers: { weight: Arr; bias: Arr }[] }
interface MlpGolden {
  classifier: Model & { logits: Arr; crossEntropy: { loss: number; grads: Grads } };
  regressor: Model & { output: Arr; mse: { loss: number; grads: Grads } };
}
const mlp = JSON.parse(readFileSync(new URL('../../test/golden/mlp3.json', import.meta.url), 'utf8')) as MlpGolden;

interface Setup { backend: 'js' | 'wasm'; dtype: px.FloatDType; threads: number }
const SETUPS: Setup[] = [
  { backend: 'js', dtype: 'float64', threads: 1 },
  { backend: 'js', dtype: 'float32', threads: 1 },
  { backend: 'wasm', dtype: 'float32', threads: 1 },
  { backend: 'wasm', dtype: 'float32', threads: 2 },
];
const tolOf = (d: px.FloatDType): { atol: number; rtol: number } => (d === 'float64' ? { atol: 1e-10, rtol: 1e-10 } : { atol: 1e-5, rtol: 1e-5 });

const ACTS: Record<string, (z: px.Tensor) => px.Tensor> = {
  tanh: (z) => px.tanh(z), relu: (z) => px.relu(z), gelu: (z) => px.gelu(z, 'none'),
  sigmoid: (z) => px.sigmoid(z), softplus: (z) => px.softplus(z), elu: (z) => px.elu(z),
};

function mlpCase(m: Model, dtype: px.FloatDType, loss: (out: px.Tensor) => px.Tensor): { out: px.Tensor; loss: px.Tensor; x: px.Tensor; params: { w: px.Tensor; b: px.Tensor }[] } {
  const t = (a: Arr): px.Tensor => px.tensor(a.values, { dtype, shape: a.shape, requiresGrad: true });
  const x = t(m.input);
  const params = m.layers.map((l) => ({ w: t(l.weight), b: t(l.bias) }));
  let h = x;
  params.forEach(({ w, b }, i) => {
    const z = px.add(px.matmul(h, w.T), b);
    h = m.activations[i] === undefined ? z : ACTS[m.activations[i]!]!(z);
  });
  const l = loss(h);
  l.backward();
  return { out: h, loss: l, x, params };
}

function checkGrads(r: ReturnType<typeof mlpCase>, want: Grads, tol: { atol: number; rtol: number }, what: string): void {
  assertClose(r.x.grad!, want.input.values, tol, `${what} d/dinput`);
  r.params.forEach(({ w, b }, i) => {
    assertClose(w.grad!, want.layers[i]!.weight.values, tol, `${what} d/dlayers.${i}.weight`);
    assertClose(b.grad!, want.layers[i]!.bias.values, tol, `${what} d/dlayers.${i}.bias`);
  });
}

for (const s of SETUPS) {
  const label = `${s.backend} ${s.dtype}${s.backend === 'wasm' ? `, ${s.threads} thread(s)` : ''}`;
  describe(`PyTorch goldens on ${label}`, () => {
    let prevThreads = 1;
    before(() => {
      px.setBackend(s.backend);
      if (s.backend === 'wasm') {
        prevThreads = getNumThreads();
        setNumThreads(s.threads);
        if (s.threads > 1) {
          forceThreading(true);
          const backend = px.zeros([1])._storage.backend as WasmBackend;
          assert.equal(waitForWorkers(backend), s.threads - 1, 'workers ready');
        }
      }
    });
    after(() => {
      if (s.backend === 'wasm') {
        forceThreading(false);
        setNumThreads(prevThreads);
      }
      px.setBackend('reference');
    });
    const tol = tolOf(s.dtype);

    it('MLP classifier: logits, cross-entropy and every gradient', () => {
      const c = mlp.classifier;
      const target = px.tensor(c.target.values, { dtype: 'int32', shape: c.target.shape });
      const r = mlpCase(c, s.dtype, (out) => px.crossEntropy(out, target));
      assert.equal(r.out.dtype, s.dtype);
      assertClose(r.out, c.logits.values, tol, 'logits');
      assertClose([r.loss.item()], [c.crossEntropy.loss], tol, 'cross-entropy');
      checkGrads(r, c.crossEntropy.grads, tol, 'CE');
    });

    it('MLP regressor (sigmoid, softplus, elu): output, MSE and every gradient', () => {
      const g = mlp.regressor;
      const target = px.tensor(g.target.values, { dtype: s.dtype, shape: g.target.shape });
      const r = mlpCase(g, s.dtype, (out) => px.mse(out, target));
      assertClose(r.out, g.output.values, tol, 'output');
      assertClose([r.loss.item()], [g.mse.loss], tol, 'MSE');
      checkGrads(r, g.mse.grads, tol, 'MSE');
    });

    it('every optimizer configuration, 3 steps', () => {
      const p = optGolden.problem;
      const t = (a: Arr, rg = false): px.Tensor => px.tensor(a.values, { dtype: s.dtype, shape: a.shape, requiresGrad: rg });
      const X = t(p.X);
      const Y = t(p.Y);
      for (const cfg of optGolden.optimizers) {
        const W = t(p.W, true);
        const b = t(p.b, true);
        const named = { W, b };
        const params = cfg.groups ? cfg.groups.map((g) => ({ ...g, params: g.params.map((n) => named[n]) })) : [W, b];
        const opt = OPTIMIZERS[cfg.optimizer]!(params as never, cfg.options);
        cfg.steps.forEach((want, k) => {
          opt.zeroGrad();
          const loss = px.mean(px.square(px.sub(px.tanh(px.add(px.matmul(X, W), b)), Y)));
          assertClose([loss.item()], [want.loss], tol, `${cfg.name}: loss before step ${k + 1}`);
          loss.backward();
          opt.step();
          assertClose(W, want.W.values, tol, `${cfg.name}: W after step ${k + 1}`);
          assertClose(b, want.b.values, tol, `${cfg.name}: b after step ${k + 1}`);
        });
      }
    });
  });
}
