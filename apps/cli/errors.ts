/**
 * @file Errors the CLI itself raises. They extend the library's PlexusError, so `main` reports every
 * failure the same way: `plexus <command>: <message>` and a non-zero exit code.
 */
import { px } from './api.js';

/** A bad flag, config value or path: the run never started and nothing was written. */
export class CliError extends px.PlexusError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}

/** One problem in a config: where (a JSON pointer, maybe prefixed by the flag that set it) and what. */
export interface ConfigProblem {
  /** JSON pointer into the merged config, e.g. "/optimizer/lr" ("" for the root). */
  pointer: string;
  /** The flag the value came from, when it came from one ("--lr"). */
  flag?: string;
  message: string;
}

/** Every problem of a config at once (docs/reliability.md "CLI configs and paths"), one per line. */
export class ConfigError extends CliError {
  readonly problems: readonly ConfigProblem[];
  constructor(source: string, problems: readonly ConfigProblem[]) {
    const lines = problems.map((p) => `  ${p.flag ? `${p.flag} (${p.pointer})` : p.pointer || '/'}: ${p.message}`);
    const n = problems.length;
    super('INVALID_CONFIG', `${source}: ${n} problem${n === 1 ? '' : 's'}:\n${lines.join('\n')}`);
    this.problems = problems;
  }
}

/** A path the CLI refuses to write to (outside the allowed root, a symlink, a NUL byte, ...). */
export class PathError extends CliError {
  /** `reason` is the message without the leading "<what> <path>", for lists that name the path already. */
  constructor(code: string, readonly path: string, message: string, readonly reason = message) {
    super(code, message);
  }
}
