/**
 * @file `node dist/bench/f64-fallbacks.js [backend...]`: which float64 ops run a primitive's
 * reference loops (the slow oracle) on each backend. Every primitive's `reference` kernel is wrapped
 * with a counter, then typical float64 work runs: an MLP training step (32-256-256-1 tanh, Adam), a
 * KAN layer's forward and backward, softmax / cross-entropy, norms and reductions. Prints one JSON
 * line per backend: `{ backend, reference: { op: calls } }`. Not part of `npm run bench` (it
 * measures dispatch, not speed); issue #18 lists its before/after output.
 */
import * as px from '../src/index.js';
import { getPrimitive } from '../src/internal.js';

const counts = new Map<string, number>();
for (const name of px.PRIMITIVE_NAMES) {
  const prim = getPrimitive(name) as { reference: px.Kernel };
  const ref = prim.reference;
  prim.reference = (out, ins, attrs) => {
    if (ins.some((v) => v.dtype === 'float64') || out.dtype === 'float64') counts.set(name, (counts.get(name) ?? 0) + 1);
    ref(out, ins, attrs);
  };
}

function workload(): void {
  px.manualSeed(0);
  const dt = { dtype: 'float64' as const };
  const mlp = new px.nn.MLP([32, 256, 256, 1], { activation: 'tanh', ...dt });
  const opt = new px.optim.Adam(mlp.parameters(), { lr: 1e-3 });
  const x = px.randn([64, 32], dt);
  const y = px.randn([64, 1], dt);
  for (let s = 0; s < 2; s++) {
    opt.zeroGrad();
    px.mse(mlp.forward(x), y).backward();
    opt.step();
  }
  const sgd = new px.optim.SGD(mlp.parameters(), { lr: 1e-3, momentum: 0.9 });
  sgd.zeroGrad();
  px.mse(mlp.forward(x), y).backward();
  sgd.step();
  const kan = new px.nn.KAN([8, 16, 4], dt);
  const xk = px.rand([32, 8], dt).mul(2).sub(1);
  const kopt = new px.optim.LAMB(kan.parameters(), { lr: 1e-3 });
  kopt.zeroGrad();
  px.sum(kan.forward(xk).pow(2)).backward();
  kopt.step();
  const logits = px.randn([32, 10], dt);
  const labels = px.randint(0, 10, [32]);
  px.crossEntropy(logits, labels);
  px.softmax(logits, -1);
  px.sum(logits, 0);
  px.max(logits, -1);
  px.mean(logits.exp().log1p());
  px.argmax(logits, -1);
  new px.nn.LayerNorm(10, dt).forward(logits);
}

const wanted = process.argv.slice(2);
for (const backend of wanted.length ? wanted : ['wasm', 'js']) {
  px.setBackend(backend);
  counts.clear();
  workload();
  const reference = Object.fromEntries([...counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  console.log(JSON.stringify({ backend, reference }));
}
