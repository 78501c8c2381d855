/**
 * @file WorkerCrashedError: a pool worker threw, exited or stopped answering while it ran part of
 * an op. The op's partial output is discarded (the op throws, so its result never reaches the
 * caller), the worker is replaced, and the next op runs normally.
 */
import { PlexusError } from '../../../core/errors.js';

export type WorkerCrashReason = 'threw' | 'exited' | 'timeout';

export class WorkerCrashedError extends PlexusError {
  /** Pool-local id of the worker (its slot); a replacement gets a new id. */
  readonly workerId: number;
  /** The primitive that was running (e.g. 'matmul'). */
  readonly op: string;
  readonly reason: WorkerCrashReason;
  /** What the worker reported, or a description of the exit / timeout. */
  override readonly cause: Error;

  constructor(workerId: number, op: string, reason: WorkerCrashReason, cause: Error) {
    const what = reason === 'threw' ? 'threw' : reason === 'exited' ? 'exited' : 'did not finish in time';
    super('WORKER_CRASHED', `${op}: worker ${workerId} ${what} (${cause.message}); its partial result was discarded and the worker replaced, so the op can be retried`);
    this.workerId = workerId;
    this.op = op;
    this.reason = reason;
    this.cause = cause;
  }
}
