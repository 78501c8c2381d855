/**
 * @file Node-only (plexus/node): the callbacks that write files. `JsonlLogger` also takes a path
 * (opened for appending at train begin, written synchronously, so a crash loses at most the line
 * being written); `ModelCheckpoint` defaults to io's atomic writers: a model file per save with
 * `path`, full training checkpoints with `dir`. Both refuse NaN/Inf weights. `fit` takes a log path.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { StatefulJson } from '../io/checkpoint.js';
import { saveCheckpoint } from '../io/checkpoint-files.js';
import { saveModel } from '../io/model-files.js';
import {
  type JsonlLoggerOptions, type LineSink, type LogTarget, type ModelCheckpointOptions, type SaveFn,
  JsonlLogger as PortableJsonlLogger, ModelCheckpoint as PortableModelCheckpoint,
} from './callbacks.js';
import { fit as portableFit } from './fit.js';
import type { EpochLogs } from './history.js';

/**
 * Writes one JSON object per line to a file path (appended to) or anything with `write(string)`.
 * @example callbacks: [new train.JsonlLogger('runs/a/log.jsonl')]
 */
export class JsonlLogger extends PortableJsonlLogger {
  constructor(target: LogTarget, opts: JsonlLoggerOptions = {}) {
    super(target, opts);
  }

  protected override checkPathTarget(_path: string): void {
    // Any path is fine until train begin, when it is opened (the error then names the errno).
  }

  protected override openPath(path: string): LineSink {
    const fd = openSync(path, 'a');
    return { write: (line) => void writeSync(fd, line), close: () => closeSync(fd) };
  }
}

/** Epoch logs as JSON (checkpoint metadata takes finite numbers only). */
const jsonLogs = (logs: Readonly<EpochLogs>): Record<string, number | string> =>
  Object.fromEntries(Object.entries(logs).map(([k, v]) => [k, Number.isFinite(v) ? v : String(v)]));

/** The default writers: both atomic (temp file, fsync, rename), both refusing NaN/Inf weights. */
function ioSave(dir: string | undefined, keep: number): SaveFn {
  if (dir !== undefined) {
    return async (model, target, { epoch, logs, ctl }) => {
      // Only JSON-stateful schedulers (every plexus one) can be stored; io checks the shape.
      const sched = ctl.scheduler as { stateDict?: unknown; loadStateDict?: unknown } | null;
      const scheduler = sched && typeof sched.stateDict === 'function' && typeof sched.loadStateDict === 'function' ? sched as StatefulJson : undefined;
      await saveCheckpoint(target, {
        model, optimizer: ctl.optimizer, epoch, step: ctl.step, extra: { logs: jsonLogs(logs) }, algorithm: ctl.algorithmState?.() ?? null,
        ...(ctl.loader ? { loader: ctl.loader } : {}), ...(scheduler ? { scheduler } : {}),
      }, { keep });
    };
  }
  return (model, target, { logs }) => saveModel(model, target, { metadata: { epoch: logs.epoch, logs: jsonLogs(logs) } });
}

/**
 * Saves at the end of epochs, through io's atomic file writers unless `save` is given.
 * @example callbacks: [new train.ModelCheckpoint({ dir: 'runs/a/ckpt' }), new train.ModelCheckpoint({ path: 'runs/a/best.safetensors', saveBestOnly: true })]
 */
export class ModelCheckpoint extends PortableModelCheckpoint {
  constructor(opts: ModelCheckpointOptions) {
    super(opts);
  }

  protected override defaultSave(dir: string | undefined, keep: number): SaveFn {
    return ioSave(dir, keep);
  }
}

/**
 * `fit` with `log` a file path as well (a JsonlLogger appending to it); otherwise the same function.
 * @example await fit(model, data, { optimizer, epochs: 5, log: 'runs/a/log.jsonl' });
 */
export function fit(...args: Parameters<typeof portableFit>): ReturnType<typeof portableFit> {
  const [model, data, opts] = args;
  if (typeof opts?.log !== 'string') return portableFit(model, data, opts);
  return portableFit(model, data, { ...opts, log: new JsonlLogger(opts.log) });
}
