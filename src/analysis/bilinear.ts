/**
 * @file Weight-based interpretability of bilinear layers (Pearce et al., "Bilinear MLPs enable
 * weight-based mechanistic interpretability", 2024, https://arxiv.org/abs/2410.08417).
 *
 * A bilinear layer y_k = (w_k . x + b_k)(v_k . x + c_k) is the quadratic form y_k = x'^T B_k x' of
 * x' = [x, 1] with the symmetric interaction matrix B_k = (w'_k v'_k^T + v'_k w'_k^T) / 2 (w' = [w, b]).
 * Through a linear readout P (a head: logits_c = sum_k P_ck y_k + const), class c's interaction matrix is
 * Q_c = sum_k P_ck B_k = sym(W'^T diag(P_c) V'). Its eigenvectors are the input directions the class
 * responds to quadratically; for image inputs they are images (`topEigenImages`).
 *
 * Shapes: layer GatedLinear with gate 'identity' (BilinearGLU) of in -> out, or a GLUFeedForward whose
 * gate is 'identity' (then the readout defaults to its `out` layer); readout [C, out]; matrices
 * [K, n, n] with K = C (readout) or out, n = in + 1 with biases (last row/column: the constant input),
 * n = in without. Everything is float64 and read-only (no parameter or gradient changes).
 */
import { tensor } from '../core/create.js';
import { ShapeError, ValueError, fmtShape } from '../core/errors.js';
import { Tensor } from '../core/tensor.js';
import { GLUFeedForward, GatedLinear } from '../nn/mlp/glu.js';
import { Linear } from '../nn/linear.js';
import { type Eigh, eighArray } from './linalg.js';

export interface InteractionOptions {
  /** Readout [C, out] (or a Linear(out, C)): matrices per class; default: the GLUFeedForward's `out`, else none (per hidden unit). */
  readout?: Tensor | Linear | null;
  /** Append the constant input (biases) as the last coordinate (default: when the layer has biases). */
  bias?: boolean;
}

const f64 = (t: Tensor): Float64Array => Float64Array.from(t._peek() as Float32Array | Float64Array);

function bilinearOf(layer: unknown, where: string): { proj: GatedLinear; head: Linear | null } {
  const proj = layer instanceof GLUFeedForward ? layer.proj : layer;
  if (!(proj instanceof GatedLinear)) throw new ValueError(`${where}: layer must be a BilinearGLU, a GatedLinear with gate 'identity' or a GLUFeedForward with gate 'identity', got ${(layer as { constructor?: { name?: string } } | null)?.constructor?.name ?? typeof layer}`);
  if (proj.gate !== 'identity') throw new ValueError(`${where}: the layer's gate is ${JSON.stringify(proj.gate)}; interaction matrices exist only for the bilinear gate 'identity'`);
  return { proj, head: layer instanceof GLUFeedForward ? layer.out : null };
}

/** [out, n] rows w'_k = [w_k, b_k] (bias column only when `withBias`). */
function augmented(lin: Linear, withBias: boolean): Float64Array {
  const { inFeatures: i, outFeatures: o } = lin;
  const w = f64(lin.weight);
  if (!withBias) return w;
  const b = lin.bias ? f64(lin.bias) : new Float64Array(o);
  const out = new Float64Array(o * (i + 1));
  for (let k = 0; k < o; k++) {
    out.set(w.subarray(k * i, (k + 1) * i), k * (i + 1));
    out[k * (i + 1) + i] = b[k]!;
  }
  return out;
}

/**
 * The interaction matrices of a bilinear layer, per output (or per readout row): Tensor [K, n, n]
 * float64, each symmetric, with x'^T Q_k x' equal to the layer's (read-out) output for x' = [x, 1].
 * @example const q = analysis.interactionMatrices(model);   // model: GLUFeedForward(784, h, 10, { gate: 'identity' })
 */
export function interactionMatrices(layer: GatedLinear | GLUFeedForward, opts: InteractionOptions = {}): Tensor {
  const { data, K, n } = interactionData(layer, opts, 'interactionMatrices');
  return tensor(data, { dtype: 'float64', shape: [K, n, n] });
}

/** The matrices as one host array [K, n, n] (read right away from the weights, nothing held across allocations). */
function interactionData(layer: GatedLinear | GLUFeedForward, opts: InteractionOptions, where: string): { data: Float64Array; K: number; n: number } {
  if (opts === null || typeof opts !== 'object') throw new ValueError(`${where}: options must be an object`);
  for (const k of Object.keys(opts)) if (k !== 'readout' && k !== 'bias') throw new ValueError(`${where}: unknown option ${JSON.stringify(k)} (allowed: readout, bias)`);
  const { proj, head } = bilinearOf(layer, where);
  const withBias = opts.bias ?? proj.hasBias;
  if (typeof withBias !== 'boolean') throw new ValueError(`${where}: bias must be true or false, got ${String(withBias)}`);
  const h = proj.outFeatures;
  const n = proj.inFeatures + (withBias ? 1 : 0);
  const readoutArg = opts.readout === undefined ? head : opts.readout;
  let P: Float64Array | null = null;
  let K = h;
  if (readoutArg !== null) {
    const r = readoutArg instanceof Linear ? readoutArg.weight : readoutArg;
    if (!(r instanceof Tensor)) throw new ValueError(`${where}: readout must be a Tensor [C, ${h}], an nn.Linear(${h}, C) or null`);
    if (r.rank !== 2 || r.shape[1] !== h) throw new ShapeError(`${where}: readout must be [C, ${h}] (the layer has ${h} outputs), got ${fmtShape(r.shape)}`);
    P = f64(r);
    K = r.shape[0]!;
  }
  const W = augmented(proj.w, withBias);
  const V = augmented(proj.v, withBias);
  const out = new Float64Array(K * n * n);
  const scaledW = new Float64Array(h * n);
  for (let c = 0; c < K; c++) {
    // scaledW = diag(P_c) W' (or the single row k of W' without a readout), then M = scaledW^T V'.
    scaledW.fill(0);
    for (let k = 0; k < h; k++) {
      const p = P ? P[c * h + k]! : k === c ? 1 : 0;
      if (p === 0) continue;
      for (let i = 0; i < n; i++) scaledW[k * n + i] = p * W[k * n + i]!;
    }
    const q = out.subarray(c * n * n, (c + 1) * n * n);
    for (let k = 0; k < h; k++) {
      const sw = scaledW.subarray(k * n, (k + 1) * n);
      const v = V.subarray(k * n, (k + 1) * n);
      for (let i = 0; i < n; i++) {
        const a = sw[i]!;
        if (a === 0) continue;
        const row = i * n;
        for (let j = 0; j < n; j++) q[row + j] = q[row + j]! + a * v[j]!;
      }
    }
    // Symmetrise: Q = (M + M^T) / 2.
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        const m = (q[i * n + j]! + q[j * n + i]!) / 2;
        q[i * n + j] = m;
        q[j * n + i] = m;
      }
    }
  }
  return { data: out, K, n };
}

/** The eigendecomposition (descending) of every interaction matrix: one `Eigh` per output or class. */
export function interactionEigen(layer: GatedLinear | GLUFeedForward, opts: InteractionOptions = {}): Eigh[] {
  return eigenArrays(layer, opts, 'interactionEigen').map(({ values, vectors, n }) => ({
    values: tensor(values, { dtype: 'float64' }), vectors: tensor(vectors, { dtype: 'float64', shape: [n, n] }),
  }));
}

function eigenArrays(layer: GatedLinear | GLUFeedForward, opts: InteractionOptions, where: string): { values: Float64Array; vectors: Float64Array; n: number }[] {
  const { data, K, n } = interactionData(layer, opts, where);
  return Array.from({ length: K }, (_, c) => ({ ...eighArray(data.slice(c * n * n, (c + 1) * n * n), n, where), n }));
}

export interface EigenImageOptions extends InteractionOptions {
  /** Image shape [H, W] with H * W = the layer's inFeatures (e.g. [28, 28]). */
  shape: readonly [number, number];
  /** Eigenvectors per output, largest eigenvalues first (default 1). */
  k?: number;
}

/**
 * The top-k eigenvectors of each interaction matrix as images: `images` [K, k, H, W] (the bias
 * coordinate dropped) and their eigenvalues `values` [K, k]. Sign convention of `eigh` (largest
 * entry positive) so that images are comparable across runs.
 */
export function topEigenImages(layer: GatedLinear | GLUFeedForward, opts: EigenImageOptions): { images: Tensor; values: Tensor } {
  const where = 'topEigenImages';
  if (opts === null || typeof opts !== 'object') throw new ValueError(`${where}: options { shape: [H, W] } are required`);
  const { shape, k: kArg, ...rest } = opts;
  for (const key of Object.keys(rest)) if (key !== 'readout' && key !== 'bias') throw new ValueError(`${where}: unknown option ${JSON.stringify(key)} (allowed: shape, k, readout, bias)`);
  const { proj } = bilinearOf(layer, where);
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((s) => Number.isInteger(s) && s > 0) || shape[0] * shape[1] !== proj.inFeatures) {
    throw new ValueError(`${where}: shape must be [H, W] with H * W = inFeatures ${proj.inFeatures}, got ${JSON.stringify(shape)}`);
  }
  const k = kArg ?? 1;
  if (!Number.isInteger(k) || k < 1 || k > proj.inFeatures) throw new ValueError(`${where}: k must be an integer in [1, ${proj.inFeatures}], got ${String(k)}`);
  const eig = eigenArrays(layer, rest, where);
  const px = proj.inFeatures;
  const images = new Float64Array(eig.length * k * px);
  const values = new Float64Array(eig.length * k);
  eig.forEach(({ values: vals, vectors: vecs, n }, c) => {
    for (let j = 0; j < k; j++) {
      values[c * k + j] = vals[j]!;
      for (let i = 0; i < px; i++) images[(c * k + j) * px + i] = vecs[i * n + j]!;
    }
  });
  return {
    images: tensor(images, { dtype: 'float64', shape: [eig.length, k, shape[0], shape[1]] }),
    values: tensor(values, { dtype: 'float64', shape: [eig.length, k] }),
  };
}
