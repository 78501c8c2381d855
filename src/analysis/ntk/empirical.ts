/**
 * @file `analysis.ntk(model, X1, X2?, opts)`: the empirical neural tangent kernel
 * K(x, x')_{op} = sum_theta d f_o(x)/d theta  d f_p(x')/d theta (Jacot et al. 2018,
 * https://arxiv.org/abs/1806.07572), by Jacobian contraction.
 *
 * Shapes (neural-tangents' conventions, `trace_axes=()` for 'full', `trace_axes=(-1,)` for 'trace'):
 * - mode 'full'      -> Tensor [N1, N2, O, O]; `k.permute([0, 2, 1, 3]).reshape([N1 * O, N2 * O])` is J1 J2^T
 *   with Jacobian rows ordered (sample, output);
 * - mode 'trace'     -> Tensor [N1, N2] = sum_o K[:, :, o, o] (the sum, not the mean, over outputs);
 * - mode 'layerwise' -> { [parameterName]: Tensor [N1, N2, O, O] }, one part per parameter tensor
 *   (state-dict keys); the parts sum to the 'full' kernel.
 * O is the number of selected outputs (`outputs`, default every output of the model).
 *
 * Two implementations, tested against each other: 'explicit' for nn.MLP without norm layers and
 * NTKMLP (per-layer products of backpropagated signals and activations, explicit.ts) and 'autograd'
 * for any model (per-sample Jacobians, jacobian.ts); 'auto' picks the first that applies. Everything
 * runs in eval mode (restored afterwards) and in float64 host arithmetic; the autograd path's
 * Jacobian entries are exact in the model's own dtype. Memory is bounded by `chunkSize` samples per
 * block: a block of the autograd path holds chunkSize * O * P numbers, of the explicit path
 * chunkSize * O * (sum of layer widths); blocks of X2 are cached only while they fit 128 MiB.
 */
import { checkEnum, checkOptions, describe } from '../../core/args.js';
import { tensor } from '../../core/create.js';
import { ShapeError, ValueError, fmtShape } from '../../core/errors.js';
import { Tensor } from '../../core/tensor.js';
import { MLP } from '../../nn/mlp.js';
import { Module } from '../../nn/module.js';
import { NTKMLP } from './ntk-mlp.js';
import { explicitPath, explicitSupported } from './explicit.js';
import { type HostData, type KernelPath, jacobianPath } from './jacobian.js';
import { f64, inEval } from './host.js';

export const NTK_MODES = ['full', 'layerwise', 'trace'] as const;
export type NTKMode = (typeof NTK_MODES)[number];
export const NTK_IMPLEMENTATIONS = ['auto', 'explicit', 'autograd'] as const;

export interface NTKOptions {
  /** 'full' (default) [N1, N2, O, O], 'trace' [N1, N2], 'layerwise' one full part per parameter. */
  mode?: NTKMode;
  /** Output indices to include (default all). */
  outputs?: readonly number[] | null;
  /** Samples per Jacobian block (default: as many as fit about 64 MiB of factors, at most 256). */
  chunkSize?: number;
  /** dtype of the result (default 'float64'; the computation is float64 either way). */
  dtype?: 'float32' | 'float64';
  /** 'auto' (default), 'explicit' (MLPs only) or 'autograd'. */
  implementation?: (typeof NTK_IMPLEMENTATIONS)[number];
}

const CACHE_NUMBERS = (128 * 1024 * 1024) / 8;
const BLOCK_NUMBERS = (64 * 1024 * 1024) / 8;

function hostData(where: string, what: string, x: unknown, sampleShape: readonly number[] | null): HostData {
  if (!(x instanceof Tensor)) throw new ValueError(`${where}: ${what} must be a Tensor [N, ...], got ${describe(x)}`, 'INVALID_ARGUMENT');
  if (x.dtype !== 'float32' && x.dtype !== 'float64') throw new ValueError(`${where}: ${what} must be float32 or float64, got ${x.dtype}`, 'INVALID_ARGUMENT');
  if (x.rank < 1) throw new ShapeError(`${where}: ${what} must have a leading sample dimension [N, ...], got a scalar`);
  const rest = x.shape.slice(1);
  if (sampleShape !== null && (rest.length !== sampleShape.length || rest.some((s, i) => s !== sampleShape[i]))) {
    throw new ShapeError(`${where}: ${what} must be [N, ${sampleShape.join(', ')}] to fit the model, got ${fmtShape(x.shape)}`);
  }
  return { values: f64(x), sampleShape: rest, n: x.shape[0]! };
}

/** Number of outputs of the model on one sample (one forward, in eval mode). */
function outputWidth(model: Module, d: HostData, dtype: 'float32' | 'float64'): number {
  const per = d.sampleShape.reduce((a, s) => a * s, 1);
  const part = d.values.subarray(0, per);
  const y = model.forward(tensor(dtype === 'float64' ? part : Float32Array.from(part), { dtype, shape: [1, ...d.sampleShape] }));
  return y.rank === 2 ? y.shape[1]! : 1;
}

/**
 * The empirical NTK of `model` between X1 and X2 (default X1). Read-only: parameters, `.grad`,
 * buffers and training flags are as before the call.
 * @example const k = analysis.ntk(model, x, undefined, { mode: 'trace' });   // [N, N]
 */
export function ntk(model: Module, x1: Tensor, x2: Tensor | null | undefined, opts: NTKOptions & { mode: 'layerwise' }): Record<string, Tensor>;
export function ntk(model: Module, x1: Tensor, x2?: Tensor | null, opts?: NTKOptions & { mode?: 'full' | 'trace' }): Tensor;
export function ntk(model: Module, x1: Tensor, x2?: Tensor | null, opts?: NTKOptions): Tensor | Record<string, Tensor>;
export function ntk(model: Module, x1: Tensor, x2?: Tensor | null, opts: NTKOptions = {}): Tensor | Record<string, Tensor> {
  const where = 'ntk';
  if (!(model instanceof Module)) throw new ValueError(`${where}: model must be an nn.Module, got ${describe(model)}`, 'INVALID_ARGUMENT');
  checkOptions(where, opts, ['mode', 'outputs', 'chunkSize', 'dtype', 'implementation']);
  const mode = checkEnum(where, 'mode', opts.mode ?? 'full', NTK_MODES);
  const dtype = checkEnum(where, 'dtype', opts.dtype ?? 'float64', ['float32', 'float64'] as const);
  const impl = checkEnum(where, 'implementation', opts.implementation ?? 'auto', NTK_IMPLEMENTATIONS);
  const named = model.namedParameters().filter(([, p]) => p.requiresGrad);
  if (named.length === 0) throw new ValueError(`${where}: the model has no trainable parameters`, 'INVALID_ARGUMENT');
  const explicit = impl === 'explicit' || (impl === 'auto' && explicitSupported(model));
  if (impl === 'explicit' && !explicitSupported(model)) {
    throw new ValueError(`${where}: implementation 'explicit' covers nn.MLP without norm layers and analysis.NTKMLP, got ${model.constructor.name}; use 'autograd'`, 'INVALID_ARGUMENT');
  }
  const fixed = model instanceof MLP || model instanceof NTKMLP ? [model.sizes[0]!] : null;
  const d1 = hostData(where, 'X1', x1, fixed);
  const same = x2 === undefined || x2 === null;
  const d2 = same ? d1 : hostData(where, 'X2', x2, fixed ?? d1.sampleShape);
  const pdtype = (named[0]![1].dtype === 'float64' ? 'float64' : 'float32') as 'float32' | 'float64';
  return inEval(model, () => {
    const width = d1.n > 0 ? outputWidth(model, d1, pdtype) : (model instanceof MLP || model instanceof NTKMLP ? model.sizes.at(-1)! : 1);
    const outputs = checkOutputs(where, opts.outputs, width);
    const O = outputs.length;
    const per = explicit ? layerWidthSum(model as MLP | NTKMLP) : named.reduce((a, [, p]) => a + p.size, 0);
    const chunk = opts.chunkSize === undefined
      ? Math.max(1, Math.min(256, Math.floor(BLOCK_NUMBERS / Math.max(1, O * per))))
      : checkChunk(where, opts.chunkSize);
    const names = named.map(([k]) => k);
    const path: KernelPath<unknown> = (explicit
      ? explicitPath(model as MLP | NTKMLP, [d1, d2], outputs, names)
      : jacobianPath(model, named, [d1, d2], outputs, where)) as KernelPath<unknown>;
    const parts = assemble(path, d1.n, d2.n, same, chunk, O, mode === 'trace', O * per);
    const shape = mode === 'trace' ? [d1.n, d2.n] : [d1.n, d2.n, O, O];
    const make = (a: Float64Array): Tensor => tensor(dtype === 'float64' ? a : Float32Array.from(a), { dtype, shape });
    if (mode === 'layerwise') return Object.fromEntries(names.map((k, i) => [k, make(parts[i]!)]));
    const total = new Float64Array(parts[0]!.length);
    for (const p of parts) for (let i = 0; i < total.length; i++) total[i] = total[i]! + p[i]!;
    return make(total);
  });
}

function layerWidthSum(model: MLP | NTKMLP): number {
  return model.sizes.slice(1).reduce((a, s) => a + s, 0) + model.sizes.slice(0, -1).reduce((a, s) => a + s, 0);
}

function checkOutputs(where: string, outputs: unknown, width: number): number[] {
  if (outputs === undefined || outputs === null) return Array.from({ length: width }, (_, i) => i);
  if (!Array.isArray(outputs) || outputs.length === 0 || !outputs.every((o) => Number.isInteger(o) && o >= 0 && o < width)) {
    throw new ValueError(`${where}: outputs must be a non-empty array of output indices in [0, ${width}), got ${describe(outputs)}`, 'INVALID_ARGUMENT');
  }
  if (new Set(outputs).size !== outputs.length) throw new ValueError(`${where}: outputs has a repeated index: ${JSON.stringify(outputs)}`, 'INVALID_ARGUMENT');
  return [...(outputs as number[])];
}

function checkChunk(where: string, c: unknown): number {
  if (typeof c !== 'number' || !Number.isInteger(c) || c < 1) throw new ValueError(`${where}: chunkSize must be an integer >= 1, got ${describe(c)}`, 'INVALID_ARGUMENT');
  return c;
}

/**
 * Blocks of X1 x blocks of X2, contracted and written into the per-parameter result arrays.
 * With X2 = X1 only the upper block triangle is computed and mirrored.
 */
function assemble(path: KernelPath<unknown>, n1: number, n2: number, same: boolean, chunk: number, O: number, traced: boolean, perSample: number): Float64Array[] {
  const parts = path.names.map(() => new Float64Array(n1 * n2 * (traced ? 1 : O * O)));
  const starts = (n: number): number[] => Array.from({ length: Math.ceil(n / chunk) }, (_, i) => i * chunk);
  const cacheable = n2 * perSample <= CACHE_NUMBERS;
  const cache = new Map<number, unknown>();
  const block2 = (s: number): unknown => {
    const hit = cache.get(s);
    if (hit !== undefined) return hit;
    const b = path.block(s, Math.min(n2, s + chunk), same ? 0 : 1);
    if (cacheable) cache.set(s, b);
    return b;
  };
  for (const s1 of starts(n1)) {
    const b1 = same && cacheable ? block2(s1) : path.block(s1, Math.min(n1, s1 + chunk), 0);
    const c1 = path.count(b1);
    for (const s2 of starts(n2)) {
      if (same && s2 < s1) continue;
      const b2 = same && s2 === s1 ? b1 : block2(s2);
      const c2 = path.count(b2);
      const blocks = path.contract(b1, b2, traced);
      blocks.forEach((blk, pi) => {
        const out = parts[pi]!;
        for (let i = 0; i < c1; i++) {
          for (let j = 0; j < c2; j++) {
            for (let o1 = 0; o1 < (traced ? 1 : O); o1++) {
              for (let o2 = 0; o2 < (traced ? 1 : O); o2++) {
                const v = traced ? blk[i * c2 + j]! : blk[(i * O + o1) * c2 * O + j * O + o2]!;
                const I = s1 + i, J = s2 + j;
                out[((I * n2 + J) * (traced ? 1 : O) + o1) * (traced ? 1 : O) + o2] = v;
                if (same && s2 !== s1) out[((J * n2 + I) * (traced ? 1 : O) + o2) * (traced ? 1 : O) + o1] = v;
              }
            }
          }
        }
      });
    }
  }
  return parts;
}
