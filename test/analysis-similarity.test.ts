/**
 * @file Representation similarity (src/analysis/similarity): SVD on known matrices; CKA invariant to
 * orthogonal transforms and isotropic scaling (to 1e-12) and not to general invertible maps; the
 * unbiased minibatch estimator near 0 for independent wide representations where the biased one is
 * inflated; CCA / SVCCA / PWCCA on linear images; RSA; the Hungarian algorithm against brute force;
 * bad input as typed errors. Numbers are printed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as px from '../src/index.js';
import { analysis } from '../src/index.js';

const f64 = (shape: number[]): px.Tensor => px.randn(shape, { dtype: 'float64' });
const orthogonal = (n: number): px.Tensor => analysis.svd(f64([n, n])).U;
const maxAbs = (t: px.Tensor): number => t.abs().max().item();

describe('analysis.svd (one-sided Jacobi, float64)', () => {
  it('reconstructs tall, wide and rank-deficient matrices with orthonormal factors', () => {
    px.manualSeed(0);
    const low = f64([9, 2]).matmul(f64([2, 6]));
    for (const a of [f64([9, 5]), f64([4, 11]), low]) {
      const { U, S, Vh } = analysis.svd(a);
      const k = S.shape[0]!;
      const err = maxAbs(U.mul(S.unsqueeze(0)).matmul(Vh).sub(a));
      const vOrth = maxAbs(Vh.matmul(Vh.t()).sub(px.eye(k, k, { dtype: 'float64' })));
      console.log(`svd ${a.shape.join('x')}: |U S Vh - A| = ${err.toExponential(2)}, |Vh Vh^T - I| = ${vOrth.toExponential(2)}, S = ${Array.from(S.values).map((v) => v.toPrecision(4)).join(' ')}`);
      assert.ok(err < 1e-12 && vOrth < 1e-12);
      const s = Array.from(S.values);
      assert.deepEqual(s, [...s].sort((x, y) => y - x));
    }
    const s = Array.from(analysis.svdvals(low).values);
    assert.ok(s[2]! < 1e-13 * s[0]!, 'rank 2: the third singular value is zero');
  });

  it('known matrices: diag, a rotation times a diagonal, and eigh(AᵀA) agreement', () => {
    assert.deepEqual(Array.from(analysis.svdvals([[3, 0], [0, -4]]).values), [4, 3]);
    const c = Math.cos(0.3), s = Math.sin(0.3);
    const a = px.tensor([[c, -s], [s, c]], { dtype: 'float64' }).matmul(px.tensor([[5, 0], [0, 1e-6]], { dtype: 'float64' }));
    const sv = Array.from(analysis.svdvals(a).values);
    assert.ok(Math.abs(sv[0]! - 5) < 1e-14 && Math.abs(sv[1]! / 1e-6 - 1) < 1e-9, `small singular value kept to relative accuracy: ${sv[1]}`);
    px.manualSeed(1);
    const m = f64([12, 6]);
    const ev = Array.from(analysis.eigh(m.t().matmul(m)).values.values);
    Array.from(analysis.svdvals(m).values).forEach((v, i) => assert.ok(Math.abs(v * v - ev[i]!) < 1e-11 * ev[0]!));
  });
});

describe('CKA (Kornblith et al. 2019)', () => {
  px.manualSeed(2);
  const X = f64([120, 12]);
  const Q = orthogonal(12);
  it('is invariant to orthogonal transforms and isotropic scaling (1 to 1e-12), all estimators', () => {
    const Y = X.matmul(Q).mul(3.7);
    for (const o of [{}, { unbiased: true }, { kernel: 'rbf' as const }, { kernel: 'rbf' as const, threshold: 0.5, unbiased: true }]) {
      const v = analysis.cka(X, Y, o);
      console.log(`CKA(X, 3.7 X Q) ${JSON.stringify(o)} = ${v} (|1 - v| = ${Math.abs(1 - v).toExponential(2)})`);
      assert.ok(Math.abs(1 - v) < 1e-12);
    }
  });
  it('is not invariant to a general invertible linear map', () => {
    const A = px.tensor(Array.from({ length: 12 }, (_, i) => 1.5 ** i), { dtype: 'float64' }).unsqueeze(1).mul(f64([12, 12]));
    const v = analysis.cka(X, X.matmul(A));
    const c = Array.from(analysis.cca(X, X.matmul(A)).values);
    console.log(`CKA(X, X A) for an invertible A (cond ~ ${(1.5 ** 11).toFixed(0)}): ${v.toFixed(4)}; its CCA correlations stay 1 (min ${Math.min(...c).toFixed(12)})`);
    assert.ok(v < 0.95, `CKA changed by an invertible map: ${v}`);
    assert.ok(Math.min(...c) > 1 - 1e-10, 'CCA is invariant to invertible maps');
  });
  it('ckaMatrix (Gram form) equals pairwise cka (feature form)', () => {
    const reps = [X, X.matmul(f64([12, 5])).relu(), f64([120, 7])];
    const m = analysis.ckaMatrix(reps, reps);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) assert.ok(Math.abs(m[i]![j]! - analysis.cka(reps[i]!, reps[j]!)) < 1e-12);
    assert.ok(Math.abs(m[0]![0]! - 1) < 1e-12);
  });
  it('minibatch CKA (Nguyen et al. 2021): independent wide features score near 0, the biased estimate does not', () => {
    px.manualSeed(3);
    const mb = new analysis.MinibatchCKA();
    let biased = 0;
    for (let b = 0; b < 10; b++) {
      const x = f64([64, 256]), y = f64([64, 256]);
      mb.update(x, y);
      biased += analysis.cka(x, y) / 10;
    }
    const same = new analysis.MinibatchCKA();
    for (let b = 0; b < 4; b++) { const x = f64([32, 16]); same.update(x, x.matmul(orthogonal(16)).mul(2)); }
    console.log(`independent [64, 256] batches: biased CKA ${biased.toFixed(3)}, minibatch unbiased ${mb.compute().toFixed(4)}; rotated copy ${same.compute()}`);
    assert.ok(biased > 0.5 && Math.abs(mb.compute()) < 0.05);
    assert.ok(Math.abs(same.compute() - 1) < 1e-12);
    assert.ok(Number.isNaN(new analysis.MinibatchCKA().compute()));
  });
  it('a constant representation has no CKA (NaN), bad input is typed', () => {
    assert.ok(Number.isNaN(analysis.cka(X, px.ones([120, 3], { dtype: 'float64' }))));
    assert.throws(() => analysis.cka(X, f64([119, 3])), (e: unknown) => e instanceof px.ShapeError && /\[120, 12\].*\[119, 3\]/.test(e.message));
    assert.throws(() => analysis.cka(X, X, { kernel: 'poly' as never }), (e: unknown) => e instanceof px.ValueError && /'linear', 'rbf'/.test(e.message));
    assert.throws(() => analysis.cka(X, X, { debiased: true } as never), (e: unknown) => e instanceof px.ValueError && /debiased/.test(e.message));
    assert.throws(() => analysis.cka(X, X, { threshold: -1 }), px.ValueError);
    assert.throws(() => new analysis.MinibatchCKA().update(f64([3, 2]), f64([3, 2])), px.ShapeError);
    assert.throws(() => new analysis.MinibatchCKA({ unbiased: false } as never), px.ValueError);
    assert.throws(() => analysis.cka(f64([4]), f64([4])), px.ShapeError);
  });
});

describe('CCA, SVCCA, PWCCA, RSA', () => {
  px.manualSeed(4);
  const X = f64([200, 8]);
  it('SVCCA and PWCCA are 1 for an invertible linear image; PWCCA weights sum to 1', () => {
    const A = f64([8, 8]);
    const s = analysis.svcca(X, X.matmul(A));
    const p = analysis.pwcca(X, X.matmul(A));
    console.log(`SVCCA ${s.similarity} (dims ${s.dims.join(', ')}), PWCCA ${p.similarity}`);
    assert.ok(Math.abs(s.similarity - 1) < 1e-10 && Math.abs(p.similarity - 1) < 1e-10);
    assert.ok(Math.abs(p.weights.reduce((a, v) => a + v, 0) - 1) < 1e-12);
  });
  it('canonical correlations of a planted shared subspace: two 1s, then noise-level', () => {
    const shared = f64([200, 2]);
    const x = px.concat([shared, f64([200, 3])], 1).matmul(f64([5, 5]));
    const y = px.concat([shared, f64([200, 4])], 1).matmul(f64([6, 6]));
    const r = Array.from(analysis.cca(x, y).values);
    console.log(`CCA correlations: ${r.map((v) => v.toFixed(4)).join(' ')}`);
    assert.ok(r[0]! > 1 - 1e-10 && r[1]! > 1 - 1e-10 && r[2]! < 0.5);
    const sv = analysis.svcca(x, y, { dims: 2 });
    assert.deepEqual(sv.dims, [2, 2]);
    assert.throws(() => analysis.svcca(x, y, { dims: 9 }), px.ShapeError);
    assert.throws(() => analysis.svcca(x, y, { keep: 1.5 }), px.ValueError);
    assert.throws(() => analysis.cca(x, px.ones([200, 2], { dtype: 'float64' })), (e: unknown) => e instanceof px.ValueError && /no variance/.test(e.message));
  });
  it('RDMs and RSA: Euclidean RSA is invariant to rotation and scaling; unrelated features score near 0', () => {
    const d = analysis.rdm(px.tensor(Array.from(X.values).slice(0, 40), { dtype: 'float64', shape: [5, 8] }));
    assert.deepEqual(d.shape, [5, 5]);
    const dv = Array.from(d.values);
    assert.ok(maxAbs(d.sub(d.t())) === 0 && [0, 6, 12, 18, 24].every((i) => dv[i] === 0));
    const rot = X.matmul(orthogonal(8)).mul(0.2);
    assert.ok(Math.abs(analysis.rsa(X, rot, { metric: 'euclidean' }) - 1) < 1e-12);
    assert.ok(Math.abs(analysis.rsa(X, rot, { metric: 'euclidean', compare: 'pearson' }) - 1) < 1e-12);
    const r0 = analysis.rsa(X, f64([200, 8]));
    console.log(`RSA of unrelated representations: ${r0.toFixed(4)}`);
    assert.ok(Math.abs(r0) < 0.1);
    assert.throws(() => analysis.rsa(X, X, { metric: 'cosine' as never }), (e: unknown) => e instanceof px.ValueError && /'correlation', 'euclidean'/.test(e.message));
  });
});

/** Brute-force minimum assignment (n <= m, all injections). */
function brute(c: number[][]): number {
  const n = c.length, m = c[0]!.length;
  let best = Infinity;
  const used = new Array<boolean>(m).fill(false);
  const go = (i: number, acc: number): void => {
    if (i === n) { best = Math.min(best, acc); return; }
    for (let j = 0; j < m; j++) if (!used[j]) { used[j] = true; go(i + 1, acc + c[i]![j]!); used[j] = false; }
  };
  go(0, 0);
  return best;
}

describe('linearSumAssignment (Hungarian, O(n³))', () => {
  it('matches brute force on random square and rectangular matrices, with ties and negatives', () => {
    px.manualSeed(5);
    let cases = 0;
    for (const [n, m] of [[1, 1], [2, 2], [3, 3], [4, 4], [5, 5], [6, 6], [3, 5], [5, 3], [2, 6], [6, 4]] as const) {
      for (let rep = 0; rep < 8; rep++) {
        const ints = rep % 2 === 0; // integer entries in [-3, 3]: many ties
        const c = Array.from({ length: n }, () => Array.from({ length: m }, () => (ints ? Math.round(px.rand([1]).item() * 6 - 3) : px.randn([1]).item())));
        const { rowInd, colInd } = analysis.linearSumAssignment(c);
        assert.equal(rowInd.length, Math.min(n, m));
        assert.equal(new Set(colInd).size, colInd.length, 'distinct columns');
        assert.equal(new Set(rowInd).size, rowInd.length, 'distinct rows');
        const total = rowInd.reduce((a, r, t) => a + c[r]![colInd[t]!]!, 0);
        const want = n <= m ? brute(c) : brute(c[0]!.map((_, j) => c.map((row) => row[j]!)));
        assert.ok(Math.abs(total - want) < 1e-12, `${n}x${m}: ${total} vs brute force ${want}`);
        const max = analysis.linearSumAssignment(c, { maximize: true });
        const tmax = max.rowInd.reduce((a, r, t) => a + c[r]![max.colInd[t]!]!, 0);
        const negated = c.map((row) => row.map((v) => -v));
        assert.ok(Math.abs(tmax + (n <= m ? brute(negated) : brute(negated[0]!.map((_, j) => negated.map((row) => row[j]!))))) < 1e-12);
        cases++;
      }
    }
    console.log(`Hungarian = brute force on ${cases} random matrices up to 6x6`);
    assert.throws(() => analysis.linearSumAssignment([[1, NaN]]), px.ValueError);
    assert.throws(() => analysis.linearSumAssignment([[1, 2]], { maximise: true } as never), px.ValueError);
  });
  it('runs in O(n³): a 150 x 150 problem recovers a planted permutation', () => {
    const n = 150;
    const perm = Array.from({ length: n }, (_, i) => (i * 37 + 11) % n);
    const c = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (j === perm[i] ? 0 : 1 + ((i * 7 + j * 13) % 5))));
    assert.deepEqual(analysis.linearSumAssignment(c).colInd, perm);
  });
});

describe('against numpy (Kornblith et al.\'s CKA code; scripts/golden/similarity.py), 1e-10', () => {
  const g = JSON.parse(readFileSync(new URL('../../test/golden/similarity.json', import.meta.url), 'utf8')) as {
    x: { shape: number[]; values: number[] }; y: { shape: number[]; values: number[] }; cka: Record<string, number>; cca: number[];
  };
  const x = px.tensor(g.x.values, { dtype: 'float64', shape: g.x.shape });
  const y = px.tensor(g.y.values, { dtype: 'float64', shape: g.y.shape });
  it('linear, unbiased, RBF and unbiased RBF CKA, and the canonical correlations', () => {
    const ours: Record<string, number> = {
      linear: analysis.cka(x, y),
      linearUnbiased: analysis.cka(x, y, { unbiased: true }),
      rbf: analysis.cka(x, y, { kernel: 'rbf' }),
      'rbfThreshold0.5Unbiased': analysis.cka(x, y, { kernel: 'rbf', threshold: 0.5, unbiased: true }),
    };
    for (const [k, v] of Object.entries(g.cka)) {
      console.log(`CKA ${k}: ${ours[k]} (numpy ${v}, |diff| ${Math.abs(ours[k]! - v).toExponential(1)})`);
      assert.ok(Math.abs(ours[k]! - v) < 1e-10, k);
    }
    const mb = new analysis.MinibatchCKA().update(x, y).compute();
    assert.ok(Math.abs(mb - g.cka.linearUnbiased!) < 1e-10, 'one minibatch = the unbiased estimate');
    Array.from(analysis.cca(x, y).values).forEach((v, i) => assert.ok(Math.abs(v - g.cca[i]!) < 1e-10, `cca ${i}: ${v} vs ${g.cca[i]}`));
  });
});
