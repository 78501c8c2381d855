/**
 * @file Workload f of docs/benchmarks.md: float64. (1) Training a float64 MLP 32-256-256-1 (tanh,
 * MSE, Adam lr 1e-3, batch 1024, one fixed batch: x[i, j] = sin(0.37·(32 i + j) + 0.1),
 * y[i] = sin(x[i, 0] + x[i, 1])), steps/s; (2) square float64 GEMM C = A·B at n in {256, 512,
 * 1024}, GFLOPS = 2n³·calls / s; (3) the f64x2 ceiling: the micro-kernel's arithmetic alone
 * (assembly/gemm64.as gemm64Peak: 8 independent madds per step, no memory traffic), so a GEMM
 * figure can be read as a share of what 128-bit SIMD allows. One JSON line per measurement and
 * thread count (1 and 2).
 *
 * Protocol, as workload a's and b's: plexus runs in this process on the default wasm backend
 * (setNumThreads), each PyTorch peer (bench/peers/torch_f64.py, as installed and over OpenBLAS,
 * common.ts torchPeers) in a persistent child per thread count. Every library prepares (warm-up),
 * then R rounds (`--reps`, default 7) in which each runs one rep (GEMM: calls for ~0.25 s; MLP:
 * `--steps` steps, default 10); round r starts at library r mod k and odd rounds walk backwards.
 * `ratios` are paired: the median over rounds of plexus / peer in the same round. `peakRssMB`: each
 * PyTorch peer's process after the line's rounds; plexus's from a short run of its side alone in a fresh
 * process (bench/rss-probe.ts, same steps and sizes in the same order), as this process runs every
 * thread count's rounds.
 */
import * as px from '../src/index.js';
import { wasmRelaxedSimdSupported } from '../src/internal.js';
import { simdPeakGflops } from './simd-peak.js';
import { Stepwise } from './stepwise.js';
import { PYTHON, load1, median, probePeaks, repoPath, round, threadEnv, torchPeers } from './common.js';

export interface F64BenchOptions {
  sizes?: number[];
  threads?: number[];
  reps?: number;
  /** MLP steps per rep (default 10). */
  steps?: number;
}

/** Read from every C so no call is skipped (as gemm-runners.ts does). */
export let sink = 0;

/** One library in the rounds: `prepare` warms up and returns its reps' size, `rep` times one rep (seconds). */
interface Lib {
  name: string;
  python: boolean;
  prepare(): Promise<void>;
  rep(): Promise<number>;
}

/** Wall seconds per rep for each library, interleaved in rounds (see the file comment). */
async function rounds(libs: Lib[], reps: number, threads: number): Promise<number[][]> {
  for (const l of libs) await l.prepare();
  const secs: number[][] = libs.map(() => []);
  const k = libs.length;
  let prev: Lib | undefined;
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < k; i++) {
      const j = r % 2 === 0 ? (r + i) % k : (r + k - i) % k;
      const lib = libs[j]!;
      // OpenBLAS's threads spin ~0.1 s after a call before sleeping: let them (see gemm.ts).
      if (threads > 1 && prev?.python) await new Promise((resolve) => setTimeout(resolve, 150));
      prev = lib;
      secs[j]!.push(await lib.rep());
    }
  }
  return secs;
}

function mlpBatch(): { x: Float64Array; y: Float64Array } {
  const x = Float64Array.from({ length: 1024 * 32 }, (_, i) => Math.sin(0.37 * i + 0.1));
  const y = Float64Array.from({ length: 1024 }, (_, i) => Math.sin(x[32 * i]! + x[32 * i + 1]!));
  return { x, y };
}

/** plexus's MLP: built on the default backend in float64, a rep trains `steps` steps. */
export function plexusMlp(steps: number): Lib & { loss(): number } {
  let step: (() => px.Tensor) | null = null;
  let last = NaN;
  return {
    name: 'plexus',
    python: false,
    async prepare() {
      px.manualSeed(0);
      const { x: xv, y: yv } = mlpBatch();
      const x = px.tensor(xv, { shape: [1024, 32], dtype: 'float64' });
      const y = px.tensor(yv, { shape: [1024, 1], dtype: 'float64' });
      const model = new px.nn.MLP([32, 256, 256, 1], { activation: 'tanh', dtype: 'float64' });
      const opt = new px.optim.Adam(model.parameters(), { lr: 1e-3 });
      step = () => {
        opt.zeroGrad();
        const loss = px.mse(model.forward(x), y);
        loss.backward();
        opt.step();
        return loss;
      };
      for (let i = 0; i < 3; i++) step();
    },
    async rep() {
      const t = performance.now();
      let loss: px.Tensor | null = null;
      for (let i = 0; i < steps; i++) loss = step!();
      const s = (performance.now() - t) / 1000;
      last = loss!.item();
      return s;
    },
    loss: () => last,
  };
}

export function plexusGemm(n: number): Lib {
  let a: px.Tensor | null = null;
  let b: px.Tensor | null = null;
  let calls = 1;
  return {
    name: 'plexus',
    python: false,
    async prepare() {
      px.manualSeed(0);
      a = px.rand([n, n], { dtype: 'float64' }).mul(2).sub(1);
      b = px.rand([n, n], { dtype: 'float64' }).mul(2).sub(1);
      let c = 0;
      const t = performance.now();
      while (c < 2 || performance.now() - t < 100) {
        sink += px.matmul(a, b).values[n * n - 1]!;
        c++;
      }
      calls = Math.max(1, Math.ceil(250 / ((performance.now() - t) / c)));
    },
    async rep() {
      const t = performance.now();
      for (let i = 0; i < calls; i++) sink += px.matmul(a!, b!).values[n * n - 1]!; // C complete and readable from JS
      return (performance.now() - t) / 1000 / calls;
    },
  };
}

/** A PyTorch peer process; `gemm(n)` / `mlp(steps)` give its Lib for the next rounds. */
function torchLib(name: string, proc: Stepwise): { gemm(n: number): Lib; mlp(steps: number): Lib & { loss(): number } } {
  return {
    gemm(n) {
      let calls = 1;
      return {
        name, python: true,
        async prepare() {
          calls = Math.max(1, Math.ceil(0.25 / ((await proc.ask(`prep ${n}`)).perCall as number)));
        },
        async rep() {
          return ((await proc.ask(`rep ${calls}`)).wall as number) / calls;
        },
      };
    },
    mlp(steps) {
      let last = NaN;
      return {
        name, python: true,
        async prepare() {
          await proc.ask('mlp');
        },
        async rep() {
          const r = await proc.ask(`train ${steps}`);
          last = r.loss as number;
          return r.wall as number;
        },
        loss: () => last,
      };
    },
  };
}

export async function runF64(opts: F64BenchOptions = {}): Promise<object[]> {
  const sizes = opts.sizes ?? [256, 512, 1024];
  const threadCounts = opts.threads ?? [1, 2];
  const reps = opts.reps ?? 7;
  const steps = opts.steps ?? 10;
  const lines: object[] = [];
  const emit = (line: object): void => {
    console.log(JSON.stringify(line));
    lines.push(line);
  };
  const relaxed = wasmRelaxedSimdSupported();
  const ceiling = { baseline: round(simdPeakGflops('f64x2', false)), ...(relaxed ? { relaxed: round(simdPeakGflops('f64x2', true)) } : {}) };
  emit({ workload: 'f', metric: 'f64x2_peak_gflops', threads: 1, plexus: Math.max(ceiling.baseline, ceiling.relaxed ?? 0), ceiling, load: load1(),
    notes: ['gemm64Peak: 8 independent f64x2 madds per step, operands in registers (assembly/gemm64.as); per core; the better of the baseline and relaxed builds'] });
  for (const threads of threadCounts) {
    px.setNumThreads(threads);
    const skipped: string[] = [];
    const notes: string[] = [];
    const plexusPeaks = await probePeaks(['f', String(threads), String(steps), sizes.join(',')]);
    if (typeof plexusPeaks === 'string') notes.push(`plexus peakRssMB: ${plexusPeaks}`);
    else notes.push('peakRssMB: plexus from a short run of its side alone in a process of its own (bench/rss-probe.ts), the PyTorch peers from their processes');
    /** The line's peaks: plexus's probe at `key`, each live peer's process so far. */
    const peaks = async (key: string): Promise<Record<string, number>> => {
      const out: Record<string, number> = typeof plexusPeaks === 'string' || plexusPeaks[key] === undefined ? {} : { plexus: plexusPeaks[key] };
      for (const p of peers) {
        const r = await p.proc.ask('rss').catch(() => null);
        if (typeof r?.peakRssMB === 'number') out[p.name] = r.peakRssMB;
      }
      return out;
    };
    const peers: { name: string; proc: Stepwise }[] = [];
    for (const p of torchPeers()) {
      const proc = Stepwise.start(PYTHON, [repoPath('bench/peers/torch_f64.py')], { ...threadEnv(threads), ...p.env });
      try {
        const info = await proc.read();
        notes.push(`${p.name}: torch ${String(info.version)}, BLAS ${String(info.blas)}`);
        peers.push({ name: p.name, proc });
      } catch (e) {
        skipped.push(`${p.name}: ${(e as Error).message}`);
        proc.kill();
      }
    }
    /** Runs the rounds; a peer that fails is dropped with its reason. */
    const measure = async (mine: Lib, theirs: Lib[]): Promise<{ figures: number[][]; names: string[] }> => {
      const libs = [mine, ...theirs];
      try {
        return { figures: await rounds(libs, reps, threads), names: libs.map((l) => l.name) };
      } catch (e) {
        skipped.push(`a peer failed: ${(e as Error).message}`);
        return { figures: await rounds([mine], reps, threads), names: ['plexus'] };
      }
    };
    const line = (metric: string, extra: object, names: string[], figures: number[][], toFigure: (s: number) => number): object => {
      const per = figures.map((f) => f.map(toFigure));
      const peersOut: Record<string, number> = {};
      const ratios: Record<string, number> = {};
      names.forEach((name, i) => {
        if (i === 0) return;
        peersOut[name] = round(median(per[i]!));
        ratios[name] = round(median(per[0]!.map((v, r) => v / per[i]![r]!)));
      });
      return { workload: 'f', metric, ...extra, threads, plexus: round(median(per[0]!)), peers: peersOut, ratios, load: load1(), ...(skipped.length ? { skipped } : {}), ...(notes.length ? { notes } : {}) };
    };
    try {
      const mine = plexusMlp(steps);
      const theirs = peers.map((p) => torchLib(p.name, p.proc).mlp(steps));
      const { figures, names } = await measure(mine, theirs);
      const loss = { plexus: round(mine.loss(), 5), ...Object.fromEntries(theirs.map((t) => [t.name, round(t.loss(), 5)])) };
      emit({ ...line('mlp_steps_per_s', { model: '32-256-256-1 tanh, batch 1024, Adam', finalLoss: loss, peakRssMB: await peaks('mlp') }, names, figures, (s) => steps / s) });
      for (const n of sizes) {
        const { figures: f, names: nm } = await measure(plexusGemm(n), peers.map((p) => torchLib(p.name, p.proc).gemm(n)));
        emit(line('gemm_gflops', { n, peakRssMB: await peaks(String(n)) }, nm, f, (s) => (2 * n ** 3) / s / 1e9));
      }
    } finally {
      for (const p of peers) p.proc.stop();
    }
  }
  return lines;
}
