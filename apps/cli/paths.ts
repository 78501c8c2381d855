/**
 * @file Containment of every path the CLI writes (docs/reliability.md "CLI configs and paths"; the classes of
 * ONNX's path CVEs): the target must resolve, with symlinks followed (realpath of the deepest
 * existing ancestor), inside the allowed root, the working folder. Refused: a NUL byte, Windows
 * drive or UNC paths and backslashes, `..` escapes, absolute paths outside the root, a symlinked
 * parent leading out, and a symlink as the final component (writing through it would land wherever
 * it points). Hardlinks need no check: files are replaced by rename (writeFileAtomic), which never
 * writes into the other name's inode.
 *
 * A check-then-write race remains possible in principle; writes re-check the created folder after
 * mkdir (ensureDir) so a swap between the check and the mkdir is still caught.
 */
import { lstatSync, mkdirSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { PathError } from './errors.js';

/** True when `p` is `dir` or below it (both absolute, normalised). */
export function isInside(p: string, dir: string): boolean {
  const rel = path.relative(dir, p);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

function lstatOrNull(p: string): ReturnType<typeof lstatSync> | null {
  try {
    return lstatSync(p);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return null;
    throw new PathError('PATH_UNREADABLE', p, `cannot inspect ${p}: ${(e as { code?: string }).code ?? String(e)}`);
  }
}

/**
 * The absolute, symlink-free path for writing `p` (relative to `root`), or a PathError naming `what`
 * and `p`. The result is strictly inside `root` (never the root itself).
 */
export function containedPath(root: string, p: string, what: string): string {
  const refuse = (code: string, why: string): never => {
    throw new PathError(code, p, `${what} ${JSON.stringify(p)} ${why}`, `${JSON.stringify(p)} ${why}`);
  };
  if (typeof p !== 'string' || p === '') refuse('INVALID_PATH', 'is empty');
  if (p.includes('\0')) refuse('INVALID_PATH', 'contains a NUL byte');
  if (/^[A-Za-z]:/.test(p) || p.includes('\\')) refuse('INVALID_PATH', 'is a Windows drive/UNC path or contains a backslash; use / separators');
  let rootReal: string;
  try {
    rootReal = realpathSync(root);
  } catch (e) {
    throw new PathError('PATH_UNREADABLE', root, `the working folder ${root} cannot be resolved: ${(e as { code?: string }).code ?? String(e)}`);
  }
  const abs = path.resolve(root, p);
  const outside = `resolves outside the allowed folder ${rootReal}`;
  // Lexical check first (catches `..` and absolute paths without touching the disk) ...
  if (!isInside(abs, path.resolve(root)) && !isInside(abs, rootReal)) refuse('PATH_OUTSIDE_ROOT', outside);
  // ... then the real one: follow symlinks of the deepest existing ancestor.
  const rest: string[] = [];
  let cur = abs;
  let st = lstatOrNull(cur);
  if (st?.isSymbolicLink()) refuse('PATH_IS_SYMLINK', 'is a symbolic link; refusing to write through it');
  while (st === null) {
    rest.unshift(path.basename(cur));
    const up = path.dirname(cur);
    if (up === cur) break;
    cur = up;
    st = lstatOrNull(cur);
  }
  const real = path.join(realpathSync(cur), ...rest);
  if (!isInside(real, rootReal)) refuse('PATH_OUTSIDE_ROOT', `${outside} (through a symbolic link: it is really ${real})`);
  if (real === rootReal) refuse('PATH_OUTSIDE_ROOT', `is the working folder itself; give a folder inside it`);
  return real;
}

/** Creates the folder `dir` (already contained) and checks again that it landed inside `root`. */
export function ensureDir(root: string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const real = realpathSync(dir);
  if (!isInside(real, realpathSync(root)) || real !== dir) {
    throw new PathError('PATH_OUTSIDE_ROOT', dir, `run folder ${dir} resolved to ${real} after creation, outside the allowed folder`);
  }
}

/** True when `dir` exists and holds anything. */
export function nonEmptyDir(dir: string): boolean {
  try {
    return readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}
