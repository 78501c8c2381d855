/**
 * @file The optimizer base class, following PyTorch's `torch.optim.Optimizer`: parameter groups with
 * per-group hyperparameters, per-parameter state, `zeroGrad`, `step`, and a state dict laid out like
 * PyTorch's (`{state: {index: {...}}, paramGroups: [{...hyper, params: [index, ...]}]}`).
 *
 * A subclass supplies its defaults, a validation spec and `update`, which reads the gradient and
 * writes the parameter through a small pure kernel over typed arrays (the part a WASM backend will
 * later replace with a fused kernel). The state-dict code lives in optimizer-state.ts.
 */
import { Tensor } from '../core/tensor.js';
import { type TypedArray, isFloat } from '../core/dtype.js';
import { DTypeError, ShapeError, ValueError, fmtShape } from '../core/errors.js';
import { enableGrad, noGrad } from '../core/grad-mode.js';
import { full } from '../core/create.js';
import { ensureResident, frame, keep } from '../core/memory.js';
import { shapesEqual } from '../core/shape.js';
import { type Check, copyValue, hyperError, isPlainObject, own } from './hyper.js';
import { type OptimizerStateDict, type OptimizerStateDictInput, planLoad, saveState } from './optimizer-state.js';

/** Every optimizer has a learning rate; schedulers rely on it. */
export interface BaseHyper {
  lr: number;
}

/** One parameter group: its tensors and the hyperparameters that apply to them. */
export type ParamGroup<H extends BaseHyper = BaseHyper> = H & { params: Tensor[] };

/** A group as the user writes it: any hyperparameter left out takes the optimizer's default. */
export type ParamGroupInput<H extends BaseHyper = BaseHyper> = Partial<H> & { params: readonly Tensor[] };

/** What an optimizer takes: a list of tensors (one group) or a list of groups. */
export type Params<H extends BaseHyper = BaseHyper> = readonly Tensor[] | readonly ParamGroupInput<H>[];

/** Per-parameter state: `step` (a count) and named buffers of the parameter's shape and dtype. */
export type ParamState = Record<string, Tensor | number>;

/**
 * One parameter a step updates: the parameter, its gradient, its state and its group. The gradient
 * is the tensor, not its values: an allocation (a new state buffer) may grow the memory, and a
 * view taken before it would then be stale; read values after the last allocation.
 */
export interface StepItem<H extends BaseHyper = BaseHyper> {
  p: Tensor;
  grad: Tensor;
  state: ParamState;
  group: ParamGroup<H>;
}

/** What a subclass declares so that the base can validate groups and state dicts. */
export interface OptimizerSpec<H extends BaseHyper> {
  /** Class name for messages ("Adam: invalid learning rate: -1"). */
  name: string;
  /** One check per hyperparameter; its keys are exactly the options a group may set. */
  checks: { readonly [K in keyof H]-?: Check };
  /** A rule across options (SGD: Nesterov needs momentum > 0 and dampening 0). */
  relation?(h: H): string | null;
  /** Names of every buffer the state may hold (validated on load). */
  stateTensors: readonly string[];
  /** Whether the state counts steps (`step`). */
  hasStep: boolean;
}

/**
 * Base class of every optimizer.
 * @example
 * const opt = new Adam(model.parameters(), { lr: 1e-3 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
export abstract class Optimizer<H extends BaseHyper = BaseHyper> {
  readonly paramGroups: ParamGroup<H>[] = [];
  /** State per parameter, created lazily at its first step (as in PyTorch). */
  readonly state = new Map<Tensor, ParamState>();
  /** Hyperparameters a group gets for the options it leaves out. */
  readonly defaults: Readonly<H>;
  /** @internal */ readonly spec: OptimizerSpec<H>;

  protected constructor(params: Params<H>, options: Partial<H>, defaults: H, spec: OptimizerSpec<H>) {
    this.spec = spec;
    this.defaults = this.checkedHyper({ ...defaults, ...defined(options) }, '');
    if (!Array.isArray(params)) {
      throw new ValueError(`${spec.name}: params must be an array of tensors or of param groups, got ${typeof params}`, 'INVALID_PARAMETERS');
    }
    if (params.length === 0) throw new ValueError(`${spec.name}: got an empty parameter list`, 'INVALID_PARAMETERS');
    const list = params as readonly unknown[];
    if (list.every((p) => p instanceof Tensor)) this.addParamGroup({ params: list as Tensor[] } as unknown as ParamGroupInput<H>);
    else if (list.every(isPlainObject)) for (const g of list as ParamGroupInput<H>[]) this.addParamGroup(g);
    else throw new ValueError(`${spec.name}: params must be all tensors or all param groups ({params, ...options})`, 'INVALID_PARAMETERS');
  }

  /** Adds a group (PyTorch add_param_group); options it omits take the defaults. */
  addParamGroup(group: ParamGroupInput<H>): void {
    const where = ` (param group ${this.paramGroups.length})`;
    const name = this.spec.name;
    if (!isPlainObject(group)) throw new ValueError(`${name}: a param group must be an object {params, ...options}${where}`, 'INVALID_PARAMETERS');
    const params = own(group, 'params');
    if (!Array.isArray(params)) throw new ValueError(`${name}: params must be an array of tensors${where}`, 'INVALID_PARAMETERS');
    const seen = new Set<Tensor>(this.paramGroups.flatMap((g) => g.params));
    for (const p of params as unknown[]) {
      if (!(p instanceof Tensor)) throw new ValueError(`${name}: params must be tensors, got ${typeof p}${where}`, 'INVALID_PARAMETERS');
      if (!isFloat(p.dtype)) throw new DTypeError(`${name}: can only optimize float tensors, got ${p.dtype} ${describe(p)}${where}`);
      if (!p.isLeaf) throw new ValueError(`${name}: can't optimize a non-leaf tensor ${describe(p)}${where}`, 'INVALID_PARAMETERS');
      // A tensor listed twice would be updated twice per step.
      if (seen.has(p)) throw new ValueError(`${name}: ${describe(p)} appears more than once in the parameter groups${where}`, 'INVALID_PARAMETERS');
      seen.add(p);
    }
    const overrides: Record<string, unknown> = {};
    for (const k of Object.keys(group)) if (k !== 'params') overrides[k] = own(group, k);
    const hyper = this.checkedHyper({ ...copyHyper(this.defaults), ...defined(overrides) }, where);
    this.paramGroups.push({ ...hyper, params: (params as Tensor[]).slice() });
  }

  /** Drops every gradient (`.grad = null`), PyTorch's zero_grad(set_to_none=True). */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.grad = null;
  }

  /**
   * One update of every parameter that has a gradient (others are skipped, as in PyTorch), without
   * recording autograd. `closure`, if given, re-evaluates the loss first (with grad enabled) and its
   * value is returned.
   */
  step(closure?: () => Tensor | number): number | undefined {
    const loss = closure ? toNumber(enableGrad(closure)) : undefined;
    // A frame: the update reads gradients as heap views and makes no tensor that outlives it.
    frame(() => noGrad(() => {
      // Every parameter is checked before any is updated, so a bad gradient leaves all unchanged.
      const items: StepItem<H>[] = [];
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          const g = p.grad;
          if (g === null) continue;
          if (!shapesEqual(g.shape, p.shape)) {
            throw new ShapeError(`${this.spec.name}.step: gradient ${fmtShape(g.shape)} does not match parameter ${describe(p)}`);
          }
          let s = this.state.get(p);
          if (s === undefined) this.state.set(p, (s = {}));
          // Resident, so the backend's fused update runs whatever a sweep or a read did to them:
          // the numbers must not depend on memory management.
          const op = `${this.spec.name}.step`;
          ensureResident(p._storage, op);
          ensureResident(g._storage, op);
          for (const v of Object.values(s)) if (typeof v !== 'number') ensureResident(v._storage, op);
          items.push({ p, grad: g, state: s, group });
        }
      }
      if (this.updateMany) this.updateMany(items);
      else for (const it of items) this.update(it.p, it.grad.values, it.state, it.group);
    }));
    return loss;
  }

  /** Updates one parameter in place from its gradient values; runs under noGrad. */
  protected abstract update(p: Tensor, grad: TypedArray, state: ParamState, group: ParamGroup<H>): void;

  /**
   * Optional: the whole step at once (every parameter that has a gradient, in group order), for an
   * optimizer whose backend can update all parameters in one call (multi-tensor Adam). It must
   * compute exactly what `update` on each item would; runs under noGrad.
   */
  protected updateMany?(items: readonly StepItem<H>[]): void;

  /**
   * A snapshot: hyperparameters per group, with parameters replaced by their index in group order,
   * and the state of each parameter by index (buffers copied into new tensors, so later steps do not
   * change it). Everything but the tensors is JSON; io stores the tensors in safetensors.
   */
  stateDict(): OptimizerStateDict {
    return saveState(this.paramGroups, this.state, Object.keys(this.spec.checks));
  }

  /**
   * Restores a `stateDict()`: hyperparameters and state, matched to this optimizer's parameters by
   * position (PyTorch semantics). The whole dict is validated first; on any problem a ValueError
   * (code INVALID_STATE_DICT) lists every problem and the optimizer is left unchanged.
   */
  loadStateDict(sd: OptimizerStateDictInput): void {
    const { problems, plan } = planLoad(sd, this.paramGroups, this.spec, (raw, where) => this.hyperProblems(raw, where, true));
    if (problems.length > 0 || plan === null) {
      throw new ValueError(`${this.spec.name}.loadStateDict: ${problems.join('; ')}`, 'INVALID_STATE_DICT');
    }
    // Nothing below can fail: build first, then swap.
    const state = plan.buildState();
    plan.hypers.forEach((h, i) => Object.assign(this.paramGroups[i]!, h));
    this.state.clear();
    for (const [p, s] of state) this.state.set(p, s);
  }

  /** Every problem with a hyperparameter object; `strict` also reports missing options. */
  private hyperProblems(raw: Record<string, unknown>, where: string, strict: boolean): string[] {
    const checks = this.spec.checks as Record<string, Check>;
    const known = Object.keys(checks);
    const problems: string[] = [];
    for (const k of Object.keys(raw)) {
      if (!known.includes(k)) problems.push(`unknown option '${k}'${where} (known: ${known.join(', ')})`);
    }
    for (const k of known) {
      const v = own(raw, k);
      if (v === undefined && strict) problems.push(`missing option '${k}'${where}`);
      else {
        const p = checks[k]!(v);
        if (p !== null) problems.push(p + where);
      }
    }
    if (problems.length === 0 && this.spec.relation) {
      const p = this.spec.relation(raw as unknown as H);
      if (p !== null) problems.push(p + where);
    }
    return problems;
  }

  /** Validated copy of a hyperparameter object, or the typed error for its first problem. */
  private checkedHyper(raw: Record<string, unknown>, where: string): H {
    const problems = this.hyperProblems(raw, where, false);
    if (problems.length > 0) throw hyperError(this.spec.name, problems[0]!);
    return copyHyper(raw) as unknown as H;
  }
}

/**
 * Runs `fn` on the live values of every tensor (the parameter and its state buffers) and bumps each
 * one's version, through nested `Tensor.mutate`, so autograd sees the in-place change.
 */
export function mutateAll(tensors: readonly Tensor[], fn: (arrays: TypedArray[]) => void): void {
  const arrays: TypedArray[] = [];
  const enter = (i: number): void => {
    if (i === tensors.length) fn(arrays);
    else tensors[i]!.mutate((v) => { arrays.push(v); enter(i + 1); });
  };
  enter(0);
}

/** The named buffer of `state`, created on first use (filled with `init`, in p's dtype and shape). */
export function stateBuffer(state: ParamState, key: string, p: Tensor, init = 0): Tensor {
  const b = state[key];
  if (b instanceof Tensor) return b;
  // keep(): state created inside a px.scope must outlive it.
  const t = keep(full(p.shape, init, { dtype: p.dtype }));
  state[key] = t;
  return t;
}

/** Increments and returns the state's step count (1 at the first step). */
export function advanceStep(state: ParamState): number {
  const s = (typeof state.step === 'number' ? state.step : 0) + 1;
  state.step = s;
  return s;
}

/** A parameter for messages: its name if it has one, else its id and shape. */
export function describe(p: Tensor): string {
  return p.name ? `'${p.name}' ${fmtShape(p.shape)}` : `#${p.id} ${fmtShape(p.shape)}`;
}

/** Options with `undefined` values dropped, so `{lr: undefined}` means "use the default". */
function defined(o: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

function copyHyper(h: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(h)) out[k] = copyValue(v);
  return out;
}

function toNumber(x: Tensor | number): number {
  return typeof x === 'number' ? x : x.item();
}
