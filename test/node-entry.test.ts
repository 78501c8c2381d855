/**
 * @file The two entries: `plexus/node` (src/node.ts) is `plexus` (src/index.ts) plus files, so a
 * Node program switches by changing one import: every name of plexus is exported by plexus/node, and
 * each namespace (io, data, train, nn) is a superset. The portable entry refuses a path with a typed
 * error that names plexus/node instead of touching a file system, and its bytes round-trip through
 * the Node entry's file functions.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as web from '../src/index.js';
import * as node from '../src/node.js';

const refusesPath = (fn: () => unknown, who: string): void => {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof web.ValueError, String(e));
    assert.ok(e.message.includes(who) && e.message.includes('plexus/node'), e.message);
    return true;
  });
};

describe('plexus/node is plexus plus files', () => {
  it('exports every name of plexus, and every namespace member', () => {
    for (const k of Object.keys(web)) assert.ok(k in node, `plexus/node lacks ${k}`);
    for (const ns of ['io', 'data', 'train', 'nn'] as const) {
      for (const k of Object.keys(web[ns])) assert.ok(k in node[ns], `plexus/node ${ns} lacks ${k}`);
    }
    for (const [ns, k] of [['io', 'writeFileAtomic'], ['io', 'latestCheckpoint'], ['data', 'readCsv'], ['data', 'digits'], ['data', 'fashionMnist']] as const) {
      assert.ok(!(k in web[ns]), `plexus ${ns}.${k} should be Node-only`);
      assert.ok(k in node[ns]);
    }
  });

  it('the portable entry refuses paths with a ValueError naming plexus/node', async () => {
    refusesPath(() => new web.train.ModelCheckpoint({ dir: 'ckpt' }), 'ModelCheckpoint');
    refusesPath(() => new web.train.JsonlLogger('log.jsonl'), 'JsonlLogger');
    await assert.rejects(web.io.loadModel('model.safetensors' as never), (e: unknown) => e instanceof web.ValueError && e.message.includes('plexus/node'));
    const lines: string[] = [];
    assert.ok(new web.train.JsonlLogger({ write: (l: string) => lines.push(l) }));
  });

  it('bytes from plexus load through plexus/node from a file, and back', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'plexus-entry-'));
    try {
      web.manualSeed(3);
      const model = new web.nn.MLP([3, 5, 2]);
      const bytes = web.io.saveModel(model, { metadata: { a: 1 } });
      assert.ok(bytes instanceof Uint8Array);
      const file = path.join(dir, 'm.safetensors');
      await node.io.writeFileAtomic(file, bytes);
      const { model: m2, metadata } = await node.io.loadModel(file);
      assert.deepEqual(metadata, { a: 1 });
      const x = web.randn([2, 3]);
      assert.deepEqual(Array.from(m2.forward(x).values), Array.from(model.forward(x).values));
      await node.io.saveModel(m2, file);
      const { model: m3 } = await web.io.loadModel(new Blob([node.io.saveModel(m2) as Uint8Array<ArrayBuffer>]));
      assert.deepEqual(Array.from(m3.forward(x).values), Array.from(model.forward(x).values));
      assert.throws(() => web.io.saveModel(model, { metdata: {} } as never), (e: unknown) => e instanceof web.ValueError && /unknown option.*"metdata"/.test(e.message));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
