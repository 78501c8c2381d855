/**
 * @file Callbacks and output of fit: EarlyStopping (patience, minDelta, mode, restoreBest), the JSONL
 * log (every line parses, NaN kept as a string), progress lines off a TTY and the redrawn bar on
 * one, ModelCheckpoint (writes safetensors, refuses non-finite weights), and the accuracy metric.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as px from '../src/node.js';
import { data, fit, History, io, nn, optim, train } from '../src/node.js';

const { loadCheckpoint, loadModel } = io;
const { EarlyStopping, ModelCheckpoint, accuracy } = train;
type EarlyStopping = train.EarlyStopping;
type EpochLogs = train.EpochLogs;
type StopReason = train.StopReason;
type TrainControl = train.TrainControl;

before(() => px.setBackend('js'));

function small(): { model: nn.MLP; s: data.Split } {
  px.manualSeed(0);
  return { model: new nn.MLP([2, 8, 3]), s: data.spiral({ nPerClass: 20, seed: 0 }) };
}

/** A stand-in for fit's control object, for driving callbacks by hand. */
class FakeControl implements TrainControl {
  readonly optimizer: optim.SGD;
  readonly epochs = 10;
  readonly stepsPerEpoch = 1;
  readonly history = new History();
  readonly loader = null;
  readonly scheduler = null;
  readonly epoch = 0;
  readonly step = 0;
  stopRequested: StopReason | null = null;
  constructor(readonly model: nn.Module) {
    this.optimizer = new optim.SGD(model.parameters(), { lr: 0 });
  }
  stop(reason: StopReason = 'callback'): void {
    this.stopRequested ??= reason;
  }
}
const control = (model: nn.Module): FakeControl => new FakeControl(model);

const logs = (epoch: number, v: Record<string, number>): EpochLogs => ({ epoch, loss: 0, lr: 0, seconds: 0, samplesPerSec: 0, ...v });

/** Feeds `values` of valLoss to `es`; returns the epoch it stopped at (0 if never). */
function drive(es: EarlyStopping, values: number[], monitor = 'valLoss'): number {
  const ctl = control(small().model);
  es.onTrainBegin();
  for (let e = 1; e <= values.length; e++) {
    es.onEpochEnd(e, logs(e, { [monitor]: values[e - 1]! }), ctl);
    if (ctl.stopRequested !== null) return e;
  }
  return 0;
}

describe('EarlyStopping', () => {
  it('stops after `patience` epochs in a row without improvement', () => {
    assert.equal(drive(new EarlyStopping({ patience: 2 }), [1, 0.9, 0.95, 0.96, 0.5]), 4);
    assert.equal(drive(new EarlyStopping({ patience: 2 }), [1, 0.9, 0.95, 0.8, 0.85, 0.7]), 0, 'an improvement resets the count');
    assert.equal(drive(new EarlyStopping({ patience: 0 }), [1, 0.9, 0.95]), 3);
    assert.equal(drive(new EarlyStopping({ patience: 1, minDelta: 0.2 }), [1, 0.9]), 2, 'a gain below minDelta is no improvement');
    assert.equal(drive(new EarlyStopping({ patience: 1 }), [1, NaN]), 2, 'NaN never improves');
  });

  it("mode 'auto' maximises accuracies; an unknown monitor is a typed error listing the keys", () => {
    const es = new EarlyStopping({ monitor: 'valAccuracy', patience: 1 });
    assert.equal(es.mode, 'max');
    assert.equal(drive(es, [0.5, 0.6, 0.55], 'valAccuracy'), 3);
    const ctl = control(small().model);
    assert.throws(() => new EarlyStopping().onEpochEnd(1, logs(1, {}), ctl), (e: unknown) =>
      e instanceof px.ValueError && e.code === 'UNKNOWN_MONITOR' && /available: epoch, loss/.test(e.message) && /validation/.test(e.message));
  });

  it('restoreBest loads the best epoch weights at the end', () => {
    const { model } = small();
    const ctl = control(model);
    const es = new EarlyStopping({ patience: 5, restoreBest: true });
    es.onTrainBegin();
    const snap = (): number[] => Array.from(model.parameters()[0]!.values);
    const values = [1, 0.5, 0.7];
    let best: number[] = [];
    values.forEach((v, i) => {
      px.noGrad(() => model.parameters()[0]!.assign(px.full(model.parameters()[0]!.shape, i + 1)));
      if (v === 0.5) best = snap();
      es.onEpochEnd(i + 1, logs(i + 1, { valLoss: v }), ctl);
    });
    es.onTrainEnd(ctl);
    assert.deepEqual(snap(), best);
    assert.equal(es.bestEpoch, 2);
  });

  it('ends a fit early with stopReason earlyStopping', async () => {
    const { model, s } = small();
    // lr 0 and a fixed order: the loss is the same every epoch, so it never improves after epoch 1.
    const h = await fit(model, { ...s, batchSize: 8, shuffle: false }, {
      optimizer: new optim.SGD(model.parameters(), { lr: 0 }), epochs: 10, progress: false,
      callbacks: [new EarlyStopping({ monitor: 'loss', patience: 2 })],
    });
    assert.equal(h.stopReason, 'earlyStopping');
    assert.equal(h.epochs.length, 3);
  });
});

describe('JSONL log', () => {
  it('writes trainBegin, one line per epoch and trainEnd; every line parses', async () => {
    const { model, s } = small();
    const lines: string[] = [];
    await fit(model, { ...s, batchSize: 8 }, {
      optimizer: new optim.Adam(model.parameters()), epochs: 3, progress: false, validation: s, log: { write: (c: string) => { lines.push(c); } },
    });
    const recs = lines.join('').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(recs.map((r) => r.event), ['trainBegin', 'epoch', 'epoch', 'epoch', 'trainEnd']);
    const ep = recs[2]!;
    assert.equal(ep.epoch, 2);
    for (const k of ['loss', 'accuracy', 'valLoss', 'valAccuracy', 'lr']) assert.equal(typeof ep[k], 'number', k);
    assert.equal(recs[4]!.stopReason, 'completed');
    assert.ok(recs.every((r) => typeof r.time === 'string'));
  });

  it('appends to a file path, keeping a NaN loss and the guard error readable', async () => {
    const { s } = small();
    const model = new nn.MLP([2, 8, 3], { activation: 'tanh' }); // tanh passes the NaN on to the loss
    const xv = Float32Array.from(s.x.values);
    xv[10] = NaN; // sample 5 -> batch 2 of 8
    const file = join(mkdtempSync(join(tmpdir(), 'plexus-log-')), 'log.jsonl');
    await fit(model, { x: px.tensor(xv, { shape: s.x.shape }), y: s.y, batchSize: 4, shuffle: false }, {
      optimizer: new optim.Adam(model.parameters()), epochs: 2, progress: false, log: file, nanPolicy: 'skip',
    });
    const recs = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const skipped = recs.filter((r) => r.event === 'batch');
    assert.deepEqual(skipped.map((r) => [r.step, r.loss, r.skipped]), [[2, 'NaN', true], [17, 'NaN', true]]);
    assert.equal(recs.at(-1)!.skippedSteps, 2);
  });
});

describe('progress', () => {
  const capture = (isTTY: boolean): { stream: { write(c: string): void; isTTY: boolean }; text: () => string } => {
    const chunks: string[] = [];
    return { stream: { write: (c: string) => { chunks.push(c); }, isTTY }, text: () => chunks.join('') };
  };

  it('off a TTY: exactly one plain line per epoch, no carriage returns', async () => {
    const { model, s } = small();
    const out = capture(false);
    await fit(model, { ...s, batchSize: 8 }, { optimizer: new optim.Adam(model.parameters()), epochs: 3, validation: s, progressStream: out.stream });
    const lines = out.text().trimEnd().split('\n');
    assert.equal(lines.length, 3);
    lines.forEach((l, i) => assert.match(l, new RegExp(`^epoch ${i + 1}/3 - loss \\d\\.\\d{4} - accuracy \\d\\.\\d{4} - valLoss \\d\\.\\d{4} - valAccuracy \\d\\.\\d{4} - \\d+\\.\\ds - \\d+ samples/s$`)));
    assert.ok(!out.text().includes('\r'));
  });

  it('on a TTY: a bar redrawn with \\r (batch i/N, rate, ETA, running loss), one kept line per epoch', async () => {
    const { model, s } = small();
    const out = capture(true);
    const ci = process.env.CI;
    delete process.env.CI; // 'auto' falls back to lines under CI
    try {
      await fit(model, { ...s, batchSize: 8 }, { optimizer: new optim.Adam(model.parameters()), epochs: 2, progressStream: out.stream });
    } finally {
      if (ci !== undefined) process.env.CI = ci;
    }
    const t = out.text();
    assert.match(t, /\repoch 1\/2 \[[=> ]+\] \d\/8 \d+ samples\/s ETA \d+:\d\d loss \d\.\d{4}/);
    assert.ok(t.includes('\x1b[K'), 'each redraw erases the rest of the line');
    assert.equal(t.split('\n').length - 1, 2, 'a newline only when each epoch ends');
    assert.match(t, /\repoch 2\/2 \[=+\] loss \d\.\d{4} - accuracy/);
  });

  it("under CI 'auto' prints lines even on a TTY", async () => {
    const { model, s } = small();
    const out = capture(true);
    const ci = process.env.CI;
    process.env.CI = 'true';
    try {
      await fit(model, { ...s, batchSize: 8 }, { optimizer: new optim.Adam(model.parameters()), epochs: 1, progressStream: out.stream });
    } finally {
      if (ci === undefined) delete process.env.CI;
      else process.env.CI = ci;
    }
    assert.ok(!out.text().includes('\r'));
  });
});

describe('ModelCheckpoint', () => {
  const values = (m: nn.Module): number[][] => [...m.stateDict().values()].map((t) => Array.from(t.values));

  it('path: writes a model file per epoch (io.saveModel), loadable to the same weights', async () => {
    const { model, s } = small();
    const dir = mkdtempSync(join(tmpdir(), 'plexus-ckpt-'));
    const ck = new ModelCheckpoint({ path: join(dir, 'e{epoch}.safetensors') });
    await fit(model, { ...s, batchSize: 8 }, { optimizer: new optim.Adam(model.parameters()), epochs: 2, progress: false, callbacks: [ck] });
    assert.deepEqual(ck.saved.map((x) => x.epoch), [1, 2]);
    const loaded = await loadModel(join(dir, 'e2.safetensors'));
    assert.equal(loaded.metadata.epoch, 2);
    assert.deepEqual(values(loaded.model), values(model));
  });

  it('dir: 1 epoch + checkpoint + resume + 1 epoch equals 2 epochs straight, bit for bit', async () => {
    const s = data.spiral({ nPerClass: 20, seed: 0 });
    // Dropout draws from the global generator and the loader shuffles: both must resume exactly.
    const make = (seed: number): { model: nn.MLP; optimizer: optim.Adam; loader: data.DataLoader } => {
      px.manualSeed(seed);
      const model = new nn.MLP([2, 16, 3], { dropout: 0.2 });
      const loader = new data.DataLoader(new data.TensorDataset(s.x, s.y), { batchSize: 8, shuffle: true, seed: seed + 3 });
      return { model, optimizer: new optim.Adam(model.parameters(), { lr: 1e-2 }), loader };
    };
    const straight = make(0);
    await fit(straight.model, straight.loader, { optimizer: straight.optimizer, epochs: 2, progress: false });

    const first = make(0);
    const dir = join(mkdtempSync(join(tmpdir(), 'plexus-ckpt-')), 'ckpt');
    await fit(first.model, first.loader, { optimizer: first.optimizer, epochs: 1, progress: false, callbacks: [new ModelCheckpoint({ dir })] });
    const resumed = make(42); // other weights, RNG and shuffle seed: all must come from the file
    const { epoch, step } = await loadCheckpoint(join(dir, 'last.safetensors'), resumed);
    assert.deepEqual([epoch, step], [1, 8]);
    const h = await fit(resumed.model, resumed.loader, { optimizer: resumed.optimizer, epochs: 2, initialEpoch: epoch, initialStep: step, progress: false });
    assert.deepEqual(h.epochs.map((e) => e.epoch), [2]);
    assert.deepEqual(values(resumed.model), values(straight.model));
  });

  it('saveBestOnly writes only improvements; non-finite weights are refused, never written', async () => {
    const { model } = small();
    const dir = mkdtempSync(join(tmpdir(), 'plexus-ckpt-'));
    const path = join(dir, 'best.safetensors');
    const ck = new ModelCheckpoint({ path, saveBestOnly: true });
    const ctl = control(model);
    await ck.onEpochEnd(1, logs(1, { valLoss: 1 }), ctl);
    await ck.onEpochEnd(2, logs(2, { valLoss: 2 }), ctl);
    assert.deepEqual(ck.saved.map((x) => x.epoch), [1]);
    const before = readFileSync(path);
    px.noGrad(() => model.parameters()[1]!.assign(px.full(model.parameters()[1]!.shape, NaN)));
    await ck.onEpochEnd(3, logs(3, { valLoss: 0.1 }), ctl);
    assert.deepEqual(ck.refused, [{ epoch: 3, parameter: 'layers.0.bias' }]);
    assert.deepEqual(readFileSync(path), before, 'the last good checkpoint is untouched');
    assert.throws(() => new ModelCheckpoint({ path, dir }), /exactly one of path/);
  });
});

describe('accuracy', () => {
  const t = (v: number[], shape: number[], dtype: px.DType = 'float32'): px.Tensor => px.tensor(v, { shape, dtype });
  it('top-1 over the class dim, one-hot targets, binary thresholds and [N,1] vs [N]', () => {
    const logits = t([1, 2, 0, 5, 1, 1, 0, 0, 9], [3, 3]);
    assert.deepEqual(accuracy(logits, t([1, 0, 1], [3], 'int32')), { sum: 2, count: 3 });
    assert.deepEqual(accuracy(logits, t([0, 1, 0, 1, 0, 0, 0, 0, 1], [3, 3])), { sum: 3, count: 3 });
    assert.deepEqual(accuracy(t([-1, 2, 0.3], [3, 1]), t([0, 1, 0], [3], 'int32')), { sum: 2, count: 3 });
    assert.deepEqual(accuracy(t([0.2, 0.7], [2]), t([0, 1], [2]), { threshold: 0.5 }), { sum: 2, count: 2 });
  });
  it('NaN wins the argmax (as torch.argmax), so a NaN row is not silently right; mismatched shapes are a ShapeError', () => {
    assert.deepEqual(accuracy(t([NaN, 1, 0, 1], [2, 2]), t([1, 1], [2], 'int32')), { sum: 1, count: 2 });
    assert.throws(() => accuracy(t([1, 2, 3, 4], [2, 2]), t([1, 1, 1], [3], 'int32')), px.ShapeError);
  });
});
