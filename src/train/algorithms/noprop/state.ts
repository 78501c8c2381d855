/**
 * @file NoProp's own optimizers (one per block, one for the classifier and embeddings): built as
 * copies of the run optimizer's kind and hyperparameters, and flattened to / restored from the
 * `{ tensors, meta }` form of an algorithm state dict (tensors by key, everything else JSON).
 */
import { ValueError } from '../../../core/errors.js';
import { Tensor } from '../../../core/tensor.js';
import type { JsonValue } from '../../../nn/config.js';
import { LBFGS } from '../../../optim/lbfgs.js';
import type { BaseHyper, Optimizer } from '../../../optim/optimizer.js';
import type { OptimizerStateDictInput, SavedParamGroup } from '../../../optim/optimizer-state.js';

type OptimizerCtor = new (params: Tensor[], options: Record<string, unknown>) => Optimizer<BaseHyper>;

/** Why `opt` cannot serve as the template of NoProp's optimizers (null: it can). */
export function templateProblem(opt: Optimizer<BaseHyper>): string | null {
  if (opt instanceof LBFGS) return 'LBFGS re-evaluates one global loss through a closure; use a first-order optimizer (Adam, AdamW, SGD, ...)';
  if (opt.paramGroups.length !== 1) return `the run optimizer has ${opt.paramGroups.length} param groups; NoProp copies the hyperparameters of one`;
  return null;
}

/** A new optimizer of `template`'s class over `params`, with its first group's hyperparameters. */
export function sameKind(template: Optimizer<BaseHyper>, params: Tensor[]): Optimizer<BaseHyper> {
  const { params: _ignored, ...hyper } = template.paramGroups[0]!;
  return new (template.constructor as OptimizerCtor)(params, hyper as Record<string, unknown>);
}

/** Flattens `opt.stateDict()`: buffers as `${prefix}.${index}.${name}` tensors, the rest as JSON meta. */
export function flattenOptimizer(opt: Optimizer<BaseHyper>, prefix: string, tensors: Record<string, Tensor>): JsonValue {
  const sd = opt.stateDict();
  const state: Record<string, Record<string, JsonValue>> = {};
  for (const [i, entry] of Object.entries(sd.state)) {
    const e: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(entry)) {
      if (v instanceof Tensor) {
        tensors[`${prefix}.${i}.${k}`] = v;
        e[k] = { tensor: `${prefix}.${i}.${k}` };
      } else e[k] = v;
    }
    state[i] = e;
  }
  return { state, paramGroups: sd.paramGroups as unknown as JsonValue };
}

/** The inverse of flattenOptimizer (a missing tensor is an INVALID_STATE_DICT error naming it). */
export function unflattenOptimizer(meta: unknown, tensors: Readonly<Record<string, Tensor>>, where: string): OptimizerStateDictInput {
  const bad = (msg: string): never => { throw new ValueError(`${where}: ${msg}`, 'INVALID_STATE_DICT'); };
  if (typeof meta !== 'object' || meta === null) bad('optimizer meta must be an object { state, paramGroups }');
  const m = meta as { state?: unknown; paramGroups?: unknown };
  if (typeof m.state !== 'object' || m.state === null || !Array.isArray(m.paramGroups)) bad('optimizer meta must be an object { state, paramGroups }');
  const state: OptimizerStateDictInput['state'] = {};
  for (const [i, entry] of Object.entries(m.state as Record<string, unknown>)) {
    if (typeof entry !== 'object' || entry === null) bad(`optimizer state ${i} must be an object`);
    const e: Record<string, number | Tensor> = {};
    for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
      if (typeof v === 'number') e[k] = v;
      else if (typeof v === 'object' && v !== null && typeof (v as { tensor?: unknown }).tensor === 'string') {
        const key = (v as { tensor: string }).tensor;
        const t = tensors[key];
        if (!(t instanceof Tensor)) bad(`tensor '${key}' is missing`);
        e[k] = t!;
      } else bad(`optimizer state ${i}.${k} must be a number or a tensor reference`);
    }
    state[i] = e;
  }
  return { state, paramGroups: m.paramGroups as SavedParamGroup[] };
}
