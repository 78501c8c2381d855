/**
 * @file Atomic file replacement (docs/reliability.md "Atomic saves"): concurrent saves leave one complete
 * file; injected faults (ENOSPC, EIO on fsync, EXDEV, EACCES, target is a directory) throw
 * CheckpointWriteError naming path and errno, with the previous file intact and no temp file left;
 * a SIGKILL at each stage of a save leaves the old or the new file, both loading, and cleanupTemp
 * removes the orphan.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fsp from 'node:fs/promises';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as px from '../src/node.js';
import { io } from '../src/node.js';
import { hex } from './io-helpers.js';

const CHILD = fileURLToPath(new URL('./io-atomic-child.js', import.meta.url));

/** A ~200 KB checkpoint whose every value is `tag` (so old and new files differ everywhere). */
function payload(tag: number): Uint8Array {
  return io.serializeSafetensors([['w', px.full([50_000], tag, { dtype: 'float32' })]], { tag: String(tag) });
}

/** Writes payload(tag) beside the test files for a child process to save; returns its path. */
function payloadFile(tag: number): string {
  const f = path.join(dir, `payload-${tag}.bin`);
  writeFileSync(f, payload(tag));
  return f;
}
let dir = '';
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'plexus-atomic-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const temps = (d = dir): string[] => readdirSync(d).filter(io.isTempName);
const fresh = (name: string): string => {
  const d = path.join(dir, name);
  mkdirSync(d);
  return d;
};
const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && hex(a) === hex(b);

describe('writeFileAtomic', () => {
  it('writes every byte (a Float32Array view, a string), leaving no temp file', async () => {
    const d = fresh('basic');
    const f = path.join(d, 'a.bin');
    const bytes = payload(3);
    await io.writeFileAtomic(f, bytes, { chunkSize: 4096 });
    assert.ok(same(new Uint8Array(readFileSync(f)), bytes));
    await io.writeFileAtomic(path.join(d, 'b.json'), '{"x":1}');
    assert.equal(readFileSync(path.join(d, 'b.json'), 'utf8'), '{"x":1}');
    assert.deepEqual(temps(d), []);
  });

  it('concurrent saves to one path are serialized: the last call wins, complete, never interleaved', async () => {
    const d = fresh('concurrent');
    const f = path.join(d, 'ckpt.safetensors');
    const order: number[] = [];
    const files = [1, 2, 3, 4, 5, 6].map((tag) => payload(tag));
    await Promise.all(files.map((b, i) => io.writeFileAtomic(f, b, { chunkSize: 8192, onStage: (s) => void (s === 'rename' && order.push(i)) })));
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5], 'saves ran out of call order');
    const got = new Uint8Array(readFileSync(f));
    assert.ok(same(got, files[5]!), 'final file is not the last save');
    assert.equal(io.decodeSafetensors(got).metadata.get('tag'), '6');
    assert.deepEqual(temps(d), []);
  });

  it('a failed save does not block the next one on the same path', async () => {
    const d = fresh('chain');
    const f = path.join(d, 'x');
    const bad = io.writeFileAtomic(f, payload(1), { fs: { rename: () => Promise.reject(Object.assign(new Error('boom'), { code: 'EIO' })) } });
    const good = io.writeFileAtomic(f, payload(2));
    await assert.rejects(bad, io.CheckpointWriteError);
    await good;
    assert.ok(same(new Uint8Array(readFileSync(f)), payload(2)));
  });
});

describe('faults: CheckpointWriteError naming path and errno, previous file intact, temp removed', () => {
  const fault = (code: string): Error => Object.assign(new Error(`injected ${code}`), { code });
  /** Opens real files but lets a test break the handle's write or sync. */
  const brokenHandle = (method: 'write' | 'sync', code: string): Partial<io.AtomicFs> => ({
    open: async (f, flags, mode) => {
      const h = await fsp.open(f, flags, mode);
      if (flags === 'wx') { // the temp file, not the directory opened for its fsync
        (h as unknown as Record<string, unknown>)[method] = () => Promise.reject(fault(code));
      }
      return h;
    },
  });
  const cases: [string, string, string, Partial<io.AtomicFs>][] = [
    ['disk full during write', 'ENOSPC', 'write', brokenHandle('write', 'ENOSPC')],
    ['EIO on fsync', 'EIO', 'fsync', brokenHandle('sync', 'EIO')],
    ['EXDEV on rename', 'EXDEV', 'rename', { rename: () => Promise.reject(fault('EXDEV')) }],
    ['read-only directory', 'EACCES', 'open', { open: () => Promise.reject(fault('EACCES')) }],
  ];
  for (const [label, errno, stage, fs] of cases) {
    it(label, async () => {
      const d = fresh(label.replace(/\W+/g, '-'));
      const f = path.join(d, 'model.safetensors');
      writeFileSync(f, payload(1));
      await assert.rejects(io.writeFileAtomic(f, payload(2), { fs }), (e: unknown) => {
        assert.ok(e instanceof io.CheckpointWriteError);
        assert.equal(e.code, 'CHECKPOINT_WRITE');
        assert.equal(e.errno, errno);
        assert.equal(e.stage, stage);
        assert.ok(e.message.includes(f) && e.message.includes(errno), e.message);
        return true;
      });
      assert.ok(same(new Uint8Array(readFileSync(f)), payload(1)), 'previous file damaged');
      assert.deepEqual(temps(d), [], 'temp file left behind');
    });
  }

  it('target path is a directory (a real failure, no shim)', async () => {
    const d = fresh('isdir');
    const target = path.join(d, 'ckpt');
    mkdirSync(target);
    writeFileSync(path.join(target, 'inside'), 'keep');
    await assert.rejects(io.writeFileAtomic(target, payload(1)), (e: unknown) => {
      assert.ok(e instanceof io.CheckpointWriteError);
      assert.ok(['EISDIR', 'ENOTEMPTY', 'EEXIST', 'EPERM'].includes(e.errno), e.errno);
      assert.ok(e.message.includes(target));
      return true;
    });
    assert.equal(readFileSync(path.join(target, 'inside'), 'utf8'), 'keep');
    assert.deepEqual(temps(d), []);
  });
});

/** Runs the child until it reports `stage` (or exits), then SIGKILLs it. Resolves with its pid. */
function killAt(target: string, tag: number, stage: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, target, payloadFile(tag), stage], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child never reached ${stage}: ${err}`));
    }, 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(`STAGE ${stage}`)) child.kill('SIGKILL');
    });
    child.stderr.on('data', (d: Buffer) => void (err += d.toString()));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' && out.includes(`STAGE ${stage}`)) resolve(child.pid!);
      else reject(new Error(`child exited ${code} ${signal} before ${stage}: ${err}`));
    });
  });
}

describe('SIGKILL mid-save (row 34)', () => {
  // Before the rename the old file must survive; from the rename on the new one is in place.
  const expectNew: Record<string, boolean> = { open: false, write: false, fsync: false, rename: true, dirsync: true };
  for (const [stage, isNew] of Object.entries(expectNew)) {
    it(`killed after ${stage}: the ${isNew ? 'new' : 'old'} file, loading cleanly; the orphan is removed`, async () => {
      const d = fresh(`kill-${stage}`);
      const f = path.join(d, 'ckpt.safetensors');
      await io.writeFileAtomic(f, payload(1));
      const pid = await killAt(f, 2, stage);
      const got = new Uint8Array(readFileSync(f));
      const want = isNew ? payload(2) : payload(1);
      assert.ok(same(got, want), `after a kill at ${stage} the file is neither intact old nor new`);
      assert.equal(io.decodeSafetensors(got, { requireChecksum: true }).metadata.get('tag'), isNew ? '2' : '1');
      // A temp exists exactly when the kill came before the rename; it belongs to a dead pid.
      const orphans = temps(d);
      assert.equal(orphans.length, isNew ? 0 : 1, `temps: ${orphans.join(', ')}`);
      assert.ok(orphans.every((n) => n.includes(`-${pid}-`)));
      assert.deepEqual(await io.cleanupTemp(d), orphans);
      assert.deepEqual(temps(d), []);
      assert.deepEqual(readdirSync(d), ['ckpt.safetensors']);
    });
  }

  it('two processes saving to one path at once leave one complete file', async () => {
    const d = fresh('two-procs');
    const f = path.join(d, 'ckpt.safetensors');
    const run = (tag: number): Promise<void> => new Promise((resolve, reject) => {
      const c = spawn(process.execPath, [CHILD, f, payloadFile(tag), 'none'], { stdio: 'ignore' });
      c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`child ${tag} exited ${code}`))));
    });
    await Promise.all([run(3), run(4)]);
    const got = new Uint8Array(readFileSync(f));
    assert.ok(same(got, payload(3)) || same(got, payload(4)), 'interleaved or partial file');
    assert.deepEqual(temps(d), []);
  });
});

describe('cleanupTemp', () => {
  it('keeps temps of live processes and of other threads; removes dead ones; ignores other files', async () => {
    const d = fresh('cleanup');
    const live = `.a.plexus-tmp-${process.ppid}-0-1`; // the test runner: alive
    const otherThread = `.a.plexus-tmp-${process.pid}-99-1`;
    const mineIdle = `.a.plexus-tmp-${process.pid}-0-999999`;
    const dead = `.a.plexus-tmp-${2 ** 22 + 12345}-0-1`; // above Linux pid_max defaults: no such process
    for (const n of [live, otherThread, mineIdle, dead, 'a', '.a.plexus-tmp-x']) writeFileSync(path.join(d, n), '');
    assert.deepEqual((await io.cleanupTemp(d)).sort(), [dead, mineIdle].sort());
    assert.deepEqual(readdirSync(d).sort(), [live, otherThread, 'a', '.a.plexus-tmp-x'].sort());
    assert.deepEqual(await io.cleanupTemp(path.join(d, 'missing')), []);
  });
});
