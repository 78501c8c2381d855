/**
 * @file Shared by the training benchmarks (bench/mlp.ts, bench/small.ts): the seeded data order that
 * every peer reproduces bit for bit (mulberry32 + Fisher-Yates, mirrored in bench/peers/torch_mlp.py),
 * child processes (each library runs in its own process so peak RSS and JIT state are its own), the
 * Python peers' environment, and small statistics.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** mulberry32: a tiny 32-bit generator; every op is mod 2^32, so Python can mirror it exactly. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates over 0..n-1 from the high index down, j = floor(rng·(i+1)). */
export function permutation(n: number, rng: () => number): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/** FNV-1a over the indices: peers print it so the bench can confirm they trained on the same order. */
export function orderChecksum(p: ArrayLike<number>): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < p.length; i++) h = Math.imul(h ^ p[i]!, 0x01000193) >>> 0;
  return h;
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;

export const load1 = (): number => round(os.loadavg()[0]!);

/**
 * This process's peak resident set so far in KiB: /proc/self/status VmHWM, the high-water mark of its
 * own address space (exec starts a new one). Not `resourceUsage().maxRSS` (getrusage): Linux carries
 * that across fork and exec, so a library's child spawned by a benchmark process that had grown to
 * 700 MB would report at least 700 MB. maxRSS is the fallback where /proc is absent. The Python peers
 * measure the same way (peers/rss.py).
 */
export function peakRssKiB(): number {
  try {
    const m = /^VmHWM:\s+(\d+)\s*kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // no /proc: fall back below
  }
  return process.resourceUsage().maxRSS;
}

/** peakRssKiB in MB (MiB), rounded: the figure of every `peakRssMB` field. */
export const peakRssMB = (): number => Math.round(peakRssKiB() / 1024);

/** Path of a file in the repository (the compiled bench lives in dist/bench). */
export const repoPath = (rel: string): string => path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..', rel);

/** A failed child's reason from its stderr: the error's own line, not the stack frame printed last. */
export function stderrReason(err: string): string {
  const lines = err.trim().split('\n');
  return (lines.find((l) => /Error|error:/.test(l)) ?? lines.pop() ?? '').trim().slice(0, 300);
}

/** Runs a command and resolves with its last stdout line parsed as JSON, or a one-line reason it failed. */
export function runJson(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Record<string, unknown> | string> {
  return new Promise((resolve) => {
    const proc = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d) => (out += String(d)));
    proc.stderr.on('data', (d) => (err += String(d)));
    proc.on('error', (e) => resolve(`${cmd} could not start (${e.message})`));
    proc.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as Record<string, unknown>);
      else resolve(`${path.basename(cmd)} exited with ${code}: ${stderrReason(err)}`);
    });
  });
}

/** A JS library's run of `workload` in a fresh Node process (bench/child.ts). */
export function runChild(workload: string, lib: string, threads: number, extra: string[] = []): Promise<Record<string, unknown> | string> {
  return runJson(process.execPath, ['--expose-gc', repoPath('dist/bench/child.js'), workload, lib, String(threads), ...extra]);
}

/**
 * The peak RSS per size of a JS library's side of workload a or f, from a short run of that side alone
 * in a fresh process (bench/rss-probe.ts, `args` its command line), or the reason it failed.
 */
export async function probePeaks(args: string[]): Promise<Record<string, number> | string> {
  const r = await runJson(process.execPath, [repoPath('dist/bench/rss-probe.js'), ...args]);
  return typeof r === 'string' ? r : (r.peakRssMB as Record<string, number>);
}

/**
 * Python peers to run: Debian's torch as installed (its BLAS is whatever libblas.so.3 points to:
 * netlib's reference BLAS on this VM), plus the same torch over OpenBLAS when a directory holding
 * OpenBLAS's libblas.so.3 is found ($PLEXUS_BENCH_OPENBLAS, or Debian's libopenblas0-pthread path):
 * docs/benchmarks.md "Peers": we compare against PyTorch at its best.
 */
export function torchPeers(): { name: string; env: NodeJS.ProcessEnv }[] {
  const peers: { name: string; env: NodeJS.ProcessEnv }[] = [{ name: 'torch', env: {} }];
  const dirs = [process.env.PLEXUS_BENCH_OPENBLAS, '/usr/lib/x86_64-linux-gnu/openblas-pthread', '/usr/lib/aarch64-linux-gnu/openblas-pthread'];
  const dir = dirs.find((d) => d && existsSync(path.join(d, 'libblas.so.3')));
  const systemIsOpenblas = dir?.startsWith('/usr/lib/');
  // When Debian's OpenBLAS is installed, libblas.so.3 may already resolve to it; the peer reports which it loaded.
  if (dir && !systemIsOpenblas) peers.push({ name: 'torch-openblas', env: { LD_LIBRARY_PATH: [dir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') } });
  return peers;
}

/** OMP/OpenBLAS thread settings for a Python peer (docs/benchmarks.md "Peers": PASSIVE waiting, threads as tested). */
export function threadEnv(threads: number): NodeJS.ProcessEnv {
  const t = String(threads);
  return { OMP_NUM_THREADS: t, OPENBLAS_NUM_THREADS: t, MKL_NUM_THREADS: t, OMP_WAIT_POLICY: 'PASSIVE' };
}

export const PYTHON = '/usr/bin/python3';
