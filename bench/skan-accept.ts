/**
 * @file Acceptance S1 of issue #5: S-KAN (Yang et al. 2024, arXiv 2408.08338) against single-basis
 * KANs on the KAN paper's toy functions (Liu et al. 2024, arXiv 2404.19756, Fig. 3.1), float64:
 *   J0(20 x) [1, 1]; exp(sin(pi x) + y^2) [2, 1, 1]; x y [2, 2, 1];
 *   exp(0.5 (sin(pi (x1^2 + x2^2)) + sin(pi (x3^2 + x4^2)))) [4, 4, 2, 1].
 * 1000 train / 1000 test points uniform on [-1, 1]^d (seeded). Every model of a function has the
 * same widths, the same `grid` (the resolution knob of each basis, see basis.ts) and the same
 * number of L-BFGS steps (strong Wolfe, 20 iterations per step, pykan's settings): the single-basis
 * KANs train all STEPS at once, S-KAN splits them into full training (a FULL share of the
 * steps) and selective training (trainSKAN). Each model is the best of SEEDS initialisations by
 * TRAINING loss (the same seeds for all), since small KANs have poor local minima (see
 * kan-accept-protocol.ts).
 * Selection criterion (--criterion, default 'weight', the paper's; SKANLinear.select): 'fit'
 * keeps per node the space that best reproduces what the mixture learned, 'contribution' weighs
 * by what a space adds. Mixing (--mixing, default 'train', the paper's): 'fixed' keeps the
 * mixture uniform in phase 1 (trainSKAN). --scaler 1 (default) gives S-KAN's edges the per-edge
 * spline scale the single-basis KANs have (KANLinear's standaloneScaleSpline, pykan's scale_sp);
 * --scaler 0 is the old S-KAN without it. --tasks 3,4 runs a subset (1-based).
 *
 * Measured (2-core shared VM, wasm 1 thread, 20 steps, 3 seeds; ratio = S-KAN / best single):
 *   no scaler, criterion fit, mixing train:   J0 1.03, exp-sin 0.92, xy 1.52, 4-D 2.94 (2/4: FAIL)
 *   no scaler, criterion fit, mixing fixed:   J0 0.88, exp-sin 1.93, xy 1.79, 4-D 2.45 (1/4: FAIL)
 *   scaler, criterion fit, mixing train:      J0 0.52, exp-sin 1.11, xy 1.35, 4-D 2.38 (2/4: FAIL)
 *   scaler, criterion weight, mixing train (defaults):
 *     J0 0.52, exp-sin 1.02, xy 0.65, 4-D 4.58 (3/4, 4-D S-KAN 3.2e-2 < worst single rbf 3.7e-2: PASS)
 * Why the scaler: without it a Fourier KAN reaches 1.65e-2 instead of 7.0e-3 on the 4-D function
 * (best of 3); S-KAN without it trained like that. With it the softmax weights also move off
 * uniform (e.g. 0.41 on one space), so the paper's 'weight' picks mixed spaces (xy: B-spline
 * then Fourier, 4.6e-4, better than every single basis). The 4-D ratio is mostly seed luck of the
 * baseline: Fourier KANs with seeds 1..9 give 7.0e-3, 4.1e-2, 9.7e-3, 1.5e-2, 1.6e-2, 1.5e-2,
 * 2.4e-2, 2.2e-2, 9.5e-3 (best of 3 by train loss: 7.0e-3, 1.5e-2, 9.5e-3), and an S-KAN whose
 * pool is Fourier alone (so a Fourier KAN restarted after 5 steps) gets 1.2e-2 (ratio 1.7).
 * Rejected: mixScale = |pool| (xy 2.0e-3), --full 0.1 (xy 1.6e-3, 4-D 1.2e-2), 40 steps with
 * 'fit' (xy 6.7e-4 vs a lucky Fourier seed's 3.0e-4).
 *
 * Run: `npx tsc -p . && node dist/bench/skan-accept.js [--steps 20] [--seeds 3] [--full 0.25] [--criterion weight] [--mixing train] [--scaler 1] [--tasks 1,2,3,4]`
 * (exit 1 on failure).
 */
import * as px from '../src/index.js';

const { KAN, SELECT_CRITERIA, SKAN, BASIS_NAMES } = px.nn;
const { LBFGS } = px.optim;
type LBFGS = px.optim.LBFGS;
const { trainSteps, rmse, trainSKAN } = px.train.kan;
type SelectCriterion = px.nn.SelectCriterion;
type BasisName = px.nn.BasisName;
type RegressionData = px.train.kan.RegressionData;

px.setBackend(process.env.PLEXUS_BACKEND ?? (px.availableBackends().includes('wasm') ? 'wasm' : 'js'));
px.setNumThreads(1); // deterministic and fair on a shared machine

/** Bessel J0 by the trapezoid rule on J0(x) = (1/pi) int_0^pi cos(x sin t) dt: the integrand is smooth and periodic, so 400 points are exact to rounding for |x| <= 20. */
export function besselJ0(x: number): number {
  const M = 400;
  let s = 0;
  for (let k = 0; k < M; k++) s += Math.cos(x * Math.sin((Math.PI * (k + 0.5)) / M));
  return s / M;
}

interface Task { name: string; widths: number[]; grid: number; f: (v: number[]) => number }

const TASKS: Task[] = [
  { name: 'J0(20x)', widths: [1, 1], grid: 20, f: ([x]) => besselJ0(20 * x!) },
  { name: 'exp(sin(pi x)+y^2)', widths: [2, 1, 1], grid: 5, f: ([x, y]) => Math.exp(Math.sin(Math.PI * x!) + y! * y!) },
  { name: 'xy', widths: [2, 2, 1], grid: 5, f: ([x, y]) => x! * y! },
  {
    name: 'exp(.5(sin(pi(x1^2+x2^2))+sin(pi(x3^2+x4^2))))', widths: [4, 4, 2, 1], grid: 5,
    f: ([a, b, c, d]) => Math.exp(0.5 * (Math.sin(Math.PI * (a! * a! + b! * b!)) + Math.sin(Math.PI * (c! * c! + d! * d!)))),
  },
];

function dataset(t: Task, n: number, seed: number): RegressionData {
  const g = new px.Generator(seed);
  const d = t.widths[0]!;
  const x = Float64Array.from({ length: n * d }, () => 2 * g.nextFloat() - 1);
  const y = Float64Array.from({ length: n }, (_, i) => t.f(Array.from(x.subarray(i * d, (i + 1) * d))));
  return { x: px.tensor(x, { dtype: 'float64', shape: [n, d] }), y: px.tensor(y, { dtype: 'float64', shape: [n, 1] }) };
}

const lbfgs = (p: px.Parameter[]): LBFGS => new LBFGS(p, {
  lineSearchFn: 'strong_wolfe', historySize: 10, maxIter: 20, toleranceGrad: 1e-32, toleranceChange: 1e-32, toleranceYs: 1e-32,
});

function raw(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function arg(name: string, dflt: number): number {
  const v = Number(raw(name) ?? dflt);
  if (!(Number.isInteger(v) && v >= 1)) throw new Error(`--${name} must be a positive integer`);
  return v;
}

function main(): void {
  const STEPS = arg('steps', 20);
  const SEEDS = arg('seeds', 3);
  const FULL = Number(raw('full') ?? 0.25);
  if (!(FULL > 0 && FULL < 1)) throw new Error('--full must be in (0, 1)');
  const criterion = (raw('criterion') ?? 'weight') as SelectCriterion;
  if (!SELECT_CRITERIA.includes(criterion)) throw new Error(`--criterion must be one of ${SELECT_CRITERIA.join(', ')}`);
  const stepsFull = Math.max(1, Math.round(STEPS * FULL));
  const mixing = (raw('mixing') ?? 'train') as 'train' | 'fixed';
  const scaler = (raw('scaler') ?? '1') !== '0';
  const tasks = raw('tasks') ? raw('tasks')!.split(',').map((t) => {
    const i = Number(t);
    if (!(Number.isInteger(i) && i >= 1 && i <= TASKS.length)) throw new Error(`--tasks lists 1-based task numbers (1..${TASKS.length}), got ${t}`);
    return TASKS[i - 1]!;
  }) : TASKS;
  const rows: Record<string, unknown>[] = [];
  let within = 0;
  let neverWorst = true;
  console.log(`S1: test RMSE, L-BFGS ${STEPS} steps x 20 iterations (S-KAN: ${stepsFull} full + ${STEPS - stepsFull} selective, criterion ${criterion}, mixing ${mixing}, scaler ${scaler}), best of ${SEEDS} seeds by train loss, float64`);
  console.log(`${'function'.padEnd(48)} ${[...BASIS_NAMES, 'S-KAN'].map((s) => s.padStart(10)).join(' ')}  ratio   S-KAN spaces`);
  for (const task of tasks) {
    const t0 = performance.now();
    const tr = dataset(task, 1000, 0);
    const te = dataset(task, 1000, 1);
    const single: Record<string, number> = {};
    for (const basis of BASIS_NAMES) {
      let best: { train: number; test: number } | null = null;
      for (let s = 1; s <= SEEDS; s++) {
        const m = new KAN(task.widths, { basis, grid: task.grid, layerNorm: false, dtype: 'float64', generator: new px.Generator(s) });
        trainSteps(m, tr, { optimizerFactory: lbfgs, steps: STEPS });
        const r = { train: rmse(m, tr), test: rmse(m, te) };
        if (!best || r.train < best.train) best = r;
      }
      single[basis] = best!.test;
    }
    let sk: { train: number; test: number; spaces: BasisName[][] } | null = null;
    for (let s = 1; s <= SEEDS; s++) {
      const m = new SKAN(task.widths, { grid: task.grid, dtype: 'float64', generator: new px.Generator(s), standaloneScaleSpline: scaler });
      const r = trainSKAN(m, tr, { optimizerFactory: lbfgs, stepsFull, stepsSelective: STEPS - stepsFull, criterion, mixing });
      const res = { train: rmse(r.model, tr), test: rmse(r.model, te), spaces: r.spaces };
      if (!sk || res.train < sk.train) sk = res;
    }
    const vals = Object.values(single);
    const best = Math.min(...vals);
    const worst = Math.max(...vals);
    const ratio = sk!.test / best;
    if (ratio <= 1.2) within++;
    if (sk!.test > worst) neverWorst = false;
    console.log(`${task.name.padEnd(48)} ${[...vals, sk!.test].map((v) => v.toExponential(2).padStart(10)).join(' ')}  ${ratio.toFixed(2).padStart(5)}   ${JSON.stringify(sk!.spaces)}  (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    rows.push({ task: task.name, widths: task.widths, grid: task.grid, single, skan: sk!.test, ratio, spaces: sk!.spaces });
  }
  const need = Math.min(3, tasks.length);
  const ok = within >= need && neverWorst;
  console.log(`S-KAN within 1.2x of the best single basis on ${within}/${tasks.length} (needs >= ${need}); never worse than the worst: ${neverWorst}; S1 ${ok ? 'PASS' : 'FAIL'}`);
  console.log(JSON.stringify({ bench: 'skan-accept', steps: STEPS, stepsFull, criterion, mixing, scaler, seeds: SEEDS, rows, within, neverWorst, ok }));
  if (!ok) process.exitCode = 1;
}

main();
