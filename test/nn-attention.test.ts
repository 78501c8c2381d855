/**
 * @file The attention family beyond the PyTorch goldens: KV-cached decoding equals the full causal
 * forward (float32, 1e-6) for MHA, GQA and MQA, with independent rows of one batched cache; the
 * cache's bytes in memory() (MQA holds 1/heads of MHA's); overflow and bad input as typed errors
 * naming the argument and shapes, with state unchanged; GQA read in place equals explicitly repeated
 * heads; seeded dropout only when asked; the two MultiheadAttention paths agree.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { nn } from '../src/index.js';
import { assertClose } from '../src/testing/index.js';

const toks = (rows: number[][]): px.Tensor => px.tensor(Int32Array.from(rows.flat()), { dtype: 'int32', shape: [rows.length, rows[0]!.length] });
const lastLogits = (lm: nn.TransformerLM, row: number[]): Float32Array => {
  const l = lm.forward(toks([row]));
  return l._peek().slice((row.length - 1) * lm.vocabSize, row.length * lm.vocabSize) as Float32Array;
};

describe('KV-cached decoding', () => {
  for (const [name, kv] of [['MHA', 4], ['GQA', 2], ['MQA', 1]] as const) {
    it(`${name}: token-by-token logits equal the full causal forward (float32, 1e-6)`, () => {
      px.manualSeed(3);
      const lm = new nn.TransformerLM(13, 16, 4, 2, { numKVHeads: kv, maxLength: 12, dtype: 'float32' }).eval();
      const seq = [[1, 5, 2, 9, 0, 12, 7, 3, 3, 8], [4, 4, 1, 0, 11, 2, 6, 10, 5, 1]];
      const full = lm.forward(toks(seq))._peek();
      const caches = lm.createCaches(2, 12);
      // A prefix of 3 tokens at once, then one token at a time.
      const chunks: [number, number][] = [[0, 3], ...Array.from({ length: 7 }, (_, i): [number, number] => [3 + i, 4 + i])];
      for (const [a, b] of chunks) {
        const step = lm.forward(toks(seq.map((r) => r.slice(a, b))), { kvCaches: caches })._peek();
        for (let r = 0; r < 2; r++) {
          for (let t = a; t < b; t++) {
            const got = step.subarray((r * (b - a) + t - a) * 13, (r * (b - a) + t - a + 1) * 13);
            const want = full.subarray((r * 10 + t) * 13, (r * 10 + t + 1) * 13);
            assertClose(got, want, { atol: 1e-6, rtol: 0 }, `${name} row ${r} position ${t}`);
          }
        }
      }
      assert.deepEqual(caches[0]!.lengths, [10, 10]);
    });
  }

  it('a batch of independent caches: resetting one row restarts its sequence, the other keeps its context', () => {
    px.manualSeed(4);
    const lm = new nn.TransformerLM(9, 8, 2, 1, { numKVHeads: 1, maxLength: 10 }).eval();
    const caches = lm.createCaches(2, 10);
    lm.forward(toks([[1, 2, 3], [4, 5, 6]]), { kvCaches: caches });
    for (const c of caches) c.reset([1]);
    assert.deepEqual(caches[0]!.lengths, [3, 0]);
    // Row 0 continues [1,2,3] with 7; row 1 starts afresh with [8] (different positions in one call).
    const l = lm.forward(toks([[7], [8]]), { kvCaches: caches })._peek();
    assertClose(l.subarray(0, 9), lastLogits(lm, [1, 2, 3, 7]), { atol: 1e-6, rtol: 0 }, 'continued row');
    assertClose(l.subarray(9, 18), lastLogits(lm, [8]), { atol: 1e-6, rtol: 0 }, 'restarted row');
    assert.deepEqual(caches[0]!.lengths, [4, 1]);
  });

  it('memory(): an MQA cache holds 1/heads of an MHA cache\'s bytes', () => {
    const H = 8;
    const bytes = (kv: number): number => {
      const m = new nn.MultiheadAttention(64, H, { numKVHeads: kv });
      const before = px.memory().numBytes;
      const c = m.createCache(2, 32);
      const used = px.memory().numBytes - before;
      assert.equal(used, c.numBytes, 'memory() sees the whole preallocated cache');
      return used;
    };
    const mha = bytes(H);
    assert.equal(mha, 2 * 2 * H * 32 * 8 * 4);
    assert.equal(bytes(1) * H, mha);
    assert.equal(bytes(2) * (H / 2), mha);
  });

  it('overflow is a KVCacheOverflowError naming the row and maxLength, and writes nothing', () => {
    const c = new nn.KVCache(2, 1, 2, 3);
    c.append(px.ones([2, 1, 2, 2]), px.ones([2, 1, 2, 2]));
    assert.throws(() => c.append(px.ones([2, 1, 2, 2]), px.ones([2, 1, 2, 2])), (e: px.PlexusError) => e instanceof nn.KVCacheOverflowError && e.code === 'KV_CACHE_OVERFLOW' && /row 0 holds 2 tokens; appending 2 passes maxLength 3/.test(e.message));
    assert.deepEqual(c.lengths, [2, 2]);
    assert.throws(() => c.append(px.ones([2, 2, 1, 2]), px.ones([2, 2, 1, 2])), (e: px.PlexusError) => e instanceof px.ShapeError && /key must be \[B, Hkv, T, D\] = \[2,1,T,2\], got \[2,2,1,2\]/.test(e.message));
    assert.throws(() => c.append(px.ones([2, 1, 1, 2], { dtype: 'float64' }), px.ones([2, 1, 1, 2], { dtype: 'float64' })), px.ShapeError);
    assert.throws(() => c.reset([2]), px.ValueError);
    assert.deepEqual(c.lengths, [2, 2]);
    const lm = new nn.TransformerLM(5, 4, 2, 1, { maxLength: 4 });
    assert.throws(() => lm.forward(toks([[1, 2, 3, 4, 0]])), (e: px.PlexusError) => e instanceof px.ValueError && /exceed maxLength 4/.test(e.message));
  });
});

describe('scaledDotProductAttention', () => {
  const r = (shape: number[]): px.Tensor => px.randn(shape, { dtype: 'float64' });
  it('GQA read in place equals explicitly repeated key/value heads (values and gradients)', () => {
    px.manualSeed(5);
    const q = r([2, 6, 3, 4]).requiresGrad_();
    const k = r([2, 2, 5, 4]).requiresGrad_();
    const v = r([2, 2, 5, 3]).requiresGrad_();
    const mask = px.tensor(Uint8Array.from({ length: 15 }, (_, i) => (i % 4 === 3 ? 0 : 1)), { dtype: 'bool', shape: [3, 5] });
    const a = px.scaledDotProductAttention(q, k, v, { enableGqa: true, attnMask: mask });
    const rep = (t: px.Tensor): px.Tensor => px.reshape(px.expand(px.reshape(t, [2, 2, 1, 5, t.shape[3]!]), [2, 2, 3, 5, t.shape[3]!]), [2, 6, 5, t.shape[3]!]);
    const k2 = rep(k.detach()).requiresGrad_();
    const v2 = rep(v.detach()).requiresGrad_();
    const b = px.scaledDotProductAttention(q.detach().requiresGrad_(), k2, v2, { attnMask: mask });
    assertClose(a, b, { atol: 1e-12, rtol: 0 });
    px.sum(px.mul(a, a)).backward();
    px.sum(px.mul(b, b)).backward();
    const sumGroups = (g: px.Tensor): px.Tensor => px.sum(px.reshape(g, [2, 2, 3, 5, g.shape[3]!]), 2);
    assertClose(k.grad!, sumGroups(k2.grad!), { atol: 1e-12, rtol: 0 }, 'dK');
    assertClose(v.grad!, sumGroups(v2.grad!), { atol: 1e-12, rtol: 0 }, 'dV');
    assert.throws(() => px.scaledDotProductAttention(q, k, v), (e: px.PlexusError) => e instanceof px.ShapeError && /enableGqa/.test(e.message));
    assert.throws(() => px.scaledDotProductAttention(q, r([2, 4, 5, 4]), r([2, 4, 5, 3]), { enableGqa: true }), (e: px.PlexusError) => e instanceof px.ShapeError && /\(4\) must divide the query heads \(6\)/.test(e.message));
  });

  it('dropout only when asked: seeded, reproducible, and the default generator untouched without it', () => {
    const q = r([1, 4, 3]);
    const g1 = new px.Generator(9);
    const a = px.scaledDotProductAttention(q, q, q, { dropoutP: 0.5, generator: g1 });
    const b = px.scaledDotProductAttention(q, q, q, { dropoutP: 0.5, generator: new px.Generator(9) });
    assertClose(a, b, { atol: 0, rtol: 0 });
    const plain = px.scaledDotProductAttention(q, q, q);
    assert.ok(px.max(px.abs(px.sub(a, plain))).item() > 1e-3, 'dropout changed the output');
    const state = px.defaultGenerator.getState();
    px.scaledDotProductAttention(q, q, q, { dropoutP: 0 });
    assert.deepEqual(px.defaultGenerator.getState(), state);
    const m = new nn.MultiheadAttention(4, 2, { dropout: 0.5, dtype: 'float64' }).eval();
    const x = r([3, 1, 4]);
    const state2 = px.defaultGenerator.getState();
    const [o1] = m.forward(x, x, x, { needWeights: false });
    const [o2] = m.forward(x, x, x, { needWeights: false });
    assertClose(o1, o2, { atol: 0, rtol: 0 }, 'eval mode: no dropout');
    assert.deepEqual(px.defaultGenerator.getState(), state2);
  });
});

describe('MultiheadAttention', () => {
  it('the weights path and the fused path agree; weights rows sum to 1', () => {
    px.manualSeed(6);
    const m = new nn.MultiheadAttention(12, 4, { numKVHeads: 2, batchFirst: true, dtype: 'float64' });
    const x = px.randn([2, 5, 12], { dtype: 'float64' });
    const kpm = px.tensor(Uint8Array.from([0, 0, 0, 0, 1, 0, 1, 0, 0, 0]), { dtype: 'bool', shape: [2, 5] });
    const [a, w] = m.forward(x, x, x, { keyPaddingMask: kpm, isCausal: true });
    const [b, none] = m.forward(x, x, x, { keyPaddingMask: kpm, isCausal: true, needWeights: false });
    assert.equal(none, null);
    assertClose(a, b, { atol: 1e-12, rtol: 0 });
    assertClose(px.sum(w!, -1), px.ones([2, 5], { dtype: 'float64' }), { atol: 1e-12, rtol: 0 });
    assert.equal(w!.values[4], 0, 'a padded key gets no weight');
  });

  it('forwards are framed: only the outputs outlive a call (MultiheadAttention, TransformerBlock, TransformerLM)', () => {
    const m = new nn.MultiheadAttention(8, 2, { numKVHeads: 1, batchFirst: true });
    const blk = new nn.TransformerBlock(8, 2, { glu: 'silu' });
    const lm = new nn.TransformerLM(5, 8, 2, 1, { maxLength: 6 });
    const x = px.randn([2, 4, 8]);
    const t = toks([[1, 2, 3], [0, 4, 1]]);
    px.noGrad(() => {
      for (const [what, run, outs] of [
        ['MultiheadAttention', () => m.forward(x, x, x, { isCausal: true }), 2],
        ['TransformerBlock', () => blk.forward(x), 1],
        ['TransformerLM', () => lm.forward(t), 1],
      ] as const) {
        run();
        const before = px.memory().numTensors;
        run();
        assert.ok(px.memory().numTensors - before <= outs, `${what}: ${px.memory().numTensors - before} tensors left by one forward`);
      }
    });
  });

  it('io.saveModel / loadModel round-trip a GQA + SwiGLU TransformerLM to the same logits', async () => {
    const lm = new nn.TransformerLM(7, 8, 2, 2, { numKVHeads: 1, glu: 'silu', maxLength: 8 });
    const { model } = await px.io.loadModel(px.io.saveModel(lm));
    const t = toks([[1, 2, 3, 6]]);
    assert.ok(model instanceof nn.TransformerLM);
    assertClose(model.forward(t), lm.forward(t), { atol: 0, rtol: 0 });
  });

  it('bad construction arguments are ValueErrors naming the argument', () => {
    const V = (re: RegExp) => (e: px.PlexusError): boolean => e instanceof px.ValueError && re.test(e.message);
    assert.throws(() => new nn.MultiheadAttention(10, 4), V(/embedDim \(10\) must be divisible by numHeads \(4\)/));
    assert.throws(() => new nn.MultiheadAttention(8, 4, { numKVHeads: 3 }), V(/numKVHeads \(3\) must divide numHeads \(4\)/));
    assert.throws(() => new nn.MultiheadAttention(8, 0), V(/numHeads must be an integer >= 1/));
    assert.throws(() => new nn.MultiheadAttention(8, 2, { dropout: 1.5 }), V(/dropout/));
    assert.throws(() => new nn.TransformerBlock(8, 2, { glu: 'swish' as never }), V(/glu must be one of/));
    assert.throws(() => new nn.TransformerBlock(8, 2, { norm: 'batch' as never }), V(/norm must be one of 'layerNorm', 'rmsNorm'/));
  });

  it('bad forward inputs are typed errors naming the argument and the shapes', () => {
    const m = new nn.MultiheadAttention(8, 2, { batchFirst: true, dtype: 'float64' });
    const x = px.zeros([2, 3, 8], { dtype: 'float64' });
    const S = (re: RegExp) => (e: px.PlexusError): boolean => e instanceof px.ShapeError && re.test(e.message);
    const D = (re: RegExp) => (e: px.PlexusError): boolean => e instanceof px.DTypeError && re.test(e.message);
    assert.throws(() => m.forward(px.zeros([2, 2, 3, 8], { dtype: 'float64' }), x, x), S(/must all be \[N, L, E\].*got query \[2,2,3,8\]/));
    assert.throws(() => m.forward(px.zeros([2, 3, 7], { dtype: 'float64' }), x, x), S(/last dims must be embedDim 8/));
    assert.throws(() => m.forward(x, x, x, { keyPaddingMask: px.zeros([2, 4], { dtype: 'bool' }) }), S(/keyPaddingMask must be \[N, S\] = \[2,3\], got \[2,4\]/));
    assert.throws(() => m.forward(x, x, x, { keyPaddingMask: px.zeros([2, 3], { dtype: 'int32' }) }), D(/keyPaddingMask must be bool or float64/));
    assert.throws(() => m.forward(x, x, x, { attnMask: px.zeros([3, 4], { dtype: 'bool' }) }), S(/attnMask must be \[L, S\] = \[3,3\] or \[N·numHeads, L, S\] = \[4,3,3\], got \[3,4\]/));
    assert.throws(() => m.forward(x, x, x, { attnMask: px.zeros([3, 3], { dtype: 'float32' }) }), D(/attnMask must be bool or float64/));
    assert.throws(() => m.forward(x, x, x, { attnMask: px.zeros([3, 3], { dtype: 'bool' }), isCausal: true }), px.ValueError);
    assert.throws(() => m.forward(x, x, x, { causal: true } as never), (e: px.PlexusError) => e instanceof px.ValueError && /unknown option 'causal'/.test(e.message));
    assert.throws(() => m.forward(px.zeros([2, 3, 8]), px.zeros([2, 3, 8]), px.zeros([2, 3, 8])), px.DTypeError);
    const c = m.createCache(3, 4);
    assert.throws(() => m.forward(x, x, x, { kvCache: c }), S(/kvCache is \[B=3/));
    assert.deepEqual(c.lengths, [0, 0, 0]);
    const blk = new nn.TransformerBlock(8, 2);
    assert.throws(() => blk.forward(px.zeros([3, 8])), S(/input must be \[N, L, 8\], got \[3,8\]/));
    const lm = new nn.TransformerLM(5, 4, 2, 1);
    assert.throws(() => lm.forward(px.zeros([1, 3])), D(/tokens must be int32/));
  });
});
