/**
 * @file Planar convex hull by pointing (Vinyals et al., "Pointer Networks" 2015,
 * https://arxiv.org/abs/1506.03134, Section 4.2): points uniform in [0, 1)^2 in, the hull's vertices
 * out as a closed cycle, the paper's "1 4 2 1" convention: counter-clockwise from the lowest-index
 * vertex, ending with that vertex again (labels exact: ./geometry.ts, strictly convex vertices only).
 * Metric: hullAreaCoverage (area of the predicted polygon / the true hull's area, 0 for a prediction
 * that is not a closed simple polygon, as the paper) and pointerExactMatch (./pointer-metrics.ts).
 */
import { Generator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { fromTyped } from '../rows.js';
import { intArg, taskArgs } from './common.js';
import { convexHull, isSimplePolygon, polygonArea, type Point } from './geometry.js';
import { checkSequences, pointsOf, type PointerTask } from './pointer-common.js';

export interface ConvexHullTaskOptions {
  n?: number;
  /** Points per set (default 5). */
  numPoints?: number;
  seed?: number;
}

/**
 * Convex-hull samples: x float32 [n, numPoints, 2], y int32 [n, numPoints + 1] (the closed hull
 * cycle, then -100). The hull is computed on the float32 coordinates that x holds.
 * @example const { x, y } = data.convexHullTask({ n: 1000, numPoints: 5 });
 */
export function convexHullTask(opts: ConvexHullTaskOptions = {}): PointerTask {
  const { n, seed } = taskArgs('convexHullTask', opts, ['numPoints']);
  const P = intArg('convexHullTask', 'numPoints', opts.numPoints ?? 5, 1);
  const g = new Generator(seed);
  const x = new Float32Array(n * P * 2);
  const y = new Int32Array(n * (P + 1)).fill(-100);
  for (let i = 0; i < n; i++) {
    const pts: Point[] = [];
    for (let j = 0; j < P; j++) {
      const p: Point = [Math.fround(g.nextFloat()), Math.fround(g.nextFloat())];
      x[(i * P + j) * 2] = p[0];
      x[(i * P + j) * 2 + 1] = p[1];
      pts.push(p);
    }
    const h = convexHull(pts);
    y.set([...h, h[0]!], i * (P + 1));
  }
  return { x: fromTyped(x, [n, P, 2], 'float32'), y: fromTyped(y, [n, P + 1], 'int32') };
}

/**
 * Mean over samples of area(predicted polygon) / area(true hull): a prediction counts 0 unless it
 * is a closed cycle (last = first) through >= 3 distinct points forming a simple polygon.
 * @example data.hullAreaCoverage(x, net.decode(x).sequences)
 */
export function hullAreaCoverage(points: Tensor, predictions: readonly (readonly number[])[]): number {
  const sets = pointsOf('hullAreaCoverage', points);
  const pred = checkSequences('hullAreaCoverage', predictions, sets.length);
  let sum = 0;
  sets.forEach((pts, i) => {
    const s = pred[i]!;
    const truth = Math.abs(polygonArea(pts, convexHull(pts)));
    if (s.length < 4 || s[0] !== s[s.length - 1] || s.some((k) => k < 0 || k >= pts.length)) return;
    const ring = s.slice(0, -1);
    if (truth > 0 && isSimplePolygon(pts, ring)) sum += Math.abs(polygonArea(pts, ring)) / truth;
  });
  return sum / sets.length;
}
