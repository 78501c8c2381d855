/**
 * @file The pointer-network tasks (src/data/sequence/pointer-sort, convex-hull, tsp, geometry,
 * pointer-metrics): labels recomputed independently (brute-force hulls and tours), exact
 * orientation on near-degenerate triples where plain floating point gets the sign wrong, collinear
 * and duplicate points, the metrics on hand-made predictions, determinism by seed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { data } from '../src/index.js';

type P = readonly [number, number];
const rows = (t: px.Tensor): number[][] => {
  const [n, l] = t.shape as [number, number];
  const v = Array.from(t.values as Int32Array);
  return Array.from({ length: n }, (_, i) => v.slice(i * l, (i + 1) * l));
};
const pts = (x: px.Tensor, i: number): P[] => {
  const [, n] = x.shape as [number, number, number];
  const v = x.values;
  return Array.from({ length: n }, (_, j): P => [v[(i * n + j) * 2]!, v[(i * n + j) * 2 + 1]!]);
};
const determinism = (make: (seed: number) => { x: px.Tensor; y: px.Tensor }): void => {
  const a = make(3), b = make(3), c = make(4);
  assert.deepEqual(Array.from(a.x.values), Array.from(b.x.values));
  assert.deepEqual(Array.from(a.y.values), Array.from(b.y.values));
  assert.notDeepEqual(Array.from(a.x.values), Array.from(c.x.values));
};
function permutations(a: number[]): number[][] {
  if (a.length <= 1) return [a];
  return a.flatMap((v, i) => permutations([...a.slice(0, i), ...a.slice(i + 1)]).map((p) => [v, ...p]));
}

describe('data: pointer tasks', () => {
  it('pointerSortTask: y is the permutation that sorts x ascending', () => {
    const t = data.pointerSortTask({ n: 40, length: 6, seed: 2 });
    assert.deepEqual(t.x.shape, [40, 6, 1]);
    assert.deepEqual(t.y.shape, [40, 6]);
    const xv = t.x.values;
    rows(t.y).forEach((perm, i) => {
      assert.deepEqual([...perm].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5]);
      for (let j = 1; j < 6; j++) assert.ok(xv[i * 6 + perm[j]!]! >= xv[i * 6 + perm[j - 1]!]!);
    });
    determinism((seed) => data.pointerSortTask({ n: 5, seed }));
  });

  it('orient2d is exact where the plain float determinant gets the sign wrong (ulp-perturbed points on y = x)', () => {
    // a = (0.5 + i u, 0.5 + j u), u = 2^-53: coordinates are integers times u, so BigInt gives the truth independently.
    const u = 2 ** -53;
    let wrongFloat = 0, zeros = 0;
    for (let i = 0; i < 64; i++) {
      for (let j = 0; j < 64; j++) {
        const ax = 0.5 + i * u, ay = 0.5 + j * u;
        const I = (v: number): bigint => BigInt(v / u); // exact: every coordinate here is an integer multiple of u below 2^53 u · 2^5
        const e = (I(ax) - I(24)) * (I(12) - I(24)) - (I(ay) - I(24)) * (I(12) - I(24));
        const want = e > 0n ? 1 : e < 0n ? -1 : 0;
        assert.equal(data.orient2d(ax, ay, 12, 12, 24, 24), want, `i=${i} j=${j}`);
        const naive = Math.sign((12 - ax) * (24 - ay) - (12 - ay) * (24 - ax));
        if (naive !== want) wrongFloat++;
        if (want === 0) zeros++;
      }
    }
    assert.ok(wrongFloat > 100, `the plain float sign should be wrong on many of these, got ${wrongFloat}`);
    assert.ok(zeros > 0);
  });

  it('convexHull: collinear edge points, interior and duplicate points are not vertices; CCW from the lowest index', () => {
    // 0..3 square corners (in a scrambled order), 4..7 edge midpoints, 8 centre, 9 duplicate of corner 2.
    const sq: P[] = [[1, 1], [0, 0], [0, 1], [1, 0], [0.5, 0], [1, 0.5], [0.5, 1], [0, 0.5], [0.5, 0.5], [0, 1]];
    assert.deepEqual(data.convexHull(sq), [0, 2, 1, 3]);
    // Points on y = x are exactly collinear even though 0.1, 0.2, 0.3 are not exact in binary: the hull is the two ends.
    assert.deepEqual(data.convexHull([[0.2, 0.2], [0.1, 0.1], [0.3, 0.3], [0.7, 0.7]]), [1, 3]);
    assert.deepEqual(data.convexHull([[0.3, 0.3], [0.3, 0.3]]), [0]);
    assert.deepEqual(data.convexHull([[0, 0], [1, 0], [0, 1]]), [0, 1, 2]);
    assert.deepEqual(data.convexHull([[0, 0], [0, 1], [1, 0]]), [0, 2, 1]);
  });

  it('convexHullTask: labels are closed CCW cycles that a brute-force check confirms is the hull', () => {
    const t = data.convexHullTask({ n: 300, numPoints: 7, seed: 5 });
    assert.deepEqual(t.x.shape, [300, 7, 2]);
    assert.deepEqual(t.y.shape, [300, 8]);
    const sizes = new Set<number>();
    rows(t.y).forEach((r, i) => {
      const p = pts(t.x, i);
      const h = r.filter((k) => k !== -100);
      assert.equal(h[0], h[h.length - 1]);
      const ring = h.slice(0, -1);
      sizes.add(ring.length);
      assert.equal(ring[0], Math.min(...ring));
      assert.deepEqual(r.slice(h.length), Array(8 - h.length).fill(-100));
      for (let a = 0; a < ring.length; a++) {
        const [o, q, nx] = [p[ring[a]!]!, p[ring[(a + 1) % ring.length]!]!, p[ring[(a + 2) % ring.length]!]!];
        assert.equal(data.orient2d(o[0], o[1], q[0], q[1], nx[0], nx[1]), 1, 'strictly convex, CCW');
        for (const s of p) assert.ok(data.orient2d(o[0], o[1], q[0], q[1], s[0], s[1]) >= 0, 'every point left of or on each edge');
      }
    });
    assert.ok(sizes.size >= 3, `hull sizes vary: ${[...sizes]}`);
    determinism((seed) => data.convexHullTask({ n: 5, seed }));
  });

  it('hullAreaCoverage: 1 for the hull, the area ratio for a smaller simple polygon, 0 for invalid ones', () => {
    const x = px.tensor([[[0, 0], [1, 0], [1, 1], [0, 1]]], { dtype: 'float64' });
    assert.equal(data.hullAreaCoverage(x, [[0, 1, 2, 3, 0]]), 1);
    assert.equal(data.hullAreaCoverage(x, [[0, 3, 2, 1, 0]]), 1); // clockwise still covers the area
    assert.equal(data.hullAreaCoverage(x, [[0, 1, 2, 0]]), 0.5);
    assert.equal(data.hullAreaCoverage(x, [[0, 2, 1, 3, 0]]), 0); // a bow tie: not simple
    assert.equal(data.hullAreaCoverage(x, [[0, 1, 2, 3]]), 0); // not closed
    assert.equal(data.hullAreaCoverage(x, [[0, 1, 0]]), 0);
    assert.equal(data.hullAreaCoverage(x, [[0, 1, 1, 2, 0]]), 0); // a repeated vertex
    assert.throws(() => data.hullAreaCoverage(x, [[0, 1], [1, 2]]), px.ValueError);
    assert.throws(() => data.hullAreaCoverage(px.ones([1, 4, 3]), [[0]]), px.ShapeError);
  });

  it('optimalTour (Held-Karp) equals brute force over every tour, in canonical form', () => {
    const g = new px.Generator(7);
    for (const n of [4, 5, 6, 7]) {
      for (let rep = 0; rep < 4; rep++) {
        const p: P[] = Array.from({ length: n }, () => [g.nextFloat(), g.nextFloat()]);
        const tours = permutations(Array.from({ length: n - 1 }, (_, i) => i + 1)).map((t) => [0, ...t]);
        const best = Math.min(...tours.map((t) => data.tourLength(p, t)));
        const t = data.optimalTour(p);
        assert.ok(Math.abs(data.tourLength(p, t) - best) < 1e-12, `n=${n}`);
        assert.equal(t[0], 0);
        assert.ok(t[1]! < t[n - 1]!, 'canonical direction');
      }
    }
    assert.deepEqual(data.optimalTour([[0, 0], [1, 1], [1, 0], [0, 1]]), [0, 2, 1, 3]);
    assert.deepEqual(data.canonicalTour([2, 0, 3, 1]), [0, 2, 1, 3]); // the cycle 0-3-1-2, read the direction whose second city is lower
    assert.throws(() => data.optimalTour(Array.from({ length: 11 }, (): P => [0, 0])), px.ValueError);
  });

  it('tspTask and tourLengthRatio: 1 for the labels, > 1 for a worse tour, Infinity for a non-tour', () => {
    const t = data.tspTask({ n: 20, numCities: 6, seed: 1 });
    assert.deepEqual(t.x.shape, [20, 6, 2]);
    const labels = rows(t.y);
    assert.ok(Math.abs(data.tourLengthRatio(t.x, labels) - 1) < 1e-12);
    const worse = labels.map((r) => [r[0]!, r[2]!, r[1]!, ...r.slice(3)]);
    assert.ok(data.tourLengthRatio(t.x, worse) > 1);
    assert.equal(data.tourLengthRatio(t.x, labels.map((r) => [...r.slice(0, 5), r[0]!])), Infinity);
    assert.throws(() => data.tspTask({ numCities: 11 }), /numCities must be an integer in \[1, 10\]/);
    determinism((seed) => data.tspTask({ n: 4, seed }));
  });

  it('pointerExactMatch compares whole sequences, ignoring -100 padding', () => {
    const y = px.tensor([[0, 2, 1, 0, -100], [1, 0, 1, -100, -100]], { dtype: 'int32' });
    assert.equal(data.pointerExactMatch([[0, 2, 1, 0], [1, 0, 1]], y), 1);
    assert.equal(data.pointerExactMatch([[0, 2, 1, 0, 2], [1, 0, 1]], y), 0.5);
    assert.throws(() => data.pointerExactMatch([[0]], y), px.ValueError);
    assert.throws(() => data.pointerExactMatch([[0], [1]], px.ones([2, 2])), px.ShapeError);
    assert.throws(() => data.convexHullTask({ numPoints: 0 }), /numPoints must be an integer >= 1/);
    assert.throws(() => data.pointerSortTask({ size: 3 } as never), /size/);
  });
});
