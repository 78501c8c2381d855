/**
 * @file nn.PointerNetwork (src/nn/pointer/): shapes, gradients against finite differences, masks
 * (visited and padding positions get probability exactly 0, a padded row equals the row alone),
 * decoding (beam width 1 is greedy, an exhaustive beam finds the most likely sequence, which is at
 * least as likely as greedy; decode log-probabilities equal teacher forcing's), typed errors, and a
 * tiny net learning to sort 4 numbers far above chance (1/24).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { data, nn, optim } from '../src/index.js';
import { readFileSync } from 'node:fs';
import { allocationsDuring } from './allocations.js';

interface GArr { shape: number[]; values: (number | null)[] }
interface GCase { config: nn.ModuleConfig; state: Record<string, GArr>; input: GArr; lengths: number[]; target: number[][]; output: GArr; loss: number; grads: Record<string, GArr> }
// Written by scripts/golden/pointer.py (an independent PyTorch implementation); tests run from dist/test/.
const GOLDEN = (JSON.parse(readFileSync(new URL('../../test/golden/pointer.json', import.meta.url), 'utf8')) as { cases: Record<string, GCase> }).cases;
const gt = (a: GArr): px.Tensor => px.tensor(a.values.map((v) => v ?? -Infinity), { dtype: 'float64', shape: a.shape });
const close = (got: px.Tensor, want: GArr, what: string): void => {
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  const g = got.values;
  want.values.forEach((w, i) => {
    if (w === null) assert.equal(g[i], -Infinity, `${what}[${i}] must be -Infinity`);
    else assert.ok(Math.abs(g[i]! - w) <= 1e-10 * (1 + Math.abs(w)), `${what}[${i}]: ${g[i]} vs ${w}`);
  });
};

const f64 = { dtype: 'float64' as const };
const net = (opts: nn.PointerNetworkOptions = {}, F = 2, H = 5, seed = 1): nn.PointerNetwork => new nn.PointerNetwork(F, H, { ...f64, generator: new px.Generator(seed), ...opts });
const input = (B: number, N: number, F = 2, seed = 2): px.Tensor => px.rand([B, N, F], { ...f64, generator: new px.Generator(seed) });
const i32 = (v: number[][]): px.Tensor => px.tensor(v, { dtype: 'int32' });
/** Summed teacher-forced log-probability of one sequence per row. */
const seqLogProb = (m: nn.PointerNetwork, x: px.Tensor, seqs: number[][], lengths?: number[]): number[] => {
  const M = Math.max(...seqs.map((s) => s.length));
  const t = seqs.map((s) => [...s, ...Array(M - s.length).fill(-100)]);
  const lp = m.forward(x, i32(t), lengths ? { lengths } : undefined).toArray() as number[][][];
  return seqs.map((s, b) => s.reduce((a, k, j) => a + lp[b]![j]![k]!, 0));
};
function permutations(a: number[]): number[][] {
  if (a.length <= 1) return [a];
  return a.flatMap((v, i) => permutations([...a.slice(0, i), ...a.slice(i + 1)]).map((p) => [v, ...p]));
}

describe('nn.PointerNetwork', () => {
  it('forward gives log-probabilities [B, M, N] over positions; every parameter gets a gradient', () => {
    const m = net();
    const out = m.forward(input(3, 4), i32([[0, 1, 2], [3, 2, 1], [1, 1, 0]]));
    assert.deepEqual(out.shape, [3, 3, 4]);
    const p = (out.exp().sum(-1).values as Float64Array);
    p.forEach((s) => assert.ok(Math.abs(s - 1) < 1e-12));
    out.sum().backward();
    for (const [name, q] of m.namedParameters()) assert.ok(q.grad && Array.from(q.grad.values).some((v) => v !== 0), `${name} has a gradient`);
  });

  for (const [name, c] of Object.entries(GOLDEN)) {
    it(`matches an independent PyTorch implementation (float64, 1e-10): ${name}`, () => {
      const m = nn.fromConfig(c.config) as nn.PointerNetwork;
      m.loadStateDict(new Map(Object.entries(c.state).map(([k, a]) => [k, gt(a)])));
      const x = gt(c.input).requiresGrad_();
      const y = i32(c.target);
      const out = m.forward(x, y, { lengths: c.lengths });
      close(out, c.output, 'log-probabilities');
      const [B, M, N] = out.shape as [number, number, number];
      const loss = px.nll(out.reshape(B * M, N), y.reshape(B * M), { reduction: 'sum' });
      assert.ok(Math.abs(loss.item() - c.loss) < 1e-10 * (1 + Math.abs(c.loss)));
      loss.backward();
      close(x.grad!, c.grads.input!, 'd/dinput');
      for (const [k, p] of m.namedParameters()) close(p.grad!, c.grads[k]!, `d/d${k}`);
    });
  }

  it('gradients match central finite differences (float64)', () => {
    const m = net({ maskVisited: true });
    const x = input(2, 4);
    const y = i32([[2, 0, 3, 1], [1, 3, 0, -100]]);
    const loss = (): number => px.crossEntropy(m.forward(x, y).reshape(8, 4), y.reshape(8)).item();
    const l = px.crossEntropy(m.forward(x, y).reshape(8, 4), y.reshape(8));
    m.zeroGrad();
    l.backward();
    for (const name of ['v', 'start', 'W1.weight', 'W2.weight', 'encoder.weight_hh_l0', 'decoder.weight_ih_l0']) {
      const q = m.namedParameters().find(([k]) => k === name)![1];
      const g = q.grad!.values;
      for (const i of [0, q.numel() - 1]) {
        const old = q.values[i]!;
        const set = (val: number): void => { px.noGrad(() => q.mutate((v) => { v[i] = val; })); };
        set(old + 1e-6); const lp = loss();
        set(old - 1e-6); const lm = loss();
        set(old);
        assert.ok(Math.abs((lp - lm) / 2e-6 - g[i]!) < 1e-6, `${name}[${i}]: ${(lp - lm) / 2e-6} vs ${g[i]}`);
      }
    }
  });

  it('maskVisited: positions already pointed at get probability exactly 0; closed keeps the first one open', () => {
    const lp = net({ maskVisited: true }).forward(input(1, 4), i32([[2, 0, 3, 1]])).toArray() as number[][][];
    assert.deepEqual(lp[0]!.map((r) => r.map((v) => Math.exp(v) === 0)), [
      [false, false, false, false], [false, false, true, false], [true, false, true, false], [true, false, true, true]]);
    const c = net({ maskVisited: true, closed: true }).forward(input(1, 4), i32([[2, 0, 3, 2]])).toArray() as number[][][];
    assert.deepEqual(c[0]!.map((r) => r.map((v) => Math.exp(v) === 0)), [
      [false, false, false, false], [false, false, false, false], [true, false, false, false], [true, false, false, true]]);
    const ignored = net({ maskVisited: true }).forward(input(1, 3), i32([[0, 1, -100]])).toArray() as number[][][];
    assert.ok(ignored[0]![2]!.every((v) => Number.isFinite(v)), 'an unscored step masks only padding');
    const open = net().forward(input(1, 4), i32([[2, 2, 2]])).toArray() as number[][][];
    assert.ok(open[0]!.flat().every((v) => Number.isFinite(v)), 'without maskVisited nothing is masked');
  });

  it('lengths: padding positions get probability 0 and a padded row equals that row alone', () => {
    const m = net({ maskVisited: true });
    const x = input(2, 5);
    const y = [[4, 0, 2, 1, 3], [1, 2, 0, -100, -100]];
    const lp = m.forward(x, i32(y), { lengths: [5, 3] }).toArray() as number[][][];
    for (const r of lp[1]!.slice(0, 3)) assert.deepEqual(r.slice(3).map(Math.exp), [0, 0]);
    const alone = m.forward(px.sliceAxis(px.sliceAxis(x, 0, 1, 2), 1, 0, 3), i32([[1, 2, 0]])).toArray() as number[][][];
    for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) assert.ok(lp[1]![j]![k]! === alone[0]![j]![k]! || Math.abs(lp[1]![j]![k]! - alone[0]![j]![k]!) < 1e-12);
    const dec = m.decode(x, { lengths: [5, 3] });
    assert.equal(dec.sequences[1]!.length, 3);
    assert.ok(dec.sequences[1]!.every((k) => k < 3));
    assert.deepEqual([...dec.sequences[0]!].sort(), [0, 1, 2, 3, 4]);
  });

  it('beam width 1 is greedy; decode log-probabilities equal teacher forcing; closed decoding ends on the first position', () => {
    for (const opts of [{ maskVisited: true }, {}, { maskVisited: true, closed: true }, { closed: true }]) {
      const m = net(opts, 2, 6, 3);
      const x = input(4, 5, 2, 4);
      const lengths = [5, 2, 4, 1];
      const g = m.decode(x, { lengths });
      const b = m.decode(x, { lengths, beamWidth: 1 });
      assert.deepEqual(b.sequences, g.sequences);
      assert.deepEqual(b.logProbs, g.logProbs);
      const tf = seqLogProb(m, x, g.sequences, lengths);
      g.logProbs.forEach((v, i) => assert.ok(Math.abs(v - tf[i]!) < 1e-9, `${JSON.stringify(opts)} row ${i}`));
      if (opts.closed) g.sequences.forEach((s, i) => assert.ok((s.length > 1 && s[s.length - 1] === s[0]) || s.length === lengths[i]! + 1, JSON.stringify(s)));
      else g.sequences.forEach((s, i) => assert.equal(s.length, lengths[i]));
    }
  });

  it('an exhaustive beam finds the most likely permutation, at least as likely as greedy', () => {
    for (let seed = 0; seed < 6; seed++) {
      const m = net({ maskVisited: true }, 2, 4, 10 + seed);
      const x = input(1, 4, 2, 20 + seed);
      const all = permutations([0, 1, 2, 3]);
      const scores = seqLogProb(m, px.expand(x, [24, 4, 2]), all);
      const best = Math.max(...scores);
      const beam = m.decode(x, { beamWidth: 24 });
      assert.ok(Math.abs(beam.logProbs[0]! - best) < 1e-9, `seed ${seed}: beam ${beam.logProbs[0]} vs best ${best}`);
      assert.deepEqual(beam.sequences[0], all[scores.indexOf(best)]);
      const greedy = m.decode(x);
      assert.ok(beam.logProbs[0]! >= greedy.logProbs[0]! - 1e-12);
      const mid = m.decode(x, { beamWidth: 3 });
      assert.ok(mid.logProbs[0]! <= best + 1e-12);
    }
  });

  it('typed errors name the argument and the shapes', () => {
    const m = net({ maskVisited: true });
    const bad: [() => unknown, new (...a: never[]) => Error, RegExp][] = [
      [() => new nn.PointerNetwork(0, 3), px.ValueError, /inputSize/],
      [() => new nn.PointerNetwork(2, 2.5), px.ValueError, /hiddenSize/],
      [() => new nn.PointerNetwork(2, 3, { maskVisited: 1 as never }), px.ValueError, /maskVisited/],
      [() => new nn.PointerNetwork(2, 3, { beamWidth: 2 } as never), px.ValueError, /beamWidth/],
      [() => m.forward(input(2, 3, 3), i32([[0], [1]])), px.ShapeError, /\[B, N, 2\].*\[2,3,3\]/],
      [() => m.forward(input(2, 3), i32([[0, 1]])), px.ShapeError, /target must be int32 \[B, M\] = \[2, M\]/],
      [() => m.forward(input(2, 3), i32([[0], [3]])), px.ValueError, /target\[1\]\[0\] must be a position in \[0, 3\)/],
      [() => m.forward(input(1, 3), i32([[0, 1, 0]])), px.ValueError, /target\[0\]\[2\] = 0 was already pointed at/],
      [() => m.forward(input(2, 3), i32([[0], [2]]), { lengths: [3, 2] }), px.ValueError, /target\[1\]\[0\].*\[0, 2\)/],
      [() => m.forward(input(2, 3), i32([[0], [1]]), { lengths: [3, 4] }), px.ValueError, /lengths\[1\]/],
      [() => m.forward(input(2, 3), i32([[0], [1]]), { length: [3, 3] } as never), px.ValueError, /length/],
      [() => m.decode(input(2, 3), { beamWidth: 0 }), px.ValueError, /beamWidth/],
      [() => m.decode(input(2, 3), { maxSteps: 1.5 }), px.ValueError, /maxSteps/],
      [() => m.decode(px.ones([3, 2]), {}), px.ShapeError, /\[B, N, 2\]/],
    ];
    for (const [call, cls, re] of bad) assert.throws(call, (e: Error) => e instanceof cls && re.test(e.message), String(call));
  });

  it('forward leaves only its output behind and decode nothing (framed)', async () => {
    const m = net({ maskVisited: true, closed: true });
    const x = input(3, 4);
    const y = i32([[0, 1, 2, 0], [3, 1, 3, -100], [2, 3, 0, 2]]);
    m.forward(x, y); m.decode(x, { beamWidth: 2 }); // warm up lazily created state
    const f = await allocationsDuring(() => px.noGrad(() => m.forward(x, y)));
    assert.equal(f.live, 1, `forward left ${f.live} storages`);
    for (const beamWidth of [1, 3]) {
      const d = await allocationsDuring(() => m.decode(x, { beamWidth }));
      assert.equal(d.live, 0, `decode (beam ${beamWidth}) left ${d.live} storages`);
    }
  });

  it('round-trips through getConfig / fromConfig', () => {
    const m = net({ maskVisited: true, closed: true });
    const r = nn.fromConfig(JSON.parse(JSON.stringify(m.getConfig()))) as nn.PointerNetwork;
    r.loadStateDict(m.stateDict());
    const x = input(2, 4);
    assert.deepEqual(r.decode(x), m.decode(x));
  });

  it('a tiny pointer net learns to sort 4 numbers (exact sequences far above chance 1/24)', () => {
    const m = new nn.PointerNetwork(1, 16, { maskVisited: true, generator: new px.Generator(1) });
    const opt = new optim.Adam(m.parameters(), { lr: 0.01 });
    const B = 64, L = 4;
    for (let s = 0; s < 120; s++) {
      const { x, y } = data.pointerSortTask({ n: B, length: L, seed: 100 + s });
      const loss = px.crossEntropy(m.forward(x, y).reshape(B * L, L), y.reshape(B * L));
      opt.zeroGrad(); loss.backward(); opt.step();
    }
    const te = data.pointerSortTask({ n: 300, length: L, seed: 99999 });
    const acc = data.pointerExactMatch(m.decode(te.x).sequences, te.y);
    console.log(`pointer net, sorting 4 numbers after 120 Adam steps: exact-sequence accuracy ${acc.toFixed(3)} (chance ${(1 / 24).toFixed(3)})`);
    assert.ok(acc >= 0.7, `accuracy ${acc}`);
  });
});
