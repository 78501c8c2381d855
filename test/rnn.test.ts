/**
 * @file nn.RNN / LSTM / GRU and cells beyond the PyTorch goldens: typed errors for bad construction
 * and forward arguments (naming the argument and the shapes), unbatched input, packed-length
 * semantics checked against running each sequence alone, dropout between layers, config round
 * trips, truncated BPTT (no gradient past the detach point) and second-order gradients through the
 * fused cells (the ops-written vjp under createGraph, against finite differences and the kernel vjp).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { nn } from '../src/index.js';
import { assertClose, assertGradcheck, uniform } from '../src/testing/index.js';
import { gruCell, lstmCell } from '../src/ops/primitives/recurrent-cell.js';

const f64 = { dtype: 'float64' as const };
const rand = (shape: number[], seed: number): px.Tensor => px.randn(shape, { ...f64, generator: new px.Generator(seed) });
const TOL = { atol: 1e-12, rtol: 1e-12 };

describe('recurrent modules: construction errors', () => {
  it('rejects bad sizes, options and enum values with typed errors naming the argument', () => {
    assert.throws(() => new nn.LSTM(0, 4), (e: Error) => e instanceof px.ValueError && /LSTM: inputSize/.test(e.message));
    assert.throws(() => new nn.GRU(3, 2.5), (e: Error) => e instanceof px.ValueError && /GRU: hiddenSize/.test(e.message));
    assert.throws(() => new nn.RNN(3, 4, { numLayers: 0 }), (e: Error) => e instanceof px.ValueError && /numLayers/.test(e.message));
    assert.throws(() => new nn.RNN(3, 4, { nonlinearity: 'sigmoid' as never }), (e: Error) => e instanceof px.ValueError && /nonlinearity.*tanh.*relu/.test(e.message));
    assert.throws(() => new nn.LSTM(3, 4, { dropout: 1.5 }), (e: Error) => e instanceof px.ValueError && /dropout/.test(e.message));
    assert.throws(() => new nn.LSTM(3, 4, { batch_first: true } as never), (e: Error) => e instanceof px.ValueError && /batch_first/.test(e.message));
    assert.throws(() => new nn.GRU(3, 4, { nonlinearity: 'relu' } as never), (e: Error) => e instanceof px.ValueError && /nonlinearity/.test(e.message));
    assert.throws(() => new nn.LSTMCell(3, -1), (e: Error) => e instanceof px.ValueError && /LSTMCell: hiddenSize/.test(e.message));
    assert.throws(() => new nn.RNNCell(3, 4, { nonlinearity: 'gelu' as never }), (e: Error) => e instanceof px.ValueError && /nonlinearity/.test(e.message));
  });
});

describe('recurrent modules: forward errors', () => {
  const lstm = new nn.LSTM(3, 4, { numLayers: 2, ...f64 });
  const gru = new nn.GRU(3, 4, f64);
  const x = rand([5, 2, 3], 1);
  it('wrong input rank or feature size names the shapes', () => {
    assert.throws(() => lstm.forward(rand([5, 2, 3, 1], 1)), (e: Error) => e instanceof px.ShapeError && /LSTM\(3, 4\).*\[T, B, inputSize\].*\[5,2,3,1\]/.test(e.message));
    assert.throws(() => lstm.forward(rand([5], 1)), (e: Error) => e instanceof px.ShapeError && /\[5\]/.test(e.message));
    assert.throws(() => gru.forward(rand([5, 2, 7], 1)), (e: Error) => e instanceof px.ShapeError && /GRU\(3, 4\).*\[5,2,7\].*3 features/.test(e.message));
    assert.throws(() => lstm.forward(rand([0, 2, 3], 1)), (e: Error) => e instanceof px.ShapeError && /no time steps/.test(e.message));
    assert.throws(() => lstm.forward(px.randn([5, 2, 3], { dtype: 'float32' })), px.DTypeError);
  });
  it('mismatched hidden-state shapes name h0 / c0 and both shapes', () => {
    assert.throws(() => gru.forward(x, rand([1, 3, 4], 2)), (e: Error) => e instanceof px.ShapeError && /h0 must be \[1,2,4\].*got \[1,3,4\]/.test(e.message));
    assert.throws(() => lstm.forward(x, [rand([2, 2, 4], 2), rand([1, 2, 4], 3)]), (e: Error) => e instanceof px.ShapeError && /c0 must be \[2,2,4\].*got \[1,2,4\]/.test(e.message));
    assert.throws(() => lstm.forward(x, rand([2, 2, 4], 2) as never), (e: Error) => e instanceof px.ValueError && /hx must be \[h0, c0\]/.test(e.message));
    assert.throws(() => new nn.LSTMCell(3, 4, f64).forward(rand([2, 3], 1), [rand([2, 4], 1), rand([2, 5], 1)]), (e: Error) => e instanceof px.ShapeError && /c must be \[2,4\].*\[2,5\]/.test(e.message));
    assert.throws(() => new nn.GRUCell(3, 4, f64).forward(rand([2, 6], 1)), (e: Error) => e instanceof px.ShapeError && /GRUCell\(3, 4\).*\[2,6\]/.test(e.message));
  });
  it('lengths out of range, of the wrong dtype or count are typed errors naming lengths', () => {
    assert.throws(() => gru.forward(x, null, { lengths: [5, 6] }), (e: Error) => e instanceof px.ValueError && /lengths\[1\] must be an integer in \[1, 5\].*got 6/.test(e.message));
    assert.throws(() => gru.forward(x, null, { lengths: [0, 2] }), (e: Error) => e instanceof px.ValueError && /lengths\[0\]/.test(e.message));
    assert.throws(() => gru.forward(x, null, { lengths: [2.5, 2] }), (e: Error) => e instanceof px.ValueError && /lengths\[0\]/.test(e.message));
    assert.throws(() => gru.forward(x, null, { lengths: px.tensor([2, 3], { dtype: 'float32' }) }), (e: Error) => e instanceof px.DTypeError && /lengths must be an int32 tensor.*float32/.test(e.message));
    assert.throws(() => gru.forward(x, null, { lengths: [2, 3, 4] }), (e: Error) => e instanceof px.ShapeError && /lengths has 3 entries for a batch of 2/.test(e.message));
    assert.throws(() => gru.forward(x, null, { lengths: 'all' as never }), px.DTypeError);
    assert.throws(() => gru.forward(x, null, { length: [1, 2] } as never), (e: Error) => e instanceof px.ValueError && /length/.test(e.message));
    assert.throws(() => gru.forward(rand([5, 3], 1), null, { lengths: [2] }), (e: Error) => e instanceof px.ShapeError && /unbatched/.test(e.message));
  });
});

describe('recurrent modules: semantics', () => {
  it('unbatched input [T, F] equals the batch of one', () => {
    const m = new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true, ...f64 });
    const x = rand([6, 3], 4);
    const h0 = rand([4, 4], 5);
    const c0 = rand([4, 4], 6);
    const [y, [h, c]] = m.forward(x, [h0, c0]);
    const [yb, [hb, cb]] = m.forward(px.reshape(x, [6, 1, 3]), [px.reshape(h0, [4, 1, 4]), px.reshape(c0, [4, 1, 4])]);
    assert.deepEqual([y.shape, h.shape, c.shape], [[6, 8], [4, 4], [4, 4]]);
    assertClose(y, yb.values, TOL);
    assertClose(h, hb.values, TOL);
    assertClose(c, cb.values, TOL);
  });

  for (const kind of ['RNN', 'LSTM', 'GRU'] as const) {
    it(`${kind} lengths: each sequence as if run alone on its first lengths[b] steps; zero output beyond`, () => {
      const m = nn.fromConfig({ type: kind, inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, batchFirst: true, dtype: 'float64' }) as unknown as nn.GRU;
      const lengths = [4, 1, 6];
      const x = rand([3, 6, 3], 7);
      const [y, hN] = m.forward(x, null, { lengths });
      const h = kind === 'LSTM' ? (hN as unknown as px.Tensor[])[0]! : hN;
      lengths.forEach((n, b) => {
        const xb = px.slice(x, [[b, b + 1], [0, n]]);
        const [yb, hb] = m.forward(xb);
        const hbb = kind === 'LSTM' ? (hb as unknown as px.Tensor[])[0]! : hb;
        assertClose(px.slice(y, [[b, b + 1], [0, n]]), yb.values, TOL, `output of sequence ${b}`);
        assert.ok(px.slice(y, [[b, b + 1], [n, 6]]).values.every((v) => v === 0), `output of sequence ${b} beyond its length is zero`);
        assertClose(px.slice(h, [null, [b, b + 1]]), hbb.values, TOL, `final state of sequence ${b}`);
      });
    });
  }

  it('dropout between layers: only in training, reproducible by seed, none after the last layer', () => {
    const m = new nn.GRU(3, 4, { numLayers: 2, dropout: 0.5, ...f64 });
    const x = rand([4, 2, 3], 8);
    px.manualSeed(11);
    const [a] = m.forward(x);
    px.manualSeed(11);
    const [b] = m.forward(x);
    px.manualSeed(12);
    const [c] = m.forward(x);
    assertClose(a, b.values, TOL);
    assert.ok(a.values.some((v, i) => Math.abs(v - c.values[i]!) > 1e-6), 'another seed drops other units');
    m.eval();
    const [e1] = m.forward(x);
    const [e2] = m.forward(x);
    assertClose(e1, e2.values, TOL);
    const one = new nn.GRU(3, 4, { dropout: 0.9, ...f64 });
    const [o1] = one.forward(x);
    const [o2] = one.eval().forward(x);
    assertClose(o1, o2.values, TOL, 'a single layer has no inter-layer dropout');
  });

  it('config round trip (fromConfig of getConfig) keeps options and PyTorch-ordered parameter names', () => {
    const m = new nn.LSTM(3, 5, { numLayers: 2, bidirectional: true, bias: false, batchFirst: true, dropout: 0.25, ...f64 });
    const back = nn.fromConfig(m.getConfig());
    assert.deepEqual(back.getConfig(), m.getConfig());
    assert.deepEqual([...back.stateDict().keys()], ['weight_ih_l0', 'weight_hh_l0', 'weight_ih_l0_reverse', 'weight_hh_l0_reverse', 'weight_ih_l1', 'weight_hh_l1', 'weight_ih_l1_reverse', 'weight_hh_l1_reverse']);
    assert.deepEqual(back.stateDict().get('weight_ih_l1')!.shape, [20, 10]);
    const cell = new nn.GRUCell(3, 2, f64);
    assert.deepEqual([...cell.stateDict().keys()], ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']);
  });

  it('init as PyTorch: every parameter within ±1/sqrt(hiddenSize)', () => {
    const m = new nn.LSTM(7, 16, { numLayers: 2, ...f64 });
    for (const [, p] of m.namedParameters()) assert.ok(p.values.every((v) => Math.abs(v) <= 0.25), 'bound 1/sqrt(16)');
  });
});

describe('truncated BPTT', () => {
  it('timeChunks cuts the time dim; detachState stops gradients at the chunk boundary', () => {
    const m = new nn.LSTM(2, 3, f64);
    const x = rand([7, 2, 2], 9).requiresGrad_();
    const chunks = nn.timeChunks(x, 3);
    assert.deepEqual(chunks.map((c) => c.shape[0]), [3, 3, 1]);
    assert.deepEqual(nn.timeChunks(rand([2, 7, 2], 1), 4, { batchFirst: true }).map((c) => c.shape[1]), [4, 3]);
    // Carried but not detached: the second chunk's loss reaches the first chunk's input.
    const [, s1] = m.forward(chunks[0]!);
    const [y2] = m.forward(chunks[1]!, s1);
    const [gFull] = px.gradients([px.sum(y2)], [x]);
    assert.ok(px.slice(gFull!, [[0, 3]]).values.some((v) => v !== 0), 'without truncation the gradient reaches steps 0..2');
    // Detached: the same loss leaves the first chunk's steps without gradient, the second's with it.
    const again = nn.timeChunks(x, 3);
    const [, t1] = m.forward(again[0]!);
    const [z2] = m.forward(again[1]!, nn.detachState(t1));
    const [gCut] = px.gradients([px.sum(z2)], [x]);
    assert.ok(px.slice(gCut!, [[0, 3]]).values.every((v) => v === 0), 'no gradient past the truncation point');
    assertClose(px.slice(gCut!, [[3, 6]]), px.slice(gFull!, [[3, 6]]).values, TOL, 'inside the chunk the gradient is unchanged');
    assert.throws(() => nn.detachState([x] as never), px.ValueError);
    assert.throws(() => nn.timeChunks(x, 0), (e: Error) => e instanceof px.ValueError && /k/.test(e.message));
  });
});

describe('fused cells: second order (createGraph path)', () => {
  const grads = (cell: (a: px.Tensor, b: px.Tensor, s: px.Tensor) => px.Tensor, w: px.Tensor) => (a: px.Tensor, b: px.Tensor, s: px.Tensor): px.Tensor =>
    px.enableGrad(() => {
      const ins = [a, b, s].map((t) => (t.requiresGrad ? t : t.detach().requiresGrad_()));
      const gs = px.gradients([px.sum(px.mul(cell(ins[0]!, ins[1]!, ins[2]!), w))], ins, { createGraph: true });
      return px.concat(gs.map((g) => px.reshape(g, [g.size])), 0);
    });
  it('LSTM: d/dinputs of the input gradients match finite differences; both vjp paths agree', () => {
    const w = uniform([2, 2, 3]);
    const ins = [uniform([2, 12]), uniform([2, 12]), uniform([2, 3])];
    assertGradcheck(grads(lstmCell, w), ins, { atol: 1e-6, rtol: 1e-4 });
    const viaOps = grads(lstmCell, w)(...(ins as [px.Tensor, px.Tensor, px.Tensor]));
    const leaves = ins.map((t) => t.detach().requiresGrad_());
    const viaKernel = px.gradients([px.sum(px.mul(lstmCell(leaves[0]!, leaves[1]!, leaves[2]!), w))], leaves);
    assertClose(viaOps, px.concat(viaKernel.map((g) => px.reshape(g, [g.size])), 0).values, TOL);
  });
  it('GRU: d/dinputs of the input gradients match finite differences; both vjp paths agree', () => {
    const w = uniform([2, 3]);
    const ins = [uniform([2, 9]), uniform([2, 9]), uniform([2, 3])];
    assertGradcheck(grads(gruCell, w), ins, { atol: 1e-6, rtol: 1e-4 });
    const viaOps = grads(gruCell, w)(...(ins as [px.Tensor, px.Tensor, px.Tensor]));
    const leaves = ins.map((t) => t.detach().requiresGrad_());
    const viaKernel = px.gradients([px.sum(px.mul(gruCell(leaves[0]!, leaves[1]!, leaves[2]!), w))], leaves);
    assertClose(viaOps, px.concat(viaKernel.map((g) => px.reshape(g, [g.size])), 0).values, TOL);
  });
});

describe('sequence scan: second order', () => {
  for (const kind of ['RNN', 'LSTM', 'GRU'] as const) {
    it(`${kind}: the input gradient (createGraph) is differentiable again, matching finite differences, with lengths`, () => {
      const m = nn.fromConfig({ type: kind, inputSize: 2, hiddenSize: 3, bidirectional: true, dtype: 'float64' }) as unknown as nn.GRU;
      const w = uniform([3, 2, 6]);
      const d1 = (x: px.Tensor): px.Tensor => px.enableGrad(() => {
        const leaf = x.requiresGrad ? x : x.detach().requiresGrad_();
        const [y] = m.forward(leaf, null, { lengths: [3, 2] });
        return px.gradients([px.sum(px.mul(px.tanh(y), w))], [leaf], { createGraph: true })[0]!;
      });
      assertGradcheck(d1, [uniform([3, 2, 2], -1, 1)], { atol: 1e-6, rtol: 1e-4 });
    });
  }
});

