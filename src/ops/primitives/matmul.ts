/**
 * @file Matrix multiply with broadcast batch dims and transpose flags. The flags let the backward
 * pass (and fast backends) use A^T B and A B^T directly instead of materialising transposes.
 * Shape contract: a [..., m, k] (or [..., k, m] with transA), b [..., k, n] (or [..., n, k] with
 * transB) -> [..., m, n], batch dims broadcast.
 */
import { DTypeError, ShapeError, fmtShape } from '../../core/errors.js';
import { apply } from '../../core/dispatch.js';
import { registerPrimitive } from '../../core/primitive.js';
import { type Shape, broadcastShapes, numel } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';
import { checkArgCount, checkBoolArg, tensorArg } from '../../core/args.js';
import { broadcastIndex } from './kernel-util.js';
import { commonOperands, type TensorLike } from '../tensor-like.js';
import { reshape } from './shape-ops.js';

export interface MatmulAttrs {
  transA: boolean;
  transB: boolean;
}

/** m, k, n and the broadcast batch shape of a matmul; throws a ShapeError naming both shapes. */
export function matmulDims(a: Shape, b: Shape, { transA, transB }: MatmulAttrs): { m: number; k: number; n: number; batch: number[] } {
  // Built only on failure: this runs on every matmul.
  const what = (): string => `matmul: shapes ${fmtShape(a)}${transA ? 'ᵀ' : ''} and ${fmtShape(b)}${transB ? 'ᵀ' : ''}`;
  if (a.length < 2 || b.length < 2) throw new ShapeError(`${what()}: both operands need rank >= 2`);
  const [ar, ac] = [a[a.length - 2]!, a[a.length - 1]!];
  const [br, bc] = [b[b.length - 2]!, b[b.length - 1]!];
  const [m, k] = transA ? [ac, ar] : [ar, ac];
  const [k2, n] = transB ? [bc, br] : [br, bc];
  if (k !== k2) throw new ShapeError(`${what()} are not aligned (inner dims ${k} != ${k2})`);
  const batch = broadcastShapes('matmul', a.slice(0, -2), b.slice(0, -2));
  return { m, k, n, batch };
}

export const MATMUL = registerPrimitive<MatmulAttrs>({
  name: 'matmul',
  infer: ([a, b], attrs) => {
    if (a!.dtype !== b!.dtype) throw new DTypeError(`matmul: operand dtypes differ (${a!.dtype} vs ${b!.dtype})`);
    if (a!.dtype === 'bool') throw new DTypeError('matmul: bool operands are not supported');
    const { m, n, batch } = matmulDims(a!.shape, b!.shape, attrs);
    return { shape: [...batch, m, n], dtype: a!.dtype };
  },
  reference: (out, [a, b], attrs) => {
    const { m, k, n, batch } = matmulDims(a!.shape, b!.shape, attrs);
    const ai = broadcastIndex([...a!.shape.slice(0, -2), 1], [...batch, 1]);
    const bi = broadcastIndex([...b!.shape.slice(0, -2), 1], [...batch, 1]);
    const av = a!.values;
    const bv = b!.values;
    const o = out.values;
    const [sa0, sa1] = attrs.transA ? [1, m] : [k, 1]; // strides of A's (row i, col p)
    const [sb0, sb1] = attrs.transB ? [1, k] : [n, 1]; // strides of B's (row p, col j)
    for (let t = 0; t < numel(batch); t++) {
      const ao = ai[t]! * m * k;
      const bo = bi[t]! * k * n;
      const oo = t * m * n;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let acc = 0;
          for (let p = 0; p < k; p++) acc += av[ao + i * sa0 + p * sa1]! * bv[bo + p * sb0 + j * sb1]!;
          o[oo + i * n + j] = acc;
        }
      }
    }
  },
  vjp: (g, [a, b], _out, { transA, transB }) => {
    // C = op(A) op(B): each case's dA, dB written as one matmul with flags (no explicit transpose).
    // An operand that needs no gradient gets none (autograd would drop it): in a KAN's first layer
    // dA would be the whole [batch, in·bases] basis gradient, as costly as the forward product.
    const da = a!.requiresGrad;
    const db = b!.requiresGrad;
    if (!transA && !transB) return [da ? mm(g, b!, false, true) : null, db ? mm(a!, g, true, false) : null];
    if (transA && !transB) return [da ? mm(b!, g, false, true) : null, db ? mm(a!, g, false, false) : null];
    if (!transA && transB) return [da ? mm(g, b!, false, false) : null, db ? mm(g, a!, true, false) : null];
    return [da ? mm(b!, g, true, true) : null, db ? mm(g, a!, true, true) : null];
  },
});

/** The primitive with explicit transpose flags (for layers and backends that want them). */
export function mm(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
  checkArgCount('mm', arguments.length, 4, 'mm(a, b, transA?, transB?)');
  tensorArg('mm', 'input', a);
  tensorArg('mm', 'mat2', b);
  checkBoolArg('mm', 'transA', transA);
  checkBoolArg('mm', 'transB', transB);
  return apply(MATMUL, [a, b], { transA, transB });
}

/**
 * NumPy/PyTorch matmul: 1-D operands are promoted to a row/column and the added dim removed;
 * batch dims broadcast.
 */
export function matmul(x: TensorLike, y: TensorLike): Tensor {
  checkArgCount('matmul', arguments.length, 2, 'matmul(input, other)');
  tensorArg('matmul', 'input', x);
  tensorArg('matmul', 'other', y);
  const [a, b] = commonOperands(x, y, 'int32');
  if (a.rank === 0 || b.rank === 0) throw new ShapeError(`matmul: operands must not be scalars, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  const a2 = a.rank === 1 ? reshape(a, [1, a.shape[0]!]) : a;
  const b2 = b.rank === 1 ? reshape(b, [b.shape[0]!, 1]) : b;
  let out = mm(a2, b2);
  if (a.rank === 1 || b.rank === 1) {
    const s = out.shape.slice();
    if (b.rank === 1) s.pop();
    if (a.rank === 1) s.splice(s.length - (b.rank === 1 ? 1 : 2), 1);
    out = reshape(out, s);
  }
  return out;
}
