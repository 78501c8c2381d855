/**
 * @file The `plexus` command line. Thin on purpose: it parses arguments and calls the public API;
 * anything worth testing beyond argument handling belongs in src/. Commands live one per file
 * (train.ts, eval.ts, predict.ts, info.ts, analyse.ts); config checking in config.ts, path containment in paths.ts.
 *
 * Exit codes: 0 success; 1 a failure while running (bad data file, corrupt model, divergence);
 * 2 a refused invocation (bad config or flag value, path outside the working folder) — in that
 * case nothing was written.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { px } from './api.js';
import { type CliIO, type Ctx, makeCtx, processIO } from './context.js';
import { analyseCommand } from './analyse.js';
import { CliError } from './errors.js';
import { compareCommand } from './compare.js';
import { evalCommand } from './eval.js';
import { exportCommand } from './export.js';
import { fitImageCommand } from './fit-image.js';
import { infoCommand } from './info.js';
import { playgroundCommand } from './playground.js';
import { predictCommand } from './predict.js';
import { train } from './train.js';

export type { CliIO } from './context.js';

/** The package version, read at run time. Why 3 levels: this file runs as dist/apps/cli/main.js. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const DATA_HELP = 'digits | iris | fashion-mnist | csv:<path>';

function addTrain(program: Command, ctx: Ctx): void {
  program
    .command('train')
    .description('train a model; with no arguments: an MLP on the built-in digits set')
    .option('--config <file>', 'JSON config (keys in README "Command line"); flags override it')
    .option('--data <name>', `training data: ${DATA_HELP} (default digits)`)
    .option('--target <column>', 'csv: the column to predict')
    .option('--target-type <type>', 'csv: auto | categorical | numeric (default auto)')
    .option('--ignore <columns>', 'csv: columns to leave out, comma-separated (e.g. an id)')
    .option('--test-fraction <f>', 'fraction held out for testing (default 0.2; not fashion-mnist)')
    .option('--model <type>', 'architecture: mlp (default), kan or fastkan (grid, k, basis: in the config file), or an nn layer type such as MLPMixer (its options in the config file)')
    .option('--hidden <widths>', 'hidden layer widths, comma-separated (default 128)')
    .option('--activation <name>', `hidden activation: ${px.nn.ACTIVATION_NAMES.join(' | ')} (default relu)`)
    .option('--dropout <p>', 'dropout after each hidden activation, in [0, 1) (default 0)')
    .option('--norm <name>', `${px.nn.NORM_NAMES.join(' | ')} | none (default none)`)
    .option('--optimizer <name>', `${px.optim.OPTIMIZERS.map((o) => o.name).join(' | ')} (default adam)`)
    .option('--lr <rate>', 'learning rate (default 0.001)')
    .option('--weight-decay <w>', 'weight decay (default: the optimizer\'s)')
    .option('--momentum <m>', `momentum (${px.optim.OPTIMIZERS.filter((o) => 'momentum' in o.options).map((o) => o.name).join(', ')})`)
    .option('--epochs <n>', 'epochs (default 20)')
    .option('--batch-size <n>', 'batch size (default 32)')
    .option('--seed <n>', 'seed of initialisation, split and shuffling (default 0)')
    .option('--clip-grad-norm <max>', 'clip the global gradient norm (default off)')
    .option('--algorithm <name>', `training algorithm: ${px.train.algorithmNames().join(' | ')} (default backprop; options in the config file's "algorithm" section)`)
    .option('--out <dir>', 'run folder, inside the working folder (default runs/<timestamp>)')
    .option('--name <name>', 'run folder name under runs/')
    .option('--backend <name>', `auto | ${px.availableBackends().join(' | ')} (default auto: the fastest registered)`)
    .option('--resume <dir>', 'continue the run in <dir> from its last checkpoint (same settings; --epochs may be raised)')
    .action(async (opts: Record<string, unknown>) => {
      await train(ctx, opts);
    });
}

function addPlayground(program: Command, ctx: Ctx): void {
  program
    .command('playground')
    .description('serve the browser playground (train and watch models in a web page) on localhost')
    .option('--port <n>', 'port to listen on (default 8080; 0: any free port)')
    .option('--host <host>', 'address to bind (default 127.0.0.1; others make it reachable from the network)')
    .action(async (opts: Record<string, unknown>) => {
      await playgroundCommand(ctx, opts);
    });
}

function addCompare(program: Command, ctx: Ctx): void {
  program
    .command('compare')
    .description('train one config with several algorithms and seeds on the same split; prints a table, writes results and a test-accuracy plot')
    .requiredOption('--algorithms <names>', `comma-separated: ${px.train.algorithmNames().join(', ')}`)
    .option('--config <file>', 'JSON config as for train (the "algorithm" section gives the options of the algorithm it names)')
    .option('--seeds <n>', 'runs per algorithm, seeds config.seed + 0..n-1 (default 1)')
    .option('--epochs <n>', 'epochs (default: the config\'s)')
    .option('--out <dir>', 'run folder, inside the working folder (default runs/<timestamp>)')
    .option('--name <name>', 'run folder name under runs/')
    .option('--backend <name>', `auto | ${px.availableBackends().join(' | ')} (default auto)`)
    .action(async (opts: Record<string, unknown>) => {
      await compareCommand(ctx, opts);
    });
}

function addEval(program: Command, ctx: Ctx): void {
  program
    .command('eval')
    .description('evaluate a saved model on a test set')
    .requiredOption('--model <file>', 'model.safetensors written by plexus train')
    .option('--data <name>', `${DATA_HELP} (default: the set it was trained on; built-ins use its test split)`)
    .option('--target <column>', 'csv: the target column (default: the one it was trained on)')
    .option('--dir <folder>', 'fashion-mnist: folder of the IDX files')
    .option('--backend <name>', 'backend (default auto)')
    .action(async (opts: Record<string, unknown>) => {
      await evalCommand(ctx, opts);
    });
}

function addPredict(program: Command, ctx: Ctx): void {
  program
    .command('predict')
    .description('predict for the rows of a CSV file (columns matched by name)')
    .requiredOption('--model <file>', 'model.safetensors written by plexus train')
    .requiredOption('--input <file>', 'CSV with the feature columns the model was trained on')
    .option('--output <file>', 'CSV to write, inside the working folder (default: standard output)')
    .option('--backend <name>', 'backend (default auto)')
    .action(async (opts: Record<string, unknown>) => {
      await predictCommand(ctx, opts);
    });
}

function addInfo(program: Command, ctx: Ctx): void {
  program
    .command('info')
    .description('show what a model file holds: architecture, tensors, metadata, checksum')
    .argument('<file>', 'a .safetensors file')
    .action(async (file: string) => {
      await infoCommand(ctx, file);
    });
}

function addAnalyse(program: Command, ctx: Ctx): void {
  program
    .command('analyse')
    .alias('analyze')
    .description('look inside a trained model: weight spectra (alpha per layer); with --data activation statistics; with --against CKA between layers; writes report.json and plots')
    .argument('<model>', 'model.safetensors written by plexus train')
    .option('--data <name>', `${DATA_HELP}: inputs for activation statistics and CKA (test split)`)
    .option('--against <file>', 'a second model: its spectra, and with --data linear CKA between every pair of layers')
    .option('--samples <n>', 'samples of --data to use (default 1000)')
    .option('--target <column>', 'csv: the target column (left out of the inputs)')
    .option('--dir <folder>', 'fashion-mnist: folder of the IDX files')
    .option('--out <dir>', 'run folder, inside the working folder (default runs/<timestamp>)')
    .option('--name <name>', 'run folder name under runs/')
    .option('--backend <name>', 'backend (default auto)')
    .action(async (model: string, opts: Record<string, unknown>) => {
      await analyseCommand(ctx, model, opts);
    });
}

function addFitImage(program: Command, ctx: Ctx): void {
  program
    .command('fit-image')
    .description('fit a coordinate network to one image (full batch); writes the reconstruction, a PSNR curve and the model')
    .argument('<image>', 'a PNG file, or builtin:mosaic | builtin:mosaic-56 | builtin:spectrum')
    .option('--model <type>', 'siren (default) | spder | mlp (ReLU + sigmoid output)')
    .option('--encoding <kind[:scale]>', 'none | basic | positional:S | gaussian:S | learnable:S (default: gaussian:10 for mlp, none otherwise)')
    .option('--features <n>', 'Fourier features (rows of B; positional: frequencies per coordinate), default 128')
    .option('--hidden <widths>', 'hidden layer widths, comma-separated (default 128,128,128)')
    .option('--steps <n>', 'full-batch Adam steps (default 1000)')
    .option('--lr <rate>', 'learning rate (default 1e-4 for siren/spder, 1e-3 for mlp)')
    .option('--split <split>', 'all (default): fit every pixel; even-odd: fit the even-pixel grid, score the rest')
    .option('--eval-every <n>', 'steps between PSNR points (default steps/50)')
    .option('--seed <n>', 'seed of the initialisation (default 0)')
    .option('--out <dir>', 'run folder, inside the working folder (default runs/<timestamp>)')
    .option('--name <name>', 'run folder name under runs/')
    .option('--backend <name>', `auto | ${px.availableBackends().join(' | ')} (default auto)`)
    .action(async (image: string, opts: Record<string, unknown>) => {
      await fitImageCommand(ctx, image, opts);
    });
}

function addExport(program: Command, ctx: Ctx): void {
  program
    .command('export')
    .description('write a saved model in another format (ONNX), to run it without plexus')
    .argument('<model>', 'model file (.safetensors) saved by plexus')
    .option('--format <name>', 'onnx (default onnx)')
    .option('--out <file>', 'file to write, inside the working folder (default: the model path with .onnx)')
    .option('--opset <n>', `ONNX opset, ${px.io.ONNX_OPSETS.min}..${px.io.ONNX_OPSETS.max} (default ${px.io.ONNX_OPSETS.default})`)
    .option('--input-shape <dims>', 'input shape, N for a dynamic size (default for plexus train models: N,<features>)')
    .option('--raw-standardized', 'plexus train models: leave the saved standardisation out (the graph then takes standardised inputs)')
    .action(async (file: string, opts: Record<string, unknown>) => {
      await exportCommand(ctx, file, opts);
    });
}

function buildProgram(ctx: Ctx): Command {
  const program = new Command('plexus')
    .description('Neural networks in TypeScript: tensors with autograd, MLPs and KANs.')
    .version(packageVersion(), '-V, --version', 'print the plexus version')
    .configureOutput({ writeOut: ctx.io.out, writeErr: ctx.io.err })
    .exitOverride();
  addTrain(program, ctx);
  addPlayground(program, ctx);
  addCompare(program, ctx);
  addEval(program, ctx);
  addPredict(program, ctx);
  addInfo(program, ctx);
  addFitImage(program, ctx);
  addExport(program, ctx);
  addAnalyse(program, ctx);
  return program;
}

/**
 * Runs the CLI and resolves to the process exit code; it never calls process.exit itself.
 * @param argv in process.argv form: [node, script, ...args]
 * @param io where output goes and the working folder (tests pass their own)
 * @example
 *   const code = await main(['node', 'plexus', 'train', '--epochs', '5']);
 */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const ctx = makeCtx(io);
  const program = buildProgram(ctx);
  const command = argv[2] ?? '';
  try {
    await program.parseAsync(argv, { from: 'node' });
    return 0;
  } catch (e) {
    // exitOverride turns --help, --version and usage errors into a CommanderError carrying the code.
    if (e instanceof CommanderError) return e.exitCode;
    const who = `plexus ${command}`.trim();
    if (e instanceof px.PlexusError) {
      io.err(`${who}: ${e.message} [${e.code}]\n`);
      return e instanceof CliError ? 2 : 1;
    }
    io.err(`${who}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}
