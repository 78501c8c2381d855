/**
 * @file The hot path of splineBasis (ops/primitives/spline.ts) for the wasm backend: cubic
 * B-spline bases on uniform knots (KAN's default grid). It is the js kernel's uniform-cubic branch
 * (src/backends/js/spline.ts) statement for statement in f64, so results are bitwise identical to
 * it; elements of non-uniform features are listed for the js kernel to finish.
 */

/**
 * Elements [s, e) of x (float32, F features innermost): zeroes their nb = K-4 outputs and, for each
 * element whose feature f is uniform (invH[f] > 0, f64), writes its non-zero bases (none outside
 * [t[f,0], t[f,K-1]) or for NaN; at the grid's ends only those with index in [0, nb)). Indices of
 * the other elements go to rest + 4·s.. (followed by -1 when fewer than e - s). `t`: the [F, K]
 * float32 knots.
 */
export function splineUniformCubic(x: usize, t: usize, invH: usize, out: usize, rest: usize, F: i32, K: i32, s: i32, e: i32): void {
  const nb = K - 4;
  memory.fill(out + (<usize>s * <usize>nb << 2), 0, <usize>(e - s) * <usize>nb << 2);
  let r = rest + (<usize>s << 2);
  let f = s % F;
  for (let el = s; el < e; el++) {
    const g = t + (<usize>(f * K) << 2);
    const ih = load<f64>(invH + (<usize>f << 3));
    const v = <f64>load<f32>(x + (<usize>el << 2));
    const t0 = <f64>load<f32>(g);
    if (!(ih > 0)) {
      store<i32>(r, el);
      r += 4;
    } else if (v >= t0 && v < <f64>load<f32>(g + (<usize>(K - 1) << 2))) {
      // (Outside the knots, or NaN: all bases 0, already zeroed.)
      let i = min(K - 2, <i32>Math.floor((v - t0) * ih));
      while (i > 0 && v < <f64>load<f32>(g + (<usize>i << 2))) i--;
      while (i < K - 2 && v >= <f64>load<f32>(g + (<usize>(i + 1) << 2))) i++;
      const u = (v - <f64>load<f32>(g + (<usize>i << 2))) * ih;
      const w = 1 - u;
      const u2 = u * u;
      const u3 = u2 * u;
      // Bases j = i-3 .. i; at the grid's ends only 0 <= j < nb exist (addresses formed per
      // base, never below the row).
      const first = i - 3;
      const row = out + (<usize>(el * nb) << 2);
      const n0 = (w * w * w) / 6;
      const n1 = (3 * u3 - 6 * u2 + 4) / 6;
      const n2 = (-3 * u3 + 3 * u2 + 3 * u + 1) / 6;
      const n3 = u3 / 6;
      if (first >= 0) store<f32>(row + (<usize>first << 2), <f32>n0);
      if (first + 1 >= 0 && first + 1 < nb) store<f32>(row + (<usize>(first + 1) << 2), <f32>n1);
      if (first + 2 >= 0 && first + 2 < nb) store<f32>(row + (<usize>(first + 2) << 2), <f32>n2);
      if (first + 3 < nb) store<f32>(row + (<usize>(first + 3) << 2), <f32>n3);
    }
    f = f + 1 == F ? 0 : f + 1;
  }
  if (r < rest + (<usize>e << 2)) store<i32>(r, -1);
}
