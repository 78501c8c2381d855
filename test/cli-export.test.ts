/**
 * @file `plexus export --format onnx` on a model trained by `plexus train`: the ONNX graph takes raw
 * features (the saved standardisation is in it) and ONNX Runtime's argmax scores the accuracy
 * `plexus eval` prints on the same test split; `--raw-standardized` leaves the standardisation
 * out; a plain model file needs --input-shape; bad flags are refused before anything is written.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as px from '../src/node.js';
import { listing, removeTempDirs, runCli, tempDir } from './cli-helpers.js';

after(removeTempDirs);

type Ort = typeof import('onnxruntime-node').default;

async function ortAccuracy(ort: Ort, file: string, x: Float32Array, labels: number[], standardize?: { mean: number[]; std: number[] }): Promise<number> {
  const session = await ort.InferenceSession.create(readFileSync(file));
  const n = labels.length;
  const f = x.length / n;
  const input = Float32Array.from(x, (v, i) => (standardize ? (v - standardize.mean[i % f]!) / standardize.std[i % f]! : v));
  const out = (await session.run({ input: new ort.Tensor('float32', input, [n, f]) })).output!;
  const logits = out.data as Float32Array;
  const k = out.dims[1]!;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (logits[i * k + j]! > logits[i * k + best]!) best = j;
    if (best === labels[i]) correct++;
  }
  return correct / n;
}

describe('plexus export --format onnx', () => {
  let cwd: string;
  let ort: Ort | null = null;
  let evalAcc: number;
  const model = 'runs/e/model.safetensors';

  before(async () => {
    try {
      ort = (await import('onnxruntime-node')).default;
    } catch {
      console.log('# SKIP onnxruntime-node did not load; ONNX Runtime checks skipped');
    }
    cwd = tempDir();
    const r = await runCli(cwd, 'train', '--epochs', '3', '--hidden', '24', '--norm', 'layer', '--name', 'e');
    assert.equal(r.code, 0, r.err);
    const e = await runCli(cwd, 'eval', '--model', model);
    evalAcc = Number(/accuracy ([\d.]+)%/.exec(e.out)![1]) / 100;
  });

  it('writes model.onnx taking raw features; ONNX Runtime scores the accuracy plexus eval prints', async (t) => {
    const r = await runCli(cwd, 'export', model, '--format', 'onnx');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /wrote runs\/e\/model\.onnx \(ONNX opset 17, input \[N, 64\], raw features/);
    if (!ort) return t.skip('onnxruntime-node absent');
    const { test } = px.data.digits({ seed: 0, testFraction: 0.2, normalize: false });
    const acc = await ortAccuracy(ort, path.join(cwd, 'runs/e/model.onnx'), Float32Array.from(test.x.values as ArrayLike<number>), Array.from(test.y.values as ArrayLike<number>));
    console.log(`# ONNX Runtime accuracy ${(100 * acc).toFixed(2)}% vs plexus eval ${(100 * evalAcc).toFixed(2)}%`);
    assert.ok(Math.abs(acc - evalAcc) < 0.0005 + 1e-9, `${acc} vs ${evalAcc}`);
  });

  it('--raw-standardized: the graph takes standardised inputs', async (t) => {
    const r = await runCli(cwd, 'export', model, '--out', 'std.onnx', '--raw-standardized', '--opset', '13');
    assert.equal(r.code, 0, r.err);
    assert.doesNotMatch(r.out, /raw features/);
    if (!ort) return t.skip('onnxruntime-node absent');
    const { model: m, metadata } = await px.io.loadModel(path.join(cwd, model));
    void m;
    const st = (metadata.cli as { standardizer: { mean: number[]; std: number[] } }).standardizer;
    const { test } = px.data.digits({ seed: 0, testFraction: 0.2, normalize: false });
    const acc = await ortAccuracy(ort, path.join(cwd, 'std.onnx'), Float32Array.from(test.x.values as ArrayLike<number>), Array.from(test.y.values as ArrayLike<number>), st);
    assert.ok(Math.abs(acc - evalAcc) < 0.0005 + 1e-9, `${acc} vs ${evalAcc}`);
  });

  it('bad flags are refused before anything is written', async () => {
    const before = listing(cwd);
    const cases: [string[], RegExp][] = [
      [['export', model, '--format', 'tflite'], /--format must be one of onnx/],
      [['export', model, '--opset', '9'], /--opset must be an integer in 13\.\.19/],
      [['export', model, '--out', '../outside.onnx'], /output file \(--out\)/],
      [['export', model, '--input-shape', '0,64', '--out', 'x.onnx'], /--input-shape must be/],
      [['export', 'missing.safetensors'], /missing\.safetensors/],
    ];
    for (const [args, re] of cases) {
      const r = await runCli(cwd, ...args);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.err, re);
    }
    assert.deepEqual(listing(cwd), before);
  });

  it('a model file without training metadata needs --input-shape', async () => {
    px.manualSeed(0);
    await px.io.saveModel(new px.nn.KAN([2, 3, 1]), path.join(cwd, 'kan.safetensors'));
    const r = await runCli(cwd, 'export', 'kan.safetensors');
    assert.equal(r.code, 2);
    assert.match(r.err, /pass --input-shape/);
    const ok = await runCli(cwd, 'export', 'kan.safetensors', '--input-shape', 'N,2');
    assert.equal(ok.code, 0, ok.err);
    assert.ok(existsSync(path.join(cwd, 'kan.onnx')));
  });
});
