/**
 * @file `npm run bench [-- <workload>...] [--sizes 64,256] [--threads 1] [--epochs 5] [--block 3000] [--steps 469] [--skip-tfjs-cpu] [--best] [--reps 7] [--rounds 7] [--seconds 0.5] [--blocks 5]`:
 * runs the workloads of docs/benchmarks.md (all when none is named), each printing one JSON
 * line per measurement. A workload without a benchmark yet prints a line saying so. `--reps`: rounds
 * per size and thread count in workload a (each library one rep per round; see gemm.ts).
 *
 * First it prints one `{"workload": "env"}` line (bench/env.ts: date, machine, versions). Then each
 * workload runs in a process of its own (this script again, with PLEXUS_BENCH_WORKLOAD set), so that
 * what one workload's in-process side allocates or compiles does not reach the next one's figures,
 * `peakRssMB` above all (a process's peak resident set only grows). A workload whose process fails
 * sets the exit code and the next one still runs.
 */
import { spawn } from 'node:child_process';
import { benchEnv } from './env.js';
import { runGemm } from './gemm.js';
import { runMlp } from './mlp.js';
import { runSmall } from './small.js';
import { runKanSpeed } from './kan-speed.js';
import { runMemory } from './memory.js';
import { runDeepTraining, runLatency } from './latency.js';
import { runF64 } from './f64.js';
import { runImage } from './image.js';
import { runLstm } from './lstm.js';
import { runAlgorithms } from './algorithms.js';
import { runMixer } from './mixer.js';
import { runNtk } from './ntk.js';
import { runAttention, runDecode } from './attention.js';
import { runSparse } from './sparse.js';
import { runGradientNoise } from './gradient-noise.js';

type Runner = (flags: Map<string, string | true>) => Promise<unknown>;

const list = (v: string | true | undefined): number[] | undefined => (typeof v === 'string' ? v.split(',').map(Number) : undefined);
const num = (v: string | true | undefined): number | undefined => (typeof v === 'string' ? Number(v) : undefined);

const WORKLOADS: Record<string, Runner | null> = {
  a: (f) => runGemm({ sizes: list(f.get('sizes')), threads: list(f.get('threads')), skipTfjsCpu: f.has('skip-tfjs-cpu'), best: f.has('best'), reps: num(f.get('reps')) }),
  b: (f) => runMlp({ threads: list(f.get('threads')), epochs: num(f.get('epochs')), skipTfjsCpu: f.has('skip-tfjs-cpu') }),
  c: (f) => runSmall({ threads: list(f.get('threads')), block: num(f.get('block')), skipTfjsCpu: f.has('skip-tfjs-cpu') }),
  d: async (f) => runKanSpeed({ threads: list(f.get('threads')), steps: num(f.get('steps')) }),
  e: (f) => runLstm({ threads: list(f.get('threads')), steps: num(f.get('steps')), blocks: num(f.get('blocks')) }),
  f: (f) => runF64({ sizes: list(f.get('sizes')), threads: list(f.get('threads')), reps: num(f.get('reps')), steps: num(f.get('steps')) }),
  g: (f) => runLatency({ threads: list(f.get('threads')), rounds: num(f.get('rounds')), perRound: num(f.get('seconds')) }),
  h: (f) => runDeepTraining({ threads: list(f.get('threads')), rounds: num(f.get('rounds')), perRound: num(f.get('steps')) }),
  image: (f) => runImage({ threads: list(f.get('threads')), steps: num(f.get('steps')), blocks: num(f.get('blocks')) }),
  algorithms: async (f) => runAlgorithms({ steps: num(f.get('steps')), sizes: list(f.get('sizes')), batch: num(f.get('batch')) }),
  mixer: (f) => runMixer({ threads: list(f.get('threads')), steps: num(f.get('steps')), blocks: num(f.get('blocks')) }),
  ntk: (f) => runNtk({ reps: num(f.get('reps')), autograd: num(f.get('autograd')), samples: num(f.get('samples')) }),
  attn: (f) => runAttention({ threads: list(f.get('threads')), rounds: num(f.get('rounds')), perRound: num(f.get('steps')) }),
  decode: (f) => runDecode({ threads: list(f.get('threads')), rounds: num(f.get('rounds')), perRound: num(f.get('steps')) }),
  sparse: async (f) => runSparse({ reps: num(f.get('reps')), backend: typeof f.get('backend') === 'string' ? f.get('backend') as string : undefined }),
  noise: (f) => runGradientNoise({ epochs: num(f.get('epochs')), seeds: num(f.get('seeds')) }),
  memory: async (f) => runMemory({ steps: num(f.get('steps')), backends: typeof f.get('backend') === 'string' ? [f.get('backend') as string] : undefined }),
};

const BOOLEAN_FLAGS = new Set(['--skip-tfjs-cpu', '--best']);

function parse(argv: string[]): { names: string[]; flags: Map<string, string | true> } {
  const names: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) names.push(a);
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--') && !BOOLEAN_FLAGS.has(a)) flags.set(a.slice(2), argv[++i]!);
    else flags.set(a.slice(2), true);
  }
  return { names, flags };
}

/** Runs one workload in a child process (see the file comment); resolves with its exit code. */
function runOwnProcess(name: string, flags: Map<string, string | true>): Promise<number> {
  const args = [...flags].flatMap(([k, v]) => (v === true ? [`--${k}`] : [`--${k}`, v]));
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [...process.execArgv, process.argv[1]!, name, ...args], { env: { ...process.env, PLEXUS_BENCH_WORKLOAD: name }, stdio: 'inherit' });
    proc.on('error', (e) => {
      console.error(`workload ${name}: could not start (${e.message})`);
      resolve(1);
    });
    proc.on('close', (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<void> {
  const { names, flags } = parse(process.argv.slice(2));
  const own = process.env.PLEXUS_BENCH_WORKLOAD;
  const wanted = names.length ? names : Object.keys(WORKLOADS);
  for (const name of wanted) if (!(name in WORKLOADS)) throw new Error(`unknown workload '${name}'; known: ${Object.keys(WORKLOADS).join(', ')}`);
  if (own) {
    // The workload's own process (started below): run it here.
    const run = WORKLOADS[own];
    if (run) await run(flags);
    else console.log(JSON.stringify({ workload: own, skipped: ['no benchmark for this workload yet'] }));
    // Its lines are out (stdout to a file or pipe is written synchronously): a child left waiting on its
    // stdin must not keep the run from going on; it sees the pipe close and exits.
    process.exit();
  }
  console.log(JSON.stringify(await benchEnv(process.argv.slice(2))));
  for (const name of wanted) {
    const code = await runOwnProcess(name, flags);
    if (code !== 0) {
      console.error(`workload ${name}: its process exited with ${code}`);
      process.exitCode = 1;
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
