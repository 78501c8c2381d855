/**
 * @file A benchmark library running in its own process in "stepwise" mode: it answers each
 * command line on stdin with one JSON line (workload a's Python GEMM peers, workload b's
 * per-epoch runs). Every way it can go wrong (it cannot start, exits, prints a non-JSON line or
 * {"error": ...}, or stays silent for TIMEOUT_MS) throws a one-line reason, so the benchmark skips
 * that library instead of hanging.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import readline from 'node:readline';
import { stderrReason } from './common.js';

type Result = Record<string, unknown>;

/** Generous: torch over netlib's reference BLAS takes ~30 s per MLP epoch here; this only catches a hang. */
const TIMEOUT_MS = 20 * 60 * 1000;

export class Stepwise {
  private readonly lines: AsyncIterator<string>;
  private readonly exited: Promise<string>;
  private readonly spawnFailed: Promise<string>;

  constructor(private readonly proc: ChildProcessWithoutNullStreams) {
    let err = '';
    proc.stderr.on('data', (d) => (err += String(d)));
    // A write after the child died would otherwise crash this process with EPIPE; the read reports it.
    proc.stdin.on('error', () => {});
    this.spawnFailed = new Promise((resolve) => proc.on('error', (e) => resolve(`could not start (${e.message})`)));
    this.exited = new Promise((resolve) => proc.on('close', (code, signal) => {
      resolve(`exited with ${code ?? signal}: ${stderrReason(err)}`);
    }));
    this.lines = readline.createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  }

  static start(cmd: string, args: string[], env: NodeJS.ProcessEnv): Stepwise {
    return new Stepwise(spawn(cmd, args, { env: { ...process.env, ...env } }));
  }

  /** The next JSON line. */
  async read(): Promise<Result> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`no answer within ${TIMEOUT_MS / 60000} min`), TIMEOUT_MS)));
    try {
      const r = await Promise.race([this.lines.next(), this.spawnFailed, timeout]);
      if (typeof r === 'string') throw new Error(r);
      if (r.done) throw new Error(await Promise.race([this.exited, timeout]));
      let out: unknown;
      try {
        out = JSON.parse(r.value);
      } catch {
        out = null;
      }
      if (typeof out !== 'object' || out === null) throw new Error(`printed a non-JSON line: ${r.value.slice(0, 200)}`);
      if ('error' in out) throw new Error(String(out.error));
      return out as Result;
    } finally {
      clearTimeout(timer);
    }
  }

  ask(command: string): Promise<Result> {
    this.proc.stdin.write(`${command}\n`);
    return this.read();
  }

  /** Closes stdin: a well-behaved child then exits on its own. */
  stop(): void {
    this.proc.stdin.end();
  }

  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }
}
