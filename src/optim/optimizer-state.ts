/**
 * @file Optimizer state dicts: saving (a snapshot in PyTorch's layout) and loading (validate all of
 * it, report every problem, change nothing until it is known to fit).
 *
 * Layout, as PyTorch's `optimizer.state_dict()` with camelCase names:
 *   { state: { "0": { step: 3, expAvg: Tensor, expAvgSq: Tensor }, ... },
 *     paramGroups: [ { lr: 0.001, betas: [0.9, 0.999], ..., params: [0, 1] }, ... ] }
 * Parameters are numbered 0.. across the groups in order; state keys are those numbers as strings.
 * Everything but the buffers is plain JSON (numbers, booleans, arrays); io writes the buffers to
 * safetensors (e.g. as `state.0.expAvg`) and the rest to JSON. On load a buffer may be a Tensor or a
 * Float32Array/Float64Array of the parameter's size; it is copied into the parameter's dtype.
 */
import { Tensor } from '../core/tensor.js';
import { fmtShape } from '../core/errors.js';
import { tensor } from '../core/create.js';
import { keep } from '../core/memory.js';
import { shapesEqual } from '../core/shape.js';
import { copyValue, isNum, isPlainObject, own, show } from './hyper.js';
import type { BaseHyper, OptimizerSpec, ParamGroup, ParamState } from './optimizer.js';

/** A saved parameter group: hyperparameters plus the indices of its parameters. */
export type SavedParamGroup = Record<string, unknown> & { params: number[] };

export interface OptimizerStateDict {
  state: Record<string, Record<string, number | Tensor>>;
  paramGroups: SavedParamGroup[];
}

/** What `loadStateDict` accepts: a saved dict whose buffers may also be plain typed arrays. */
export interface OptimizerStateDictInput {
  state: Record<string, Record<string, number | Tensor | Float32Array | Float64Array>>;
  paramGroups: SavedParamGroup[];
}

export function saveState<H extends BaseHyper>(
  groups: readonly ParamGroup<H>[], state: ReadonlyMap<Tensor, ParamState>, hyperKeys: readonly string[],
): OptimizerStateDict {
  const index = new Map<Tensor, number>();
  const paramGroups = groups.map((g) => {
    const saved: Record<string, unknown> = {};
    for (const k of hyperKeys) saved[k] = copyValue((g as unknown as Record<string, unknown>)[k]);
    saved.params = g.params.map((p) => {
      index.set(p, index.size);
      return index.size - 1;
    });
    return saved as SavedParamGroup;
  });
  const out: OptimizerStateDict['state'] = {};
  for (const [p, i] of index) {
    const s = state.get(p);
    if (s === undefined || Object.keys(s).length === 0) continue;
    const entry: Record<string, number | Tensor> = {};
    for (const [k, v] of Object.entries(s)) {
      entry[k] = v instanceof Tensor ? tensor(v.values.slice(), { dtype: v.dtype, shape: v.shape }) : v;
    }
    out[String(i)] = entry;
  }
  return { state: out, paramGroups };
}

/** What a valid dict will do: new hyperparameters per group, and a builder for the new state. */
export interface LoadPlan {
  hypers: Record<string, unknown>[];
  buildState: () => Map<Tensor, ParamState>;
}

type HyperProblems = (raw: Record<string, unknown>, where: string) => string[];

/** Validates `sd` against the optimizer's groups; `plan` is null when it cannot be read at all. */
export function planLoad<H extends BaseHyper>(
  sd: unknown, groups: readonly ParamGroup<H>[], spec: OptimizerSpec<H>, hyperProblems: HyperProblems,
): { problems: string[]; plan: LoadPlan | null } {
  const problems: string[] = [];
  if (!isPlainObject(sd)) return { problems: [`expected an object {state, paramGroups}, got ${show(sd)}`], plan: null };
  for (const k of Object.keys(sd)) if (k !== 'state' && k !== 'paramGroups') problems.push(`unknown key '${k}'`);
  const saved = own(sd, 'paramGroups');
  if (!Array.isArray(saved)) return { problems: [...problems, 'paramGroups: expected an array'], plan: null };
  if (saved.length !== groups.length) {
    problems.push(`paramGroups: the dict has ${saved.length} groups, this optimizer has ${groups.length}`);
    return { problems, plan: null };
  }
  const byIndex = new Map<number, Tensor>();
  const hypers = saved.map((g: unknown, gi) => readGroup(g, groups[gi]!.params, `paramGroups[${gi}]`, byIndex, hyperProblems, problems));
  const builders = readState(own(sd, 'state'), byIndex, spec, problems);
  const buildState = (): Map<Tensor, ParamState> => {
    const m = new Map<Tensor, ParamState>();
    for (const [p, build] of builders) m.set(p, build());
    return m;
  };
  return { problems, plan: { hypers, buildState } };
}

function readGroup(
  g: unknown, mine: readonly Tensor[], at: string, byIndex: Map<number, Tensor>, hyperProblems: HyperProblems, problems: string[],
): Record<string, unknown> {
  if (!isPlainObject(g)) {
    problems.push(`${at}: expected an object`);
    return {};
  }
  const ids = own(g, 'params');
  if (!Array.isArray(ids)) problems.push(`${at}.params: expected an array of parameter indices`);
  else if (ids.length !== mine.length) problems.push(`${at}.params: the dict's group has ${ids.length} parameters, this optimizer's has ${mine.length}`);
  else {
    ids.forEach((id: unknown, k) => {
      if (!(isNum(id) && Number.isInteger(id) && id >= 0)) problems.push(`${at}.params[${k}]: invalid index ${show(id)}`);
      else if (byIndex.has(id)) problems.push(`${at}.params[${k}]: index ${id} appears twice`);
      else byIndex.set(id, mine[k]!);
    });
  }
  const hyper: Record<string, unknown> = {};
  for (const k of Object.keys(g)) if (k !== 'params') hyper[k] = copyValue(own(g, k));
  for (const p of hyperProblems(hyper, '')) problems.push(`${at}: ${p}`);
  return hyper;
}

function readState<H extends BaseHyper>(
  state: unknown, byIndex: ReadonlyMap<number, Tensor>, spec: OptimizerSpec<H>, problems: string[],
): Map<Tensor, () => ParamState> {
  const out = new Map<Tensor, () => ParamState>();
  if (!isPlainObject(state)) {
    problems.push('state: expected an object keyed by parameter index');
    return out;
  }
  for (const key of Object.keys(state)) {
    // Canonical decimal only: "01" or "1e0" would alias index 1.
    const p = /^(0|[1-9][0-9]*)$/.test(key) ? byIndex.get(Number(key)) : undefined;
    if (p === undefined) problems.push(`state['${key}']: no parameter has this index`);
    else out.set(p, readEntry(own(state, key), p, spec, `state['${key}']`, problems));
  }
  return out;
}

function readEntry<H extends BaseHyper>(
  e: unknown, p: Tensor, spec: OptimizerSpec<H>, at: string, problems: string[],
): () => ParamState {
  const scalars: ParamState = {};
  const buffers: [string, ArrayLike<number>][] = [];
  if (!isPlainObject(e)) {
    problems.push(`${at}: expected an object`);
    return () => ({});
  }
  for (const k of Object.keys(e)) {
    const v = own(e, k);
    if (k === 'step' && spec.hasStep) {
      if (isNum(v) && Number.isInteger(v) && v >= 0) scalars.step = v;
      else problems.push(`${at}.step: invalid step count ${show(v)}`);
    } else if (spec.stateTensors.includes(k)) {
      const values = readBuffer(v, p, `${at}.${k}`, problems);
      if (values) buffers.push([k, values]);
    } else {
      const known = [...(spec.hasStep ? ['step'] : []), ...spec.stateTensors];
      problems.push(`${at}: unknown key '${k}' (known: ${known.join(', ')})`);
    }
  }
  // Moments without their step count would be bias-corrected as if fresh.
  if (spec.hasStep && buffers.length > 0 && scalars.step === undefined) problems.push(`${at}.step: missing`);
  return () => {
    const s: ParamState = { ...scalars };
    for (const [k, values] of buffers) s[k] = keep(tensor(Float64Array.from(values), { dtype: p.dtype, shape: p.shape }));
    return s;
  };
}

function readBuffer(v: unknown, p: Tensor, at: string, problems: string[]): ArrayLike<number> | null {
  if (v instanceof Tensor) {
    if (v.isDisposed) problems.push(`${at}: the tensor was disposed`);
    else if (!shapesEqual(v.shape, p.shape)) problems.push(`${at}: shape ${fmtShape(v.shape)} does not match the parameter's ${fmtShape(p.shape)}`);
    else return v.values.slice();
    return null;
  }
  if (v instanceof Float32Array || v instanceof Float64Array) {
    if (v.length === p.size) return v.slice();
    problems.push(`${at}: has ${v.length} values, the parameter ${fmtShape(p.shape)} has ${p.size}`);
    return null;
  }
  problems.push(`${at}: expected a tensor or a Float32Array/Float64Array, got ${show(v)}`);
  return null;
}
