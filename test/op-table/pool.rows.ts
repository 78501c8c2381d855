/**
 * @file Op-table rows: the image-grid composites patchify and avgPool2d. The references index the
 * input by the definitions (patch token t = (gi, gj) in row-major order, feature (c, i, j); a pooled
 * cell is the mean over its window of the in-image elements, or divided by the full window when
 * countIncludePad) with plain loops, independent of the reshape/permute/slice composition.
 */
import * as px from '../../src/index.js';
import { type NDArray, type OpRow, uniform } from '../../src/testing/index.js';
import { at, build } from './movement.rows.js';

const u = (s: number[]) => (): px.Tensor[] => [uniform(s)];

function patchifyRow(p: number | [number, number], cases: OpRow['cases']): OpRow {
  const [ph, pw] = typeof p === 'number' ? [p, p] : p;
  return {
    op: 'patchify', kind: 'composite', run: (x) => px.patchify(x, p), cases,
    reference: (x) => {
      const [n, c, h, w] = x.shape as [number, number, number, number];
      const gw = w / pw;
      return build([n, (h / ph) * gw, c * ph * pw], ([b, t, f]) => {
        const gi = Math.floor(t! / gw), gj = t! % gw;
        const ch = Math.floor(f! / (ph * pw)), i = Math.floor((f! % (ph * pw)) / pw), j = f! % pw;
        return at(x, [b!, ch, gi * ph + i, gj * pw + j]);
      });
    },
  };
}

function poolRow(k: number, opts: px.AvgPool2dOptions, cases: OpRow['cases']): OpRow {
  const s = typeof opts.stride === 'number' ? opts.stride : k;
  const p = typeof opts.padding === 'number' ? opts.padding : 0;
  const include = opts.countIncludePad ?? true;
  return {
    op: 'avgPool2d', kind: 'composite', run: (x) => px.avgPool2d(x, k, opts), cases,
    reference: (x: NDArray) => {
      const r = x.shape.length;
      const [h, w] = [x.shape[r - 2]!, x.shape[r - 1]!];
      const ho = Math.floor((h + 2 * p - k) / s) + 1;
      const wo = Math.floor((w + 2 * p - k) / s) + 1;
      return build([...x.shape.slice(0, r - 2), ho, wo], (c) => {
        const lead = c.slice(0, r - 2);
        const [oi, oj] = [c[r - 2]!, c[r - 1]!];
        let sum = 0, count = 0;
        for (let a = 0; a < k; a++) {
          for (let b = 0; b < k; b++) {
            const i = oi * s - p + a, j = oj * s - p + b;
            if (i >= 0 && i < h && j >= 0 && j < w) { sum += at(x, [...lead, i, j]); count++; }
          }
        }
        return sum / (include ? k * k : count);
      });
    },
  };
}

export const poolRows: OpRow[] = [
  patchifyRow(2, [
    { name: '[2,1,4,4] patch 2', inputs: u([2, 1, 4, 4]) },
    { name: '[1,3,4,6] patch 2 (3 channels, 2x3 grid)', inputs: u([1, 3, 4, 6]) },
  ]),
  patchifyRow([2, 3], [{ name: '[1,2,4,6] patch [2,3]', inputs: u([1, 2, 4, 6]) }]),
  poolRow(2, {}, [
    { name: '[1,2,4,4] kernel 2 (stride = kernel)', inputs: u([1, 2, 4, 4]) },
    { name: '[2,5,5] rank 3, odd size', inputs: u([2, 5, 5]) },
  ]),
  poolRow(3, { stride: 1, padding: 1, countIncludePad: false }, [
    { name: '[2,2,4,3] PoolFormer mixer (3, stride 1, pad 1, exclude pad)', inputs: u([2, 2, 4, 3]) },
  ]),
  poolRow(3, { stride: 2, padding: 1 }, [{ name: '[1,1,5,6] kernel 3 stride 2 pad 1, include pad', inputs: u([1, 1, 5, 6]) }]),
  poolRow(3, { stride: 2, padding: 1, countIncludePad: false }, [{ name: '[1,1,6,5] kernel 3 stride 2 pad 1, exclude pad', inputs: u([1, 1, 6, 5]) }]),
];
