/**
 * @file `npm run bench [-- <workload>...] [--sizes 64,256] [--threads 1] [--epochs 5] [--block 3000] [--steps 469] [--skip-tfjs-cpu] [--best] [--reps 7] [--rounds 7] [--seconds 0.5] [--blocks 5]`:
 * runs the workloads of docs/benchmarks.md (all when none is named), each printing one JSON
 * line per measurement. A workload without a benchmark yet prints a line saying so. `--reps`: rounds
 * per size and thread count in workload a (each library one rep per round; see gemm.ts).
 */
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

async function main(): Promise<void> {
  const { names, flags } = parse(process.argv.slice(2));
  for (const name of names.length ? names : Object.keys(WORKLOADS)) {
    if (!(name in WORKLOADS)) throw new Error(`unknown workload '${name}'; known: ${Object.keys(WORKLOADS).join(', ')}`);
    const run = WORKLOADS[name];
    if (run) await run(flags);
    else console.log(JSON.stringify({ workload: name, skipped: ['no benchmark for this workload yet'] }));
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
