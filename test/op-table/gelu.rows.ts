/** @file Op-table rows: the fused exact GELU z·Φ(z) and its input gradient g·(Φ(z) + z·φ(z)), against erfc/exp per element. */
import { geluBackward, geluForward } from '../../src/ops/primitives/gelu.js';
import { erfcScalar } from '../../src/core/special.js';
import { type NDArray, type OpRow, f64, uniform } from '../../src/testing/index.js';

/** Φ(z) + z·φ(z) written independently of geluGradScalar: Φ(z) = erfc(-z/√2)/2 on both sides. */
const slope = (z: number): number => 0.5 * erfcScalar(-z / Math.SQRT2) + z * Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI);

export const geluRows: OpRow[] = [{
  op: 'geluForward', kind: 'primitive',
  run: (z) => geluForward(z!),
  reference: (z: NDArray | undefined): NDArray => ({ shape: [...z!.shape], values: z!.values.map((v) => v * 0.5 * erfcScalar(-v / Math.SQRT2)) }),
  cases: [
    { name: 'z [3,4] in [-4, 4]', inputs: () => [uniform([3, 4], -4, 4)] },
    { name: 'the negative tail (1 + erf would cancel to 0) and 0', inputs: () => [f64([-9, -12, -3, 0, 5])] },
    { name: 'specials: +Infinity, -Infinity (NaN: -∞·0), NaN', inputs: () => [f64([Infinity, -Infinity, Number.NaN])], grad: false },
  ],
}, {
  op: 'geluBackward', kind: 'primitive',
  run: (g, z) => geluBackward(g!, z!),
  reference: (g: NDArray | undefined, z: NDArray | undefined): NDArray => ({ shape: [...z!.shape], values: z!.values.map((v, i) => g!.values[i]! * slope(v)) }),
  cases: [
    { name: 'g, z [4,5] in [-4, 4] (d/dg and d/dz by finite differences)', inputs: () => [uniform([4, 5], -1, 1), uniform([4, 5], -4, 4)] },
    { name: 'the negative tail and GELU\'s minimum (z = -0.7518)', inputs: () => [f64([1, -2, 0.5, 1, 3]), f64([-9, -6, -0.7518, -2.5, 0])] },
    { name: 'specials: ±Infinity give NaN (∞·0), NaN propagates', inputs: () => [f64([1, 1, 1]), f64([Infinity, -Infinity, Number.NaN])], grad: false },
    { name: 'zero-size [0,3]', inputs: () => [uniform([0, 3], -1, 1), uniform([0, 3], -1, 1)] },
  ],
}];
