/**
 * @file The explicit fast path of the empirical NTK for MLPs (nn.MLP without norms, NTKMLP), as
 * TorchNTK does it (Engel et al. 2022, "TorchNTK", https://arxiv.org/abs/2205.12372): the Jacobian of
 * a dense layer z = s_w h W^T + s_b b is never formed. With g = d f_o / d z (the backpropagated signal,
 * [N * O, out]) and the layer input h ([N, in]),
 *   K_W[(n, o), (m, p)] = (g_no . g_mp) (s_w^2 h_n . h_m),   K_b[(n, o), (m, p)] = s_b^2 (g_no . g_mp),
 * and traced over outputs (o = p summed) the first is ((G G^T) * (s_w^2 H H^T)) with G the signals
 * flattened to [N, O * out]. The cost is O(N^2 O (in + out)) per layer instead of O(N^2 O in out).
 *
 * Residual MLPs are covered (dL/dh_{l-1} gains the skip term); the hidden activation's derivative is
 * taken by autograd elementwise, so every activation of nn.ACTIVATIONS works.
 */
import { tensor } from '../../core/create.js';
import { gradients } from '../../core/autograd.js';
import { enableGrad } from '../../core/grad-mode.js';
import { frame } from '../../core/memory.js';
import type { Tensor } from '../../core/tensor.js';
import { sum } from '../../ops/primitives/index.js';
import { Linear } from '../../nn/linear.js';
import { MLP } from '../../nn/mlp.js';
import type { Module } from '../../nn/module.js';
import { NTKLinear, NTKMLP } from './ntk-mlp.js';
import { abt, f64 } from './host.js';
import type { HostData, KernelPath } from './jacobian.js';

interface Layer {
  din: number; dout: number;
  W: Float64Array; WT: Float64Array; sw: number;
  b: Float64Array | null; sb: number;
  weightName: string; biasName: string | null;
  /** Hidden layers only: whether the block adds its input back (residual, same width). */
  residual: boolean;
}

export interface ExplicitBlock {
  count: number;
  /** Per layer: its input scaled by s_w, [c, din]. */
  inputs: Float64Array[];
  /** Per layer: d f_o / d z, [c * O, dout] (row n * O + o). */
  signals: Float64Array[];
}

/** Whether the explicit path covers `model` (the MLPs it knows, without norm layers, every parameter trainable). */
export function explicitSupported(model: Module): boolean {
  if (!(model instanceof MLP && model.normName === null) && !(model instanceof NTKMLP)) return false;
  return model.parameters().every((p) => p.requiresGrad);
}

function layersOf(model: MLP | NTKMLP): Layer[] {
  const n = model.layers.length;
  return Array.from({ length: n }, (_, i) => {
    const lin = model.layers.at(i) as Linear | NTKLinear;
    const { inFeatures: din, outFeatures: dout } = lin;
    const W = f64(lin.weight);
    const WT = new Float64Array(din * dout);
    for (let r = 0; r < dout; r++) for (let c = 0; c < din; c++) WT[c * dout + r] = W[r * din + c]!;
    const ntk = lin instanceof NTKLinear;
    const sb = ntk ? lin.biasStd : 1;
    const b = lin.bias ? f64(lin.bias).map((v) => v * sb) : null;
    return {
      din, dout, W, WT, sw: ntk ? lin.weightScale : 1, b, sb,
      weightName: `layers.${i}.weight`, biasName: lin.bias ? `layers.${i}.bias` : null,
      residual: model instanceof MLP && model.residual && i < n - 1 && din === dout,
    };
  });
}

/** act(z) and act'(z) elementwise, through the model's own activation (autograd for the derivative). */
function activate(model: MLP | NTKMLP, z: Float64Array, c: number, d: number): { u: Float64Array; du: Float64Array } {
  return frame(() => enableGrad(() => {
    const zt = tensor(z, { dtype: 'float64', shape: [c, d] }).requiresGrad_();
    const u: Tensor = model instanceof NTKMLP ? model.act(zt) : model.activation.forward(zt);
    const [du] = gradients([sum(u)], [zt], { allowUnused: true });
    return { u: f64(u), du: f64(du!) };
  }));
}

/** The explicit path over `model` for outputs `outputs`; `names` orders the parts as namedParameters() does. */
export function explicitPath(model: MLP | NTKMLP, data: readonly [HostData, HostData], outputs: readonly number[], names: readonly string[]): KernelPath<ExplicitBlock> {
  const layers = layersOf(model);
  const O = outputs.length;
  const L = layers.length;
  // Where each parameter's part comes from: [layer, 'w' | 'b'].
  const source = names.map((name) => {
    const li = layers.findIndex((l) => l.weightName === name || l.biasName === name);
    return { li, bias: layers[li]!.biasName === name };
  });
  return {
    names,
    count: (b) => b.count,
    block(start, end, set) {
      const d = data[set];
      const c = end - start;
      const D = layers[0]!.din;
      let h: Float64Array = d.values.slice(start * D, end * D);
      const inputs: Float64Array[] = [];
      const derivs: Float64Array[] = [];
      for (let l = 0; l < L; l++) {
        const lay = layers[l]!;
        inputs.push(lay.sw === 1 ? h : h.map((v) => v * lay.sw));
        if (l === L - 1) break;
        const z = abt(h, c, lay.W, lay.dout, lay.din);
        for (let n = 0; n < c; n++) for (let j = 0; j < lay.dout; j++) z[n * lay.dout + j] = z[n * lay.dout + j]! * lay.sw + (lay.b ? lay.b[j]! : 0);
        const { u, du } = activate(model, z, c, lay.dout);
        if (lay.residual) for (let i = 0; i < u.length; i++) u[i] = u[i]! + h[i]!;
        derivs.push(du);
        h = u;
      }
      // Backward: the last layer's signal selects the outputs; each earlier one is g W s_w times act'.
      const signals: Float64Array[] = new Array<Float64Array>(L);
      const last = layers[L - 1]!;
      const gL = new Float64Array(c * O * last.dout);
      for (let n = 0; n < c; n++) outputs.forEach((o, oi) => { gL[(n * O + oi) * last.dout + o] = 1; });
      signals[L - 1] = gL;
      let dh: Float64Array | null = null;   // d f / d h_l, [c * O, d_l]
      for (let l = L - 2; l >= 0; l--) {
        const up = layers[l + 1]!;
        const back = abt(signals[l + 1]!, c * O, up.WT, up.din, up.dout);
        if (up.sw !== 1) for (let i = 0; i < back.length; i++) back[i] = back[i]! * up.sw;
        if (dh !== null && up.residual) for (let i = 0; i < back.length; i++) back[i] = back[i]! + dh[i]!;
        dh = back;
        const du = derivs[l]!;
        const w = layers[l]!.dout;
        const g = new Float64Array(c * O * w);
        for (let n = 0; n < c; n++) {
          for (let oi = 0; oi < O; oi++) {
            const r = (n * O + oi) * w;
            for (let j = 0; j < w; j++) g[r + j] = dh[r + j]! * du[n * w + j]!;
          }
        }
        signals[l] = g;
      }
      return { count: c, inputs, signals };
    },
    contract(b1, b2, traced) {
      const c1 = b1.count, c2 = b2.count;
      const gram = new Map<number, Float64Array>();   // signal products per layer, shared by W and b
      const signalGram = (li: number): Float64Array => {
        let g = gram.get(li);
        if (g === undefined) {
          const w = layers[li]!.dout;
          g = traced ? abt(b1.signals[li]!, c1, b2.signals[li]!, c2, O * w) : abt(b1.signals[li]!, c1 * O, b2.signals[li]!, c2 * O, w);
          gram.set(li, g);
        }
        return g;
      };
      return source.map(({ li, bias }) => {
        const lay = layers[li]!;
        const G = signalGram(li);
        if (bias) return lay.sb === 1 ? G.slice() : G.map((v) => v * lay.sb * lay.sb);
        const A = abt(b1.inputs[li]!, c1, b2.inputs[li]!, c2, lay.din);
        const out = new Float64Array(G.length);
        if (traced) for (let i = 0; i < out.length; i++) out[i] = G[i]! * A[i]!;
        else {
          for (let n1 = 0; n1 < c1; n1++) {
            for (let o1 = 0; o1 < O; o1++) {
              const r = (n1 * O + o1) * c2 * O;
              for (let n2 = 0; n2 < c2; n2++) {
                const a = A[n1 * c2 + n2]!;
                for (let o2 = 0; o2 < O; o2++) out[r + n2 * O + o2] = G[r + n2 * O + o2]! * a;
              }
            }
          }
        }
        return out;
      });
    },
  };
}
