/**
 * @file Function transforms over the tape: grad, valueAndGrad, customGrad. They compose: the inner
 * grad records its backward pass whenever an outer transform is differentiating, so
 * `grad(x => grad(f)(x).sum())` and Hessian-vector products work.
 */
import { badArgument, checkOptions, describe } from './args.js';
import { AutogradError, fmtShape } from './errors.js';
import { enableGrad, isGradEnabled, noGrad } from './grad-mode.js';
import { apply } from './dispatch.js';
import { getPrimitive, type Primitive, type PrimitiveName } from './primitive.js';
import { Node, Tensor } from './tensor.js';
import { gradients, outerRecording } from './autograd.js';
import { zerosLike } from './create.js';

type Arg = Tensor | readonly Tensor[];

export interface GradTransformOptions {
  /** Which positional argument(s) to differentiate (default 0). Each must be a Tensor or Tensor[]. */
  argnums?: number | readonly number[];
}

/** A fresh handle on `x` that requires grad and, if `x` is itself being differentiated, links to it. */
function link(x: Tensor): Tensor {
  if (x.requiresGrad && isGradEnabled()) return apply(getPrimitive('reshape'), [x], { shape: x.shape });
  return x.detach().requiresGrad_();
}

function linkArg(a: unknown, pos: number): Arg {
  if (a instanceof Tensor) return link(a);
  if (Array.isArray(a) && a.every((t) => t instanceof Tensor)) return (a as Tensor[]).map(link);
  throw new AutogradError('BAD_ARGNUM', `grad: argument ${pos} must be a Tensor or an array of Tensors to be differentiated`);
}

const flat = (a: Arg): readonly Tensor[] => (a instanceof Tensor ? [a] : a);

/**
 * `valueAndGrad(f)(...args)` returns `[f(...args), df/dargs]` for a scalar-valued `f`.
 * @example const [loss, g] = valueAndGrad((w) => w.mul(w).sum())(tensor([1, 2]));
 */
export function valueAndGrad<A extends unknown[]>(f: (...args: A) => Tensor, opts: GradTransformOptions = {}) {
  if (typeof f !== 'function') throw badArgument(`valueAndGrad: expected a function, got ${describe(f)}`);
  checkOptions('valueAndGrad', opts, ['argnums']);
  const nums = typeof opts.argnums === 'number' || opts.argnums === undefined ? [opts.argnums ?? 0] : [...opts.argnums];
  const single = typeof opts.argnums !== 'object';
  return (...args: A): [Tensor, Arg | Arg[]] => {
    const originals = nums.map((i) => args[i]);
    const record = outerRecording(originals.flatMap((a) => (a instanceof Tensor ? [a] : Array.isArray(a) ? (a as Tensor[]) : [])));
    const linked = args.slice() as A;
    const targets = nums.map((i) => linkArg(args[i], i));
    nums.forEach((i, k) => (linked[i] = targets[k]));
    const value = enableGrad(() => f(...linked));
    if (!(value instanceof Tensor) || value.size !== 1) {
      throw new AutogradError('NON_SCALAR', `grad: the function must return a one-element tensor, got ${value instanceof Tensor ? fmtShape(value.shape) : typeof value}`);
    }
    const all = targets.flatMap(flat);
    const gs = value.requiresGrad
      ? gradients([value], all, { createGraph: record, allowUnused: true })
      : all.map((t) => zerosLike(t));
    let k = 0;
    const out = targets.map((t) => (t instanceof Tensor ? gs[k++]! : t.map(() => gs[k++]!)));
    return [record ? value : value.detach(), single ? out[0]! : out];
  };
}

/**
 * `grad(f)(...args)`: the gradient of scalar-valued `f` with respect to argument 0 (or `argnums`).
 * @example const d2 = grad((x) => grad((y) => y.pow(3).sum())(x).sum()); // 6x
 */
export function grad<A extends unknown[]>(f: (...args: A) => Tensor, opts: GradTransformOptions = {}) {
  if (typeof f !== 'function') throw badArgument(`grad: expected a function, got ${describe(f)}`);
  const vg = valueAndGrad(f, opts);
  return (...args: A): Arg | Arg[] => vg(...args)[1];
}

/**
 * Wraps `fn` with a hand-written backward: `vjp(g, out, ...inputs)` returns one gradient (or null)
 * per input. The forward runs without recording; the vjp may use any ops (and is itself
 * differentiable when written with ops).
 */
export function customGrad<A extends Tensor[]>(
  fn: (...inputs: A) => Tensor,
  vjp: (g: Tensor, out: Tensor, ...inputs: A) => (Tensor | null)[] | Tensor,
): (...inputs: A) => Tensor {
  if (typeof fn !== 'function' || typeof vjp !== 'function') throw badArgument(`customGrad: expected (fn, vjp) functions, got ${describe(fn)}, ${describe(vjp)}`);
  const prim = {
    name: 'customGrad' as PrimitiveName,
    infer: () => { throw new AutogradError('INTERNAL', 'customGrad has no infer'); },
    reference: () => { throw new AutogradError('INTERNAL', 'customGrad has no kernel'); },
    vjp: (g: Tensor, inputs: readonly Tensor[], out: Tensor) => {
      const r = vjp(g, out, ...(inputs as A));
      return r instanceof Tensor ? [r] : r;
    },
  } as unknown as Primitive<never>;
  return (...inputs: A): Tensor => {
    const out = noGrad(() => fn(...inputs));
    if (!isGradEnabled() || !inputs.some((t) => t.requiresGrad)) return out;
    const linked = out.detach();
    linked._node = new Node(prim, inputs, undefined, inputs.map((x) => x._storage.version));
    linked.requiresGrad = true;
    // What the node saved stays alive while the node does (as dispatch's apply does; releaseNode undoes it):
    // without this, a frame around the call freed an intermediate input before the backward needed it.
    for (const x of inputs) x._savedBy++;
    linked._savedBy++;
    return linked;
  };
}
