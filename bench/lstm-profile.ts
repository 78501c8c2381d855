/**
 * @file Where workload e's training step (bench/lstm-child.ts: nn.LSTM(64, 256), seq 100 x batch 32,
 * Linear(256, 1) head, MSE, Adam) spends its time, by kernel: `node dist/bench/lstm-profile.js
 * [steps] [threads] [gru|rnn]` wraps every kernel of the wasm backend with a timer (keyed by
 * primitive and operand shapes), runs the steps after 2 warm-ups and prints a table of ms per
 * step (wall time inside each kernel, and the share of the step), plus the step's process CPU time.
 * A diagnostic, not a benchmark: the timers add a little per call.
 */
import * as px from '../src/node.js';
import { currentPool, getPrimitive } from '../src/internal.js';

const T = 100;
const B = 32;
const I = 64;
const H = 256;

function key(name: string, out: px.View, ins: readonly px.View[], attrs: unknown): string {
  const s = (v: px.View): string => v.shape.join('x');
  if (name === 'matmul') {
    const a = attrs as { transA: boolean; transB: boolean };
    return `matmul ${s(ins[0]!)}${a.transA ? 'ᵀ' : ''} · ${s(ins[1]!)}${a.transB ? 'ᵀ' : ''}`;
  }
  const args = ins.length > 4 ? `${ins.length} inputs (${s(ins[0]!)}, ...)` : ins.map(s).join(', ');
  return `${name} ${args} -> ${s(out)}`;
}

function main(): void {
  const steps = Number(process.argv[2] ?? 4);
  const threads = Number(process.argv[3] ?? 1);
  const kind = process.argv[4] ?? 'lstm';
  px.setBackend('wasm');
  px.setNumThreads(threads);
  const kernels = px.zeros([1])._storage.backend.kernels as Record<string, px.Kernel<unknown>>;
  const times = new Map<string, { ms: number; calls: number }>();
  let on = false;
  for (const name of px.PRIMITIVE_NAMES) {
    const k = kernels[name] ?? getPrimitive(name).reference;
    kernels[name] = (out, ins, attrs) => {
      if (!on) return k(out, ins, attrs);
      const t0 = performance.now();
      k(out, ins, attrs);
      const id = key(name, out, ins, attrs);
      const e = times.get(id) ?? { ms: 0, calls: 0 };
      e.ms += performance.now() - t0;
      e.calls++;
      times.set(id, e);
    };
  }
  const x = px.keep(px.tensor(Float32Array.from({ length: T * B * I }, (_, k) => Math.sin(0.37 * k + 0.1)), { shape: [T, B, I] }));
  const y = px.keep(px.tensor(Float32Array.from({ length: B }, (_, b) => Math.sin(0.5 * b)), { shape: [B, 1] }));
  px.manualSeed(0);
  const rnn = kind === 'gru' ? new px.nn.GRU(I, H) : kind === 'rnn' ? new px.nn.RNN(I, H) : new px.nn.LSTM(I, H);
  const head = new px.nn.Linear(H, 1);
  const opt = new px.optim.Adam([...rnn.parameters(), ...head.parameters()], { lr: 1e-3 });
  const phase = { forward: 0, backward: 0, step: 0 };
  let loss = NaN;
  const step = (): void => px.scope(() => {
    const t0 = performance.now();
    const [out] = (rnn as px.nn.LSTM).forward(x);
    const l = px.mse(head.forward(px.reshape(px.slice(out, [[T - 1, T]]), [B, H])), y);
    const t1 = performance.now();
    opt.zeroGrad();
    l.backward();
    const t2 = performance.now();
    opt.step();
    loss = l.item();
    const t3 = performance.now();
    if (on) {
      phase.forward += t1 - t0;
      phase.backward += t2 - t1;
      phase.step += t3 - t2;
    }
  });
  step();
  step();
  on = true;
  const pool = currentPool();
  const s0 = pool ? { ...pool.stats } : null;
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const wall = (performance.now() - w0) / steps;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1000 / steps;
  const rows = [...times.entries()].sort((a, b) => b[1].ms - a[1].ms);
  let inKernels = 0;
  for (const [, e] of rows) inKernels += e.ms;
  console.log(`${kind} T ${T} B ${B} I ${I} H ${H}, threads ${threads}, ${steps} steps: wall ${wall.toFixed(1)} ms/step, cpu ${cpu.toFixed(1)} ms/step, in kernels ${(inKernels / steps).toFixed(1)} ms/step, loss ${loss.toFixed(6)}`);
  if (pool && s0) console.log(`pool per step: ${((pool.stats.tasks - s0.tasks) / steps).toFixed(0)} tasks, ${((pool.stats.mainChunks - s0.mainChunks) / steps).toFixed(0)} chunks on the main thread, ${((pool.stats.workerChunks - s0.workerChunks) / steps).toFixed(0)} on workers, ${((pool.stats.waitMs - s0.waitMs) / steps).toFixed(1)} ms waiting`);
  console.log(`phases ms/step: forward ${(phase.forward / steps).toFixed(1)}, backward ${(phase.backward / steps).toFixed(1)}, optimizer+item ${(phase.step / steps).toFixed(1)}`);
  for (const [id, e] of rows) {
    if (e.ms / steps < 0.05) continue;
    console.log(`${(e.ms / steps).toFixed(2).padStart(8)} ms ${((100 * e.ms) / inKernels).toFixed(1).padStart(5)}%  ${String(e.calls / steps).padStart(5)} calls  ${id}`);
  }
}

main();
