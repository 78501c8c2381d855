/**
 * @file `Parameter` and `Module`: a model is a tree of modules whose trainable tensors are found by
 * walking the fields each module assigns (PyTorch's nn.Module, Equinox's "a model is a tree of named
 * tensors"). Keys are dotted paths in a stable order (`layers.0.weight`); `stateDict()` /
 * `loadStateDict()` move values in and out by those keys.
 *
 * Discovery rules (per module, in field-declaration order):
 * - a field holding a `Parameter` is a parameter; a field holding a `Module` is a child;
 * - an array field of Parameters or Modules gives `field.0`, `field.1`, ... (arrays of other things,
 *   e.g. `sizes: number[]`, are ignored; a mixed array is an error rather than silently half-seen);
 * - plain tensors are NOT state: non-trainable state (BatchNorm's running stats) is declared with
 *   `registerBuffer(name, tensor)`.
 * Walks visit each module once (a module shared by two parents, or a cycle, is not walked twice).
 */
import { type DType, type FloatDType, isFloat } from '../core/dtype.js';
import { DisposedError, PlexusError, ValueError, fmtShape } from '../core/errors.js';
import { noGrad } from '../core/grad-mode.js';
import { keep } from '../core/memory.js';
import { shapesEqual } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { cast } from '../ops/primitives/index.js';
import type { ModuleConfig } from './config.js';

/**
 * A trainable tensor: a leaf sharing `data`'s storage with `requiresGrad` on. Marked so that
 * `Module` finds it in fields; survives `scope()` like a tfjs Variable, because a model outlives
 * the step that built it.
 * @example this.weight = new Parameter(px.zeros([3, 4]));
 */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    if (!(data instanceof Tensor)) throw new ValueError(`Parameter: data must be a Tensor, got ${data === null ? 'null' : typeof data}`, 'INVALID_ARGUMENT');
    if (data.isDisposed) throw new DisposedError(`Parameter: source tensor #${data.id} ${fmtShape(data.shape)} was disposed`);
    super(data._storage, [...data.shape], data.dtype);
    if (requiresGrad) this.requiresGrad_();
    keep(this);
  }
}

/** loadStateDict found problems; nothing was changed. Lists every problem, not just the first. */
export class StateDictError extends PlexusError {
  constructor(
    readonly missingKeys: readonly string[],
    readonly unexpectedKeys: readonly string[],
    /** Keys present on both sides whose value cannot be copied (shape, dtype, not a tensor). */
    readonly mismatched: readonly { key: string; problem: string }[],
  ) {
    const lines = [
      ...(missingKeys.length ? [`missing keys (${missingKeys.length}): ${missingKeys.join(', ')}`] : []),
      ...(unexpectedKeys.length ? [`unexpected keys (${unexpectedKeys.length}): ${unexpectedKeys.join(', ')}`] : []),
      ...mismatched.map((m) => `${m.key}: ${m.problem}`),
    ];
    super('STATE_MISMATCH', `loadStateDict: ${lines.length} problem(s); the model was not changed:\n  ${lines.join('\n  ')}`);
  }
}

export interface LoadResult {
  /** Model keys absent from the state dict (only non-empty with strict: false). */
  missingKeys: string[];
  /** State-dict keys the model does not have (only non-empty with strict: false). */
  unexpectedKeys: string[];
}

/** One own member of a module: a parameter slot (replaceable, for `to`) or a child module. */
export type Member =
  | { kind: 'param'; name: string; value: Parameter; set: (p: Parameter) => void }
  | { kind: 'module'; name: string; value: Module };

const join = (prefix: string, name: string): string => (prefix ? `${prefix}.${name}` : name);

/**
 * Called after a module's forward with its inputs and output (PyTorch's `register_forward_hook`);
 * returning a Tensor replaces the output, returning nothing keeps it.
 */
export type ForwardHook = (module: Module, inputs: readonly Tensor[], output: Tensor) => Tensor | void;

/** What `registerForwardHook` returns: `remove()` detaches the hook (idempotent). */
export interface RemovableHandle {
  readonly id: number;
  remove(): void;
}

// Hooks live outside the instance (a WeakMap), so they are not fields: the member walk, configs and
// state dicts never see them.
const HOOKS = new WeakMap<Module, { hooks: Map<number, ForwardHook>; restore: () => void }>();
let nextHookId = 0;

/**
 * Base class of every layer and model. Subclasses assign Parameters and Modules to fields and
 * implement `forward`; everything else (state dicts, modes, counting, conversion) comes from here.
 * @example
 * class Net extends nn.Module {
 *   fc1 = new nn.Linear(4, 8); fc2 = new nn.Linear(8, 2);
 *   forward(x: Tensor) { return this.fc2.forward(px.relu(this.fc1.forward(x))); }
 * }
 */
export abstract class Module {
  /** Training mode (Dropout drops, BatchNorm uses batch statistics). Set with train()/eval(). */
  training = true;
  /** Non-trainable state in registration order; see registerBuffer. */
  private readonly _buffers = new Map<string, Tensor>();

  abstract forward(...inputs: Tensor[]): Tensor;

  /**
   * Own parameters and children, in field order. Containers override this to name children by
   * position; other modules should not need to.
   */
  protected ownMembers(): Member[] {
    const out: Member[] = [];
    const self = this as unknown as Record<string, unknown>;
    for (const key of Object.keys(this)) {
      const v = self[key];
      if (v instanceof Parameter) out.push({ kind: 'param', name: key, value: v, set: (p) => { self[key] = p; } });
      else if (v instanceof Module) out.push({ kind: 'module', name: key, value: v });
      else if (Array.isArray(v)) out.push(...arrayMembers(this, key, v));
    }
    return out;
  }

  /**
   * Declares non-trainable state saved in the state dict (running statistics). Re-registering a
   * name replaces the tensor. Returns the tensor.
   */
  registerBuffer(name: string, t: Tensor): Tensor {
    if (!/^[A-Za-z_$][\w$]*$/.test(name) || name === '__proto__' || (Object.hasOwn(this, name) && !this._buffers.has(name))) {
      throw new ValueError(`registerBuffer: invalid or clashing buffer name ${JSON.stringify(name)} on ${this.constructor.name}`, 'INVALID_NAME');
    }
    if (!(t instanceof Tensor)) throw new ValueError(`registerBuffer: ${name} must be a Tensor`, 'INVALID_ARGUMENT');
    this._buffers.set(name, keep(t));
    return t;
  }

  /**
   * Calls `hook(module, inputs, output)` after every `forward` of this module until the handle's
   * `remove()`. Modules are called as `m.forward(x)` (there is no `__call__`), so the first hook
   * installs a non-enumerable own `forward` that wraps the class's, and removing the last one takes
   * it away again. Hooks run in registration order; one that throws propagates from forward.
   * @example const h = model.layers[0].registerForwardHook((m, inp, out) => { seen.push(out.shape); }); ...; h.remove();
   */
  registerForwardHook(hook: ForwardHook, ...rest: unknown[]): RemovableHandle {
    if (typeof hook !== 'function') throw new ValueError(`registerForwardHook: hook must be a function (module, inputs, output) => Tensor | void, got ${hook === null ? 'null' : typeof hook}`, 'INVALID_ARGUMENT');
    if (rest.length) throw new ValueError(`registerForwardHook: takes one argument (the hook), got ${1 + rest.length}`, 'INVALID_ARGUMENT');
    let entry = HOOKS.get(this);
    if (!entry) {
      const own = Object.getOwnPropertyDescriptor(this, 'forward');
      const inner = this.forward as (...inputs: Tensor[]) => Tensor;
      const hooks = new Map<number, ForwardHook>();
      Object.defineProperty(this, 'forward', {
        configurable: true, enumerable: false, writable: true,
        value: function hookedForward(this: Module, ...inputs: Tensor[]): Tensor {
          let out = inner.apply(this, inputs);
          for (const h of [...hooks.values()]) {
            const r = h(this, inputs, out);
            if (r !== undefined) {
              if (!(r instanceof Tensor)) throw new ValueError(`forward hook on ${this.constructor.name}: a hook must return a Tensor or nothing, got ${r === null ? 'null' : typeof r}`, 'INVALID_ARGUMENT');
              out = r;
            }
          }
          return out;
        },
      });
      const restore = (): void => {
        if (own) Object.defineProperty(this, 'forward', own);
        else delete (this as { forward?: unknown }).forward;
      };
      entry = { hooks, restore };
      HOOKS.set(this, entry);
    }
    const id = nextHookId++;
    entry.hooks.set(id, hook);
    const e = entry;
    return {
      id,
      remove: () => {
        if (!e.hooks.delete(id) || e.hooks.size > 0 || HOOKS.get(this) !== e) return;
        HOOKS.delete(this);
        e.restore();
      },
    };
  }

  /** The buffer registered under `name`, if any. */
  getBuffer(name: string): Tensor | undefined {
    return this._buffers.get(name);
  }

  /** Every module in the tree, pre-order, with its dotted path ('' for this one). */
  namedModules(prefix = ''): [string, Module][] {
    return this.walk(prefix).map(([path, m]) => [path, m]);
  }

  /** Pre-order walk with tree depth (dots in a key are not depth: `heads.0` is a direct child). */
  private walk(prefix: string): [string, Module, number][] {
    const out: [string, Module, number][] = [];
    const memo = new Set<Module>();
    const visit = (m: Module, path: string, depth: number): void => {
      if (memo.has(m)) return;
      memo.add(m);
      out.push([path, m, depth]);
      for (const mem of m.ownMembers()) if (mem.kind === 'module') visit(mem.value, join(path, mem.name), depth + 1);
    };
    visit(this, prefix, 0);
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Direct children with their field names. */
  namedChildren(): [string, Module][] {
    const seen = new Set<Module>();
    const out: [string, Module][] = [];
    for (const m of this.ownMembers()) {
      if (m.kind === 'module' && !seen.has(m.value)) {
        seen.add(m.value);
        out.push([m.name, m.value]);
      }
    }
    return out;
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** Every distinct Parameter with its key; a tied parameter appears once, under its first key. */
  namedParameters(): [string, Parameter][] {
    const seen = new Set<Parameter>();
    const out: [string, Parameter][] = [];
    for (const [path, m] of this.namedModules()) {
      for (const mem of m.ownMembers()) {
        if (mem.kind === 'param' && !seen.has(mem.value)) {
          seen.add(mem.value);
          out.push([join(path, mem.name), mem.value]);
        }
      }
    }
    return out;
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [path, m] of this.namedModules()) for (const [name, b] of m._buffers) out.push([join(path, name), b]);
    return out;
  }

  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  /** Sets training mode on the whole tree. Returns this. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Inference mode: `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient (set to null, PyTorch's default set_to_none). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Turns gradient tracking on or off for every parameter (freezing). Returns this. */
  requiresGrad_(on = true): this {
    for (const p of this.parameters()) p.requiresGrad_(on);
    return this;
  }

  /** Calls `fn` on every module, children before parents (PyTorch's Module.apply). Returns this. */
  apply(fn: (m: Module) => void): this {
    for (const m of this.modules().reverse()) fn(m);
    return this;
  }

  /** Number of scalar parameters (each tied parameter counted once). */
  numParameters(opts: { trainableOnly?: boolean } = {}): number {
    return this.parameters().reduce((n, p) => n + (opts.trainableOnly && !p.requiresGrad ? 0 : p.size), 0);
  }

  /**
   * All parameters and buffers by key, in order: each module's own parameters, then its buffers,
   * then its children (PyTorch's order). Values are detached tensors sharing the model's storage.
   */
  stateDict(): Map<string, Tensor> {
    return new Map(this.stateEntries().map(([k, t]) => [k, t.detach()]));
  }

  /** The live tensors behind stateDict(), same keys and order. */
  private stateEntries(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [path, m] of this.namedModules()) {
      for (const mem of m.ownMembers()) if (mem.kind === 'param') out.push([join(path, mem.name), mem.value]);
      for (const [name, b] of m._buffers) out.push([join(path, name), b]);
    }
    return out;
  }

  /**
   * Copies values from `sd` into the model in place. Validates everything first (missing and
   * unexpected keys when strict, wrong shapes and dtypes always) and throws one StateDictError
   * listing every problem, leaving the model unchanged. A plain object is read by its own keys
   * only, so a key like `__proto__` is just an unexpected key.
   */
  loadStateDict(sd: ReadonlyMap<string, unknown> | Record<string, unknown>, opts: { strict?: boolean } = {}): LoadResult {
    const strict = opts.strict ?? true;
    if (sd === null || typeof sd !== 'object') throw new ValueError(`loadStateDict: expected a Map or an object of tensors, got ${sd === null ? 'null' : typeof sd}`, 'INVALID_ARGUMENT');
    const src = sd instanceof Map ? new Map<string, unknown>(sd) : new Map(Object.entries(sd as Record<string, unknown>));
    const targets = this.stateEntries();
    const known = new Set(targets.map(([k]) => k));
    const missingKeys = targets.filter(([k]) => !src.has(k)).map(([k]) => k);
    const unexpectedKeys = [...src.keys()].filter((k) => !known.has(k));
    const mismatched: { key: string; problem: string }[] = [];
    for (const [key, dst] of targets) {
      if (!src.has(key)) continue;
      const problem = copyProblem(src.get(key), dst);
      if (problem) mismatched.push({ key, problem });
    }
    if (mismatched.length || (strict && (missingKeys.length || unexpectedKeys.length))) {
      throw new StateDictError(strict ? missingKeys : [], strict ? unexpectedKeys : [], mismatched);
    }
    noGrad(() => {
      for (const [key, dst] of targets) if (src.has(key)) dst.assign(src.get(key) as Tensor);
    });
    return { missingKeys, unexpectedKeys };
  }

  /**
   * Converts every float parameter and buffer to `dtype` (PyTorch's `.double()` / `.float()`).
   * Parameters are replaced by new Parameter objects (tied ones stay tied), so build optimizers
   * after calling this. Int buffers (BatchNorm's batch counter) are left as they are.
   */
  to(dtype: FloatDType): this {
    if (!isFloat(dtype as DType)) throw new ValueError(`Module.to: dtype must be float32 or float64, got ${JSON.stringify(dtype)}`, 'INVALID_DTYPE');
    const converted = new Map<Parameter, Parameter>();
    noGrad(() => {
      for (const m of this.modules()) {
        for (const mem of m.ownMembers()) {
          if (mem.kind !== 'param' || mem.value.dtype === dtype) continue;
          let p = converted.get(mem.value);
          if (!p) {
            p = new Parameter(cast(mem.value, dtype), mem.value.requiresGrad);
            if (mem.value.grad) p.grad = cast(mem.value.grad, dtype);
            converted.set(mem.value, p);
          }
          mem.set(p);
        }
        for (const [name, b] of m._buffers) if (isFloat(b.dtype) && b.dtype !== dtype) m._buffers.set(name, keep(cast(b, dtype)));
      }
    });
    return this;
  }

  /** JSON-safe constructor arguments, so `fromConfig(m.getConfig())` rebuilds the architecture. */
  getConfig(): ModuleConfig {
    throw new ValueError(`${this.constructor.name}.getConfig: this module has no config; implement getConfig() and registerModule() to save it`, 'NOT_CONFIGURABLE');
  }

  /** A readable table: every module's path, type, own parameter shapes and counts, and totals. */
  summary(): string {
    const rows = this.walk('').map(([path, m, depth]) => {
      const own = m.ownMembers().filter((x): x is Extract<Member, { kind: 'param' }> => x.kind === 'param');
      const bufs = [...m._buffers].map(([n, b]) => `${n}* ${fmtShape(b.shape)}`);
      return [
        '  '.repeat(depth) + (path || '(root)'),
        m.constructor.name,
        [...own.map((p) => `${p.name} ${fmtShape(p.value.shape)}`), ...bufs].join(', '),
        String(own.reduce((n, p) => n + p.value.size, 0)),
      ];
    });
    const head = ['name', 'type', 'parameters (* = buffer)', 'count'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const fmt = (r: string[]): string => r.map((c, i) => (i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
    const total = this.numParameters();
    const trainable = this.numParameters({ trainableOnly: true });
    const bufVals = this.buffers().reduce((n, b) => n + b.size, 0);
    return [
      fmt(head),
      '-'.repeat(widths.reduce((a, b) => a + b + 2, -2)),
      ...rows.map(fmt),
      `Total parameters: ${total.toLocaleString('en-US')} (trainable: ${trainable.toLocaleString('en-US')}); buffer values: ${bufVals.toLocaleString('en-US')}`,
    ].join('\n');
  }
}

/**
 * True when `m` has forward hooks: a parent whose fast path bypasses a child's `forward` (MLP's
 * fused linear + activation) takes the plain path for that child, so its hooks see its own output.
 */
export function hasForwardHooks(m: Module): boolean {
  return (HOOKS.get(m)?.hooks.size ?? 0) > 0;
}

/** Members from an array field: all Parameters or Modules by index; other arrays are not state. */
function arrayMembers(owner: Module, key: string, arr: unknown[]): Member[] {
  const isMember = (v: unknown): boolean => v instanceof Parameter || v instanceof Module;
  const n = arr.filter(isMember).length;
  if (n === 0) return [];
  if (n !== arr.length) {
    throw new ValueError(`${owner.constructor.name}: field "${key}" mixes Parameters/Modules with other values; use a ModuleList or separate fields`, 'INVALID_MODULE_FIELD');
  }
  return arr.map((v, i): Member => (v instanceof Parameter
    ? { kind: 'param', name: `${key}.${i}`, value: v, set: (p) => { arr[i] = p; } }
    : { kind: 'module', name: `${key}.${i}`, value: v as Module }));
}

/** Why `v` cannot be copied into `dst`, or null when it can. */
function copyProblem(v: unknown, dst: Tensor): string | null {
  if (!(v instanceof Tensor)) return `expected a Tensor, got ${v === null ? 'null' : typeof v}`;
  if (v.isDisposed) return 'the tensor was disposed';
  const problems: string[] = [];
  if (!shapesEqual(v.shape, dst.shape)) problems.push(`shape ${fmtShape(v.shape)} in the state dict, ${fmtShape(dst.shape)} in the model`);
  if (v.dtype !== dst.dtype) problems.push(`dtype ${v.dtype} in the state dict, ${dst.dtype} in the model`);
  return problems.length ? problems.join('; ') : null;
}
