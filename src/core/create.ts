/**
 * @file Creating tensors: from JS data, constant fills, ranges and random draws. Creation is not a
 * primitive: values are written straight into a new storage on the current backend.
 */
import { currentBackend } from './backend.js';
import { type DType, type TypedArray, dtypeOfArray, getDefaultDType, isDType, isFloat } from './dtype.js';
import { DTypeError, ShapeError, ValueError, fmtShape } from './errors.js';
import { allocStorage } from './memory.js';
import { type Shape, checkShape, numel } from './shape.js';
import { defaultGenerator, type Generator } from './rng.js';
import { Tensor } from './tensor.js';
import { checkOptions, shapeArray, tensorArg } from './args.js';

export interface CreateOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

export interface RandomOptions extends CreateOptions {
  generator?: Generator;
}

type NestedInput = number | boolean | readonly NestedInput[];

/** The shape and options checks of a creation function (a bare number or misspelt key is refused). */
function created(op: string, shape: unknown, opts: object, keys: readonly string[]): void {
  shapeArray(op, shape);
  checkOptions(op, opts, keys);
}

function checkDType(op: string, d: unknown): DType {
  if (!isDType(d)) throw new DTypeError(`${op}: unknown dtype ${JSON.stringify(d)}; expected float32, float64, int32 or bool`, 'INVALID_DTYPE');
  return d;
}

/** Allocates an uninitialised tensor on the current backend (after shape and budget checks). */
export function empty(shape: Shape, opts: CreateOptions = {}, op = 'empty'): Tensor {
  created(op, shape, opts, ['dtype', 'requiresGrad']);
  const dtype = checkDType(op, opts.dtype ?? getDefaultDType());
  checkShape(op, shape);
  const s = allocStorage(currentBackend(), dtype, numel(shape), shape, op);
  const t = new Tensor(s, [...shape], dtype);
  if (opts.requiresGrad) t.requiresGrad_();
  return t;
}

function fill(op: string, shape: Shape, opts: CreateOptions, f: (i: number) => number): Tensor {
  const dtype = checkDType(op, opts.dtype ?? getDefaultDType());
  checkShape(op, shape);
  const t = empty(shape, { dtype }, op);
  const v = t._peek(); // _peek: a fresh tensor is written here, not handed out (core/memory.ts)
  for (let i = 0; i < v.length; i++) v[i] = f(i);
  if (opts.requiresGrad) t.requiresGrad_();
  return t;
}

/**
 * A tensor holding `value` everywhere. TypedArray.fill, not fill()'s per-element callback: that loop
 * is megamorphic (one closure per caller) and cost ~8 ns per element, which made zeros/full of a
 * KAN basis-sized gradient (10^6 elements) as slow as the layer's whole matmul.
 */
function fillConst(op: string, shape: Shape, opts: CreateOptions, value: number): Tensor {
  const t = empty(shape, { dtype: checkDType(op, opts.dtype ?? getDefaultDType()) }, op);
  t._peek().fill(value);
  if (opts.requiresGrad) t.requiresGrad_();
  return t;
}

/** A tensor whose elements are `src` converted as by assignment (TypedArray.set, same rule). */
function fromFlat(op: string, shape: Shape, opts: CreateOptions & { dtype: DType }, src: ArrayLike<number>): Tensor {
  const t = empty(shape, { dtype: opts.dtype }, op);
  t._peek().set(src);
  if (opts.requiresGrad) t.requiresGrad_();
  return t;
}

function checkValue(op: string, v: number, dtype: DType, where: string): number {
  if (typeof v !== 'number' && typeof v !== 'boolean') {
    throw new ValueError(`${op}: element ${where} is ${v === null ? 'null' : typeof v}, expected a number`);
  }
  const x = Number(v);
  if (dtype === 'int32' && (!Number.isInteger(x) || x < -(2 ** 31) || x >= 2 ** 31)) {
    throw new ValueError(`${op}: element ${where} = ${x} is not an int32`);
  }
  return x;
}

function inferShape(op: string, data: NestedInput): number[] {
  const shape: number[] = [];
  let cur: NestedInput = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = (cur as readonly NestedInput[])[0] as NestedInput;
  }
  return shape;
}

function flatten(op: string, data: NestedInput, shape: number[], out: number[], dtype: DType): void {
  const rec = (x: NestedInput, dim: number, path: number[]): void => {
    if (dim === shape.length) {
      if (Array.isArray(x)) throw new ShapeError(`${op}: ragged nested array at [${path.join('][')}]: expected a number, got an array`, 'RAGGED');
      out.push(checkValue(op, x as number, dtype, `[${path.join('][')}]`));
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[dim]) {
      throw new ShapeError(`${op}: ragged nested array at [${path.join('][')}]: expected length ${shape[dim]}, got ${Array.isArray(x) ? x.length : 'a scalar'}`, 'RAGGED');
    }
    (x as readonly NestedInput[]).forEach((v, i) => rec(v, dim + 1, [...path, i]));
  };
  rec(data, 0, []);
}

function allBool(x: NestedInput): boolean {
  return Array.isArray(x) ? x.length > 0 && (x as readonly NestedInput[]).every(allBool) : typeof x === 'boolean';
}

/**
 * A tensor from a number, nested arrays or a typed array (`shape` reshapes flat data).
 * @example tensor([[1, 2], [3, 4]], { dtype: 'float64' })
 */
export function tensor(data: NestedInput | TypedArray | readonly number[], opts: CreateOptions & { shape?: Shape } = {}): Tensor {
  checkOptions('tensor', opts, ['dtype', 'requiresGrad', 'shape']);
  const op = 'tensor';
  if (ArrayBuffer.isView(data)) {
    const dtype = checkDType(op, opts.dtype ?? dtypeOfArray(data) ?? getDefaultDType());
    const shape = opts.shape ?? [data.length];
    checkShape(op, shape);
    if (numel(shape) !== data.length) throw new ShapeError(`${op}: shape ${fmtShape(shape)} needs ${numel(shape)} values, got ${data.length}`);
    if (dtype === 'int32') for (let i = 0; i < data.length; i++) checkValue(op, data[i]!, dtype, `[${i}]`);
    return fromFlat(op, shape, { ...opts, dtype }, data as ArrayLike<number>);
  }
  const dtype = checkDType(op, opts.dtype ?? (allBool(data as NestedInput) ? 'bool' : getDefaultDType()));
  const natural = inferShape(op, data as NestedInput);
  const flat: number[] = [];
  flatten(op, data as NestedInput, natural, flat, dtype);
  const shape = opts.shape ?? natural;
  checkShape(op, shape);
  if (numel(shape) !== flat.length) throw new ShapeError(`${op}: shape ${fmtShape(shape)} needs ${numel(shape)} values, got ${flat.length}`);
  return fromFlat(op, shape, { ...opts, dtype }, flat);
}

/** A rank-0 tensor. */
export function scalar(value: number, opts: CreateOptions = {}): Tensor {
  checkOptions('scalar', opts, ['dtype', 'requiresGrad']);
  return tensor(value, opts);
}

export function full(shape: Shape, value: number, opts: CreateOptions = {}): Tensor {
  created('full', shape, opts, ['dtype', 'requiresGrad']);
  const dtype = checkDType('full', opts.dtype ?? getDefaultDType());
  const v = checkValue('full', value, dtype, 'fill value');
  return fillConst('full', shape, { ...opts, dtype }, v);
}

export function zeros(shape: Shape, opts: CreateOptions = {}): Tensor {
  created('zeros', shape, opts, ['dtype', 'requiresGrad']);
  return fillConst('zeros', shape, opts, 0);
}

export function ones(shape: Shape, opts: CreateOptions = {}): Tensor {
  created('ones', shape, opts, ['dtype', 'requiresGrad']);
  return fillConst('ones', shape, opts, 1);
}

export function zerosLike(t: Tensor, opts: CreateOptions = {}): Tensor {
  tensorArg('zerosLike', 'input', t);
  checkOptions('zerosLike', opts, ['dtype', 'requiresGrad']);
  return zeros(t.shape, { dtype: t.dtype, ...opts });
}

export function onesLike(t: Tensor, opts: CreateOptions = {}): Tensor {
  tensorArg('onesLike', 'input', t);
  checkOptions('onesLike', opts, ['dtype', 'requiresGrad']);
  return ones(t.shape, { dtype: t.dtype, ...opts });
}

export function fullLike(t: Tensor, value: number, opts: CreateOptions = {}): Tensor {
  tensorArg('fullLike', 'input', t);
  checkOptions('fullLike', opts, ['dtype', 'requiresGrad']);
  return full(t.shape, value, { dtype: t.dtype, ...opts });
}

/** `arange(end)` or `arange(start, end, step)`: [start, end) in steps (NumPy). */
export function arange(start: number, end?: number, step = 1, opts: CreateOptions = {}): Tensor {
  checkOptions('arange', opts, ['dtype', 'requiresGrad']);
  if (end === undefined) [start, end] = [0, start];
  if (!Number.isFinite(start) || !Number.isFinite(end) || !Number.isFinite(step) || step === 0) {
    throw new ValueError(`arange: start, end and step must be finite and step non-zero, got (${start}, ${end}, ${step})`);
  }
  const n = Math.max(0, Math.ceil((end - start) / step));
  return fill('arange', [n], opts, (i) => start + i * step);
}

/** `num` evenly spaced values from start to end inclusive. */
export function linspace(start: number, end: number, num: number, opts: CreateOptions = {}): Tensor {
  checkOptions('linspace', opts, ['dtype', 'requiresGrad']);
  if (!Number.isInteger(num) || num < 0) throw new ValueError(`linspace: num must be a non-negative integer, got ${num}`);
  const step = num > 1 ? (end - start) / (num - 1) : 0;
  return fill('linspace', [num], opts, (i) => (i === num - 1 && num > 1 ? end : start + i * step));
}

/** Identity matrix n x m (m defaults to n). */
export function eye(n: number, m = n, opts: CreateOptions = {}): Tensor {
  checkOptions('eye', opts, ['dtype', 'requiresGrad']);
  return fill('eye', [n, m], opts, (i) => (Math.floor(i / m) === i % m ? 1 : 0));
}

function floatOpts(op: string, opts: CreateOptions): CreateOptions {
  const dtype = checkDType(op, opts.dtype ?? getDefaultDType());
  if (!isFloat(dtype)) throw new DTypeError(`${op}: dtype must be float32 or float64, got ${dtype}`);
  return { ...opts, dtype };
}

/** Standard normal samples. */
export function randn(shape: Shape, opts: RandomOptions = {}): Tensor {
  created('randn', shape, opts, ['dtype', 'requiresGrad', 'generator']);
  const g = opts.generator ?? defaultGenerator;
  return fill('randn', shape, floatOpts('randn', opts), () => g.nextNormal());
}

/** Uniform samples in [0, 1). */
export function rand(shape: Shape, opts: RandomOptions = {}): Tensor {
  created('rand', shape, opts, ['dtype', 'requiresGrad', 'generator']);
  const g = opts.generator ?? defaultGenerator;
  return fill('rand', shape, floatOpts('rand', opts), () => g.nextFloat());
}

/** Uniform integers in [low, high); int32 by default. */
export function randint(low: number, high: number, shape: Shape, opts: RandomOptions = {}): Tensor {
  created('randint', shape, opts, ['dtype', 'requiresGrad', 'generator']);
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new ValueError(`randint: need integers low < high, got low=${low}, high=${high}`);
  }
  const g = opts.generator ?? defaultGenerator;
  return fill('randint', shape, { dtype: 'int32', ...opts }, () => g.nextInt(low, high));
}

/**
 * Draws 1 with probability p (a number, or a tensor of probabilities whose shape is the output's).
 * Float output by default, as PyTorch's bernoulli.
 */
export function bernoulli(p: number | Tensor, shape?: Shape, opts: RandomOptions = {}): Tensor {
  if (shape !== undefined) shapeArray('bernoulli', shape);
  checkOptions('bernoulli', opts, ['dtype', 'requiresGrad', 'generator']);
  const g = opts.generator ?? defaultGenerator;
  const probs = p instanceof Tensor ? p.values : undefined;
  const outShape = p instanceof Tensor ? p.shape : (shape ?? []);
  const check = (q: number): number => {
    if (!(q >= 0 && q <= 1)) throw new ValueError(`bernoulli: probability must be in [0, 1], got ${q}`);
    return q;
  };
  if (probs) for (let i = 0; i < probs.length; i++) check(probs[i]!);
  else check(p as number);
  const dtype = opts.dtype ?? (p instanceof Tensor && isFloat(p.dtype) ? p.dtype : getDefaultDType());
  return fill('bernoulli', outShape, { ...opts, dtype }, (i) => (g.nextFloat() < (probs ? probs[i]! : (p as number)) ? 1 : 0));
}
