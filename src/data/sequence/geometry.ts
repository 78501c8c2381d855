/**
 * @file Exact planar geometry for the pointer-network tasks: the orientation predicate (the sign
 * of (b - a) x (c - a)) exact for every pair of doubles (a floating-point filter with Shewchuk's
 * error bound, "Adaptive Precision Floating-Point Arithmetic and Fast Robust Geometric Predicates",
 * 1997, falling back to exact BigInt arithmetic), the convex hull by Andrew's monotone chain on top
 * of it, polygon area and simplicity.
 *
 * Hull convention (the labels of convexHullTask): the indices of the hull's vertices, strictly
 * convex ones only (points in the interior of a hull edge and duplicates of a vertex are not
 * vertices; among duplicates the lowest index stands for the point), counter-clockwise, starting
 * from the lowest index among them. All collinear: the two extreme points; one distinct point: it.
 */

const EPS = 2 ** -53;
/** Shewchuk's ccwerrboundA: |det| above it times the magnitude sum means the float sign is right. */
const CCW_BOUND = (3 + 16 * EPS) * EPS;

const view = new DataView(new ArrayBuffer(8));

/** x · 2^1074 as an exact BigInt (every finite double is an integer multiple of 2^-1074). */
function scaled(x: number): bigint {
  view.setFloat64(0, x);
  const hi = view.getUint32(0), lo = view.getUint32(4);
  const sign = hi >>> 31 ? -1n : 1n;
  const e = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (e === 0) return sign * frac; // subnormal (or zero): frac · 2^-1074
  return sign * (((1n << 52n) | frac) << BigInt(e - 1)); // (2^52 + frac) · 2^(e - 1075)
}

/** Sign of the cross product (b - a) x (c - a): 1 counter-clockwise, -1 clockwise, 0 collinear, exactly. */
export function orient2d(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): -1 | 0 | 1 {
  const left = (ax - cx) * (by - cy);
  const right = (ay - cy) * (bx - cx);
  const det = left - right;
  const bound = CCW_BOUND * (Math.abs(left) + Math.abs(right));
  if (det > bound) return 1;
  if (-det > bound) return -1;
  const [AX, AY, BX, BY, CX, CY] = [ax, ay, bx, by, cx, cy].map(scaled) as [bigint, bigint, bigint, bigint, bigint, bigint];
  const e = (AX - CX) * (BY - CY) - (AY - CY) * (BX - CX);
  return e > 0n ? 1 : e < 0n ? -1 : 0;
}

export type Point = readonly [number, number];

/** The convex hull's vertex indices in the convention of the file header. */
export function convexHull(points: readonly Point[]): number[] {
  if (points.length === 0) return [];
  // Sort by (x, y, index); equal points keep only their lowest index.
  const order = points.map((_, i) => i).sort((i, j) => points[i]![0] - points[j]![0] || points[i]![1] - points[j]![1] || i - j);
  const uniq = order.filter((i, k) => k === 0 || points[i]![0] !== points[order[k - 1]!]![0] || points[i]![1] !== points[order[k - 1]!]![1]);
  if (uniq.length < 3) return uniq.length === 1 ? uniq : rotate(uniq);
  const turn = (o: number, a: number, b: number): number => orient2d(points[o]![0], points[o]![1], points[a]![0], points[a]![1], points[b]![0], points[b]![1]);
  const chain = (ids: number[]): number[] => {
    const h: number[] = [];
    for (const i of ids) {
      while (h.length >= 2 && turn(h[h.length - 2]!, h[h.length - 1]!, i) <= 0) h.pop();
      h.push(i);
    }
    return h;
  };
  const lower = chain(uniq);
  const upper = chain([...uniq].reverse());
  const hull = [...lower.slice(0, -1), ...upper.slice(0, -1)];
  return rotate(hull);
}

/** The cycle started at its lowest index (direction kept). */
function rotate(cycle: number[]): number[] {
  const k = cycle.indexOf(Math.min(...cycle));
  return [...cycle.slice(k), ...cycle.slice(0, k)];
}

/** Signed area of the polygon through `points[ids]` (shoelace; positive when counter-clockwise). */
export function polygonArea(points: readonly Point[], ids: readonly number[]): number {
  let a = 0;
  for (let i = 0; i < ids.length; i++) {
    const p = points[ids[i]!]!, q = points[ids[(i + 1) % ids.length]!]!;
    a += p[0] * q[1] - q[0] * p[1];
  }
  return a / 2;
}

/** Whether segments pq and rs share a point (exact). */
function segmentsMeet(p: Point, q: Point, r: Point, s: Point): boolean {
  const o1 = orient2d(p[0], p[1], q[0], q[1], r[0], r[1]), o2 = orient2d(p[0], p[1], q[0], q[1], s[0], s[1]);
  const o3 = orient2d(r[0], r[1], s[0], s[1], p[0], p[1]), o4 = orient2d(r[0], r[1], s[0], s[1], q[0], q[1]);
  if (o1 * o2 < 0 && o3 * o4 < 0) return true; // a proper crossing
  const on = (a: Point, b: Point, c: Point): boolean => Math.min(a[0], b[0]) <= c[0] && c[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= c[1] && c[1] <= Math.max(a[1], b[1]);
  return (o1 === 0 && on(p, q, r)) || (o2 === 0 && on(p, q, s)) || (o3 === 0 && on(r, s, p)) || (o4 === 0 && on(r, s, q));
}

/** A simple polygon: >= 3 distinct vertices, no two non-adjacent edges meet, adjacent edges meet only at their shared vertex. */
export function isSimplePolygon(points: readonly Point[], ids: readonly number[]): boolean {
  const m = ids.length;
  if (m < 3 || new Set(ids).size !== m) return false;
  const P = (i: number): Point => points[ids[i % m]!]!;
  for (let i = 0; i < m; i++) {
    // Adjacent edges (i, i+1) and (i+1, i+2) fold back onto each other when collinear and reversing.
    const a = P(i), b = P(i + 1), c = P(i + 2);
    if (orient2d(a[0], a[1], b[0], b[1], c[0], c[1]) === 0 && (c[0] - b[0]) * (a[0] - b[0]) + (c[1] - b[1]) * (a[1] - b[1]) > 0) return false;
    for (let j = i + 2; j < m; j++) {
      if (i === 0 && j === m - 1) continue; // adjacent through the closing edge
      if (segmentsMeet(P(i), P(i + 1), P(j), P(j + 1))) return false;
    }
  }
  return true;
}
