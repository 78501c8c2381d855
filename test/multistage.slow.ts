/**
 * @file Check M1 in full (Wang & Lai 2023, https://arxiv.org/abs/2307.08934): three stages on
 * sin(2t+1) + 0.2 e^{1.3t}, 300 points on [-1.05, 1.05], float64, Adam 2000 + L-BFGS 2000 per stage.
 * Asserts stage 1 <= 1e-4 relative L2, stage 2 <= stage 1 / 100 and <= 1e-7, stage 3 below stage 2
 * (the paper reaches ~1e-10 at stage 3); prints every stage's numbers and time. 8 s (quiet) to 30 s (very busy)
 * on the 2-core box; npm test runs the first two stages (test/multistage.test.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/node.js';

describe('multi-stage fitting, M1 with three stages', () => {
  it('stage 1 <= 1e-4, stage 2 <= min(stage 1 / 100, 1e-7), stage 3 < stage 2; prediction = the sum of stages', () => {
    const N = 300;
    const xs = Array.from({ length: N }, (_, i) => -1.05 + (2.1 * i) / (N - 1));
    const x = px.tensor(xs, { dtype: 'float64', shape: [N, 1] });
    const y = px.tensor(xs.map((t) => Math.sin(2 * t + 1) + 0.2 * Math.exp(1.3 * t)), { dtype: 'float64', shape: [N, 1] });
    const model = new px.nn.MultiStage(1, 1, { stages: 3, generator: new px.Generator(1) });
    const reports = px.train.multistage(model, x, y, { adamIters: 2000, lbfgsIters: 2000 });
    for (const r of reports) console.log(`  stage ${r.stage}: relL2 ${r.relL2.toExponential(3)}, eps ${r.amplitude.toExponential(3)}, kappa ${r.kappa.toFixed(3)}, ${r.seconds.toFixed(2)} s`);
    const [s1, s2, s3] = reports;
    assert.ok(s1!.relL2 <= 1e-4, `stage 1 relL2 ${s1!.relL2}`);
    assert.ok(s2!.relL2 <= s1!.relL2 / 100 && s2!.relL2 <= 1e-7, `stage 2 relL2 ${s2!.relL2}`);
    assert.ok(s3!.relL2 < s2!.relL2, `stage 3 relL2 ${s3!.relL2} vs stage 2 ${s2!.relL2}`);
    const a = model.amplitudes;
    let manual = model.stage(0).forward(x).mul(a[0]!);
    for (let i = 1; i < 3; i++) manual = manual.add(model.stage(i).forward(x).mul(a[i]!));
    assert.deepEqual(Array.from(model.forward(x).values), Array.from(manual.values));
  });
});
