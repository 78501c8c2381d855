/**
 * @file `functionalCall(module, tensors, args)`: runs a module's forward with the given tensors in
 * place of its own parameters and buffers (PyTorch's `torch.func.functional_call`). Gradients flow
 * to the given tensors, not to the module's parameters, which is what a hypernetwork (nn/mlp/hyper.ts),
 * meta-learning or per-sample weights need: the weights are an input of the computation.
 *
 * Contract:
 * - keys are state-dict keys (`layers.0.weight`, BatchNorm's `runningMean`); a key the module does
 *   not have is a ValueError naming it (nothing is silently ignored); keys not given keep the
 *   module's own tensors unless `strict` is true;
 * - each tensor must have the shape and dtype of the one it replaces (ShapeError / DTypeError naming
 *   the key, the expected and the given shape);
 * - tied parameters stay tied (one Parameter under two keys is replaced everywhere it is used);
 * - the module is restored when the call returns or throws, so its state is unchanged afterwards.
 * Not reentrant across threads of control that share the module (JS has none within one call).
 */
import { badArgument, checkOptions, describe, isPlainObject } from '../core/args.js';
import { DTypeError, ShapeError, ValueError, fmtShape } from '../core/errors.js';
import { shapesEqual } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { Module, type Member, Parameter } from './module.js';

export interface FunctionalCallOptions {
  /** Every parameter and buffer key must be given (default false: missing keys use the module's own). */
  strict?: boolean;
}

/** One parameter slot of one module (a tied Parameter has several). */
interface Slot { param: Parameter; set: (p: Parameter) => void }

/** ownMembers is protected so user code does not depend on it; this file is part of nn's machinery. */
const membersOf = (m: Module): Member[] => (m as unknown as { ownMembers(): Member[] }).ownMembers();

const join = (prefix: string, name: string): string => (prefix ? `${prefix}.${name}` : name);

/**
 * `module.forward(...args)` computed with `tensors` in place of the module's parameters/buffers.
 * @example
 * const lin = new nn.Linear(3, 2);
 * const w = px.randn([2, 3]).requiresGrad_();
 * const y = nn.functionalCall(lin, { weight: w }, x);   // x W^T + lin.bias; y.sum().backward() fills w.grad
 */
export function functionalCall(
  module: Module,
  tensors: ReadonlyMap<string, Tensor> | Record<string, Tensor>,
  args: Tensor | readonly Tensor[],
  opts: FunctionalCallOptions = {},
): Tensor {
  if (arguments.length > 4) throw badArgument(`functionalCall: takes (module, tensors, args, opts?), got ${arguments.length} arguments`);
  if (!(module instanceof Module)) throw badArgument(`functionalCall: module must be an nn.Module, got ${describe(module)}`);
  const { strict = false } = checkOptions('functionalCall', opts, ['strict']);
  if (typeof strict !== 'boolean') throw badArgument(`functionalCall: strict must be true or false, got ${describe(strict)}`);
  const given = toMap(tensors);
  const inputs = args instanceof Tensor ? [args] : Array.isArray(args) ? [...(args as Tensor[])] : null;
  if (!inputs || inputs.some((a) => !(a instanceof Tensor))) {
    throw badArgument(`functionalCall: args must be a Tensor or an array of Tensors, got ${describe(args)}`);
  }

  // Every parameter slot by key (a tied Parameter appears under each of its keys) and every buffer.
  const slots = new Map<string, Slot>();
  const buffers = new Map<string, { owner: Module; name: string; value: Tensor }>();
  for (const [path, m] of module.namedModules()) {
    for (const mem of membersOf(m)) if (mem.kind === 'param') slots.set(join(path, mem.name), { param: mem.value, set: mem.set });
    for (const [name] of m.namedBuffers().filter(([k]) => !k.includes('.'))) {
      buffers.set(join(path, name), { owner: m, name, value: m.getBuffer(name)! });
    }
  }
  const unknown = [...given.keys()].filter((k) => !slots.has(k) && !buffers.has(k));
  if (unknown.length) {
    const known = [...slots.keys(), ...buffers.keys()];
    throw new ValueError(`functionalCall: ${module.constructor.name} has no parameter or buffer ${unknown.map((k) => JSON.stringify(k)).join(', ')}; its keys: ${known.join(', ') || '(none)'}`, 'INVALID_ARGUMENT');
  }
  if (strict) {
    const missing = [...slots.keys(), ...buffers.keys()].filter((k) => !given.has(k));
    if (missing.length) throw new ValueError(`functionalCall: strict: no tensor given for ${missing.join(', ')}`, 'INVALID_ARGUMENT');
  }

  // Validate everything before touching the module, so a failed call leaves it as it was.
  const replaceParam = new Map<Parameter, { key: string; t: Tensor }>();
  const replaceBuffer: { owner: Module; name: string; value: Tensor; t: Tensor }[] = [];
  for (const [key, t] of given) {
    if (!(t instanceof Tensor)) throw badArgument(`functionalCall: tensors[${JSON.stringify(key)}] must be a Tensor, got ${describe(t)}`);
    const own = slots.get(key)?.param ?? buffers.get(key)!.value;
    if (!shapesEqual(t.shape, own.shape)) {
      throw new ShapeError(`functionalCall: ${key} must have shape ${fmtShape(own.shape)}, got ${fmtShape(t.shape)}`);
    }
    if (t.dtype !== own.dtype) throw new DTypeError(`functionalCall: ${key} must have dtype ${own.dtype}, got ${t.dtype}`);
    const slot = slots.get(key);
    if (slot) {
      const prev = replaceParam.get(slot.param);
      if (prev && prev.t !== t) throw new ValueError(`functionalCall: ${prev.key} and ${key} are one tied parameter but were given different tensors`, 'INVALID_ARGUMENT');
      replaceParam.set(slot.param, { key, t });
    } else {
      const b = buffers.get(key)!;
      replaceBuffer.push({ ...b, t });
    }
  }

  // Swap in, run, swap back (in a finally, so an error inside forward restores the module too).
  const restore: (() => void)[] = [];
  try {
    for (const { param, set } of slots.values()) {
      const r = replaceParam.get(param);
      if (!r) continue;
      // The slot's type says Parameter; any tensor works for the ops a forward runs on it.
      set(r.t as Parameter);
      restore.push(() => set(param));
    }
    for (const b of replaceBuffer) {
      b.owner.registerBuffer(b.name, b.t);
      restore.push(() => b.owner.registerBuffer(b.name, b.value));
    }
    return module.forward(...inputs);
  } finally {
    for (const undo of restore.reverse()) undo();
  }
}

function toMap(tensors: unknown): Map<string, Tensor> {
  if (tensors instanceof Map) return new Map(tensors as Map<string, Tensor>);
  if (isPlainObject(tensors)) return new Map(Object.entries(tensors) as [string, Tensor][]);
  throw badArgument(`functionalCall: tensors must be a Map or a plain object of tensors by key, got ${describe(tensors)}`);
}
