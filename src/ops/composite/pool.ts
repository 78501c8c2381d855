/**
 * @file Image-grid composites for the MLP family (src/nn/mlp/): `patchify`, the non-overlapping
 * patch unfold that a patch embedding is made of (a Conv2d with kernel = stride = patch is this
 * followed by a Linear), and `avgPool2d` (PyTorch's F.avg_pool2d without ceil mode), the token mixer
 * of PoolFormer. Both are reshapes, permutes, pads and slices, so their gradients come from those
 * primitives; neither needed a kernel of its own at the sizes these models use.
 */
import { badArgument, checkArgCount, checkBoolArg, checkOptions, describe, tensorArg } from '../../core/args.js';
import { tensor } from '../../core/create.js';
import { ShapeError, fmtShape } from '../../core/errors.js';
import type { Tensor } from '../../core/tensor.js';
import { add, div, mul, pad, permute, reshape, slice } from '../primitives/index.js';

/** A size argument: a positive integer or a pair of them (PyTorch's int-or-tuple). */
function pair(op: string, name: string, v: unknown, min = 1): [number, number] {
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= min;
  if (ok(v)) return [v, v];
  if (Array.isArray(v) && v.length === 2 && ok(v[0]) && ok(v[1])) return [v[0], v[1]];
  throw badArgument(`${op}: ${name} must be an integer >= ${min} or a pair of them, got ${describe(v)}`);
}

/**
 * Cuts [N, C, H, W] into non-overlapping ph x pw patches: [N, (H/ph)(W/pw), C*ph*pw], patches in
 * row-major order, each flattened as (c, i, j), the layout of a Conv2d weight [D, C, ph, pw]
 * flattened to [D, C*ph*pw]. Equals `F.unfold(x, p, stride=p).transpose(1, 2)` in PyTorch.
 * @example patchify(randn([8, 1, 28, 28]), 7).shape  // [8, 16, 49]
 */
export function patchify(x: Tensor, patchSize: number | readonly [number, number]): Tensor {
  checkArgCount('patchify', arguments.length, 2, 'patchify(x, patchSize)');
  tensorArg('patchify', 'input', x);
  const [ph, pw] = pair('patchify', 'patchSize', patchSize);
  if (x.rank !== 4) throw new ShapeError(`patchify: input must be [N, C, H, W], got ${fmtShape(x.shape)}`);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  if (h % ph !== 0 || w % pw !== 0) {
    throw new ShapeError(`patchify: patchSize [${ph}, ${pw}] does not divide the image [${h}, ${w}] of input ${fmtShape(x.shape)}`);
  }
  const gh = h / ph;
  const gw = w / pw;
  const blocks = permute(reshape(x, [n, c, gh, ph, gw, pw]), [0, 2, 4, 1, 3, 5]);
  return reshape(blocks, [n, gh * gw, c * ph * pw]);
}

export interface AvgPool2dOptions {
  /** Window step (default: the kernel size, as PyTorch). */
  stride?: number | readonly [number, number];
  /** Zero padding on each side, at most half the kernel (default 0). */
  padding?: number | readonly [number, number];
  /** Divide by the whole window (true, default) or by the in-image elements only (false). */
  countIncludePad?: boolean;
}

/** Output length of a pooled axis and, for countIncludePad false, how many in-image cells each window covers. */
function axisCounts(len: number, k: number, s: number, p: number): { out: number; counts: number[] } {
  const out = Math.floor((len + 2 * p - k) / s) + 1;
  const counts = Array.from({ length: out }, (_, o) => {
    const lo = o * s - p;
    return Math.min(lo + k, len) - Math.max(lo, 0);
  });
  return { out, counts };
}

/** Every s-th element along `axis` from 0, `count` of them (a strided slice from reshape + slice). */
function strided(x: Tensor, axis: number, s: number, count: number): Tensor {
  if (s === 1) return slice(x, x.shape.map((d, i) => (i === axis ? [0, count] as [number, number] : null)));
  const len = x.shape[axis]!;
  const need = count * s;
  const fitted = need <= len
    ? slice(x, x.shape.map((_, i) => (i === axis ? [0, need] as [number, number] : null)))
    : pad(x, x.shape.map((_, i) => (i === axis ? [0, need - len] as [number, number] : [0, 0] as [number, number])));
  const shape = [...x.shape.slice(0, axis), count, s, ...x.shape.slice(axis + 1)];
  const picked = slice(reshape(fitted, shape), shape.map((_, i) => (i === axis + 1 ? [0, 1] as [number, number] : null)));
  return reshape(picked, [...x.shape.slice(0, axis), count, ...x.shape.slice(axis + 1)]);
}

/**
 * 2-D average pooling over the last two dims of [N, C, H, W] or [C, H, W] (PyTorch's
 * F.avg_pool2d(x, kernelSize, stride, padding, ceil_mode=False, count_include_pad)).
 * Output [..., floor((H + 2p - k) / s) + 1, floor((W + 2p - k) / s) + 1].
 * @example avgPool2d(x, 3, { stride: 1, padding: 1, countIncludePad: false })  // PoolFormer's mixer
 */
export function avgPool2d(x: Tensor, kernelSize: number | readonly [number, number], opts?: AvgPool2dOptions): Tensor {
  checkArgCount('avgPool2d', arguments.length, 3, 'avgPool2d(x, kernelSize, { stride, padding, countIncludePad })');
  tensorArg('avgPool2d', 'input', x);
  const o = checkOptions('avgPool2d', opts, ['stride', 'padding', 'countIncludePad']);
  const [kh, kw] = pair('avgPool2d', 'kernelSize', kernelSize);
  const [sh, sw] = o.stride === undefined ? [kh, kw] : pair('avgPool2d', 'stride', o.stride);
  const [ph, pw] = o.padding === undefined ? [0, 0] : pair('avgPool2d', 'padding', o.padding, 0);
  const includePad = o.countIncludePad === undefined ? true : checkBoolArg('avgPool2d', 'countIncludePad', o.countIncludePad);
  if (x.rank !== 3 && x.rank !== 4) throw new ShapeError(`avgPool2d: input must be [N, C, H, W] or [C, H, W], got ${fmtShape(x.shape)}`);
  if (2 * ph > kh || 2 * pw > kw) throw badArgument(`avgPool2d: padding [${ph}, ${pw}] must be at most half the kernel size [${kh}, ${kw}]`);
  const r = x.rank;
  const h = x.shape[r - 2]!;
  const w = x.shape[r - 1]!;
  if (h + 2 * ph < kh || w + 2 * pw < kw) throw new ShapeError(`avgPool2d: kernel [${kh}, ${kw}] is larger than the padded input ${fmtShape(x.shape)} (padding [${ph}, ${pw}])`);
  const rows = axisCounts(h, kh, sh, ph);
  const cols = axisCounts(w, kw, sw, pw);
  const lead = x.shape.slice(0, r - 2).map(() => [0, 0] as [number, number]);
  const xp = ph || pw ? pad(x, [...lead, [ph, ph], [pw, pw]]) : x;
  // Window sums at stride 1: kh * kw shifted views of the padded input, added up.
  const h1 = h + 2 * ph - kh + 1;
  const w1 = w + 2 * pw - kw + 1;
  let acc: Tensor | null = null;
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      const view = slice(xp, [...lead.map(() => null), [a, a + h1], [b, b + w1]]);
      acc = acc === null ? view : add(acc, view);
    }
  }
  const sums = strided(strided(acc!, r - 2, sh, rows.out), r - 1, sw, cols.out);
  if (includePad) return mul(sums, 1 / (kh * kw));
  const counts = tensor(rows.counts.map((ch) => cols.counts.map((cw) => ch * cw)), { dtype: x.dtype });
  return div(sums, counts);
}
