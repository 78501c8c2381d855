/**
 * @file Bad inputs to indexing and movement ops (docs/reliability.md "Bad input: what every call promises"): each throws a
 * typed error with a stable code and a message naming the op (and the shapes for shape errors),
 * and fails before anything is allocated, so memory() is unchanged after the failed call.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';

type ErrorClass = new (...args: never[]) => px.PlexusError;

/**
 * Asserts `fn(...inputs)` throws an instance of `cls` with `code` whose message contains every
 * `parts` string, and that no storage or tensor was left behind by the failed call. The inputs are
 * built by the caller before the count is taken, so only the op's own allocations are measured.
 */
function expectFailure(inputs: px.Tensor[], fn: (...xs: px.Tensor[]) => unknown, cls: ErrorClass, code: string, parts: string[]): void {
  px.sweep(); // so no automatic sweep (a threshold crossed by earlier cases) lands inside the count
  const before = px.memory();
  assert.throws(() => fn(...inputs), (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    assert.equal(e.code, code);
    for (const p of parts) assert.ok(e.message.includes(p), `message ${JSON.stringify(e.message)} should name ${p}`);
    return true;
  });
  const after = px.memory();
  assert.equal(after.numStorages, before.numStorages, 'a failed call must not allocate storage');
  assert.equal(after.numTensors, before.numTensors, 'a failed call must not leave tensors');
  assert.equal(after.numBytes, before.numBytes);
}

const x = (): px.Tensor => px.tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float64' });
const i32 = (data: number[] | number[][]): px.Tensor => px.tensor(data as number[], { dtype: 'int32' });
const ones64 = (shape: number[]): px.Tensor => px.ones(shape, { dtype: 'float64' });
const OOR = 'INDEX_OUT_OF_RANGE';
const SM = 'SHAPE_MISMATCH';
const DM = 'DTYPE_MISMATCH';

describe('index out of range -> ValueError INDEX_OUT_OF_RANGE', () => {
  const V = px.ValueError;
  it('gather: too large and negative (negative indices are not wrapped, as torch.gather)', () => {
    expectFailure([x(), i32([[0, 2, 1]])], (t, i) => px.gather(t!, 0, i!), V, OOR, ['gather', '2']);
    expectFailure([x(), i32([[0, -1, 1]])], (t, i) => px.gather(t!, 1, i!), V, OOR, ['gather', '-1']);
  });
  it('indexSelect: too large and negative', () => {
    expectFailure([x(), i32([0, 3])], (t, i) => px.indexSelect(t!, 1, i!), V, OOR, ['indexSelect', '3']);
    expectFailure([x(), i32([-1])], (t, i) => px.indexSelect(t!, 0, i!), V, OOR, ['indexSelect', '-1']);
  });
  it('oneHot: class >= numClasses and negative class', () => {
    expectFailure([i32([[0, 4]])], (i) => px.oneHot(i!, 4), V, OOR, ['oneHot', '4']);
    expectFailure([i32([-1, 0])], (i) => px.oneHot(i!, 4), V, OOR, ['oneHot', '-1']);
  });
  it('scatterAdd and indexAdd: index past the base', () => {
    expectFailure([x(), i32([[2, 0, 0]]), ones64([1, 3])], (b, i, s) => px.scatterAdd(b!, 0, i!, s!), V, OOR, ['scatterAdd']);
    expectFailure([x(), i32([5]), ones64([2, 1])], (b, i, s) => px.indexAdd(b!, 1, i!, s!), V, OOR, ['indexAdd']);
  });
});

describe('float index -> DTypeError', () => {
  const D = px.DTypeError;
  const f64idx = (): px.Tensor => px.tensor([[0, 1, 1]], { dtype: 'float64' });
  const f32idx = (): px.Tensor => px.tensor([0, 1], { dtype: 'float32' });
  it('gather, scatterAdd', () => {
    expectFailure([x(), f64idx()], (t, i) => px.gather(t!, 0, i!), D, DM, ['gather', 'float64']);
    expectFailure([x(), f64idx(), ones64([1, 3])], (b, i, s) => px.scatterAdd(b!, 0, i!, s!), D, DM, ['scatterAdd', 'float64']);
  });
  it('indexSelect, indexAdd, oneHot', () => {
    expectFailure([x(), f32idx()], (t, i) => px.indexSelect(t!, 0, i!), D, DM, ['indexSelect', 'float32']);
    expectFailure([x(), f32idx(), ones64([2, 3])], (b, i, s) => px.indexAdd(b!, 0, i!, s!), D, DM, ['indexAdd', 'float32']);
    expectFailure([f32idx()], (i) => px.oneHot(i!, 3), D, DM, ['oneHot', 'float32']);
  });
});

describe('wrong-rank index -> ShapeError', () => {
  const S = px.ShapeError;
  it('gather: index rank differs from input rank', () => {
    expectFailure([x(), i32([0, 1])], (t, i) => px.gather(t!, 0, i!), S, SM, ['gather', '[2]', '[2,3]']);
  });
  it('gather: index larger than input off the axis', () => {
    expectFailure([x(), i32([[0, 0, 0, 0]])], (t, i) => px.gather(t!, 0, i!), S, SM, ['gather', '[1,4]', '[2,3]']);
  });
  it('indexSelect / indexAdd: index not 1-D', () => {
    expectFailure([x(), i32([[0], [1]])], (t, i) => px.indexSelect(t!, 0, i!), S, SM, ['indexSelect', '[2,1]']);
    expectFailure([x(), i32([[0]]), ones64([1, 3])], (b, i, s) => px.indexAdd(b!, 0, i!, s!), S, SM, ['indexAdd', '[1,1]']);
  });
  it('scatterAdd: src shape differs from index shape', () => {
    expectFailure([x(), i32([[0, 1, 1]]), ones64([1, 2])], (b, i, s) => px.scatterAdd(b!, 0, i!, s!), S, SM, ['scatterAdd', '[1,2]', '[1,3]']);
  });
});

describe('slice / pad / concat shape errors -> ShapeError naming op and shapes', () => {
  const S = px.ShapeError;
  it('slice: more ranges than dims; non-integer bound', () => {
    expectFailure([x()], (t) => px.slice(t!, [[0, 1], [0, 1], [0, 1]]), S, SM, ['slice', '[2,3]']);
    expectFailure([x()], (t) => px.slice(t!, [[0, 1.5]]), S, SM, ['slice', '1.5']);
  });
  it('pad: more pairs than dims; negative pad', () => {
    expectFailure([x()], (t) => px.pad(t!, [[1, 1], [1, 1], [1, 1]]), S, SM, ['pad', '[2,3]']);
    expectFailure([x()], (t) => px.pad(t!, [[0, -1]]), S, SM, ['pad', '[2,3]']);
  });
  it('concat: shapes differ off the axis; ranks differ; empty list', () => {
    const z = (shape: number[]): px.Tensor => px.zeros(shape, { dtype: 'float64' });
    expectFailure([x(), z([3, 2])], (...xs) => px.concat(xs, 0), S, SM, ['concat', '[2,3]', '[3,2]']);
    expectFailure([x(), z([2, 3, 1])], (...xs) => px.concat(xs, 1), S, SM, ['concat', '[2,3]', '[2,3,1]']);
    expectFailure([], (...xs) => px.concat(xs, 0), S, SM, ['concat']);
  });
  it('concat: dtypes differ -> DTypeError', () => {
    expectFailure([x(), px.zeros([2, 3], { dtype: 'float32' })], (...xs) => px.concat(xs, 0), px.DTypeError, DM, ['concat', 'float64', 'float32']);
  });
  it('the library stays usable: a valid call after the failures works', () => {
    assert.deepEqual(Array.from(px.gather(x(), 0, i32([[1, 0, 1]])).values), [4, 2, 6]);
  });
});
