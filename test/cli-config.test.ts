/**
 * @file Hostile and mistaken `plexus train` configs (docs/reliability.md "CLI configs and paths", issue #4 "Bad input"):
 * `__proto__` / `constructor` keys, strings for numbers, negative and overflowing numbers, unknown
 * keys, options of the wrong optimizer, csv without a target, a batch larger than the dataset,
 * duplicate keys and malformed JSON. Each run must exit non-zero with a message naming the JSON
 * pointer (and the flag, when a flag set the value), write nothing, and leave Object.prototype alone.
 * All problems of one config are reported together.
 */
import { after, afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadTrainConfig } from '../apps/cli/config.js';
import { makeCtx } from '../apps/cli/context.js';
import { ConfigError } from '../apps/cli/errors.js';
import { assertNoPollution, refused, removeTempDirs, tempDir } from './cli-helpers.js';

afterEach(assertNoPollution);
after(removeTempDirs);

/** Writes `text` as bad.json in a fresh working folder and runs `plexus train --config bad.json`. */
async function badConfig(text: string, names: string[], extra: string[] = []): Promise<string> {
  const cwd = tempDir();
  writeFileSync(path.join(cwd, 'bad.json'), text);
  const r = await refused(cwd, ['train', '--config', 'bad.json', ...extra], names);
  return r.err;
}

describe('plexus train refuses bad configs, naming the JSON path, writing nothing', () => {
  it('{"__proto__": {"polluted": 1}}', async () => {
    await badConfig('{"__proto__": {"polluted": 1}}', ['/__proto__', 'not allowed', 'INVALID_CONFIG']);
  });

  it('{"constructor": {"prototype": {"polluted": 1}}} and a nested __proto__', async () => {
    await badConfig('{"constructor": {"prototype": {"polluted": 1}}, "optimizer": {"__proto__": {"x": 1}}}', ['/constructor', '/optimizer/__proto__']);
  });

  it('epochs: "10" (a string is not coerced)', async () => {
    await badConfig('{"epochs": "10"}', ['/epochs: must be an integer in [1, 1000000], got "10"']);
  });

  it('lr: -1, lr: "0.1" and epochs: 1e309 / -1', async () => {
    await badConfig('{"optimizer": {"lr": -1}}', ['/optimizer/lr: must be a finite number > 0, got -1']);
    await badConfig('{"optimizer": {"lr": "0.1"}}', ['/optimizer/lr: must be a finite number > 0, got "0.1"']);
    await badConfig('{"epochs": 1e309}', ['/epochs:', 'got Infinity']);
    await badConfig('{"epochs": -1}', ['/epochs:', 'got -1']);
  });

  it('an unknown key, with a suggestion', async () => {
    await badConfig('{"optimizer": {"learningRat": 0.01}}', ['/optimizer/learningRat: unknown key', 'did you mean "lr"']);
    await badConfig('{"batch_size": 8}', ['/batch_size: unknown key', '"batchSize"']);
    await badConfig('{"lr": 0.1}', ['/lr: unknown key', '/optimizer/lr']);
  });

  it('an output path outside the working folder, listed with the other problems', async () => {
    await badConfig('{"out": "../escape", "epochs": 0}', ['/out: "../escape" resolves outside', '/epochs']);
  });

  it('reports every problem at once', async () => {
    const err = await badConfig(
      '{"__proto__": {}, "epochs": "10", "batchSize": 0, "seed": -3, "optimizer": {"lr": -1, "learningRat": 1}, "model": {"hidden": [64, 0], "activation": "relux"}, "data": {"name": "mnist"}}',
      ['9 problems', '/__proto__', '/epochs', '/batchSize', '/seed', '/optimizer/lr', '/optimizer/learningRat', '/model/hidden/1', '/model/activation', '/data/name'],
    );
    assert.match(err, /\/model\/activation: must be one of relu, leakyRelu/);
  });

  it('options of another optimizer, csv without target, data keys of another set, unknown backend', async () => {
    await badConfig('{"optimizer": {"name": "sgd", "betas": [0.9, 0.99]}}', ['/optimizer/betas: is not an option of sgd']);
    await badConfig('{"optimizer": {"name": "adam", "momentum": 0.9}}', ['/optimizer/momentum: is not an option of adam']);
    await badConfig('{"data": {"name": "csv", "path": "x.csv"}}', ['/data/target: is required for csv data']);
    await badConfig('{"data": {"name": "digits", "target": "y"}}', ['/data/target: is only used with csv data']);
    await badConfig('{"data": {"name": "fashion-mnist", "testFraction": 0.1}}', ['/data/testFraction: fashion-mnist has a fixed test set']);
    await badConfig('{"backend": "gpu"}', ['/backend: must be auto or one of', 'got "gpu"']);
  });

  it('batchSize larger than the training set (checked after loading the data, still before writing)', async () => {
    await badConfig('{"data": {"name": "iris"}, "batchSize": 500}', ['/batchSize: must be at most the 120 training samples, got 500']);
  });

  it('a model too large for the memory budget: refused from the widths (the estimate and the limit named) before anything is built or written', async () => {
    await badConfig('{"model": {"hidden": [65536, 65536]}}', ['/model/hidden', 'GiB to train', 'more than the limit']);
  });

  it('duplicate keys and malformed JSON', async () => {
    await badConfig('{"epochs": 2, "epochs": 3}', ['duplicate key "epochs"', 'DUPLICATE_KEY']);
    await badConfig('{"epochs": 2,', ['bad.json', 'invalid JSON', 'INVALID_JSON']);
    await badConfig('[1, 2]', ['/: must be an object, got an array']);
  });

  it('a missing config file is a typed error naming it', async () => {
    const cwd = tempDir();
    await refused(cwd, ['train', '--config', 'nope.json'], ['nope.json', 'CONFIG_NOT_FOUND']);
  });
});

describe('flags', () => {
  it('bad flag values name the flag and its JSON path', async () => {
    const cwd = tempDir();
    await refused(cwd, ['train', '--lr', 'abc', '--epochs', '1.5', '--hidden', '64,x', '--data', 'mnist'],
      ['4 problems', '--lr (/optimizer/lr): must be a finite number > 0, got "abc"', '--epochs (/epochs)', '--hidden (/model/hidden/1)', '--data (/data/name)']);
  });

  it('flags override the config file', () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'c.json'), '{"epochs": 7, "optimizer": {"name": "sgd", "lr": 0.5, "momentum": 0.9}, "model": {"hidden": [8]}}');
    const { config } = loadTrainConfig(makeCtx({ out: () => {}, err: () => {}, cwd }), { config: 'c.json', epochs: '3', lr: '0.25', hidden: '16,4', data: 'csv:t.csv', target: 'y' });
    assert.equal(config.epochs, 3);
    assert.deepEqual(config.optimizer, { name: 'sgd', lr: 0.25, momentum: 0.9 });
    assert.deepEqual(config.model.hidden, [16, 4]);
    assert.deepEqual(config.data, { name: 'csv', path: 't.csv', target: 'y' });
    assert.equal(config.batchSize, 32); // defaults fill the rest
  });

  it('ConfigError carries every problem as {pointer, flag?, message}', () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, 'c.json'), '{"epochs": "10", "optimizer": {"lr": -1}}');
    let caught: unknown;
    try {
      loadTrainConfig(makeCtx({ out: () => {}, err: () => {}, cwd }), { config: 'c.json', batchSize: '0' });
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof ConfigError);
    assert.equal(caught.code, 'INVALID_CONFIG');
    assert.deepEqual(caught.problems.map((p) => [p.pointer, p.flag ?? null]).sort(), [['/batchSize', '--batch-size'], ['/epochs', null], ['/optimizer/lr', null]]);
  });
});
