/**
 * @file Learning-rate schedulers: the lr sequences of test/golden/optimizers.json (PyTorch 1.13,
 * two param groups, 30 epochs; OneCycleLR also its momentum/beta1), resume from a state dict, and
 * the typed errors for bad settings (docs/reliability.md "Numerics and training").
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { optim } from '../src/index.js';
import { assertClose } from '../src/testing/index.js';
import { OPTIMIZERS, type SchedConfig, freshParams, golden } from './optim-golden-helpers.js';

// The schedules are closed forms of the epoch; PyTorch's are partly recursive (products of factors),
// so the two differ by accumulated rounding only (~1e-16 relative per epoch).
const TOL = { atol: 1e-12, rtol: 1e-10 };

type Sched = optim.LRScheduler | optim.ReduceLROnPlateau;

function makeScheduler(kind: string, opt: optim.Optimizer, o: Record<string, unknown>): Sched {
  switch (kind) {
    case 'StepLR': return new optim.StepLR(opt, o as never);
    case 'MultiStepLR': return new optim.MultiStepLR(opt, o as never);
    case 'ExponentialLR': return new optim.ExponentialLR(opt, o as never);
    case 'CosineAnnealingLR': return new optim.CosineAnnealingLR(opt, o as never);
    case 'LinearLR': return new optim.LinearLR(opt, o as never);
    case 'CosineWarmupLR': return new optim.CosineWarmupLR(opt, o as never);
    case 'OneCycleLR': return new optim.OneCycleLR(opt, o as never);
    case 'ReduceLROnPlateau': return new optim.ReduceLROnPlateau(opt, o as never);
    default: throw new Error(`no scheduler ${kind}`);
  }
}

function twoGroupOptimizer(cfg: Pick<SchedConfig, 'optimizer' | 'optimizerOptions' | 'groupLrs'>): optim.Optimizer {
  const { W, b } = freshParams();
  const groups = [{ params: [W], lr: cfg.groupLrs[0] }, { params: [b], lr: cfg.groupLrs[1] }];
  return OPTIMIZERS[cfg.optimizer]!(groups as never, cfg.optimizerOptions);
}

const momenta = (opt: optim.Optimizer): number[] =>
  opt.paramGroups.map((g) => {
    const r = g as unknown as { betas?: number[]; momentum?: number };
    return r.betas ? r.betas[0]! : r.momentum!;
  });

/** Runs the golden protocol: record, then (step, record) per metric or per epoch. */
function run(cfg: SchedConfig, sched: Sched, opt: optim.Optimizer, from = 0): { lrs: number[][]; mom: number[][] } {
  const lrs = [opt.paramGroups.map((g) => g.lr)];
  const mom = [momenta(opt)];
  const n = cfg.metrics ? cfg.metrics.length : cfg.lrs.length - 1;
  for (let k = from; k < n; k++) {
    if (sched instanceof optim.ReduceLROnPlateau) sched.step(cfg.metrics![k]!);
    else sched.step();
    lrs.push(opt.paramGroups.map((g) => g.lr));
    mom.push(momenta(opt));
    assert.deepEqual(sched.getLastLr(), lrs[lrs.length - 1], 'getLastLr() reports the rates it set');
  }
  return { lrs, mom };
}

describe('schedulers vs PyTorch (30 epochs, two groups)', () => {
  for (const cfg of golden.schedulers) {
    it(cfg.name, () => {
      const opt = twoGroupOptimizer(cfg);
      const { lrs, mom } = run(cfg, makeScheduler(cfg.scheduler, opt, cfg.options), opt);
      assert.equal(lrs.length, cfg.lrs.length);
      assertClose(lrs.flat(), cfg.lrs.flat(), TOL, `${cfg.name} lrs`);
      if (cfg.momentum) assertClose(mom.flat(), cfg.momentum.flat(), TOL, `${cfg.name} momentum`);
    });
  }

  it('golden file covers every schedule kind', () => {
    const kinds = new Set(golden.schedulers.map((c) => c.scheduler));
    for (const k of ['StepLR', 'MultiStepLR', 'ExponentialLR', 'CosineAnnealingLR', 'CosineWarmupLR', 'OneCycleLR', 'ReduceLROnPlateau']) {
      assert.ok(kinds.has(k), k);
    }
  });
});

describe('scheduler state dicts', () => {
  for (const cfg of golden.schedulers) {
    it(`${cfg.name}: save after 10 steps, load into a fresh scheduler, continue identically`, () => {
      const opt = twoGroupOptimizer(cfg);
      const sched = makeScheduler(cfg.scheduler, opt, cfg.options);
      const first = { ...cfg, metrics: cfg.metrics?.slice(0, 10), lrs: cfg.lrs.slice(0, 11) };
      run(first, sched, opt);
      // Through JSON, as a checkpoint would store it.
      const saved = JSON.parse(JSON.stringify(sched.stateDict())) as never;
      const optSaved = opt.paramGroups.map((g) => ({ ...g }));

      const opt2 = twoGroupOptimizer(cfg);
      const sched2 = makeScheduler(cfg.scheduler, opt2, cfg.options);
      sched2.loadStateDict(saved);
      // The optimizer's own state dict restores lr/momentum; mimic that here.
      opt2.paramGroups.forEach((g, i) => Object.assign(g, { ...optSaved[i], params: g.params }));
      const rest = run(cfg, sched2, opt2, 10);
      assertClose(rest.lrs.flat(), cfg.lrs.slice(10).flat(), TOL, `${cfg.name} resumed lrs`);
    });
  }

  it('loadStateDict rejects a malformed dict and changes nothing', () => {
    const opt = twoGroupOptimizer({ optimizer: 'SGD', optimizerOptions: {}, groupLrs: [0.1, 0.05] });
    const sched = new optim.StepLR(opt, { stepSize: 2 });
    sched.step();
    const before = sched.stateDict();
    const bad = [
      { ...before, lastEpoch: -1 },
      { ...before, baseLrs: [0.1] },
      { ...before, extra: 1 },
      { lastEpoch: 1, baseLrs: [0.1, 0.05] },
      JSON.parse('{"__proto__": {"x": 1}, "lastEpoch": 1, "baseLrs": [0.1, 0.05], "lastLr": [0.1, 0.05]}') as unknown,
    ];
    for (const sd of bad) {
      assert.throws(() => sched.loadStateDict(sd as never), (e: unknown) => e instanceof px.ValueError && e.code === 'INVALID_STATE_DICT');
      assert.deepEqual(sched.stateDict(), before);
    }
    const plateau = new optim.ReduceLROnPlateau(opt);
    assert.throws(() => plateau.loadStateDict({ ...plateau.stateDict(), best: 'inf' as never }), /invalid best "inf"/);
    assert.equal(plateau.stateDict().best, 'Infinity', 'the initial best survives JSON');
  });
});

describe('scheduler behaviour', () => {
  const opt = (): optim.Optimizer => twoGroupOptimizer({ optimizer: 'SGD', optimizerOptions: { momentum: 0.9 }, groupLrs: [0.1, 0.05] });

  it('OneCycleLR refuses to step past its schedule, leaving the rate unchanged', () => {
    const o = opt();
    const s = new optim.OneCycleLR(o, { maxLr: 1, totalSteps: 4 });
    for (let i = 0; i < 4; i++) s.step(); // PyTorch allows step number == totalSteps
    const lr = o.paramGroups[0]!.lr;
    assert.throws(() => s.step(), (e: unknown) => e instanceof px.ValueError && e.code === 'SCHEDULE_EXHAUSTED' && /totalSteps = 4/.test(e.message));
    assert.equal(o.paramGroups[0]!.lr, lr);
    assert.equal(s.lastEpoch, 4);
  });

  it('OneCycleLR needs momentum or betas to cycle', () => {
    const { W } = freshParams();
    const ada = new optim.Adagrad([W]);
    assert.throws(() => new optim.OneCycleLR(ada, { maxLr: 1, totalSteps: 10 }), /no momentum or betas/);
    const s = new optim.OneCycleLR(ada, { maxLr: 1, totalSteps: 10, cycleMomentum: false });
    assertClose(s.getLastLr(), [1 / 25], TOL, 'initial = maxLr / divFactor');
  });

  it('CosineWarmupLR holds etaMin after totalSteps', () => {
    const o = opt();
    const s = new optim.CosineWarmupLR(o, { warmupSteps: 2, totalSteps: 6, etaMin: 0.001 });
    const seen: number[] = [];
    for (let i = 0; i < 10; i++) { seen.push(s.getLastLr()[0]!); s.step(); }
    assert.deepEqual(seen.slice(0, 3), [0, 0.05, 0.1]);
    for (const v of seen.slice(6)) assert.equal(v, 0.001);
  });

  it('LambdaLR applies one function per group', () => {
    const o = opt();
    const s = new optim.LambdaLR(o, [(e) => 1 / (e + 1), (e) => e]);
    s.step();
    s.step();
    assert.deepEqual(s.getLastLr(), [0.1 / 3, 0.05 * 2]);
  });

  it('ReduceLROnPlateau counts a NaN metric as a bad epoch (PyTorch)', () => {
    const o = opt();
    const s = new optim.ReduceLROnPlateau(o, { patience: 0 });
    s.step(1);
    s.step(NaN);
    assert.deepEqual(s.getLastLr(), [0.1 * 0.1, 0.05 * 0.1]);
    s.step(px.tensor(0.5, { dtype: 'float64' }));
    assert.equal(s.best, 0.5);
  });
});

describe('scheduler validation (typed errors at construction)', () => {
  const o = (): optim.Optimizer => twoGroupOptimizer({ optimizer: 'SGD', optimizerOptions: { momentum: 0.9 }, groupLrs: [0.1, 0.05] });
  const cases: [string, () => unknown, RegExp][] = [
    ['StepLR stepSize 0', () => new optim.StepLR(o(), { stepSize: 0 }), /StepLR: invalid stepSize: 0/],
    ['StepLR gamma NaN', () => new optim.StepLR(o(), { stepSize: 1, gamma: NaN }), /StepLR: invalid gamma: NaN/],
    ['StepLR stepSize "3"', () => new optim.StepLR(o(), { stepSize: '3' as never }), /invalid stepSize: "3"/],
    ['MultiStepLR milestone -1', () => new optim.MultiStepLR(o(), { milestones: [2, -1] }), /invalid milestones/],
    ['ExponentialLR gamma -1', () => new optim.ExponentialLR(o(), { gamma: -1 }), /invalid gamma: -1/],
    ['CosineAnnealingLR tMax 1.5', () => new optim.CosineAnnealingLR(o(), { tMax: 1.5 }), /invalid tMax: 1.5/],
    ['CosineWarmupLR total < warmup', () => new optim.CosineWarmupLR(o(), { warmupSteps: 5, totalSteps: 3 }), /at least warmupSteps/],
    ['LinearLR startFactor 0', () => new optim.LinearLR(o(), { startFactor: 0 }), /invalid startFactor: 0/],
    ['OneCycleLR no length', () => new optim.OneCycleLR(o(), { maxLr: 1 }), /totalSteps or both epochs/],
    ['OneCycleLR pctStart 2', () => new optim.OneCycleLR(o(), { maxLr: 1, totalSteps: 5, pctStart: 2 }), /invalid pctStart: 2/],
    ['OneCycleLR maxLr per group', () => new optim.OneCycleLR(o(), { maxLr: [1], totalSteps: 5 }), /expected 2 values for maxLr/],
    ['OneCycleLR anneal', () => new optim.OneCycleLR(o(), { maxLr: 1, totalSteps: 5, annealStrategy: 'exp' as never }), /invalid annealStrategy/],
    ['Plateau factor 1', () => new optim.ReduceLROnPlateau(o(), { factor: 1 }), /invalid factor: 1/],
    ['Plateau mode', () => new optim.ReduceLROnPlateau(o(), { mode: 'up' as never }), /invalid mode: "up"/],
    ['Plateau minLr list', () => new optim.ReduceLROnPlateau(o(), { minLr: [0] }), /expected 2 values for minLr/],
    ['Plateau patience -1', () => new optim.ReduceLROnPlateau(o(), { patience: -1 }), /invalid patience: -1/],
    ['not an optimizer', () => new optim.StepLR({} as never, { stepSize: 1 }), /StepLR: expected an Optimizer/],
  ];
  for (const [name, make, msg] of cases) {
    it(name, () => {
      assert.throws(make, (e: unknown) => e instanceof px.ValueError && msg.test(e.message));
    });
  }
});
