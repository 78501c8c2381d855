/**
 * @file Helpers for the CLI tests: run `main(argv, io)` in a temporary working folder with captured
 * output, and take listings of a folder tree so a test can assert that a refused command wrote
 * nothing (names, sizes and modification times of every entry).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../apps/cli/main.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

const made: string[] = [];

/** A fresh folder under the system temp folder (realpath'd, as macOS /tmp is a symlink). */
export function tempDir(prefix = 'plexus-cli-'): string {
  const d = realpathSync(mkdtempSync(path.join(os.tmpdir(), prefix)));
  made.push(d);
  return d;
}

/** Removes every folder tempDir made (call from `after`). */
export function removeTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Runs the CLI with `args` in `cwd`, capturing stdout and stderr. */
export async function runCli(cwd: string, ...args: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await main(['node', 'plexus', ...args], {
    out: (s) => { out += s; },
    err: (s) => { err += s; },
    cwd,
    isTTY: false,
  });
  return { code, out, err };
}

/** Every entry below `dir` as "relative/path size mtime" lines (symlinks not followed). */
export function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = lstatSync(p);
      out.push(`${path.relative(dir, p)} ${st.isDirectory() ? 'dir' : st.size} ${st.mtimeMs}`);
      if (st.isDirectory() && !st.isSymbolicLink()) walk(p);
    }
  };
  walk(dir);
  return out;
}

const PROTO = Object.getOwnPropertyNames(Object.prototype).sort();

/** Object.prototype has exactly its original own keys and no "polluted" property is visible. */
export function assertNoPollution(): void {
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), PROTO);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(({} as Record<string, unknown>).x, undefined);
}

/**
 * Runs a command that must be refused: non-zero exit, stderr naming every string in `names`, and
 * no change anywhere under each folder in `watch` (default: the working folder).
 */
export async function refused(cwd: string, args: string[], names: string[], watch: string[] = [cwd]): Promise<CliRun> {
  const before = watch.map(listing);
  const r = await runCli(cwd, ...args);
  assert.notEqual(r.code, 0, `expected a refusal of ${args.join(' ')}, got exit 0: ${r.out}`);
  for (const n of names) assert.ok(r.err.includes(n), `stderr should name ${JSON.stringify(n)}:\n${r.err}`);
  assert.deepEqual(watch.map(listing), before, 'a refused command must write nothing');
  assertNoPollution();
  return r;
}

/** bin/plexus.js of this checkout (tests run from dist/test). */
export const PLEXUS_BIN = fileURLToPath(new URL('../../bin/plexus.js', import.meta.url));

export interface ChildRun extends CliRun {
  signal: NodeJS.Signals | null;
}

/**
 * Starts a real `plexus` child process in `cwd`; `killAfterMs` sends SIGKILL after that delay (if it
 * is still running). Resolves when it has exited.
 */
export function spawnCli(cwd: string, args: readonly string[], killAfterMs?: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PLEXUS_BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    const timer = killAfterMs === undefined ? null : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? -1, signal, out, err });
    });
  });
}
