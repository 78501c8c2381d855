/**
 * @file Sparse-weight matrix products in CSR form, for sparse layers (SET, Mocanu et al. 2018,
 * https://doi.org/10.1038/s41467-018-04316-3): a weight W [N, K] is a fixed sparsity pattern
 * (`CsrPattern`, in the attrs) plus a dense vector of its nonzero values [nnz] (a tensor, so it is
 * trained). Two primitives, each the other's gradient:
 *
 *   sparseLinear(x [..., K], v [nnz], P) -> [..., N]:  y[m, o] = Σ_{j in row o} v[j] · x[m, col j]
 *     (x Wᵀ, as `linear` without bias)
 *   sampledMatmul(a [..., N], b [..., K], P) -> [nnz]:  s[j] = Σ_m a[m, row j] · b[m, col j]
 *     ((aᵀ b) sampled at P's nonzeros, PyTorch's sampled_addmm without the add)
 *
 * Backward (Pᵀ the transposed pattern, perm mapping its entries back to P's):
 *   sparseLinear:  gx = sparseLinear(g, v[perm], Pᵀ),   gv = sampledMatmul(g, x, P)
 *   sampledMatmul: ga = sparseLinear(b, g, P),          gb = sparseLinear(a, g[perm], Pᵀ)
 * so gradients of gradients work too. Cost is O(M · nnz) for each, against O(M · N · K) dense.
 * The reference loops accumulate in float64 in a fixed order (m, then j), which the js kernel keeps.
 */
import { DTypeError, ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import { apply } from '../../core/dispatch.js';
import { checkArgCount, tensorArg } from '../../core/args.js';
import { isFloat } from '../../core/dtype.js';
import type { Meta } from '../../core/primitive.js';
import { registerPrimitive } from '../../core/primitive.js';
import { tensor } from '../../core/create.js';
import type { Tensor } from '../../core/tensor.js';
import { indexSelect } from './indexing.js';

/**
 * The positions of a sparse [rows, cols] matrix in CSR form: row r holds columns
 * colIdx[rowPtr[r] .. rowPtr[r+1]), increasing. Immutable; its transpose is computed once.
 */
export class CsrPattern {
  readonly nnz: number;
  private t: { pattern: CsrPattern; perm: Int32Array } | null = null;

  private constructor(readonly rows: number, readonly cols: number, readonly rowPtr: Int32Array, readonly colIdx: Int32Array) {
    this.nnz = colIdx.length;
  }

  /**
   * From flat positions r·cols + c, strictly increasing (row-major order: the order of the values).
   * @example CsrPattern.fromIndices(2, 3, [0, 2, 4]) // (0,0), (0,2), (1,1)
   */
  static fromIndices(rows: number, cols: number, flat: ArrayLike<number>): CsrPattern {
    for (const [k, v] of [['rows', rows], ['cols', cols]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new ValueError(`CsrPattern: ${k} must be an integer >= 0, got ${String(v)}`);
    }
    if (rows * cols > 2 ** 31) throw new ValueError(`CsrPattern: ${rows} x ${cols} has more positions than int32 indices can address`);
    const rowPtr = new Int32Array(rows + 1);
    const colIdx = new Int32Array(flat.length);
    let prev = -1;
    for (let j = 0; j < flat.length; j++) {
      const f = flat[j]!;
      if (!Number.isInteger(f) || f <= prev || f >= rows * cols) {
        throw new ValueError(`CsrPattern: indices must be strictly increasing integers in [0, ${rows * cols}), got ${f} at ${j}${j > 0 ? ` after ${prev}` : ''}`);
      }
      prev = f;
      const r = Math.floor(f / cols);
      colIdx[j] = f - r * cols;
      rowPtr[r + 1]!++;
    }
    for (let r = 0; r < rows; r++) rowPtr[r + 1]! += rowPtr[r]!;
    return new CsrPattern(rows, cols, rowPtr, colIdx);
  }

  /** Flat positions r·cols + c of the nonzeros, in value order. */
  indices(): Int32Array {
    const out = new Int32Array(this.nnz);
    for (let r = 0; r < this.rows; r++) for (let j = this.rowPtr[r]!; j < this.rowPtr[r + 1]!; j++) out[j] = r * this.cols + this.colIdx[j]!;
    return out;
  }

  /** Row of every nonzero. */
  rowIdx(): Int32Array {
    const out = new Int32Array(this.nnz);
    for (let r = 0; r < this.rows; r++) out.fill(r, this.rowPtr[r]!, this.rowPtr[r + 1]!);
    return out;
  }

  /** The transposed pattern [cols, rows] and, per its entry, the index of the same nonzero here. */
  transposed(): { pattern: CsrPattern; perm: Int32Array } {
    if (this.t === null) {
      const count = new Int32Array(this.cols + 1);
      for (let j = 0; j < this.nnz; j++) count[this.colIdx[j]! + 1]!++;
      for (let c = 0; c < this.cols; c++) count[c + 1]! += count[c]!;
      const rowPtr = count.slice();
      const next = count.slice(0, this.cols);
      const colIdx = new Int32Array(this.nnz);
      const perm = new Int32Array(this.nnz);
      // Rows visited in order, so each transposed row's columns come out increasing.
      for (let r = 0; r < this.rows; r++) {
        for (let j = this.rowPtr[r]!; j < this.rowPtr[r + 1]!; j++) {
          const at = next[this.colIdx[j]!]!++;
          colIdx[at] = r;
          perm[at] = j;
        }
      }
      const pattern = new CsrPattern(this.cols, this.rows, rowPtr, colIdx);
      this.t = { pattern, perm };
      pattern.t = { pattern: this, perm: invert(perm) };
    }
    return this.t;
  }

  /** perm as an int32 tensor on the current backend (made per use: cheap next to the product, and never on a stale backend). */
  permTensor(): Tensor {
    return tensor(this.transposed().perm, { dtype: 'int32' });
  }
}

function invert(p: Int32Array): Int32Array {
  const q = new Int32Array(p.length);
  for (let i = 0; i < p.length; i++) q[p[i]!] = i;
  return q;
}

export interface SparseAttrs {
  pattern: CsrPattern;
}

const lead = (m: Meta): number => m.shape.slice(0, -1).reduce((a, b) => a * b, 1);

function checkSparse(op: string, a: Meta, b: Meta, pattern: unknown, aWidth: 'rows' | 'cols', bWidth: 'rows' | 'cols' | 'nnz'): CsrPattern {
  if (!(pattern instanceof CsrPattern)) throw new ValueError(`${op}: pattern must be a CsrPattern, got ${typeof pattern}`);
  if (!isFloat(a.dtype) || a.dtype !== b.dtype) throw new DTypeError(`${op}: operands must share a float dtype, got ${a.dtype} and ${b.dtype}`);
  const wa = pattern[aWidth];
  if (a.shape.length < 1 || a.shape.at(-1) !== wa) throw new ShapeError(`${op}: expected the first operand [..., ${wa}] for a ${pattern.rows}x${pattern.cols} pattern, got ${fmtShape(a.shape)}`);
  if (bWidth === 'nnz') {
    if (b.shape.length !== 1 || b.shape[0] !== pattern.nnz) throw new ShapeError(`${op}: expected values [${pattern.nnz}] (the pattern's nonzeros), got ${fmtShape(b.shape)}`);
  } else {
    const wb = pattern[bWidth];
    if (b.shape.length !== a.shape.length || b.shape.at(-1) !== wb || lead(a) !== lead(b) || b.shape.some((d, i) => i < b.shape.length - 1 && d !== a.shape[i])) {
      throw new ShapeError(`${op}: expected the second operand [${[...a.shape.slice(0, -1), wb].join(', ')}], got ${fmtShape(b.shape)}`);
    }
  }
  return pattern;
}

export const SPARSE_LINEAR = registerPrimitive<SparseAttrs>({
  name: 'sparseLinear',
  infer: ([x, v], { pattern }) => {
    const p = checkSparse('sparseLinear', x!, v!, pattern, 'cols', 'nnz');
    return { shape: [...x!.shape.slice(0, -1), p.rows], dtype: x!.dtype };
  },
  reference: (out, [x, v], { pattern: p }) => {
    const xs = x!.values;
    const vs = v!.values;
    const o = out.values;
    const M = lead(x!);
    for (let m = 0; m < M; m++) {
      for (let r = 0; r < p.rows; r++) {
        let s = 0;
        for (let j = p.rowPtr[r]!; j < p.rowPtr[r + 1]!; j++) s += vs[j]! * xs[m * p.cols + p.colIdx[j]!]!;
        o[m * p.rows + r] = s;
      }
    }
  },
  vjp: (g, [x, v], _out, { pattern }) => {
    const gx = x!.requiresGrad ? sparseLinear(g, indexSelect(v!, 0, pattern.permTensor()), pattern.transposed().pattern) : null;
    const gv = v!.requiresGrad ? sampledMatmul(g, x!, pattern) : null;
    return [gx, gv];
  },
});

export const SAMPLED_MATMUL = registerPrimitive<SparseAttrs>({
  name: 'sampledMatmul',
  infer: ([a, b], { pattern }) => {
    const p = checkSparse('sampledMatmul', a!, b!, pattern, 'rows', 'cols');
    return { shape: [p.nnz], dtype: a!.dtype };
  },
  reference: (out, [a, b], { pattern: p }) => {
    const as = a!.values;
    const bs = b!.values;
    const o = out.values;
    const M = lead(a!);
    const acc = new Float64Array(p.nnz);
    for (let m = 0; m < M; m++) {
      for (let r = 0; r < p.rows; r++) {
        const ar = as[m * p.rows + r]!;
        for (let j = p.rowPtr[r]!; j < p.rowPtr[r + 1]!; j++) acc[j] = acc[j]! + ar * bs[m * p.cols + p.colIdx[j]!]!;
      }
    }
    o.set(acc);
  },
  vjp: (g, [a, b], _out, { pattern }) => {
    const ga = a!.requiresGrad ? sparseLinear(b!, g, pattern) : null;
    const gb = b!.requiresGrad ? sparseLinear(a!, indexSelect(g, 0, pattern.permTensor()), pattern.transposed().pattern) : null;
    return [ga, gb];
  },
});

/**
 * x Wᵀ for a sparse W [N, K] given by its pattern and nonzero values: x [..., K], values [nnz] -> [..., N].
 * @example sparseLinear(x, values, CsrPattern.fromIndices(N, K, flatPositions))
 */
export function sparseLinear(x: Tensor, values: Tensor, pattern: CsrPattern): Tensor {
  checkArgCount('sparseLinear', arguments.length, 3, 'sparseLinear(x, values, pattern)');
  tensorArg('sparseLinear', 'input', x);
  tensorArg('sparseLinear', 'values', values);
  checkSparse('sparseLinear', x, values, pattern, 'cols', 'nnz');
  return apply(SPARSE_LINEAR, [x, values], { pattern });
}

/**
 * (aᵀ b) at the pattern's nonzeros: a [..., N], b [..., K] -> [nnz], s[j] = Σ_m a[m, row j] b[m, col j].
 * @example sampledMatmul(gradOut, x, pattern) // the gradient of sparseLinear's values
 */
export function sampledMatmul(a: Tensor, b: Tensor, pattern: CsrPattern): Tensor {
  checkArgCount('sampledMatmul', arguments.length, 3, 'sampledMatmul(a, b, pattern)');
  tensorArg('sampledMatmul', 'a', a);
  tensorArg('sampledMatmul', 'b', b);
  checkSparse('sampledMatmul', a, b, pattern, 'rows', 'cols');
  return apply(SAMPLED_MATMUL, [a, b], { pattern });
}
