/**
 * @file Checkpoints (io/checkpoint.ts): a run interrupted mid-epoch, saved, restored into brand-new
 * objects and continued ends bit-identical to the uninterrupted run (weights, Adam moments, step
 * counts, learning rate, loader position and RNG state), by a hand-written loop and by `fit`. Also:
 * NaN weights never replace the last good checkpoint, `keep` and `latestCheckpoint` (temp files
 * ignored), and a load that does not fit changes nothing at all. Crash safety of the write itself
 * (SIGKILL at each stage) is covered by io-atomic.test.ts.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as px from '../src/node.js';
import { data, fit, io, nn, optim } from '../src/node.js';
import { bytesOf, hex } from './io-helpers.js';
import { allocationsDuring } from './allocations.js';

let root = '';
let n = 0;
before(() => { root = mkdtempSync(path.join(tmpdir(), 'plexus-ckpt-')); });
after(() => rmSync(root, { recursive: true, force: true }));
/** A fresh directory per test. */
const freshDir = (): string => path.join(root, `d${++n}`);

// 40 samples, batches of 8: 5 steps per epoch. Data from its own generator, fixed for every run.
const g = new px.Generator(123);
const X = px.keep(px.randn([40, 4], { generator: g }));
const Y = px.keep(px.randint(0, 3, [40], { generator: g }));

interface Run {
  model: nn.Sequential;
  optimizer: optim.Adam;
  scheduler: optim.StepLR;
  loader: data.DataLoader;
}

/** A model with Dropout (so the global RNG matters), Adam, a per-epoch StepLR and a shuffling loader. */
function setup(seed: number, hidden = 16): Run {
  px.manualSeed(seed);
  const model = new nn.Sequential(new nn.Linear(4, hidden), new nn.ReLU(), new nn.Dropout(0.3), new nn.Linear(hidden, 3));
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-2 });
  const scheduler = new optim.StepLR(optimizer, { stepSize: 1, gamma: 0.5 });
  const loader = new data.DataLoader(new data.TensorDataset(X, Y), { batchSize: 8, shuffle: true, seed: seed + 7 });
  return { model, optimizer, scheduler, loader };
}

/**
 * Trains epochs [epoch, epochs) from the loader's position. `pause(step, epoch)` is awaited after each
 * step; returning true stops the run there (an interruption).
 */
async function train(r: Run, from: { epoch: number; step: number }, epochs: number, pause?: (step: number, epoch: number) => Promise<boolean>): Promise<number> {
  let step = from.step;
  for (let e = from.epoch; e < epochs; e++) {
    for (const [x, y] of r.loader) {
      px.scope(() => {
        r.optimizer.zeroGrad();
        px.crossEntropy(r.model.forward(x), y).backward();
        r.optimizer.step();
      });
      step++;
      if (pause && (await pause(step, e))) return step;
    }
    r.scheduler.step();
  }
  return step;
}

/** Everything that must match bit for bit after a resume. */
function snapshot(r: Run): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, t] of r.model.stateDict()) out[`model.${k}`] = hex(bytesOf(t));
  const sd = r.optimizer.stateDict();
  for (const [i, s] of Object.entries(sd.state)) {
    for (const [k, v] of Object.entries(s)) out[`optim.${i}.${k}`] = v instanceof px.Tensor ? hex(bytesOf(v)) : v;
  }
  out.paramGroups = sd.paramGroups;
  out.scheduler = r.scheduler.stateDict();
  out.loader = r.loader.state();
  out.rng = px.defaultGenerator.getState();
  return out;
}

const targets = (r: Run): io.CheckpointTargets => ({ model: r.model, optimizer: r.optimizer, scheduler: r.scheduler, loader: r.loader });

describe('bit-exact resume', () => {
  const EPOCHS = 3;
  const STOP = 7; // epoch 1, batch 2 of 5: mid-epoch, after the learning rate has been stepped once
  let straight: Record<string, unknown>;
  let ckptDir = '';

  before(async () => {
    const a = setup(0);
    await train(a, { epoch: 0, step: 0 }, EPOCHS);
    straight = snapshot(a);
    // The interrupted run: same seed, saved at STOP, then abandoned.
    ckptDir = freshDir();
    const b = setup(0);
    await train(b, { epoch: 0, step: 0 }, EPOCHS, async (step, epoch) => {
      if (step !== STOP) return false;
      await io.saveCheckpoint(ckptDir, { ...targets(b), epoch, step, extra: { note: 'mid-epoch', bestLoss: 0.25 } });
      return true;
    });
  });

  it('save mid-epoch -> new objects -> load -> continue == the uninterrupted run, bitwise', async () => {
    const c = setup(999); // different init, shuffle seed and RNG: everything must come from the file
    assert.notDeepEqual(snapshot(c).rng, straight.rng);
    const ck = await io.loadCheckpoint(ckptDir, targets(c));
    assert.equal(ck.path, path.join(ckptDir, 'last.safetensors'));
    assert.deepEqual([ck.epoch, ck.step], [1, STOP]);
    assert.deepEqual(ck.extra, { note: 'mid-epoch', bestLoss: 0.25 });
    assert.equal((ck.modelConfig as { type: string }).type, 'Sequential');
    const end = await train(c, ck, EPOCHS);
    assert.equal(end, EPOCHS * 5);
    assert.deepEqual(snapshot(c), straight);
  });

  it('is sensitive: without the RNG state (Dropout masks) or the optimizer state, the runs differ', async () => {
    const noRng = setup(999);
    const ck = await io.loadCheckpoint(ckptDir, { ...targets(noRng), rng: null });
    await train(noRng, ck, EPOCHS);
    const a = snapshot(noRng);
    assert.notEqual(a['model.0.weight'], straight['model.0.weight']);

    const noOpt = setup(999);
    const { optimizer: _o, ...rest } = targets(noOpt);
    await io.loadCheckpoint(ckptDir, rest);
    await train(noOpt, ck, EPOCHS);
    assert.notEqual(snapshot(noOpt)['model.0.weight'], straight['model.0.weight']);
  });

  it('fit: 2 epochs straight == 1 epoch, checkpoint, new objects, resume, 1 more epoch', async () => {
    const opts = (r: Run) => ({ optimizer: r.optimizer, scheduler: r.scheduler, loss: 'crossEntropy' as const, progress: false });
    const a = setup(1);
    await fit(a.model, a.loader, { ...opts(a), epochs: 2 });

    const dir = freshDir();
    const b = setup(1);
    const h = await fit(b.model, b.loader, { ...opts(b), epochs: 1 });
    await io.saveCheckpoint(dir, { ...targets(b), epoch: 1, step: h.steps });

    const c = setup(55);
    const ck = await io.loadCheckpoint(dir, targets(c));
    const h2 = await fit(c.model, c.loader, { ...opts(c), epochs: 2, initialEpoch: ck.epoch, initialStep: ck.step });
    assert.deepEqual(h2.epochs.map((e) => e.epoch), [2]);
    assert.deepEqual(snapshot(c), snapshot(a));
  });
});

describe('non-finite weights never replace the last good checkpoint', () => {
  it('refuses NaN weights and Inf optimizer state with NonFiniteWeightsError; files untouched', async () => {
    const dir = freshDir();
    const r = setup(2);
    await train(r, { epoch: 0, step: 0 }, 1);
    await io.saveCheckpoint(dir, { ...targets(r), epoch: 1, step: 5 }, { keep: 3 });
    const files = readdirSync(dir).sort();
    const good = readFileSync(path.join(dir, 'last.safetensors'));

    // Inf in an Adam moment with finite weights: still a diverged state.
    const w3 = r.model.at(3).parameters()[0]!;
    const m = r.optimizer.state.get(w3)!.expAvgSq as px.Tensor;
    px.noGrad(() => m.mutate((v) => { v[0] = Infinity; }));
    await assert.rejects(io.saveCheckpoint(dir, { ...targets(r), epoch: 1, step: 6 }, { keep: 3 }), (e: unknown) => {
      assert.ok(e instanceof io.NonFiniteWeightsError);
      assert.equal(e.tensor, 'optimizer state "expAvgSq" of "3.weight"');
      return true;
    });

    px.noGrad(() => r.model.at(0).parameters()[1]!.mutate((v) => { v[2] = NaN; v[3] = -Infinity; }));
    await assert.rejects(io.saveCheckpoint(dir, { ...targets(r), epoch: 1, step: 6 }, { keep: 3 }), (e: unknown) => {
      assert.ok(e instanceof io.NonFiniteWeightsError);
      assert.equal(e.code, 'NON_FINITE_WEIGHTS');
      assert.equal(e.tensor, 'tensor "0.bias"');
      assert.equal(e.count, 2);
      assert.ok(e.message.includes('last.safetensors'), e.message);
      return true;
    });
    assert.deepEqual(readdirSync(dir).sort(), files, 'no file added, removed or left behind');
    assert.deepEqual(readFileSync(path.join(dir, 'last.safetensors')), good);
    // The kept checkpoint still restores.
    const fresh = setup(3);
    assert.equal((await io.loadCheckpoint(dir, targets(fresh))).step, 5);
  });
});

describe('keep and latestCheckpoint', () => {
  it('keeps the last N step files besides last; latest prefers last, then the highest step; temp files are ignored', async () => {
    const dir = freshDir();
    const r = setup(4);
    for (const step of [1, 2, 3, 10, 11]) await io.saveCheckpoint(dir, { model: r.model, epoch: 0, step }, { keep: 2 });
    assert.deepEqual(readdirSync(dir).sort(), ['last.safetensors', 'step-00000010.safetensors', 'step-00000011.safetensors']);
    assert.equal(await io.latestCheckpoint(dir), path.join(dir, 'last.safetensors'));

    rmSync(path.join(dir, 'last.safetensors'));
    // Orphans of a crashed writer (a dead pid) must never be picked, whatever their name says.
    writeFileSync(path.join(dir, '.last.safetensors.plexus-tmp-2147483646-0-1'), 'partial');
    writeFileSync(path.join(dir, '.step-00000099.safetensors.plexus-tmp-2147483646-0-2'), 'partial');
    mkdirSync(path.join(dir, 'step-00000500.safetensors')); // a directory is not a checkpoint
    assert.equal(await io.latestCheckpoint(dir), path.join(dir, 'step-00000011.safetensors'));
    assert.equal((await io.loadCheckpoint(dir, { model: setup(5).model })).step, 11);

    // The next save removes the dead writer's temp files.
    await io.saveCheckpoint(dir, { model: r.model, epoch: 0, step: 12 });
    assert.ok(!readdirSync(dir).some((f) => f.includes('plexus-tmp')));

    assert.equal(await io.latestCheckpoint(path.join(root, 'does-not-exist')), null);
    const empty = freshDir();
    mkdirSync(empty);
    assert.equal(await io.latestCheckpoint(empty), null);
    await assert.rejects(io.loadCheckpoint(empty, { model: r.model }), { code: 'NO_CHECKPOINT' });
  });
});

describe('a load that does not fit changes nothing', () => {
  let dir = '';
  before(async () => {
    dir = freshDir();
    const r = setup(6);
    await train(r, { epoch: 0, step: 0 }, 1);
    await io.saveCheckpoint(dir, { ...targets(r), epoch: 1, step: 5 });
    await io.saveCheckpoint(path.join(dir, 'bare'), { model: r.model, rng: null, epoch: 1, step: 5 });
  });

  /** Expects `code` naming `names`; the targets, the global RNG and memory() are exactly as before. */
  async function unchanged(r: Run, load: () => Promise<unknown>, code: string, names: string[]): Promise<void> {
    px.manualSeed(77);
    const before = snapshot(r);
    // Counted by allocations, not memory(): earlier tests' finalizers may run during the await.
    const { error: e, live, liveBytes } = await allocationsDuring(load);
    assert.ok(e instanceof io.ModelFormatError, String(e));
    assert.equal(e.code, code, e.message);
    for (const name of names) assert.ok(e.message.includes(name), `${e.message} should name ${name}`);
    assert.equal(live, 0, `storages left allocated: ${live} (${liveBytes} bytes)`);
    assert.deepEqual(snapshot(r), before);
  }

  it('another architecture: STATE_MISMATCH naming the tensors', async () => {
    const r = setup(8, 12);
    await unchanged(r, () => io.loadCheckpoint(dir, targets(r)), 'STATE_MISMATCH', ['"0.weight" has shape [16,4] in the file, expected [12,4]', '"3.weight"']);
  });

  it('another optimizer type: STATE_MISMATCH before anything is applied', async () => {
    const r = setup(8);
    const sgd = new optim.SGD(r.model.parameters(), { lr: 0.1, momentum: 0.9 });
    const before = JSON.stringify(sgd.stateDict());
    await unchanged(r, () => io.loadCheckpoint(dir, { ...targets(r), optimizer: sgd }), 'STATE_MISMATCH', ['holds Adam', 'SGD']);
    assert.equal(JSON.stringify(sgd.stateDict()), before);
  });

  it('an optimizer that refuses the state after the loader and scheduler were restored: both rolled back', async () => {
    const r = setup(8);
    const [w0, b0, ...others] = r.model.parameters();
    // Same type, other grouping: Adam.loadStateDict refuses (it runs after the loader and scheduler,
    // which accept their parts: both must be put back).
    const grouped = new optim.Adam([{ params: [w0!, b0!] }, { params: others }], { lr: 1e-2 });
    const run = { ...r, optimizer: grouped };
    const groupedBefore = JSON.stringify(grouped.stateDict());
    await unchanged(run, () => io.loadCheckpoint(dir, targets(run)), 'INVALID_STATE_DICT', ['the dict has 1 groups, this optimizer has 2']);
    assert.equal(JSON.stringify(grouped.stateDict()), groupedBefore);
  });

  it('a loader with other settings: LOADER_STATE_MISMATCH', async () => {
    const r = setup(8);
    const loader = new data.DataLoader(new data.TensorDataset(X, Y), { batchSize: 4, shuffle: true, seed: 1 });
    const run = { ...r, loader };
    await unchanged(run, () => io.loadCheckpoint(dir, targets(run)), 'LOADER_STATE_MISMATCH', ['batchSize 8 vs 4']);
  });

  it('parts the file lacks: MISSING_STATE', async () => {
    const r = setup(8);
    await unchanged(r, () => io.loadCheckpoint(path.join(dir, 'bare'), targets(r)), 'MISSING_STATE', ['optimizer']);
    await unchanged(r, () => io.loadCheckpoint(path.join(dir, 'bare'), { model: r.model, rng: new px.Generator(1) }), 'MISSING_STATE', ['RNG']);
  });

  it('a flipped bit: CHECKSUM_MISMATCH; a model file is not a checkpoint', async () => {
    const r = setup(8);
    const bytes = new Uint8Array(readFileSync(path.join(dir, 'last.safetensors')));
    bytes[bytes.length - 1]! ^= 1;
    writeFileSync(path.join(dir, 'flipped.safetensors'), bytes);
    await unchanged(r, () => io.loadCheckpoint(path.join(dir, 'flipped.safetensors'), targets(r)), 'CHECKSUM_MISMATCH', []);
    await io.saveModel(r.model, path.join(dir, 'model.safetensors'));
    await unchanged(r, () => io.loadCheckpoint(path.join(dir, 'model.safetensors'), targets(r)), 'INVALID_CHECKPOINT', ['not a plexus checkpoint']);
  });
});

describe('saveCheckpoint argument checks', () => {
  it('extra that JSON cannot hold, or a bad step, is refused before anything is written', async () => {
    const dir = freshDir();
    const r = setup(9);
    await assert.rejects(io.saveCheckpoint(dir, { ...targets(r), epoch: 0, step: 0, extra: { best: NaN } }), { code: 'INVALID_METADATA', message: /checkpoint\.extra\.best is NaN/ });
    await assert.rejects(io.saveCheckpoint(dir, { ...targets(r), epoch: 0, step: -1 }), { code: 'INVALID_ARGUMENT' });
    await assert.rejects(io.saveCheckpoint(dir, { ...targets(r), model: {} as nn.Module, epoch: 0, step: 0 }), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => readdirSync(dir), { code: 'ENOENT' });
  });
});
