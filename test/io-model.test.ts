/**
 * @file Model files (io/model.ts): saveModel -> loadModel rebuilds the architecture from the JSON config
 * and restores every parameter and buffer bit for bit; metadata round-trips; bad files (unknown
 * layer, weights that do not fit the config, future versions, hostile JSON) fail with typed errors
 * and leave nothing allocated; the file is ordinary safetensors to an independent numpy reader.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as px from '../src/node.js';
import { io, nn } from '../src/node.js';
import { bytesOf, hex } from './io-helpers.js';
import { allocationsDuring } from './allocations.js';

const CHECKER = fileURLToPath(new URL('../../scripts/check_safetensors.py', import.meta.url));
let dir = '';
before(() => { dir = mkdtempSync(path.join(tmpdir(), 'plexus-model-')); });
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string): string => path.join(dir, name);

/** key -> dtype, shape and hex bytes of every state-dict entry: equal means bit-identical. */
function fingerprint(m: nn.Module): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, t] of m.stateDict()) out[k] = `${t.dtype}${JSON.stringify(t.shape)}:${hex(bytesOf(t))}`;
  return out;
}

/** Rewrites a file's model JSON (keeping its tensors), to build hostile or mismatched files. */
function withModelJson(src: string, dst: string, edit: (h: Record<string, unknown>) => unknown, tensors?: Map<string, px.Tensor>): void {
  const parsed = io.decodeSafetensors(new Uint8Array(readFileSync(src)));
  const h = JSON.parse(parsed.metadata.get(io.MODEL_KEY)!) as Record<string, unknown>;
  const text = JSON.stringify(edit(h));
  writeFileSync(dst, io.serializeSafetensors(tensors ?? parsed.tensors, { [io.MODEL_KEY]: text }));
}

/** Expects a rejection with `code` naming `names`, with no tensor or byte left allocated. */
async function rejectsClean(run: () => Promise<unknown>, code: string, names: string[] = []): Promise<Error> {
  const rng = px.defaultGenerator.getState();
  const { error: caught, live, liveBytes } = await allocationsDuring(run);
  assert.ok(caught instanceof px.PlexusError, `expected ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  for (const n of names) assert.ok(caught.message.includes(n), `message ${JSON.stringify(caught.message)} should name ${n}`);
  // Exact, and immune to finalizers of earlier garbage: the storages this call made are all released.
  assert.equal(live, 0, `storages left allocated: ${live} (${liveBytes} bytes)`);
  assert.deepEqual(px.defaultGenerator.getState(), rng, 'the global RNG moved');
  return caught;
}

describe('saveModel / loadModel round trip', () => {
  it('an MLP: same config, bit-identical parameters, identical outputs, metadata back', async () => {
    px.manualSeed(1);
    const m = new nn.MLP([4, 8, 8, 3], { activation: 'gelu', dropout: 0.2 });
    const metadata = { classNames: ['setosa', 'versicolor', 'virginica'], standardizer: { mean: [5.8, 3.1, 3.7, 1.2], std: [0.83, 0.43, 1.76, 0.76] }, note: null };
    await io.saveModel(m, file('mlp.safetensors'), { metadata });
    const rngBefore = px.defaultGenerator.getState();
    const loaded = await io.loadModel(file('mlp.safetensors'));
    // Loading built fresh layers (random init) but must not shift the caller's random stream.
    assert.deepEqual(px.defaultGenerator.getState(), rngBefore);
    assert.equal(loaded.model.constructor, nn.MLP);
    assert.deepEqual(loaded.config, m.getConfig());
    assert.deepEqual(loaded.metadata, metadata);
    assert.deepEqual(fingerprint(loaded.model), fingerprint(m));
    const x = px.randn([5, 4]);
    m.eval();
    loaded.model.eval();
    assert.deepEqual(Array.from(loaded.model.forward(x).values), Array.from(m.forward(x).values));
  });

  it('a Sequential with BatchNorm1d: running stats and the int32 batch counter come back exactly', async () => {
    px.manualSeed(2);
    const m = new nn.Sequential(new nn.Linear(3, 6), new nn.BatchNorm1d(6), new nn.ReLU(), new nn.Linear(6, 2));
    m.train();
    for (let i = 0; i < 3; i++) m.forward(px.randn([8, 3])); // moves running_mean/var off their init
    const bn = m.at(1);
    assert.equal(bn.getBuffer('num_batches_tracked')!.item(), 3);
    assert.notDeepEqual(Array.from(bn.getBuffer('running_mean')!.values), [0, 0, 0, 0, 0, 0]);
    await io.saveModel(m, file('seq.safetensors'));
    const { model } = await io.loadModel(file('seq.safetensors'));
    assert.deepEqual(fingerprint(model), fingerprint(m));
    const x = px.randn([4, 3]);
    m.eval();
    model.eval();
    assert.deepEqual(Array.from(model.forward(x).values), Array.from(m.forward(x).values));
  });

  it('{dtype} converts after loading (float64 file -> float32 model, values rounded once)', async () => {
    px.manualSeed(3);
    const m = new nn.MLP([2, 3, 1], { dtype: 'float64' });
    await io.saveModel(m, file('f64.safetensors'));
    const load = await allocationsDuring(() => io.loadModel(file('f64.safetensors'), { dtype: 'float32' }));
    const { model } = load.result!;
    for (const [[k, a], [, b]] of model.namedParameters().map((e, i) => [e, m.namedParameters()[i]!] as const)) {
      assert.equal(a.dtype, 'float32', k);
      assert.deepEqual(Array.from(a.values), Array.from(b.values, (v) => Math.fround(v)), k);
    }
    // Only the new model's parameters remain: the float64 ones it replaced were disposed. Counted by
    // allocations, not memory(): earlier tests' finalizers may run during the await (test/allocations.ts).
    assert.equal(load.live, model.parameters().length);
    await assert.rejects(io.loadModel(file('f64.safetensors'), { dtype: 'int32' as px.FloatDType }), { code: 'INVALID_DTYPE' });
  });

  it('readModelInfo shows config, metadata and tensors without creating a tensor', async () => {
    px.manualSeed(4);
    await io.saveModel(new nn.MLP([4, 5, 2]), file('info.safetensors'), { metadata: { epochs: 3 } });
    // Not memory().numTensors around the await: earlier tests' finalizers would lower it meanwhile.
    const read = await allocationsDuring(() => io.readModelInfo(file('info.safetensors')));
    assert.equal(read.allocated, 0, 'readModelInfo allocated a tensor');
    const info = read.result!;
    assert.equal(info.config.type, 'MLP');
    assert.deepEqual(info.metadata, { epochs: 3 });
    assert.equal(info.version, 1);
    assert.match(info.plexusVersion, /^\d+\.\d+\.\d+/);
    assert.deepEqual(info.tensors.map((t) => `${t.name}:${t.dtype}[${t.shape.join(',')}]`).sort(),
      ['layers.0.bias:F32[5]', 'layers.0.weight:F32[5,4]', 'layers.1.bias:F32[2]', 'layers.1.weight:F32[2,5]']);
    assert.equal(info.numValues, 5 * 4 + 5 + 2 * 5 + 2);
    assert.ok(info.fileMetadata.has('plexus.sha256'));
  });
});

describe('loadModel refuses bad files, leaving nothing allocated', () => {
  before(async () => {
    px.manualSeed(5);
    await io.saveModel(new nn.MLP([4, 8, 3]), file('good.safetensors'));
  });

  it('a config naming an unknown layer: UNKNOWN_LAYER listing the known types', async () => {
    withModelJson(file('good.safetensors'), file('unknown.safetensors'), (h) => ({
      ...h, model: { type: 'Sequential', layers: [{ type: 'Linear', inFeatures: 4, outFeatures: 8 }, { type: 'EvalEverything', code: 'process.exit(1)' }] },
    }));
    const e = await rejectsClean(() => io.loadModel(file('unknown.safetensors')), 'UNKNOWN_LAYER', ['EvalEverything', 'known:', 'Linear', 'MLP', 'unknown.safetensors']);
    assert.ok(e instanceof io.ModelFormatError);
  });

  it('a "custom code" field on a known layer: INVALID_CONFIG, never run', async () => {
    withModelJson(file('good.safetensors'), file('code.safetensors'), (h) => ({ ...h, model: { ...(h.model as object), forward: 'x => x' } }));
    // Not rejectsClean: fromConfig finds the stray key only after building the MLP, whose parameters
    // are then unreachable but counted by memory() until garbage collection (see the report).
    await assert.rejects(io.loadModel(file('code.safetensors')), (e: unknown) => {
      assert.ok(e instanceof io.ModelFormatError);
      assert.equal(e.code, 'INVALID_CONFIG');
      assert.ok(e.message.includes('"forward"') && e.message.includes('code.safetensors'), e.message);
      return true;
    });
  });

  it('weights that do not fit the config: STATE_MISMATCH naming every tensor, nothing allocated', async () => {
    px.manualSeed(6);
    const other = new nn.MLP([4, 6, 3]); // hidden width 6 where the config says 8
    withModelJson(file('good.safetensors'), file('mismatch.safetensors'), (h) => h, other.stateDict());
    await rejectsClean(() => io.loadModel(file('mismatch.safetensors')), 'STATE_MISMATCH',
      ['"layers.0.weight" has shape [6,4] in the file, expected [8,4]', '"layers.0.bias"', '"layers.1.weight"']);
  });

  it('missing and unexpected tensors are all listed', async () => {
    px.manualSeed(7);
    const sd = new nn.MLP([4, 8, 3]).stateDict();
    sd.delete('layers.1.bias');
    sd.set('extra.weight', px.zeros([2]));
    withModelJson(file('good.safetensors'), file('keys.safetensors'), (h) => h, sd);
    await rejectsClean(() => io.loadModel(file('keys.safetensors')), 'STATE_MISMATCH', ['missing 1: "layers.1.bias"', 'unexpected 1: "extra.weight"']);
  });

  it('a future format version: UNSUPPORTED_VERSION', async () => {
    withModelJson(file('good.safetensors'), file('future.safetensors'), (h) => ({ ...h, version: 99 }));
    await rejectsClean(() => io.loadModel(file('future.safetensors')), 'UNSUPPORTED_VERSION', ['99', 'max 1']);
  });

  it('a plain safetensors file (no plexus config): MISSING_CONFIG with a hint', async () => {
    writeFileSync(file('plain.safetensors'), io.serializeSafetensors([['w', px.ones([2])]]));
    await rejectsClean(() => io.loadModel(file('plain.safetensors')), 'MISSING_CONFIG', ['plexus.model', 'loadSafetensors']);
  });

  it('hostile JSON: __proto__ keys, duplicate keys, 1e999 and deep nesting are refused; Object.prototype untouched', async () => {
    const cases: [string, string][] = [
      ['{"__proto__":{"polluted":1},"format":"plexus-model","version":1,"model":{"type":"Identity"}}', '__proto__'],
      ['{"format":"plexus-model","version":1,"version":1,"model":{"type":"Identity"}}', 'duplicate'],
      ['{"format":"plexus-model","version":1,"model":{"type":"Identity"},"metadata":{"x":1e999}}', '1e999'],
      [`{"format":"plexus-model","version":1,"model":{"type":"Identity"},"metadata":{"x":${'['.repeat(100)}${']'.repeat(100)}}}`, 'deeper'],
    ];
    for (const [i, [json, name]] of cases.entries()) {
      writeFileSync(file(`hostile${i}.safetensors`), io.serializeSafetensors([], { [io.MODEL_KEY]: json }));
      await rejectsClean(() => io.loadModel(file(`hostile${i}.safetensors`)), 'INVALID_CONFIG', [name]);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('a flipped bit anywhere is caught by the checksum', async () => {
    const bytes = new Uint8Array(readFileSync(file('good.safetensors')));
    bytes[bytes.length - 3]! ^= 0x10;
    writeFileSync(file('flipped.safetensors'), bytes);
    await rejectsClean(() => io.loadModel(file('flipped.safetensors')), 'CHECKSUM_MISMATCH');
  });
});

describe('saveModel refuses what it cannot save faithfully', () => {
  it('NaN weights: NonFiniteWeightsError naming the tensor; the previous file is unchanged', async () => {
    px.manualSeed(8);
    const m = new nn.MLP([2, 3, 1]);
    await io.saveModel(m, file('keep.safetensors'));
    const good = readFileSync(file('keep.safetensors'));
    px.noGrad(() => m.layers.at(1).parameters()[0]!.mutate((v) => { v[1] = NaN; }));
    await assert.rejects(io.saveModel(m, file('keep.safetensors')), (e: unknown) => {
      assert.ok(e instanceof io.NonFiniteWeightsError);
      assert.equal(e.code, 'NON_FINITE_WEIGHTS');
      assert.equal(e.tensor, 'tensor "layers.1.weight"');
      assert.equal(e.count, 1);
      return true;
    });
    assert.deepEqual(readFileSync(file('keep.safetensors')), good);
    // Explicitly allowed, it saves (and loads back with the NaN in place, as the format allows).
    await io.saveModel(m, file('nan.safetensors'), { allowNonFinite: true });
    const { model } = await io.loadModel(file('nan.safetensors'));
    assert.ok(Number.isNaN(model.stateDict().get('layers.1.weight')!.values[1]!));
  });

  it('metadata JSON cannot hold (NaN, a tensor, a function): ValueError naming the path, nothing written', async () => {
    const m = new nn.MLP([2, 1]);
    const bad: [Record<string, unknown>, string][] = [
      [{ stats: { mean: [0, NaN] } }, 'saveModel.metadata.stats.mean[1] is NaN'],
      [{ t: px.zeros([1]) }, 'saveModel.metadata.t is Tensor'],
      [{ list: [() => 1] }, 'saveModel.metadata.list[0] is function'],
    ];
    for (const [metadata, msg] of bad) {
      await assert.rejects(io.saveModel(m, file('never.safetensors'), { metadata }), (e: unknown) => {
        assert.ok(e instanceof px.ValueError);
        assert.equal(e.code, 'INVALID_METADATA');
        assert.ok(e.message.includes(msg), e.message);
        return true;
      });
    }
    assert.ok(!readdirSync(dir).some((n) => n.includes('never')));
  });
});

/** True when /usr/bin/python3 imports numpy (the independent reader needs nothing else). */
function havePythonNumpy(): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import numpy'], { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

describe('independent reader (scripts/check_safetensors.py)', () => {
  it('reads a saveModel file to the same bytes, and its config JSON from the metadata', async (t) => {
    if (!havePythonNumpy()) {
      t.skip('no /usr/bin/python3 with numpy; the independent reader check did not run');
      return;
    }
    px.manualSeed(9);
    const m = new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4), new nn.Tanh(), new nn.Linear(4, 2, { dtype: 'float64' }));
    m.at(1).forward(m.at(0).forward(px.randn([5, 3]))); // moves the running stats (the f64 head is not run)
    await io.saveModel(m, file('py.safetensors'), { metadata: { classNames: ['a', 'b'] } });
    const report = JSON.parse(execFileSync('/usr/bin/python3', [CHECKER, file('py.safetensors')], { encoding: 'utf8', timeout: 60_000 })) as {
      metadata: Record<string, string>; checksum: string; tensors: Record<string, { dtype: string; shape: number[]; hex: string }>;
    };
    assert.equal(report.checksum, 'ok');
    const h = JSON.parse(report.metadata[io.MODEL_KEY]!) as { format: string; model: unknown; metadata: unknown };
    assert.equal(h.format, 'plexus-model');
    assert.deepEqual(h.model, m.getConfig());
    assert.deepEqual(h.metadata, { classNames: ['a', 'b'] });
    const sd = m.stateDict();
    assert.deepEqual(Object.keys(report.tensors).sort(), [...sd.keys()].sort());
    for (const [k, tensor] of sd) {
      assert.equal(report.tensors[k]!.hex, hex(bytesOf(tensor)), k);
      assert.deepEqual(report.tensors[k]!.shape, tensor.shape, k);
    }
    assert.equal(report.tensors['1.num_batches_tracked']!.dtype, 'I32');
    assert.equal(report.tensors['3.weight']!.dtype, 'F64');
  });
});
