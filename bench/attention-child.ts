/**
 * @file plexus's side of the attention workloads (bench/attention.ts), in its own process, stepwise
 * (bench/stepwise.ts): `node dist/bench/attention-child.js <attn|decode> <threads>`. After building
 * and warming up (untimed) it prints {"ready": true}; each `round <n>` line runs one round and
 * prints its figures; `done` prints the process's peakRssMB and exits.
 *
 * attn: causal self-attention nn.MultiheadAttention(256, 8, batchFirst) on x [4, 256, 256] float32
 * (inputs uniform in [0, 1) from mulberry32(7), as bench/peers/torch_attention.py), needWeights false
 * (the fused kernel): `round <n>` times n forwards (noGrad) and n forward+backward passes of
 * sum(out·R); prints fwdMs and fwdBwdMs (median per call).
 * decode: greedy KV-cached decoding with nn.TransformerLM(256 tokens, dModel 256, 8 heads, 2 layers)
 * for numKVHeads 8 (MHA), 2 (GQA), 1 (MQA), the same model size otherwise: `round <n>` decodes n
 * tokens after an 8-token prompt, batch 1; prints tokens/s per variant.
 */
import readline from 'node:readline';
import * as px from '../src/node.js';
import { setNumThreads } from '../src/node.js';
import { median, mulberry32, peakRssMB } from './common.js';

const emit = (o: object): void => console.log(JSON.stringify(o));

function uniform(shape: number[], seed: number): px.Tensor {
  const rng = mulberry32(seed);
  const n = shape.reduce((p, d) => p * d, 1);
  return px.tensor(Float32Array.from({ length: n }, () => rng()), { dtype: 'float32', shape });
}

function timeEach(n: number, f: () => void): number {
  const ts: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    f();
    ts.push(performance.now() - t);
  }
  return median(ts);
}

async function serve(round: (n: number) => object): Promise<void> {
  emit({ ready: true });
  for await (const line of readline.createInterface({ input: process.stdin })) {
    const [cmd, arg] = line.trim().split(/\s+/);
    if (cmd === 'round' && Number.isFinite(Number(arg))) emit(round(Number(arg)));
    else if (cmd === 'done') {
      emit({ done: true, peakRssMB: peakRssMB() });
      return;
    } else throw new Error(`unknown command '${line.trim()}'`);
  }
}

function attn(): (n: number) => object {
  px.manualSeed(0);
  const m = new px.nn.MultiheadAttention(256, 8, { batchFirst: true, dtype: 'float32' });
  const x = uniform([4, 256, 256], 7);
  const r = uniform([4, 256, 256], 8);
  const fwd = (): void => { px.noGrad(() => px.scope(() => { m.forward(x, x, x, { isCausal: true, needWeights: false })[0]._peek(); })); };
  const fwdBwd = (): void => {
    px.scope(() => {
      m.zeroGrad();
      const [o] = m.forward(x, x, x, { isCausal: true, needWeights: false });
      px.sum(px.mul(o, r)).backward();
    });
  };
  fwd();
  fwdBwd();
  return (n) => ({ fwdMs: timeEach(n, fwd), fwdBwdMs: timeEach(n, fwdBwd) });
}

function decode(): (n: number) => object {
  const variants = { mha: 8, gqa: 2, mqa: 1 };
  const models = Object.fromEntries(Object.entries(variants).map(([k, kv]) => {
    px.manualSeed(0);
    return [k, new px.nn.TransformerLM(256, 256, 8, 2, { numKVHeads: kv, maxLength: 512, dtype: 'float32' })];
  }));
  const prompt = px.tensor(Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), { dtype: 'int32', shape: [1, 8] });
  for (const lm of Object.values(models)) lm.generate(prompt, 32, { temperature: 0 });
  // The variants' order rotates by round, so warm-up and load drift do not favour one of them.
  let r = 0;
  return (n) => {
    const names = Object.keys(models);
    const order = names.map((_, i) => names[(i + r) % names.length]!);
    r++;
    const out: Record<string, number> = {};
    for (const k of order) {
      const t = performance.now();
      px.scope(() => models[k]!.generate(prompt, n, { temperature: 0 }));
      out[k] = n / ((performance.now() - t) / 1000);
    }
    return out;
  };
}

const [workload, threads] = process.argv.slice(2);
px.setBackend('wasm');
setNumThreads(Number(threads ?? 1));
await serve(workload === 'decode' ? decode() : attn());
