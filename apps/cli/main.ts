/**
 * @file The `plexus` command line. Thin on purpose: it parses arguments and calls the public API;
 * anything worth testing beyond argument handling belongs in src/.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';

/** Where the CLI writes; tests pass their own to capture output. */
export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processIO: CliIO = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** The package version, read at run time. Why 3 levels: this file runs as dist/apps/cli/main.js. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function buildProgram(io: CliIO, setCode: (code: number) => void): Command {
  const program = new Command('plexus')
    .description('Neural networks in TypeScript: tensors with autograd, MLPs and KANs.')
    .version(packageVersion(), '-V, --version', 'print the plexus version')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();
  program
    .command('train')
    .description('train a model from a config (not implemented yet, issue #4)')
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      io.err('plexus train: not implemented yet (issue #4)\n');
      setCode(1);
    });
  return program;
}

/**
 * Runs the CLI and resolves to the process exit code; it never calls process.exit itself.
 * @param argv in process.argv form: [node, script, ...args]
 * @example
 *   const code = await main(['node', 'plexus', '--version']);
 */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => { code = c; });
  try {
    await program.parseAsync(argv, { from: 'node' });
  } catch (e) {
    // exitOverride turns --help, --version and usage errors into a CommanderError carrying the code.
    if (e instanceof CommanderError) return e.exitCode;
    throw e;
  }
  return code;
}
