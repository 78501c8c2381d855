/**
 * @file Reverse-mode autograd over the recorded graph. Backward rules are primitives' vjps written
 * with ops, so with `createGraph` the backward pass is itself recorded and can be differentiated
 * again (grad of grad, Hessian-vector products). Broadcasting is undone here, once, for every op.
 */
import { AutogradError, ShapeError, ValueError, fmtShape } from './errors.js';
import { enableGrad, isGradEnabled, noGrad } from './grad-mode.js';
import { apply } from './dispatch.js';
import { getPrimitive } from './primitive.js';
import { type Shape, shapesEqual } from './shape.js';
import { allocStorage, frame, releaseSaved } from './memory.js';
import { currentBackend } from './backend.js';
import { Tensor } from './tensor.js';

export interface BackwardOptions {
  /** Record the backward pass so its results can be differentiated again. */
  createGraph?: boolean;
  /** Keep the graph for another backward (default: createGraph). */
  retainGraph?: boolean;
}

/** Sums a broadcast gradient back to `shape` (leading dims, and dims that were 1). */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.shape.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.shape.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  let r = axes.length ? apply(getPrimitive('sum'), [g], { axes, keepDims: true }) : g;
  if (!shapesEqual(r.shape, shape)) r = apply(getPrimitive('reshape'), [r], { shape });
  return r;
}

function onesLike(t: Tensor): Tensor {
  const s = allocStorage(currentBackend(), t.dtype, t.size, t.shape, 'backward');
  const out = new Tensor(s, t.shape, t.dtype);
  out.values.fill(1);
  return out;
}

/** Post-order of tensors reachable from `roots` through nodes that need grad; stops at `stops`. */
function topoOrder(roots: readonly Tensor[], stops: ReadonlySet<Tensor>): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: [Tensor, number][] = [];
  for (const r of roots) {
    if (seen.has(r)) continue;
    seen.add(r);
    stack.push([r, 0]);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [t, i] = top;
      const ins = stops.has(t) ? null : t._node?.inputs;
      if (ins && i < ins.length) {
        top[1]++;
        const x = ins[i]!;
        if (x.requiresGrad && !seen.has(x)) {
          seen.add(x);
          stack.push([x, 0]);
        }
      } else {
        stack.pop();
        order.push(t);
      }
    }
  }
  return order;
}

function checkNode(t: Tensor): readonly Tensor[] {
  const node = t._node!;
  if (node.inputs === null) {
    throw new AutogradError('GRAPH_FREED', `backward: trying to backward through the graph a second time (op '${node.prim.name}'); its saved tensors were freed after the first backward. Pass {retainGraph: true} to the first call`);
  }
  for (let i = 0; i < node.inputs.length; i++) {
    const x = node.inputs[i]!;
    if (x._storage.version !== node.versions[i]) {
      throw new AutogradError('INPLACE_MODIFIED', `backward: input ${i} of '${node.prim.name}' (tensor #${x.id} ${fmtShape(x.shape)}) was modified in place after it was saved for backward`);
    }
  }
  if (t._storage.version !== t._version) {
    throw new AutogradError('INPLACE_MODIFIED', `backward: the output of '${node.prim.name}' (tensor #${t.id} ${fmtShape(t.shape)}) was modified in place after it was saved for backward`);
  }
  return node.inputs;
}

/** Core pass: gradients of `roots` (seeded) with respect to every tensor on the way. */
function propagate(roots: readonly Tensor[], seeds: readonly Tensor[], stops: ReadonlySet<Tensor>, retain: boolean): Map<Tensor, Tensor> {
  const order = topoOrder(roots, stops);
  const grads = new Map<Tensor, Tensor>();
  const add = getPrimitive('add');
  const cast = getPrimitive('cast');
  const accumulate = (t: Tensor, g: Tensor): void => {
    const prev = grads.get(t);
    grads.set(t, prev ? apply(add, [prev, g], {}) : g);
  };
  roots.forEach((r, i) => accumulate(r, seeds[i]!));
  const visited: Tensor[] = [];
  for (let k = order.length - 1; k >= 0; k--) {
    const t = order[k]!;
    const g = grads.get(t);
    if (!g || !t._node || stops.has(t)) continue;
    const inputs = checkNode(t);
    visited.push(t);
    const node = t._node;
    const gi = node.prim.vjp!(g, inputs, t, node.attrs as never);
    for (let i = 0; i < inputs.length; i++) {
      const x = inputs[i]!;
      let gx = gi[i];
      if (!gx || !x.requiresGrad) continue;
      gx = sumToShape(gx, x.shape);
      if (gx.dtype !== x.dtype) gx = apply(cast, [gx], { dtype: x.dtype });
      accumulate(x, gx);
    }
  }
  if (!retain) for (const t of visited) releaseNode(t);
  return grads;
}

/**
 * Frees a node's saved tensors (PyTorch frees saved variables after backward): the inputs and the
 * output it kept for its vjp. A graph-owned tensor no other node holds is disposed right here.
 */
function releaseNode(t: Tensor): void {
  const node = t._node!;
  const ins = node.inputs!;
  node.inputs = null;
  for (const x of ins) releaseSaved(x);
  releaseSaved(t);
}

function checkSeed(root: Tensor, seed: Tensor | undefined, op: string): Tensor {
  if (!root.requiresGrad) {
    throw new AutogradError('NO_GRAD', `${op}: tensor #${root.id} ${fmtShape(root.shape)} does not require grad and has no gradFn (did any input call requiresGrad_()?)`);
  }
  if (seed === undefined) {
    if (root.size !== 1) {
      throw new AutogradError('NON_SCALAR', `${op}: gradient can be implicitly created only for scalar outputs; got shape ${fmtShape(root.shape)}, pass a seed gradient of that shape`);
    }
    return onesLike(root);
  }
  if (!shapesEqual(seed.shape, root.shape)) {
    throw new ShapeError(`${op}: seed gradient shape ${fmtShape(seed.shape)} does not match output shape ${fmtShape(root.shape)}`);
  }
  return seed;
}

/** `t.backward(seed)`: accumulates into `.grad` of leaves that require grad. */
export function backward(root: Tensor, seed: Tensor | undefined, opts: BackwardOptions): void {
  const create = opts.createGraph ?? false;
  const retain = opts.retainGraph ?? create;
  // A frame: every gradient temporary (the implicit seed too) is freed on return; only the leaves'
  // new .grad survive, owned by their slots (Tensor._setGrad) until the user reads them.
  const run = (): Tensor[] => {
    const s = checkSeed(root, seed, 'backward');
    const grads = propagate([root], [s], new Set(), retain);
    const out: Tensor[] = [];
    for (const [t, g] of grads) {
      if (t._node !== null || !t.requiresGrad) continue;
      const gg = create ? g : g.detach();
      const prev = t._grad;
      t._setGrad(prev && !prev.isDisposed ? apply(getPrimitive('add'), [prev, gg], {}) : gg, true);
      out.push(t._grad!);
    }
    return out;
  };
  frame(() => (create ? enableGrad(run) : noGrad(run)));
}

export interface GradOptions extends BackwardOptions {
  /** Seed gradients, one per output (required for non-scalar outputs). */
  gradOutputs?: readonly (Tensor | undefined)[];
  /** Return zeros instead of throwing for inputs the outputs do not depend on. */
  allowUnused?: boolean;
}

/**
 * Gradients of `outputs` with respect to `inputs`, returned (not accumulated into `.grad`),
 * as torch.autograd.grad.
 */
export function gradients(outputs: readonly Tensor[], inputs: readonly Tensor[], opts: GradOptions = {}): Tensor[] {
  checkGradArgs(outputs, inputs, opts);
  const create = opts.createGraph ?? false;
  const retain = opts.retainGraph ?? create;
  const stops = new Set(inputs);
  const run = (): Tensor[] => {
    const seeds = outputs.map((o, i) => checkSeed(o, opts.gradOutputs?.[i], 'grad'));
    const grads = propagate(outputs, seeds, stops, retain);
    return inputs.map((x, i) => {
      const g = grads.get(x);
      if (g) return create ? g : g.detach();
      if (!opts.allowUnused) {
        throw new AutogradError('UNUSED_INPUT', `grad: input ${i} (tensor #${x.id} ${fmtShape(x.shape)}) was not used to compute the outputs; pass allowUnused`);
      }
      const z = onesLike(x);
      z.values.fill(0);
      return z;
    });
  };
  return frame(() => (create ? enableGrad(run) : noGrad(run)));
}

/** Whether a grad() call should record its backward pass: only when someone may differentiate it. */
export function outerRecording(args: readonly Tensor[]): boolean {
  return isGradEnabled() && args.some((a) => a.requiresGrad);
}

const GRAD_OPTION_KEYS = ['createGraph', 'retainGraph', 'gradOutputs', 'allowUnused'];

function checkGradArgs(outputs: unknown, inputs: unknown, opts: unknown): void {
  for (const [what, list] of [['outputs', outputs], ['inputs', inputs]] as const) {
    if (!Array.isArray(list) || !list.every((t) => t instanceof Tensor)) {
      throw new ValueError(`gradients: ${what} must be an array of Tensors, got ${Array.isArray(list) ? 'an array with a non-Tensor' : typeof list}`);
    }
  }
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) throw new ValueError(`gradients: options must be an object, got ${String(opts)}`);
  for (const [k, v] of Object.entries(opts)) {
    if (!GRAD_OPTION_KEYS.includes(k)) throw new ValueError(`gradients: unknown option '${k}' (allowed: ${GRAD_OPTION_KEYS.join(', ')})`);
    if (k !== 'gradOutputs' && v !== undefined && typeof v !== 'boolean') throw new ValueError(`gradients: option '${k}' must be a boolean, got ${typeof v}`);
  }
}
