/**
 * @file The NaN/Inf guard (docs/reliability.md "Numerics and training"): a non-finite loss stops the run AT the step
 * it appears (not at the epoch end), names the step, the last finite loss and the first non-finite
 * gradient or parameter, leaves the weights of the last good step, and never lets a checkpoint be
 * written from it; the policies stop / raise / skip; `checkInputs` names batch and sample.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as px from '../src/node.js';
import { NonFiniteInputError, NonFiniteLossError, data, fit, nn, optim, type FitOptions, train } from '../src/node.js';

const { ModelCheckpoint } = train;
type TrainControl = train.TrainControl;

before(() => px.setBackend('js'));

const BATCH = 10;
/** Sample 63 = row 3 of batch 7 (step 7) with no shuffling. */
const POISON = 6 * BATCH + 3;

/** 150 spiral points with x[POISON] = NaN (or untouched with poison false), and a fresh model. */
function setup(poison = true): { model: nn.MLP; x: px.Tensor; y: px.Tensor } {
  px.manualSeed(0);
  const s = data.spiral({ nPerClass: 50, seed: 0 });
  const xv = Float32Array.from(s.x.values);
  if (poison) xv[POISON * 2 + 1] = NaN;
  // tanh, not relu: it carries a NaN input on to the loss (see the finite-loss case below).
  return { model: new nn.MLP([2, 16, 3], { activation: 'tanh' }), x: px.tensor(xv, { shape: [150, 2] }), y: s.y };
}

const weights = (m: nn.Module): number[][] => m.parameters().map((p) => Array.from(p.values));

function opts(model: nn.Module, extra: Partial<FitOptions> = {}): FitOptions {
  return { optimizer: new optim.Adam(model.parameters(), { lr: 1e-2 }), epochs: 3, shuffle: false, progress: false, ...extra };
}

describe('non-finite loss', () => {
  it('stops at the poisoned step 7, names it, and keeps the weights of step 6', async () => {
    const { model, x, y } = setup();
    const losses: number[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'plexus-guard-'));
    const ckpt = new ModelCheckpoint({ path: join(dir, 'e{epoch}.safetensors') });
    const h = await fit(model, { x, y, batchSize: BATCH }, opts(model, {
      callbacks: [{ onBatchEnd: (l) => { losses.push(l.loss); } }, ckpt],
    }));
    assert.equal(h.stopReason, 'nonFinite');
    const err = h.error;
    assert.ok(err instanceof NonFiniteLossError);
    assert.equal(err.code, 'NON_FINITE_LOSS');
    assert.deepEqual([err.step, err.epoch, err.batch], [7, 1, 7]);
    assert.ok(Number.isNaN(err.loss));
    assert.equal(h.steps, 7, 'no step after the bad one');
    assert.equal(losses.length, 6, 'onBatchEnd is not called for the step that stopped the run');
    assert.equal(err.lastFiniteLoss, losses[5]);
    assert.deepEqual(err.culprit && [err.culprit.kind, err.culprit.name], ['gradient', 'layers.0.weight']);
    assert.match(err.message, /step 7 \(epoch 1, batch 7\).*last finite loss .*'layers\.0\.weight'/);
    assert.equal(h.epochs.length, 0, 'the epoch was cut: no epoch logs, no validation');
    assert.deepEqual(readdirSync(dir), [], 'no checkpoint written');

    // The same run stopped by hand after step 6 has bitwise the same weights: step 7 was not applied.
    const ref = setup();
    await fit(ref.model, { x: ref.x, y: ref.y, batchSize: BATCH }, opts(ref.model, {
      callbacks: [{ onBatchEnd: (l, ctl: TrainControl) => { if (l.step === 6) ctl.stop(); } }],
    }));
    assert.deepEqual(weights(model), weights(ref.model));
    assert.ok(weights(model).flat().every(Number.isFinite));
  });

  it('stops at the first step whose loss overflows under a huge learning rate (SGD lr 10 on mse)', async () => {
    px.manualSeed(0);
    const f = data.expSinSquare({ n: 200, seed: 0 });
    const model = new nn.MLP([2, 16, 1], { activation: 'tanh' });
    const losses: number[] = [];
    const h = await fit(model, { ...f, batchSize: 10 }, {
      optimizer: new optim.SGD(model.parameters(), { lr: 10 }), loss: 'mse', epochs: 5, seed: 0, progress: false,
      callbacks: [{ onBatchEnd: (l) => { losses.push(l.loss); } }],
    });
    const err = h.error;
    assert.ok(err instanceof NonFiniteLossError, `expected a divergence, got ${h.stopReason}`);
    assert.ok(losses.every(Number.isFinite), 'every reported step before it was finite');
    assert.equal(err.step, losses.length + 1, 'it stopped at the first non-finite step');
    assert.equal(err.epoch, 1, 'not at an epoch end');
    assert.equal(err.lastFiniteLoss, losses.at(-1));
    assert.ok(err.culprit !== null, 'names a gradient or parameter');
    assert.ok(weights(model).flat().every(Number.isFinite), 'the diverging update was not applied');
  });

  it('a finite loss with a non-finite gradient also stops, naming the gradient, without applying it', async () => {
    const { model, x, y } = setup(false);
    // sqrt'(0) = Infinity times 0 gives a NaN gradient under a perfectly finite loss value.
    const loss = (pred: px.Tensor, t: px.Tensor): px.Tensor => px.add(px.crossEntropy(pred, t), px.sqrt(px.sum(px.mul(pred, 0))));
    const before = weights(model);
    const h = await fit(model, { x, y, batchSize: BATCH }, opts(model, { loss }));
    const err = h.error;
    assert.ok(err instanceof NonFiniteLossError);
    assert.ok(Number.isFinite(err.loss));
    assert.equal(err.step, 1);
    assert.equal(err.lastFiniteLoss, null);
    assert.equal(err.culprit?.kind, 'gradient');
    assert.match(err.message, /a gradient went non-finite .* at step 1 .*no finite loss before it/);
    assert.deepEqual(weights(model), before);
  });

  it("nanPolicy 'raise' rejects with the error (after onTrainEnd ran)", async () => {
    const { model, x, y } = setup();
    let ended = false;
    await assert.rejects(
      fit(model, { x, y, batchSize: BATCH }, opts(model, { nanPolicy: 'raise', callbacks: [{ onTrainEnd: () => { ended = true; } }] })),
      (e: unknown) => e instanceof NonFiniteLossError && e.step === 7 && e instanceof px.PlexusError,
    );
    assert.ok(ended);
  });

  it("nanPolicy 'skip' drops the bad batch each epoch and finishes with finite weights and losses", async () => {
    const { model, x, y } = setup();
    const skipped: number[] = [];
    const h = await fit(model, { x, y, batchSize: BATCH }, opts(model, {
      nanPolicy: 'skip', callbacks: [{ onBatchEnd: (l) => { if (l.skipped) skipped.push(l.step); } }],
    }));
    assert.equal(h.stopReason, 'completed');
    assert.equal(h.error, null);
    assert.equal(h.skippedSteps, 3);
    assert.deepEqual(skipped, [7, 22, 37]);
    assert.ok(h.get('loss').every(Number.isFinite));
    assert.ok(weights(model).flat().every(Number.isFinite));
  });

  it('clipGradNorm clips each update to maxNorm and reports the pre-clip norm', async () => {
    const { model, x, y } = setup(false);
    const norms: number[] = [];
    const steps: number[] = [];
    let prev = weights(model).flat();
    // Plain SGD with lr 1: the update is exactly minus the clipped gradient.
    const h = await fit(model, { x, y, batchSize: BATCH }, opts(model, {
      epochs: 1, clipGradNorm: 1e-3, optimizer: new optim.SGD(model.parameters(), { lr: 1 }),
      callbacks: [{
        onBatchEnd: (l) => {
          const now = weights(model).flat();
          steps.push(Math.hypot(...now.map((v, i) => v - prev[i]!)));
          prev = now;
          norms.push(l.gradNorm!);
        },
      }],
    }));
    assert.equal(norms.length, 15);
    assert.equal(h.last!.gradNorm, norms.reduce((a, b) => a + b) / 15, 'epoch logs carry the mean pre-clip norm');
    assert.ok(norms.every((n) => Number.isFinite(n) && n > 1e-2), `pre-clip norms ${norms.join(', ')}`);
    // float32 weights near 0.5 carry ~3e-8 rounding per element: 1% is far above it, far below a missed clip.
    for (const d of steps) assert.ok(Math.abs(d - 1e-3) < 1e-5, `update norm ${d}, want 1e-3`);
  });
});

describe('non-finite weights at the start', () => {
  it('fit refuses them, naming the parameter, unless allowNonFinite', async () => {
    const { model, x, y } = setup(false);
    px.noGrad(() => model.parameters()[2]!.assign(px.full(model.parameters()[2]!.shape, Infinity)));
    await assert.rejects(fit(model, { x, y }, opts(model)), (e: unknown) =>
      e instanceof px.ValueError && e.code === 'NON_FINITE_PARAMETER' && /'layers\.1\.weight' holds Infinity/.test(e.message));
    const h = await fit(model, { x, y }, opts(model, { allowNonFinite: true }));
    assert.equal(h.error instanceof NonFiniteLossError && h.error.culprit?.name, 'layers.1.weight');
  });
});

describe('checkInputs', () => {
  it('names batch, sample and dataset index of a NaN input and trains nothing from it', async () => {
    const { model, x, y } = setup();
    const h = await fit(model, { x, y, batchSize: BATCH }, opts(model, { checkInputs: true }));
    assert.equal(h.stopReason, 'nonFiniteInput');
    const err = h.error;
    assert.ok(err instanceof NonFiniteInputError);
    assert.equal(err.code, 'NON_FINITE_INPUT');
    assert.deepEqual([err.step, err.epoch, err.batch, err.sample, err.datasetIndex, err.tensor], [7, 1, 7, 3, POISON, 'x']);
    assert.match(err.message, /batch 7 of epoch 1 .*sample 3 of the batch \(dataset index 63\)/);
  });

  it("raises with nanPolicy 'raise'; shuffled loaders give no dataset index; clean data passes", async () => {
    const { model, x, y } = setup();
    await assert.rejects(
      fit(model, { x, y, batchSize: BATCH }, opts(model, { checkInputs: true, nanPolicy: 'raise', shuffle: true, seed: 1 })),
      (e: unknown) => e instanceof NonFiniteInputError && e.datasetIndex === null && e.tensor === 'x',
    );
    const clean = setup(false);
    const h = await fit(clean.model, { x: clean.x, y: clean.y, batchSize: BATCH }, opts(clean.model, { checkInputs: true, epochs: 1 }));
    assert.equal(h.stopReason, 'completed');
  });
});
