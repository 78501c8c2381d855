/**
 * @file `node dist/bench/kan-profile.js [--steps 60] [--threads 1]`: where a training step of workload
 * d's KANs spends its CPU time, op by op (issue #18, FastKAN vs the B-spline KAN). A wasm backend
 * of its own has every kernel (and the fused optimizer updates) wrapped with a process.cpuUsage()
 * delta; KAN [784, 64, 10], batch 128 of fixed random inputs, cross-entropy, AdamW, as
 * bench/kan-speed.ts. Prints one JSON line per model: CPU ms per step (whole step and inside kernels)
 * and the top kernels by CPU ms per step, keyed by op and operand shapes. CPU time, not wall time, so
 * it stays comparable on a loaded machine (contention still inflates it somewhat); run it at 1 thread
 * for per-op costs. Not part of `npm run bench`.
 */
import * as px from '../src/node.js';
import { setNumThreads } from '../src/node.js';
import { createWasmBackend } from '../src/internal.js';

function flag(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? dflt : dflt;
}

const acc = new Map<string, [number, number]>();
const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;
function charge(key: string, t0: NodeJS.CpuUsage): void {
  const a = acc.get(key) ?? [0, 0];
  a[0] += cpuMs(process.cpuUsage(t0));
  a[1]++;
  acc.set(key, a);
}

px.registerBackend('wasm-profiled', () => {
  const b = createWasmBackend({ name: 'wasm-profiled' });
  const kernels = b.kernels as Record<string, px.Kernel>;
  for (const name of px.PRIMITIVE_NAMES) {
    const k = kernels[name] ?? (px.PRIMITIVES[name] as unknown as { reference: px.Kernel }).reference;
    kernels[name] = (out, ins, attrs) => {
      const t0 = process.cpuUsage();
      k(out, ins, attrs);
      const transposes = name === 'matmul' ? ` ${JSON.stringify(attrs)}` : '';
      charge(`${name} ${ins.map((v) => v.shape.join('x')).join(',')} -> ${out.shape.join('x')}${transposes}`, t0);
    };
  }
  const fused = b.fused as unknown as Record<string, (...a: unknown[]) => unknown> | undefined;
  if (fused) {
    for (const name of Object.keys(fused)) {
      const f = fused[name]!.bind(fused);
      fused[name] = (...a: unknown[]) => {
        const t0 = process.cpuUsage();
        const r = f(...a);
        charge(`fused ${name}`, t0);
        return r;
      };
    }
  }
  return b;
});

function profile(variant: 'bspline' | 'fastkan', steps: number): object {
  px.manualSeed(0);
  const model = variant === 'fastkan' ? new px.nn.KAN([784, 64, 10], { basis: 'rbf', grid: 8 }) : new px.nn.KAN([784, 64, 10], { grid: 5, k: 3, init: 'efficient-kan' });
  const opt = new px.optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 1e-4 });
  const x = px.keep(px.rand([128, 784]).mul(2).sub(1));
  const y = px.keep(px.tensor(Array.from({ length: 128 }, (_, i) => i % 10), { dtype: 'int32' }));
  const step = (): void => px.scope(() => {
    opt.zeroGrad();
    px.crossEntropy(model.forward(x), y).backward();
    opt.step();
  });
  for (let i = 0; i < 10; i++) step();
  acc.clear();
  const t0 = process.cpuUsage();
  for (let i = 0; i < steps; i++) step();
  const total = cpuMs(process.cpuUsage(t0)) / steps;
  const r3 = (v: number): number => Math.round(v * 1000) / 1000;
  const rows = [...acc.entries()].sort((a, b) => b[1][0] - a[1][0]);
  const kernels = rows.reduce((s, [, a]) => s + a[0], 0) / steps;
  const top = rows.slice(0, 20).map(([k, a]) => ({ op: k, cpuMs: r3(a[0] / steps), calls: r3(a[1] / steps) }));
  x.dispose();
  y.dispose();
  return { model: variant, steps, stepCpuMs: r3(total), kernelCpuMs: r3(kernels), top };
}

const steps = Number(flag('steps', '60'));
px.setBackend('wasm-profiled');
setNumThreads(Number(flag('threads', '1')));
for (const v of ['bspline', 'fastkan'] as const) console.log(JSON.stringify(profile(v, steps)));
