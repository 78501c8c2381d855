/**
 * @file Symbolic snapping of KANs (Liu et al. 2024, arXiv 2404.19756, section 2.5.1; pykan's
 * fix_symbolic / auto_symbolic / symbolic_formula). A SymbolicKAN wraps copies of a KAN's (or
 * S-KAN's) layers; any edge can be FIXED to c f(a x + b) + d with f from the library
 * (symbolic-lib.ts). A fixed edge no longer uses its numeric function (it is masked out, so its
 * spline coefficients get zero gradient) and evaluates the symbolic form, whose affine parameters
 * (a, b, c, d) stay trainable, as in pykan. When every edge is fixed, `formula()` prints the
 * network as one closed-form expression per output.
 *
 * Shapes: x [..., n_0] -> [..., n_L]. State keys `layers.l.numeric.*` (the wrapped layer) and
 * `layers.l.affine` [out, in, 4] = (a, b, c, d) per edge; the function of every edge ('' =
 * numeric) is part of getConfig, so io.saveModel / loadModel round-trip all of it.
 */
import { type FloatDType } from '../../core/dtype.js';
import { ValueError } from '../../core/errors.js';
import { tensor } from '../../core/create.js';
import { noGrad } from '../../core/grad-mode.js';
import { defaultGenerator } from '../../core/rng.js';
import type { Tensor } from '../../core/tensor.js';
import { add, indexSelect, mm, mul, reshape, sliceAxis, sum } from '../../ops/primitives/index.js';
import { Module, Parameter } from '../module.js';
import { type ModuleConfig, fromConfig, registerModule } from '../config.js';
import { checkInt } from '../check.js';
import { KANStack } from './stack.js';
import { ModuleList } from '../container.js';
import { KAN } from './kan.js';
import { KANLinear } from './kan-linear.js';
import { SKAN, SKANLinear, range } from './s-kan.js';
import { type SuggestOptions, type SymbolicFit, SYMBOLIC_LIBRARY, fitSymbolic, suggestSymbolic, symbolicFunction } from './symbolic-lib.js';

type NumericLayer = KANLinear | SKANLinear;

/** A numeric KAN layer with per-edge symbolic overrides. x [..., in] -> [..., out]. */
export class SymbolicKANLayer extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  numeric: NumericLayer;
  /** (a, b, c, d) per edge, [out, in, 4]; used by fixed edges only. */
  affine: Parameter;
  /** Function name per edge, row-major [out * in]; '' = the numeric function. */
  readonly functions: string[];

  constructor(numeric: NumericLayer, functions?: readonly string[]) {
    super();
    this.numeric = numeric;
    this.inFeatures = numeric.inFeatures;
    this.outFeatures = numeric.outFeatures;
    const E = this.inFeatures * this.outFeatures;
    if (functions && functions.length !== E) throw new ValueError(`SymbolicKANLayer: expected ${E} edge functions, got ${functions.length}`);
    for (const f of functions ?? []) if (f !== '') symbolicFunction(f);
    this.functions = functions ? [...functions] : new Array<string>(E).fill('');
    const init = new Float64Array(E * 4);
    for (let e = 0; e < E; e++) { init[e * 4] = 1; init[e * 4 + 2] = 1; }
    this.affine = new Parameter(tensor(init, { dtype: numeric.parameters()[0]!.dtype as FloatDType, shape: [this.outFeatures, this.inFeatures, 4] }));
  }

  get bias(): Parameter | null {
    return this.numeric.bias;
  }

  /** Edge (j, i)'s function name, '' when numeric. */
  edgeFunction(j: number, i: number): string {
    return this.functions[j * this.inFeatures + i]!;
  }

  /** (a, b, c, d) of edge (j, i). */
  edgeAffine(j: number, i: number): [number, number, number, number] {
    const v = this.affine.values;
    const o = (j * this.inFeatures + i) * 4;
    return [v[o]!, v[o + 1]!, v[o + 2]!, v[o + 3]!];
  }

  get numFixed(): number {
    return this.functions.filter((f) => f !== '').length;
  }

  forward(x: Tensor): Tensor {
    if (this.numFixed === 0) return this.numeric.forward(x);
    const y = sum(this.edgeActivations(x), -1);
    return this.bias ? add(y, this.bias) : y;
  }

  /** x [..., in] -> [..., out, in]: numeric edges from the wrapped layer, fixed ones symbolic. */
  edgeActivations(x: Tensor): Tensor {
    const e = this.numeric.edgeActivations(x);
    if (this.numFixed === 0) return e;
    const lead = x.shape.slice(0, -1);
    const F = this.inFeatures;
    const E = F * this.outFeatures;
    const dtype = e.dtype;
    const x2 = reshape(x, [x.size / F, F]);
    const N = x2.shape[0]!;
    const mask = tensor(Float64Array.from(this.functions, (f) => (f === '' ? 1 : 0)), { dtype, shape: [this.outFeatures, F] });
    let out = mul(reshape(e, [N, this.outFeatures, F]), mask);
    const table = reshape(this.affine, [E, 4]);
    for (const name of new Set(this.functions)) {
      if (name === '' || name === '0') continue;
      const ids = range(E).filter((k) => this.functions[k] === name);
      const sel = indexSelect(table, 0, ids); // [m, 4]
      const col = (c: number): Tensor => reshape(sliceAxis(sel, 1, c, c + 1), [ids.length]);
      const xi = indexSelect(x2, 1, ids.map((k) => k % F)); // [N, m]
      const v = add(mul(symbolicFunction(name).op(add(mul(xi, col(0)), col(1))), col(2)), col(3));
      // Scatter the m edge values to their places with a constant one-hot [m, E] matrix.
      const place = new Float64Array(ids.length * E);
      ids.forEach((k, r) => { place[r * E + k] = 1; });
      out = add(out, reshape(mm(v, tensor(place, { dtype, shape: [ids.length, E] })), [N, this.outFeatures, F]));
    }
    return reshape(out, [...lead, this.outFeatures, F]);
  }

  /** Descriptive only (not registered): SymbolicKAN's config rebuilds its layers. */
  override getConfig(): ModuleConfig {
    return { type: 'SymbolicKANLayer', numeric: this.numeric.getConfig(), functions: [...this.functions] };
  }

  /** Fixes edge (j, i) to `name` with the given (a, b, c, d). */
  setEdge(j: number, i: number, name: string, affine: readonly [number, number, number, number] = [1, 0, 1, 0]): void {
    checkInt('SymbolicKANLayer.setEdge', 'j', j, 0);
    checkInt('SymbolicKANLayer.setEdge', 'i', i, 0);
    if (j >= this.outFeatures || i >= this.inFeatures) throw new ValueError(`SymbolicKANLayer.setEdge: edge (${j}, ${i}) is outside [${this.outFeatures}, ${this.inFeatures}]`, 'INDEX_OUT_OF_RANGE');
    if (name !== '') symbolicFunction(name);
    const k = j * this.inFeatures + i;
    this.functions[k] = name;
    const v = Float64Array.from(this.affine.values);
    v.set(affine, k * 4);
    noGrad(() => this.affine.assign(v));
  }
}

export interface AutoSymbolicOptions extends SuggestOptions {
  /** Only fix edges whose best fit reaches this R^2 (default 0: fix every edge). */
  r2Threshold?: number;
  /** Samples per edge used in the fit (default 256; evenly strided subset of the N given). */
  maxSamples?: number;
}

export interface EdgeReport extends SymbolicFit {
  layer: number;
  out: number;
  in: number;
}

/**
 * A KAN (or S-KAN) whose edges can be fixed to symbolic functions.
 * @example
 * const sym = nn.SymbolicKAN.from(kan);
 * const report = sym.autoSymbolic(xTrain);    // [{layer, out, in, fn: 'sin', r2: 0.9999, a, b, c, d}, ...]
 * console.log(sym.formula().join('\n'));       // "1.0*exp(0.99*sin(3.14*x1) + 1.01*x2^2 - 0.01)"
 */
export class SymbolicKAN extends KANStack<SymbolicKANLayer> {
  readonly widths: number[];
  readonly layers: ModuleList;

  constructor(layers: readonly SymbolicKANLayer[]) {
    super();
    if (!layers.length) throw new ValueError('SymbolicKAN: needs at least one layer');
    for (let l = 1; l < layers.length; l++) {
      if (layers[l]!.inFeatures !== layers[l - 1]!.outFeatures) throw new ValueError(`SymbolicKAN: layer ${l} takes ${layers[l]!.inFeatures} inputs but layer ${l - 1} gives ${layers[l - 1]!.outFeatures}`);
    }
    this.widths = [layers[0]!.inFeatures, ...layers.map((m) => m.outFeatures)];
    this.layers = new ModuleList(layers);
  }

  /** Wraps COPIES of the layers of a KAN, S-KAN or SymbolicKAN (the source is not changed). */
  static from(model: KAN | SKAN | SymbolicKAN): SymbolicKAN {
    if (model instanceof SymbolicKAN) return copyModule(model) as SymbolicKAN;
    return new SymbolicKAN(range(model.depth).map((l) => new SymbolicKANLayer(copyModule(model.layer(l)) as NumericLayer)));
  }


  /** Samples of edge (l, j, i) on x [N, n_0]: its input and its current activation. */
  edgeSamples(x: Tensor, l: number, j: number, i: number, maxSamples = Infinity): { x: Float64Array; y: Float64Array } {
    return this.allEdgeSamples(x, maxSamples)(l, j, i);
  }

  /** The library fits of edge (l, j, i) on samples x [N, n_0], best first. */
  suggestSymbolic(x: Tensor, l: number, j: number, i: number, opts: AutoSymbolicOptions = {}): ReturnType<typeof suggestSymbolic> {
    const s = this.edgeSamples(x, l, j, i, opts.maxSamples ?? 256);
    return suggestSymbolic(s.x, s.y, opts);
  }

  /**
   * Fixes edge (l, j, i) to `name`. With samples x [N, n_0], (a, b, c, d) are fitted to the
   * edge's current function (returned with its R^2); else `affine` (default (1, 0, 1, 0)).
   */
  fixSymbolic(l: number, j: number, i: number, name: string, opts: { x?: Tensor; affine?: readonly [number, number, number, number] } & AutoSymbolicOptions = {}): SymbolicFit {
    const layer = this.layer(l);
    symbolicFunction(name);
    if (!opts.x) {
      const [a, b, c, d] = opts.affine ?? [1, 0, 1, 0];
      layer.setEdge(j, i, name, [a, b, c, d]);
      return { fn: name, a, b, c, d, r2: NaN };
    }
    const s = this.edgeSamples(opts.x, l, j, i, opts.maxSamples ?? 256);
    const fit = fitSymbolic(s.x, s.y, name, opts);
    layer.setEdge(j, i, name, [fit.a, fit.b, fit.c, fit.d]);
    return fit;
  }

  /** Back to the numeric function on edge (l, j, i). */
  unfixSymbolic(l: number, j: number, i: number): void {
    this.layer(l).setEdge(j, i, '');
  }

  /**
   * Fixes every numeric edge to its best library function on samples x [N, n_0] (pykan's
   * auto_symbolic): the candidates are ranked by R^2 with the complexity tie-break of
   * SuggestOptions.weightSimple. All edges are fitted on the activations of the model as it is
   * when called. Returns one report per edge fixed.
   */
  autoSymbolic(x: Tensor, opts: AutoSymbolicOptions = {}): EdgeReport[] {
    const samples = this.allEdgeSamples(x, opts.maxSamples ?? 256);
    const report: EdgeReport[] = [];
    for (let l = 0; l < this.depth; l++) {
      const layer = this.layer(l);
      for (let j = 0; j < layer.outFeatures; j++) {
        for (let i = 0; i < layer.inFeatures; i++) {
          if (layer.edgeFunction(j, i) !== '') continue;
          const s = samples(l, j, i);
          const best = suggestSymbolic(s.x, s.y, opts)[0]!;
          if (best.r2 < (opts.r2Threshold ?? 0)) continue;
          layer.setEdge(j, i, best.fn, [best.a, best.b, best.c, best.d]);
          report.push({ layer: l, out: j, in: i, fn: best.fn, a: best.a, b: best.b, c: best.c, d: best.d, r2: best.r2 });
        }
      }
    }
    return report;
  }

  /**
   * The network as one expression per output (pykan's symbolic_formula), with inputs named
   * `names` (default x1, x2, ...). Coefficients are printed to `digits` significant digits;
   * trivial parts are dropped (a coefficient 1, a shift below 1e-10, '0' edges) and the constants of an
   * output are summed into one. A still-numeric edge prints as phi_l_j_i(...).
   */
  formula(opts: { names?: readonly string[]; digits?: number } = {}): string[] {
    const digits = opts.digits ?? 4;
    const names = opts.names ?? range(this.widths[0]!).map((i) => `x${i + 1}`);
    if (names.length !== this.widths[0]) throw new ValueError(`SymbolicKAN.formula: ${names.length} names for ${this.widths[0]} inputs`);
    let exprs: Expr[] = names.map((s) => ({ s, atom: true }));
    for (let l = 0; l < this.depth; l++) exprs = layerFormula(this.layer(l), l, exprs, digits);
    return exprs.map((e) => e.s);
  }

  override getConfig(): ModuleConfig {
    return {
      type: 'SymbolicKAN',
      layers: range(this.depth).map((l) => this.layer(l).numeric.getConfig()),
      functions: range(this.depth).map((l) => [...this.layer(l).functions]),
    };
  }

  /** A sampler (l, j, i) -> {x, y} over one noGrad pass on x [N, n_0], every `stride`-th sample. */
  private allEdgeSamples(x: Tensor, maxSamples: number): (l: number, j: number, i: number) => { x: Float64Array; y: Float64Array } {
    const { edges, inputs } = noGrad(() => this.forwardWithEdges(x));
    const N = inputs[0]!.shape[0]!;
    const stride = Math.max(1, Math.ceil(N / maxSamples));
    const idx = range(Math.ceil(N / stride)).map((r) => r * stride);
    return (l, j, i) => {
      const layer = this.layer(l);
      checkInt('SymbolicKAN', 'layer', l, 0);
      if (l >= this.depth || j >= layer.outFeatures || i >= layer.inFeatures) throw new ValueError(`SymbolicKAN: edge (${l}, ${j}, ${i}) does not exist`, 'INDEX_OUT_OF_RANGE');
      const F = layer.inFeatures;
      const xin = inputs[l]!.values;
      const e = edges[l]!.values;
      return {
        x: Float64Array.from(idx, (n) => xin[n * F + i]!),
        y: Float64Array.from(idx, (n) => e[(n * layer.outFeatures + j) * F + i]!),
      };
    };
  }
}

/** A deep copy through config + state dict, without touching the global random stream. */
function copyModule(m: Module): Module {
  const rng = defaultGenerator.getState();
  try {
    const copy = fromConfig(m.getConfig());
    copy.loadStateDict(m.stateDict());
    return copy;
  } finally {
    defaultGenerator.setState(rng);
  }
}

// ---- formula printing -----------------------------------------------------------------------

interface Expr {
  s: string;
  /** A single name or number: needs no parentheses as an operand. */
  atom: boolean;
}

/** v to `digits` significant digits; |v| < 1e-10 (what a refit leaves of a zero shift) prints as 0. */
const num = (v: number, digits: number): string => {
  if (Math.abs(v) < 1e-10) return '0';
  const s = String(Number(v.toPrecision(digits)));
  return s === '-0' ? '0' : s;
};

/** a*E + b with the trivial parts dropped. */
function affineOf(a: number, e: Expr, b: number, digits: number): Expr {
  const as = num(a, digits);
  const bs = num(b, digits);
  let s = as === '1' ? e.s : as === '-1' ? `-${e.atom ? e.s : `(${e.s})`}` : `${as}*${e.atom ? e.s : `(${e.s})`}`;
  if (as === '0') s = '';
  if (bs !== '0') s = s === '' ? bs : b < 0 ? `${s} - ${bs.slice(1)}` : `${s} + ${bs}`;
  if (s === '') s = '0';
  return { s, atom: /^[\w.]+$/.test(s) };
}

/** c * term, with c = 1 and c = -1 written without the 1. */
function scaled(c: number, term: string, digits: number): string | null {
  const cs = num(c, digits);
  if (cs === '0') return null;
  return cs === '1' ? term : cs === '-1' ? `-${term}` : `${cs}*${term}`;
}

function layerFormula(layer: SymbolicKANLayer, l: number, inputs: Expr[], digits: number): Expr[] {
  const out: Expr[] = [];
  const bias = layer.bias?.values;
  for (let j = 0; j < layer.outFeatures; j++) {
    const terms: string[] = [];
    let constant = bias ? bias[j]! : 0;
    for (let i = 0; i < layer.inFeatures; i++) {
      const name = layer.edgeFunction(j, i);
      const e = inputs[i]!;
      if (name === '') {
        terms.push(`phi_${l}_${j}_${i}(${e.s})`);
        continue;
      }
      const [a, b, c, d] = layer.edgeAffine(j, i);
      if (name === '0') continue;
      constant += d;
      if (name === 'x') {
        // c (a x + b) + d = (c a) x + (c b + d): merge the constant.
        constant += c * b;
        const t = scaled(c * a, e.atom ? e.s : `(${e.s})`, digits);
        if (t) terms.push(t);
        continue;
      }
      const arg = affineOf(a, e, b, digits);
      const t = scaled(c, SYMBOLIC_LIBRARY.get(name)!.format(arg.s, arg.atom), digits);
      if (t) terms.push(t);
    }
    const cs = num(constant, digits);
    if (cs !== '0' || terms.length === 0) terms.push(cs);
    const s = terms.reduce((acc, t, k) => (k === 0 ? t : t.startsWith('-') ? `${acc} - ${t.slice(1)}` : `${acc} + ${t}`), '');
    out.push({ s, atom: /^[\w.]+$/.test(s) });
  }
  return out;
}

registerModule('SymbolicKAN', (c) => {
  const raw = c.raw('functions');
  const cfgs = c.raw('layers');
  if (!Array.isArray(cfgs) || !Array.isArray(raw) || raw.length !== cfgs.length) {
    throw new ValueError(`fromConfig(SymbolicKAN): ${c.path}.layers and .functions must be arrays of equal length`, 'INVALID_CONFIG');
  }
  const numeric = c.modules('layers');
  return new SymbolicKAN(numeric.map((m, l) => {
    if (!(m instanceof KANLinear || m instanceof SKANLinear)) throw new ValueError(`fromConfig(SymbolicKAN): ${c.path}.layers[${l}] must be a KANLinear or SKANLinear`, 'INVALID_CONFIG');
    const f = raw[l];
    if (!Array.isArray(f) || !f.every((s) => s === '' || (typeof s === 'string' && SYMBOLIC_LIBRARY.has(s)))) {
      throw new ValueError(`fromConfig(SymbolicKAN): ${c.path}.functions[${l}] must list '' or a library function (${[...SYMBOLIC_LIBRARY.keys()].join(', ')}) per edge`, 'INVALID_CONFIG');
    }
    if (f.length !== m.inFeatures * m.outFeatures) throw new ValueError(`fromConfig(SymbolicKAN): ${c.path}.functions[${l}] has ${f.length} entries for ${m.outFeatures * m.inFeatures} edges`, 'INVALID_CONFIG');
    return new SymbolicKANLayer(m, f as string[]);
  }));
});
