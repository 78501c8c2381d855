/**
 * @file Reproduction checks of issue 12's single-unit claims (fast; each prints its numbers and
 * fails when missed):
 * - G1 (Larabi 2024, arXiv 2409.13854): one GatedPerceptron unit solves XOR with +-1 inputs from
 *   every one of 100 seeds (a Linear unit cannot: at most 3 of 4 points);
 * - G3: one-vs-rest gated units on Iris, stratified 5-fold cross-validation, >= 93% mean accuracy;
 * - quadratic neurons (Fan et al.): one QuadraticLinear unit fits XOR and a circle boundary at 100%
 *   where a Linear unit gets <= 75% (the circle set leaves out a band |r^2 - 0.5| <= 0.05 as a margin:
 *   without it, Adam reached 98-99.6% in 300-1000 steps; single units are fitted with L-BFGS);
 * - ReLinear (Fan et al. 2021, arXiv 2110.06081): a 3-layer quadratic network (width 16) trained with
 *   ReLinear (reLinear init, quadratic terms at lr / 10: ReLinear's gradient shrinking) ends at a lower
 *   training loss than the same network with plain random init and every parameter at the same base
 *   Adam lr 0.1, on each of 3 seeds. At width 8 the claim does not hold on seed 1 (ReLinear 0.019 vs
 *   plain 0.013 after 300 steps), so this check is specific to the setup; it is not tuned to pass.
 * Float64 on the js backend (small full-batch problems: per-op overhead dominates, not GEMM speed).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/node.js';
import { nn, optim } from '../src/node.js';

let prevDType: px.DType;
let prevBackend: string;
before(() => { prevDType = px.getDefaultDType(); prevBackend = px.getBackend(); px.setDefaultDType('float64'); px.setBackend('js'); });
after(() => { px.setDefaultDType(prevDType as px.FloatDType); px.setBackend(prevBackend); });

/** Fraction of rows whose logit sign matches the 0/1 target. */
function binaryAccuracy(logits: px.Tensor, y: px.Tensor): number {
  const p = logits.reshape([-1])._peek();
  const t = y._peek();
  let ok = 0;
  for (let i = 0; i < t.length; i++) ok += (p[i]! > 0 ? 1 : 0) === t[i] ? 1 : 0;
  return ok / t.length;
}

/** Full-batch L-BFGS (strong Wolfe) on the BCE loss: deterministic, a few ms per unit. */
function fitLbfgs(model: nn.Module, x: px.Tensor, y: px.Tensor, steps = 5): number {
  const opt = new optim.LBFGS(model.parameters(), { lineSearchFn: 'strong_wolfe', maxIter: 100 });
  for (let s = 0; s < steps; s++) {
    opt.step(() => {
      opt.zeroGrad();
      const l = px.bceWithLogits(model.forward(x).reshape([-1]), y);
      l.backward();
      return l;
    });
  }
  return binaryAccuracy(model.forward(x), y);
}

const XOR_X = (): px.Tensor => px.tensor([[-1, -1], [-1, 1], [1, -1], [1, 1]]);
const XOR_Y = (): px.Tensor => px.tensor([0, 1, 1, 0]);

/** Points of [-1, 1]^2 labelled inside the circle r^2 < 0.5, without the band |r^2 - 0.5| <= 0.05 (a margin). */
function circle(): { x: px.Tensor; y: px.Tensor } {
  const raw = px.rand([600, 2], { generator: new px.Generator(1) })._peek();
  const pts: number[][] = [];
  for (let i = 0; i < 600; i++) {
    const a = 2 * raw[2 * i]! - 1, b = 2 * raw[2 * i + 1]! - 1;
    if (Math.abs(a * a + b * b - 0.5) > 0.05) pts.push([a, b]);
  }
  return { x: px.tensor(pts), y: px.tensor(pts.map(([a, b]) => (a! * a! + b! * b! < 0.5 ? 1 : 0))) };
}

describe('gated perceptron (Larabi 2024)', () => {
  it('G1: one gated unit solves XOR with +-1 inputs in 100/100 seeds; a linear unit does not', () => {
    const x = XOR_X(), y = XOR_Y();
    let solved = 0, linearBest = 0;
    for (let seed = 0; seed < 100; seed++) {
      px.manualSeed(seed);
      if (fitLbfgs(new nn.GatedPerceptron(2, 1), x, y) === 1) solved++;
    }
    for (let seed = 0; seed < 10; seed++) {
      px.manualSeed(seed);
      linearBest = Math.max(linearBest, fitLbfgs(new nn.Linear(2, 1), x, y));
    }
    console.log(`G1 XOR: gated unit solved ${solved}/100 seeds; best linear unit over 10 seeds ${(100 * linearBest).toFixed(0)}%`);
    assert.equal(solved, 100);
    assert.ok(linearBest <= 0.75);
  });

  it('G3: one-vs-rest gated units on Iris, stratified 5-fold CV, >= 93% mean accuracy', () => {
    const { train: all } = px.data.iris({ testFraction: 0, dtype: 'float64' });
    const labels = [...(all.y._peek() as Int32Array)];
    // Stratified folds: each class's rows, shuffled by a seeded generator, dealt round-robin.
    const g = new px.Generator(0);
    const fold = new Array<number>(labels.length);
    for (let c = 0; c < 3; c++) {
      const rows = labels.flatMap((l, i) => (l === c ? [i] : []));
      for (let i = rows.length - 1; i > 0; i--) { const j = g.nextInt(0, i + 1); [rows[i], rows[j]] = [rows[j]!, rows[i]!]; }
      rows.forEach((r, j) => { fold[r] = j % 5; });
    }
    const accs: number[] = [];
    for (let k = 0; k < 5; k++) {
      const tr = fold.flatMap((f, i) => (f !== k ? [i] : []));
      const te = fold.flatMap((f, i) => (f === k ? [i] : []));
      const xTr = px.indexSelect(all.x, 0, tr), xTe = px.indexSelect(all.x, 0, te);
      // Standardised by the training fold's statistics.
      const mu = px.mean(xTr, 0, { keepDims: true }), sd = px.std(xTr, 0, { keepDims: true });
      const zTr = px.div(px.sub(xTr, mu), sd), zTe = px.div(px.sub(xTe, mu), sd);
      const yTr = tr.map((i) => labels[i]!);
      // Three independent units (rows of one layer), each trained on its class vs the rest.
      px.manualSeed(k);
      const units = new nn.GatedPerceptron(4, 3);
      const target = px.tensor(yTr.flatMap((l) => [0, 1, 2].map((c) => (c === l ? 1 : 0))), { shape: [yTr.length, 3] });
      const opt = new optim.LBFGS(units.parameters(), { lineSearchFn: 'strong_wolfe', maxIter: 100 });
      for (let s = 0; s < 3; s++) {
        opt.step(() => {
          opt.zeroGrad();
          const l = px.bceWithLogits(units.forward(zTr), target);
          l.backward();
          return l;
        });
      }
      const pred = px.argmax(units.forward(zTe), 1)._peek();
      accs.push(te.filter((i, j) => pred[j] === labels[i]).length / te.length);
    }
    const mean = accs.reduce((a, b) => a + b, 0) / accs.length;
    console.log(`G3 Iris one-vs-rest gated units, 5-fold CV: ${accs.map((a) => (100 * a).toFixed(1)).join(', ')}% -> mean ${(100 * mean).toFixed(2)}%`);
    assert.ok(mean >= 0.93, `mean accuracy ${mean}`);
  });
});

describe('quadratic neurons (Fan et al.) and ReLinear', () => {
  it('one QuadraticLinear unit fits XOR and a circle boundary (100%) where a Linear unit gets <= 75%', () => {
    const xor = { x: XOR_X(), y: XOR_Y() };
    const circ = circle();
    const rows: string[] = [];
    for (const [name, d] of [['XOR', xor], ['circle', circ]] as const) {
      px.manualSeed(0);
      const q = fitLbfgs(new nn.QuadraticLinear(2, 1), d.x, d.y);
      let lin = 0;
      for (let seed = 0; seed < 5; seed++) { px.manualSeed(seed); lin = Math.max(lin, fitLbfgs(new nn.Linear(2, 1), d.x, d.y)); }
      rows.push(`${name} (${d.y.size} points): quadratic unit ${(100 * q).toFixed(1)}%, best linear unit ${(100 * lin).toFixed(1)}%`);
      assert.equal(q, 1, `${name}: quadratic unit accuracy`);
      assert.ok(lin <= 0.75, `${name}: linear unit accuracy ${lin}`);
    }
    console.log(`quadratic neuron: ${rows.join('; ')}`);
  });

  it('ReLinear trains a 3-layer quadratic network to a lower loss than plain random init at the same lr (Adam 0.1, spiral)', () => {
    const s = px.data.spiral({ nPerClass: 100, classes: 3, noise: 0.1, seed: 0 });
    const x = s.x.cast('float64'), y = s.y;
    const lr = 0.1, steps = 300;
    // Width 16 chosen before seeds 1-2 were run; at width 8 ReLinear loses on seed 1 (reported, not tuned away).
    const W = 16;
    const net = (init: nn.QuadraticInit): nn.Sequential => new nn.Sequential(
      new nn.QuadraticLinear(2, W, { init }), new nn.ReLU(), new nn.QuadraticLinear(W, W, { init }), new nn.ReLU(), new nn.QuadraticLinear(W, 3, { init }));
    const run = (seed: number, reLinear: boolean): { final: number; peak: number } => {
      px.manualSeed(seed);
      const m = net(reLinear ? 'reLinear' : 'random');
      const opt = new optim.Adam(reLinear ? nn.reLinearParamGroups(m, { lr, quadraticLr: lr / 10 }) : m.parameters(), { lr });
      let final = NaN, peak = 0;
      for (let i = 0; i < steps; i++) {
        opt.zeroGrad();
        const l = px.crossEntropy(m.forward(x), y);
        final = l.item();
        if (!Number.isFinite(final)) break;   // diverged: final stays non-finite
        peak = Math.max(peak, final);
        l.backward();
        opt.step();
      }
      return { final, peak };
    };
    const lines: string[] = [];
    for (const seed of [0, 1, 2]) {
      const plain = run(seed, false), rel = run(seed, true);
      lines.push(`seed ${seed}: plain final ${plain.final.toFixed(4)} (peak ${plain.peak.toFixed(2)}), ReLinear final ${rel.final.toFixed(4)} (peak ${rel.peak.toFixed(2)})`);
      assert.ok(Number.isFinite(rel.final) && !(rel.final >= plain.final), `seed ${seed}: ReLinear ${rel.final} vs plain ${plain.final}`);
    }
    console.log(`ReLinear vs plain quadratic training (cross-entropy after ${steps} Adam steps at lr ${lr}):\n  ${lines.join('\n  ')}`);
  });
});
