/**
 * @file The `{"workload": "env"}` line that `npm run bench` prints once before the workloads: when and
 * where the run happened and with which versions, so that a table made from the run's lines
 * (scripts/bench-table.mjs) can say so. Fields: date (ISO), cpu (/proc/cpuinfo's model name), cores,
 * node, plexus (package.json), wasm (the SIMD build the default wasm backend runs, relaxed or
 * baseline, and whether its memory is shared, i.e. whether the worker pool can run), torch (per
 * PyTorch peer of common.ts torchPeers: version and the BLAS its process loaded), tfjs (the
 * installed @tensorflow packages' versions), load (1, 5 and 15-minute load averages) and args.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import * as px from '../src/index.js';
import type { WasmBackend } from '../src/internal.js';
import { PYTHON, repoPath, round, runJson, torchPeers } from './common.js';

/** /proc/cpuinfo's first "model name" (Linux), else what Node reports. */
function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1]!.trim();
  } catch {
    // not Linux: fall through
  }
  return os.cpus()[0]?.model ?? '?';
}

/** A package's version from its package.json under node_modules, or null when it is not installed. */
function installedVersion(name: string): string | null {
  try {
    return (JSON.parse(readFileSync(repoPath(`node_modules/${name}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

/** The SIMD build and memory kind of the default wasm backend (as the workloads' processes get it). */
function wasmInfo(): { simd: 'relaxed' | 'baseline'; sharedMemory: boolean } | string {
  const before = px.getBackend();
  try {
    px.setBackend('wasm');
    const t = px.zeros([1]);
    const b = t._storage.backend as WasmBackend;
    t.dispose();
    return { simd: b.relaxed ? 'relaxed' : 'baseline', sharedMemory: b.shared };
  } catch (e) {
    return `wasm backend unavailable: ${(e as Error).message}`;
  } finally {
    px.setBackend(before);
  }
}

/** The env line's fields (see the file comment). */
export async function benchEnv(args: string[]): Promise<Record<string, unknown>> {
  const torch: Record<string, unknown> = {};
  for (const peer of torchPeers()) {
    const r = await runJson(PYTHON, [repoPath('bench/peers/torch_env.py')], peer.env);
    torch[peer.name] = typeof r === 'string' ? { skipped: r } : { version: r.version, blas: r.blas };
  }
  const plexus = (JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { version: string }).version;
  return {
    workload: 'env', date: new Date().toISOString(), cpu: cpuModel(), cores: os.availableParallelism?.() ?? os.cpus().length,
    memoryGB: round(os.totalmem() / 2 ** 30, 1), os: `${os.type()} ${os.release()}`, node: process.version, plexus, wasm: wasmInfo(),
    torch, tfjs: { core: installedVersion('@tensorflow/tfjs-core'), wasm: installedVersion('@tensorflow/tfjs-backend-wasm'), cpu: installedVersion('@tensorflow/tfjs-backend-cpu') },
    load: os.loadavg().map((l) => round(l)), args,
  };
}
