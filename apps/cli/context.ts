/**
 * @file What a command runs against: where output goes and which folder is "here". Tests pass
 * their own (captured output, a temporary folder) so they never touch the real cwd or terminal.
 */
import path from 'node:path';

/** Where the CLI writes; tests pass their own to capture output. */
export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
  /**
   * The working folder (default process.cwd()): relative paths resolve against it, and it is the
   * allowed root every file the CLI writes must stay inside.
   */
  cwd?: string;
  /** `err` is a terminal: the progress bar is redrawn in place (default: process.stderr's). */
  isTTY?: boolean;
  /** Terminal width for the progress bar. */
  columns?: number;
}

export const processIO: CliIO = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  get isTTY() { return process.stderr.isTTY === true; },
  get columns() { return process.stderr.columns; },
};

/** A command's resolved context. */
export interface Ctx {
  io: CliIO;
  /** Absolute working folder = allowed root for writes. */
  cwd: string;
}

export function makeCtx(io: CliIO): Ctx {
  return { io, cwd: path.resolve(io.cwd ?? process.cwd()) };
}

/** A path for messages: relative to the working folder when inside it. */
export function shown(ctx: Ctx, p: string): string {
  const rel = path.relative(ctx.cwd, p);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}
