/**
 * @file `plexus train --resume`, with real child processes: a run SIGKILLed five times at seeded
 * random moments and resumed each time ends with the same model.safetensors (byte for byte) and the
 * same checkpoint tensors as an uninterrupted run. Wherever a kill lands (before the folder is
 * claimed, mid-epoch, during an atomic save), the documented next step leads to the same result:
 * no folder -> start again; a folder -> --resume. Also the refusals: a changed config, a complete
 * run, a folder that does not exist.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as px from '../src/node.js';
import { type ChildRun, removeTempDirs, runCli, spawnCli, tempDir } from './cli-helpers.js';

after(removeTempDirs);

const ARGS = ['--hidden', '16', '--epochs', '6', '--batch-size', '16', '--dropout', '0.1', '--seed', '3'];

/** Tensors of a checkpoint's model and optimizer parts, name -> bytes. */
async function checkpointTensors(file: string): Promise<Map<string, Uint8Array>> {
  const f = await px.io.readSafetensorsFile(file);
  return new Map([...f.tensors].map(([k, e]) => [k, new Uint8Array(e.bytes)]));
}

describe('plexus train --resume after SIGKILL', () => {
  it('5 kills at seeded random moments, each followed by --resume, end bit-identical to an uninterrupted run', async () => {
    const ref = tempDir();
    const r0 = await spawnCli(ref, ['train', ...ARGS, '--name', 'r']);
    assert.equal(r0.code, 0, r0.err);
    const cwd = tempDir();
    const dir = path.join(cwd, 'runs', 'r');
    const rng = new px.Generator(20240601);
    const runs: ChildRun[] = [];
    let finished = false;
    const next = async (killAfterMs?: number): Promise<ChildRun> => {
      let r = existsSync(dir) ? await spawnCli(cwd, ['train', '--resume', 'runs/r'], killAfterMs) : await spawnCli(cwd, ['train', ...ARGS, '--name', 'r'], killAfterMs);
      // Killed between creating the folder and claiming it: nothing to resume, so start again (README).
      if (r.code === 2 && /NOTHING_TO_RESUME/.test(r.err)) r = await spawnCli(cwd, ['train', ...ARGS, '--name', 'r'], killAfterMs);
      runs.push(r);
      return r;
    };
    for (let k = 0; k < 5 && !finished; k++) {
      const r = await next(Math.floor(rng.nextU32() / 2 ** 32 * 1200));
      if (r.signal === null) {
        assert.equal(r.code, 0, `an unkilled child must succeed: ${r.err}`);
        finished = true;
      }
    }
    if (!finished) {
      const r = await next();
      assert.equal(r.code, 0, r.err);
    }
    console.log(`resume: ${runs.filter((r) => r.signal === 'SIGKILL').length} kills, ${runs.length} processes`);
    const a = readFileSync(path.join(ref, 'runs', 'r', 'model.safetensors'));
    const b = readFileSync(path.join(dir, 'model.safetensors'));
    assert.ok(Buffer.compare(a, b) === 0, 'model.safetensors differs from the uninterrupted run');
    const ca = await checkpointTensors(path.join(ref, 'runs', 'r', 'checkpoint', 'last.safetensors'));
    const cb = await checkpointTensors(path.join(dir, 'checkpoint', 'last.safetensors'));
    assert.deepEqual([...cb.keys()], [...ca.keys()]);
    for (const [k, v] of ca) assert.ok(Buffer.compare(v, cb.get(k)!) === 0, `checkpoint tensor ${k} differs`);
    // No temp file of an interrupted save is left, and the log has each epoch once.
    const names = [...readdirSync(dir), ...readdirSync(path.join(dir, 'checkpoint'))];
    assert.deepEqual(names.filter((n) => /plexus-tmp|\.claim-|\.release-/.test(n)), []);
    assert.ok(!existsSync(path.join(dir, 'failed.json')));
    const epochs = readFileSync(path.join(dir, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; epoch?: number }).filter((l) => l.event === 'epoch').map((l) => l.epoch);
    assert.deepEqual(epochs, [1, 2, 3, 4, 5, 6]);
  });
});

describe('plexus train --resume refusals', () => {
  it('refuses a changed config naming the keys, a complete run, and a missing folder (exit 2); --epochs may be raised', async () => {
    const cwd = tempDir();
    assert.equal((await runCli(cwd, 'train', '--hidden', '8', '--epochs', '2', '--name', 'a')).code, 0);
    const changed = await runCli(cwd, 'train', '--resume', 'runs/a', '--lr', '0.1', '--hidden', '9');
    assert.equal(changed.code, 2);
    assert.match(changed.err, /\/model\/hidden/);
    assert.match(changed.err, /\/optimizer\/lr/);
    const complete = await runCli(cwd, 'train', '--resume', 'runs/a');
    assert.equal(complete.code, 2);
    assert.match(complete.err, /is complete \(2\/2 epochs.*--epochs/);
    const none = await runCli(cwd, 'train', '--resume', 'runs/nope');
    assert.equal(none.code, 2);
    assert.match(none.err, /nothing to resume: runs\/nope does not exist/);
    assert.equal((await runCli(cwd, 'train', '--resume', 'runs/a', '--name', 'b')).code, 2);
    const more = await runCli(cwd, 'train', '--resume', 'runs/a', '--epochs', '3');
    assert.equal(more.code, 0, more.err);
    assert.match(more.out, /after epoch 2\/3/);
    assert.equal((JSON.parse(readFileSync(path.join(cwd, 'runs/a/config.json'), 'utf8')) as { epochs: number }).epochs, 3);
  });

  it('removes stale temp files of a killed save (dead writer) on resume, keeps a live writer\'s', async () => {
    const cwd = tempDir();
    assert.equal((await runCli(cwd, 'train', '--hidden', '8', '--epochs', '1', '--name', 'a')).code, 0);
    const ck = path.join(cwd, 'runs/a/checkpoint');
    // pid 2^22+1 exceeds Linux's pid_max, so no process has it: an orphan. Our parent process is alive.
    const dead = `.last.safetensors.plexus-tmp-${2 ** 22 + 1}-0-1`;
    const live = `.last.safetensors.plexus-tmp-${process.ppid}-0-7`;
    writeFileSync(path.join(ck, dead), 'partial');
    writeFileSync(path.join(ck, live), 'being written');
    writeFileSync(path.join(ck, 'notes.plexus-tmp-1-0-1'), 'not our pattern');
    const r = await runCli(cwd, 'train', '--resume', 'runs/a', '--epochs', '2');
    assert.equal(r.code, 0, r.err);
    const names = readdirSync(ck);
    assert.ok(!names.includes(dead));
    assert.ok(names.includes(live));
    assert.ok(names.includes('notes.plexus-tmp-1-0-1'));
  });
});
