/**
 * @file Bad inputs get a typed error with a stable code and a message naming the op and the shapes,
 * raised before anything is allocated (docs/reliability.md "Bad input: what every call promises"). "Before allocation" is checked
 * through memory(): storages and bytes are identical across the failing call. Finalizers cannot run
 * inside one synchronous block, so the two snapshots see no unrelated frees.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';

type ErrClass = new (...a: never[]) => px.PlexusError;

/** Runs `fn`, expecting `cls`; checks the message mentions every `names`; asserts no allocation. */
function failsCleanly(fn: () => unknown, cls: ErrClass, names: string[], code?: string): px.PlexusError {
  const before = px.memory();
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  const after = px.memory();
  assert.ok(caught instanceof cls, `expected ${cls.name}, got ${caught === undefined ? 'no error' : String(caught)}`);
  if (code) assert.equal(caught.code, code);
  for (const n of names) assert.ok(caught.message.includes(n), `message ${JSON.stringify(caught.message)} should name ${n}`);
  assert.equal(after.numStorages, before.numStorages, 'a storage was allocated before the error');
  assert.equal(after.numBytes, before.numBytes, 'bytes were allocated before the error');
  assert.equal(after.numTensors, before.numTensors, 'a tensor was created before the error');
  return caught;
}

const z = (shape: number[]) => px.zeros(shape);

describe('shape errors name the op and both shapes, before allocating (row 31)', () => {
  it('matmul [2,3] x [4,5]', () => {
    const [a, b] = [z([2, 3]), z([4, 5])];
    failsCleanly(() => px.matmul(a, b), px.ShapeError, ['matmul', '[2,3]', '[4,5]']);
  });

  it('broadcast [3] + [4]', () => {
    const [a, b] = [z([3]), z([4])];
    failsCleanly(() => px.add(a, b), px.ShapeError, ['add', '[3]', '[4]']);
    failsCleanly(() => a.mul(b), px.ShapeError, ['mul', '[3]', '[4]']);
  });

  it('reshape to the wrong number of elements', () => {
    const a = z([2, 3]);
    failsCleanly(() => a.reshape([4, 2]), px.ShapeError, ['reshape', '[2,3]', '[4,2]']);
    failsCleanly(() => a.reshape([4, -1]), px.ShapeError, ['reshape', '[2,3]', '[4,-1]']);
  });

  it('reshape with two -1s', () => {
    const a = z([2, 3]);
    failsCleanly(() => a.reshape([-1, -1]), px.ShapeError, ['reshape', '[2,3]', '[-1,-1]']);
  });

  it('negative dims', () => {
    const a = z([2, 3]);
    failsCleanly(() => a.reshape([-2, -3]), px.ShapeError, ['reshape', '[2,3]', '[-2,-3]'], 'INVALID_SHAPE');
    failsCleanly(() => px.zeros([2, -1]), px.ShapeError, ['zeros', '[2,-1]'], 'INVALID_SHAPE');
  });

  it('axis out of range', () => {
    const a = z([2, 3]);
    // The axis and the rank identify the fault (normalizeAxis only knows the rank, not the shape).
    failsCleanly(() => a.sum(2), px.ShapeError, ['sum', 'axis 2', 'rank 2'], 'AXIS_OUT_OF_RANGE');
    failsCleanly(() => a.softmax(-3), px.ShapeError, ['axis -3', 'rank 2'], 'AXIS_OUT_OF_RANGE');
  });

  it('concat with mismatched ranks', () => {
    const [a, b] = [z([2, 3]), z([2, 3, 1])];
    failsCleanly(() => px.concat([a, b], 0), px.ShapeError, ['concat', '[2,3]', '[2,3,1]']);
  });
});

describe('dtype errors name the op and the dtype, before allocating', () => {
  const i = px.tensor([1, 2, 3], { dtype: 'int32' });
  for (const [op, run] of [
    ['exp', () => px.exp(i)],
    ['log', () => px.log(i)],
    ['mean', () => px.mean(i)],
  ] as const) {
    it(`int32 into ${op}`, () => {
      failsCleanly(run, px.DTypeError, [op, 'int32']);
    });
  }
});

describe('memory-sized requests (row 32)', () => {
  it('zeros([1e6, 1e6]) throws OutOfMemoryError naming bytes and shape, and the next op works', () => {
    failsCleanly(() => px.zeros([1e6, 1e6]), px.OutOfMemoryError, ['zeros', '[1000000,1000000]', String(4e12)], 'OUT_OF_MEMORY');
    const t = px.ones([2], { dtype: 'float64' }).add(1);
    assert.deepEqual(Array.from(t.values), [2, 2]);
  });
});

describe('disposed tensors (row 33)', () => {
  it('reading or computing with a disposed tensor throws DisposedError', () => {
    const t = px.tensor([1, 2], { dtype: 'float64' });
    t.dispose();
    assert.equal(t.isDisposed, true);
    assert.throws(() => t.add(1), (e: unknown) => e instanceof px.DisposedError && e.code === 'DISPOSED' && /add/.test(e.message));
    assert.throws(() => t.values, px.DisposedError);
    assert.throws(() => t.toArray(), px.DisposedError);
    assert.throws(() => t.dataSync(), px.DisposedError);
    const one = px.scalar(3);
    one.dispose();
    assert.throws(() => one.item(), px.DisposedError);
  });

  it('dispose releases the storage exactly once', () => {
    px.sweep(); // so no automatic sweep (a threshold crossed by earlier tests) lands inside the count
    const before = px.memory();
    const t = px.zeros([10], { dtype: 'float64' });
    assert.equal(px.memory().numBytes, before.numBytes + 80);
    t.dispose();
    // A second dispose is a distinct error (docs/reliability.md "Numerics and training") and must not free the storage twice.
    assert.throws(() => t.dispose(), (e: unknown) => e instanceof px.DisposedError && e.code === 'DOUBLE_DISPOSE');
    assert.equal(px.memory().numBytes, before.numBytes);
    assert.equal(px.memory().numStorages, before.numStorages);
  });
});

describe('tensor() input validation', () => {
  it('ragged nested arrays throw ShapeError naming the position', () => {
    failsCleanly(() => px.tensor([[1, 2], [3]]), px.ShapeError, ['tensor', '[1]'], 'RAGGED');
    failsCleanly(() => px.tensor([[1, 2], 3] as never), px.ShapeError, ['tensor'], 'RAGGED');
    failsCleanly(() => px.tensor([1, [2]] as never), px.ShapeError, ['tensor'], 'RAGGED');
  });

  it('non-numbers throw ValueError', () => {
    failsCleanly(() => px.tensor(['a'] as never), px.ValueError, ['tensor', 'string']);
    failsCleanly(() => px.tensor([1, null] as never), px.ValueError, ['tensor', 'null']);
    failsCleanly(() => px.tensor([{}] as never), px.ValueError, ['tensor', 'object']);
  });

  it('an int32 tensor from 1.5 throws', () => {
    failsCleanly(() => px.tensor([1, 1.5], { dtype: 'int32' }), px.ValueError, ['tensor', '1.5', 'int32']);
    failsCleanly(() => px.tensor([2 ** 31], { dtype: 'int32' }), px.ValueError, ['int32']);
  });
});
