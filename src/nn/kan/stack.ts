/**
 * @file What KAN, SKAN and SymbolicKAN share: a stack of edge layers (x [..., in] -> [..., out],
 * each output the sum of its per-edge functions plus an optional bias), run layer by layer, with
 * the per-layer inputs and edge activations [..., out_l, in_l] that regularisation, pruning,
 * symbolic fitting and plots read (pykan's acts / spline_postacts).
 */
import type { Tensor } from '../../core/tensor.js';
import { add, sum } from '../../ops/primitives/index.js';
import { Module } from '../module.js';
import type { ModuleList } from '../container.js';

/** A layer the stack can hold: forward, its edge functions phi_ji(x_i) and its output bias. */
export interface EdgeLayer extends Module {
  forward(x: Tensor): Tensor;
  /** [..., out, in]; summed over the last axis plus the bias it equals forward(x). */
  edgeActivations(x: Tensor): Tensor;
  readonly bias: Tensor | null;
}

export abstract class KANStack<L extends EdgeLayer> extends Module {
  abstract readonly widths: number[];
  abstract readonly layers: ModuleList;

  /** Layer l. */
  layer(l: number): L {
    return this.layers.at(l) as L;
  }

  get depth(): number {
    return this.layers.length;
  }

  forward(x: Tensor): Tensor {
    let h = x;
    for (let l = 0; l < this.depth; l++) h = this.layer(l).forward(h);
    return h;
  }

  /** The input of every layer and the output: [x, a_1, ..., a_L] (pykan's `acts`). */
  activations(x: Tensor): Tensor[] {
    const acts = [x];
    for (let l = 0; l < this.depth; l++) acts.push(this.layer(l).forward(acts[l]!));
    return acts;
  }

  /** Per layer, phi_ji(x_i) as [..., out_l, in_l] (pykan's spline_postacts), on this model's activations. */
  edgeActivations(x: Tensor): Tensor[] {
    return this.forwardWithEdges(x).edges;
  }

  /**
   * One pass giving the output, every layer's edge activations and every layer's input (the output
   * is recomputed from the edges, so a regulariser on them costs no second forward).
   */
  forwardWithEdges(x: Tensor): { y: Tensor; edges: Tensor[]; inputs: Tensor[] } {
    const edges: Tensor[] = [];
    const inputs: Tensor[] = [];
    let h = x;
    for (let l = 0; l < this.depth; l++) {
      const layer = this.layer(l);
      inputs.push(h);
      const e = layer.edgeActivations(h);
      edges.push(e);
      h = sum(e, -1);
      if (layer.bias) h = add(h, layer.bias);
    }
    return { y: h, edges, inputs };
  }
}
