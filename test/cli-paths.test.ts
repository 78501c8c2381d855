/**
 * @file Path containment of everything the CLI writes (docs/reliability.md "CLI configs and paths": the classes
 * of ONNX's path CVEs). The run folder (--out, name, the default runs/) and predict's --output must
 * resolve, symlinks followed, strictly inside the working folder; otherwise a typed error names the
 * path and nothing is written, inside or outside. Hardlinks: an existing file is replaced by rename,
 * so a hardlinked file outside keeps its content.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { containedPath } from '../apps/cli/paths.js';
import { PathError } from '../apps/cli/errors.js';
import { refused, removeTempDirs, runCli, tempDir } from './cli-helpers.js';

after(removeTempDirs);

function pathError(fn: () => unknown, code: string): PathError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof PathError, `expected PathError ${code}, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected PathError ${code}`);
}

describe('containedPath', () => {
  it('accepts new and existing folders inside the root, resolving symlinks that stay inside', () => {
    const root = tempDir();
    mkdirSync(path.join(root, 'real'));
    symlinkSync(path.join(root, 'real'), path.join(root, 'alias'));
    assert.equal(containedPath(root, 'runs/a/b', 'out'), path.join(root, 'runs/a/b'));
    assert.equal(containedPath(root, './x/../y', 'out'), path.join(root, 'y'));
    assert.equal(containedPath(root, path.join(root, 'z'), 'out'), path.join(root, 'z'));
    assert.equal(containedPath(root, 'alias/new', 'out'), path.join(root, 'real/new'));
  });

  it('refuses .., absolute paths outside, NUL, Windows drive/UNC paths, backslashes and the root itself', () => {
    const root = tempDir();
    pathError(() => containedPath(root, '../x', 'out'), 'PATH_OUTSIDE_ROOT');
    pathError(() => containedPath(root, 'a/../../x', 'out'), 'PATH_OUTSIDE_ROOT');
    pathError(() => containedPath(root, '../../etc/x', 'out'), 'PATH_OUTSIDE_ROOT');
    pathError(() => containedPath(root, '/etc/x', 'out'), 'PATH_OUTSIDE_ROOT');
    pathError(() => containedPath(root, `${root}-sibling/x`, 'out'), 'PATH_OUTSIDE_ROOT');
    pathError(() => containedPath(root, 'a\0b', 'out'), 'INVALID_PATH');
    pathError(() => containedPath(root, 'C:/x', 'out'), 'INVALID_PATH');
    pathError(() => containedPath(root, '\\\\server\\share', 'out'), 'INVALID_PATH');
    pathError(() => containedPath(root, '..\\x', 'out'), 'INVALID_PATH');
    pathError(() => containedPath(root, '.', 'out'), 'PATH_OUTSIDE_ROOT');
    pathError(() => containedPath(root, '', 'out'), 'INVALID_PATH');
  });

  it('refuses a symlink in a parent leading out, and a symlink as the final component', () => {
    const root = tempDir();
    const outside = tempDir();
    symlinkSync(outside, path.join(root, 'escape'));
    symlinkSync(path.join(outside, 'target'), path.join(root, 'dangling'));
    mkdirSync(path.join(root, 'inner'));
    symlinkSync(path.join(root, 'inner'), path.join(root, 'inner-link'));
    const e = pathError(() => containedPath(root, 'escape/run', 'output folder'), 'PATH_OUTSIDE_ROOT');
    assert.match(e.message, /escape\/run.*symbolic link/);
    pathError(() => containedPath(root, 'dangling', 'out'), 'PATH_IS_SYMLINK');
    pathError(() => containedPath(root, 'inner-link', 'out'), 'PATH_IS_SYMLINK'); // even pointing inside
  });
});

describe('plexus train --out', () => {
  it('refuses --out ../x and writes nothing, inside or outside', async () => {
    const parent = tempDir();
    const cwd = path.join(parent, 'work');
    mkdirSync(cwd);
    await refused(cwd, ['train', '--out', '../x'], ['"../x"', 'outside', 'PATH_OUTSIDE_ROOT'], [parent]);
    assert.equal(existsSync(path.join(parent, 'x')), false);
  });

  it('refuses an absolute path outside the working folder', async () => {
    const cwd = tempDir();
    const outside = tempDir();
    const target = path.join(outside, 'run');
    await refused(cwd, ['train', '--out', target], [target, 'PATH_OUTSIDE_ROOT'], [cwd, outside]);
  });

  it('refuses a run folder reached through a symlinked directory, and a symlinked runs/', async () => {
    const cwd = tempDir();
    const outside = tempDir();
    symlinkSync(outside, path.join(cwd, 'link'));
    await refused(cwd, ['train', '--out', 'link/run'], ['link/run', 'symbolic link'], [cwd, outside]);
    symlinkSync(outside, path.join(cwd, 'runs'));
    await refused(cwd, ['train', '--epochs', '1'], ['runs/', 'outside'], [cwd, outside]);
    await refused(cwd, ['train', '--name', 'n1'], ['runs/n1', 'outside'], [cwd, outside]);
  });

  it('refuses a NUL byte and a Windows drive path', async () => {
    const cwd = tempDir();
    await refused(cwd, ['train', '--out', 'a\0b'], ['NUL byte']);
    await refused(cwd, ['train', '--out', 'C:\\runs\\x'], ['Windows drive']);
  });

  it('never overwrites a finished run: an existing non-empty --out is refused', async () => {
    const cwd = tempDir();
    mkdirSync(path.join(cwd, 'done'));
    writeFileSync(path.join(cwd, 'done', 'model.safetensors'), 'old');
    await refused(cwd, ['train', '--out', 'done'], ['done', 'RUN_DIR_EXISTS']);
  });
});

describe('plexus predict --output', () => {
  it('refuses an output outside the working folder before reading the model', async () => {
    const cwd = tempDir();
    const outside = tempDir();
    // The model does not even exist: the output path is checked first.
    await refused(cwd, ['predict', '--model', 'm.safetensors', '--input', 'in.csv', '--output', '../out.csv'], ['"../out.csv"', 'PATH_OUTSIDE_ROOT'], [cwd]);
    await refused(cwd, ['predict', '--model', 'm.safetensors', '--input', 'in.csv', '--output', path.join(outside, 'o.csv')], ['PATH_OUTSIDE_ROOT'], [cwd, outside]);
  });

  it('replaces a hardlinked output file by rename: the outside name keeps its content', async () => {
    const cwd = tempDir();
    const outside = tempDir();
    // A tiny model to predict with (iris, 2 epochs).
    const r = await runCli(cwd, 'train', '--data', 'iris', '--epochs', '2', '--out', 'm');
    assert.equal(r.code, 0, r.err);
    writeFileSync(path.join(cwd, 'in.csv'), 'sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n');
    writeFileSync(path.join(outside, 'precious.txt'), 'keep me');
    linkSync(path.join(outside, 'precious.txt'), path.join(cwd, 'out.csv'));
    const p = await runCli(cwd, 'predict', '--model', 'm/model.safetensors', '--input', 'in.csv', '--output', 'out.csv');
    assert.equal(p.code, 0, p.err);
    assert.equal(readFileSync(path.join(outside, 'precious.txt'), 'utf8'), 'keep me');
    assert.match(readFileSync(path.join(cwd, 'out.csv'), 'utf8'), /^predicted,prob_setosa,prob_versicolor,prob_virginica\n/);
  });
});
