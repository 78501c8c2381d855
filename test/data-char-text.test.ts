/**
 * @file data.charText and the shipped corpus: vocabulary, encode/decode round trip, a seeded block
 * split that partitions the text, windows whose targets are the inputs shifted by one, and typed
 * errors for bad arguments.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/node.js';

const { data } = px;

describe('data.charText', () => {
  it('the shipped corpus: 102,726 ASCII characters, 81 distinct, split 90/10 by blocks', () => {
    const text = data.builtinText('gnu-licenses');
    assert.equal(text.length, 102726);
    assert.match(text.slice(0, 120), /^ +GNU GENERAL PUBLIC LICENSE\n +Version 2, June 1991/);
    const ds = data.charText(text);
    assert.equal(ds.vocabSize, 81);
    assert.equal(ds.train.length + ds.val.length, text.length);
    assert.equal(ds.val.length, 10 * 1024, '10 of the 101 blocks held out');
    assert.throws(() => data.builtinText('shakespeare' as never), px.ValueError);
  });

  it('encode/decode round-trip; the split is seeded and partitions the blocks', () => {
    const text = 'abcdefghij'.repeat(20);
    const a = data.charText(text, { blockSize: 10, valFraction: 0.25, seed: 3 });
    assert.deepEqual(a.vocab, 'abcdefghij'.split(''));
    assert.equal(a.decode(a.encode('jihgf')), 'jihgf');
    assert.equal(a.decode(px.tensor(a.encode('cab'), { dtype: 'int32' })), 'cab');
    assert.equal(a.val.length, 50);
    assert.equal(a.train.length, 150);
    const b = data.charText(text, { blockSize: 10, valFraction: 0.25, seed: 3 });
    assert.deepEqual(b.val, a.val);
    const t = 'ABCDEFGHIJKLMNOPQRST'.repeat(2);
    const c1 = data.charText(t, { blockSize: 4, valFraction: 0.3, seed: 1 });
    const c2 = data.charText(t, { blockSize: 4, valFraction: 0.3, seed: 2 });
    assert.notEqual(c1.decode(c1.val), c2.decode(c2.val), 'another seed holds out other blocks');
    assert.equal([...c1.decode(c1.val)].length + [...c1.decode(c1.train)].length, t.length);
  });

  it('windows and batches: y is x shifted by one, int32 [B, length]; batches are seeded', () => {
    const ds = data.charText('0123456789'.repeat(30), { blockSize: 100, valFraction: 0.34 });
    const { x, y } = ds.windows('train', 7);
    assert.deepEqual(x.shape, [Math.floor((ds.train.length - 1) / 7), 7]);
    assert.equal(x.dtype, 'int32');
    const xs = ds.decode(x);
    const ys = ds.decode(y);
    assert.equal(xs.slice(1, 7), ys.slice(0, 6));
    const b1 = ds.batch('val', 4, 5, { generator: new px.Generator(1) });
    const b2 = ds.batch('val', 4, 5, { generator: new px.Generator(1) });
    assert.deepEqual(b1.x.values, b2.x.values);
    assert.deepEqual(b1.x.shape, [4, 5]);
    const xv = b1.x.values;
    const yv = b1.y.values;
    for (let r = 0; r < 4; r++) for (let t = 0; t < 4; t++) assert.equal(yv[r * 5 + t], xv[r * 5 + t + 1]);
  });

  it('bad arguments are typed errors naming the argument', () => {
    const ds = data.charText('abcabc'.repeat(10), { blockSize: 10 });
    assert.throws(() => ds.encode('abz'), (e: px.PlexusError) => e instanceof px.DataError && /"z" is not in the vocabulary/.test(e.message));
    assert.throws(() => ds.decode([5]), (e: px.PlexusError) => e instanceof px.ValueError && /id 5 is outside/.test(e.message));
    assert.throws(() => ds.batch('test' as never, 2, 3), (e: px.PlexusError) => e instanceof px.ValueError && /split must be one of 'train', 'val'/.test(e.message));
    assert.throws(() => ds.batch('val', 2, 50), (e: px.PlexusError) => e instanceof px.ValueError && /window length 50 needs 51 characters; the val split has 10/.test(e.message));
    assert.throws(() => ds.batch('val', 0, 3), px.ValueError);
    assert.throws(() => data.charText('abc', { valFraction: 1 }), px.ValueError);
    assert.throws(() => data.charText('abc', { blockSize: 10 }), (e: px.PlexusError) => e instanceof px.DataError && /at least 2 blocks/.test(e.message));
    assert.throws(() => data.charText('abc'.repeat(10), { seeds: 1 } as never), (e: px.PlexusError) => e instanceof px.ValueError && /unknown option 'seeds'/.test(e.message));
  });
});
