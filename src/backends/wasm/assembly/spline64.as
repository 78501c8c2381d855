/**
 * @file splineBasis's uniform-cubic hot path in float64: spline.as's kernel (itself the js kernel's
 * uniform-cubic branch, src/backends/js/spline.ts, statement for statement) on float64 inputs,
 * knots and outputs, so results are bitwise the js kernel's; elements of non-uniform features are
 * listed for the js kernel to finish.
 */

/** spline.as's splineUniformCubic with float64 x (F features innermost), [F, K] knots and output. */
export function splineUniformCubic64(x: usize, t: usize, invH: usize, out: usize, rest: usize, F: i32, K: i32, s: i32, e: i32): void {
  const nb = K - 4;
  memory.fill(out + (<usize>s * <usize>nb << 3), 0, <usize>(e - s) * <usize>nb << 3);
  let r = rest + (<usize>s << 2);
  let f = s % F;
  for (let el = s; el < e; el++) {
    const g = t + (<usize>(f * K) << 3);
    const ih = load<f64>(invH + (<usize>f << 3));
    const v = load<f64>(x + (<usize>el << 3));
    const t0 = load<f64>(g);
    if (!(ih > 0)) {
      store<i32>(r, el);
      r += 4;
    } else if (v >= t0 && v < load<f64>(g + (<usize>(K - 1) << 3))) {
      // (Outside the knots, or NaN: all bases 0, already zeroed.)
      let i = min(K - 2, <i32>Math.floor((v - t0) * ih));
      while (i > 0 && v < load<f64>(g + (<usize>i << 3))) i--;
      while (i < K - 2 && v >= load<f64>(g + (<usize>(i + 1) << 3))) i++;
      const u = (v - load<f64>(g + (<usize>i << 3))) * ih;
      const w = 1 - u;
      const u2 = u * u;
      const u3 = u2 * u;
      // Bases j = i-3 .. i; at the grid's ends only 0 <= j < nb exist (addresses formed per
      // base, never below the row).
      const first = i - 3;
      const row = out + (<usize>(el * nb) << 3);
      const n0 = (w * w * w) / 6;
      const n1 = (3 * u3 - 6 * u2 + 4) / 6;
      const n2 = (-3 * u3 + 3 * u2 + 3 * u + 1) / 6;
      const n3 = u3 / 6;
      if (first >= 0) store<f64>(row + (<usize>first << 3), n0);
      if (first + 1 >= 0 && first + 1 < nb) store<f64>(row + (<usize>(first + 1) << 3), n1);
      if (first + 2 >= 0 && first + 2 < nb) store<f64>(row + (<usize>(first + 2) << 3), n2);
      if (first + 3 < nb) store<f64>(row + (<usize>(first + 3) << 3), n3);
    }
    f = f + 1 == F ? 0 : f + 1;
  }
  if (r < rest + (<usize>e << 2)) store<i32>(r, -1);
}
