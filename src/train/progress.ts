/**
 * @file Progress output of `fit`. On a terminal: one line redrawn in place with `\r` (epoch k/n, bar,
 * batch i/N, samples/s, ETA, running loss), kept as the epoch's summary when it ends. Elsewhere (a
 * pipe, a file, CI): one plain line per epoch, because `\r` redraws turn logs into noise.
 */
import type { BatchLogs, Callback, EpochLogs, TrainControl } from './history.js';

/** Where progress goes; `isTTY` selects the redrawn bar in 'auto' mode. */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** Default process.stderr, so stdout stays clean for results. */
  stream?: ProgressStream;
  /** 'auto': the bar on a TTY outside CI, else lines; 'bar' / 'lines' force one. */
  mode?: 'auto' | 'bar' | 'lines';
  /** Minimum milliseconds between redraws of the bar (default 100). */
  interval?: number;
  /** Bar width in characters (default 24). */
  width?: number;
}

/** 75 -> "1:15", 3725 -> "1:02:05". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** 4 significant digits, as the logs show losses and accuracies. */
function num(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : v.toFixed(4);
}

/** "loss 0.1234 - accuracy 0.9612 - valLoss ..." from an epoch's logs, in log order. */
export function formatEpochMetrics(logs: Readonly<EpochLogs>): string {
  const skip = new Set(['epoch', 'lr', 'seconds', 'samplesPerSec']);
  return Object.entries(logs).filter(([k]) => !skip.has(k)).map(([k, v]) => `${k} ${num(v)}`).join(' - ');
}

/** Prints progress; `fit` adds one unless `progress: false`. */
export class ProgressBar implements Callback {
  private readonly stream: ProgressStream;
  private readonly mode: 'auto' | 'bar' | 'lines';
  private readonly interval: number;
  private readonly width: number;
  private bar = false;
  private epochStart = 0;
  private lastDraw = 0;
  private seen = 0;
  /** A redrawn line is on screen and needs a newline before other output. */
  private open = false;

  constructor(opts: ProgressOptions = {}) {
    this.stream = opts.stream ?? process.stderr;
    this.mode = opts.mode ?? 'auto';
    this.interval = opts.interval ?? 100;
    this.width = opts.width ?? 24;
  }

  onTrainBegin(): void {
    // CI runners often fake a TTY; their logs still cannot take \r redraws.
    this.bar = this.mode === 'bar' || (this.mode === 'auto' && this.stream.isTTY === true && !process.env.CI);
  }

  onEpochBegin(): void {
    this.epochStart = performance.now();
    this.lastDraw = 0;
    this.seen = 0;
  }

  private head(epoch: number, ctl: TrainControl): string {
    const w = String(ctl.epochs).length;
    return `epoch ${String(epoch).padStart(w)}/${ctl.epochs}`;
  }

  private barText(done: number, total: number | null): string {
    if (total === null || total <= 0) return '';
    const filled = Math.min(this.width, Math.floor((done / total) * this.width));
    const tip = filled < this.width ? '>' : '';
    return `[${'='.repeat(filled)}${tip}${' '.repeat(Math.max(0, this.width - filled - tip.length))}] `;
  }

  onBatchEnd(logs: Readonly<BatchLogs>, ctl: TrainControl): void {
    this.seen += logs.batchSize;
    if (!this.bar) return;
    const now = performance.now();
    const total = ctl.stepsPerEpoch;
    if (now - this.lastDraw < this.interval && logs.batch !== total) return;
    this.lastDraw = now;
    const secs = (now - this.epochStart) / 1000;
    const rate = secs > 0 ? this.seen / secs : 0;
    const eta = total === null || logs.batch === 0 ? NaN : (secs / logs.batch) * (total - logs.batch);
    const of = total === null ? `${logs.batch}` : `${String(logs.batch).padStart(String(total).length)}/${total}`;
    const line = `${this.head(logs.epoch, ctl)} ${this.barText(logs.batch, total)}${of} ${Math.round(rate)} samples/s ETA ${formatDuration(eta)} loss ${num(logs.runningLoss)}`;
    this.redraw(line);
  }

  /** \r, the line, then "erase to end of line" so a shorter line leaves no tail of the last. */
  private redraw(line: string): void {
    const cols = this.stream.columns;
    this.stream.write(`\r${cols && line.length >= cols ? line.slice(0, cols - 1) : line}\x1b[K`);
    this.open = true;
  }

  onEpochEnd(epoch: number, logs: Readonly<EpochLogs>, ctl: TrainControl): void {
    const tail = `${formatEpochMetrics(logs)} - ${logs.seconds.toFixed(1)}s - ${Math.round(logs.samplesPerSec)} samples/s`;
    if (this.bar) {
      const total = ctl.stepsPerEpoch;
      this.stream.write(`\r${this.head(epoch, ctl)} ${this.barText(total ?? 1, total ?? 1)}${tail}\x1b[K\n`);
      this.open = false;
    } else {
      this.stream.write(`${this.head(epoch, ctl)} - ${tail}\n`);
    }
  }

  onTrainEnd(ctl: TrainControl): void {
    if (this.open) this.stream.write('\n');
    this.open = false;
    const h = ctl.history;
    if (h.error !== null) this.stream.write(`stopped: ${h.error.message}\n`);
    else if (h.stopReason === 'earlyStopping') this.stream.write(`stopped early after epoch ${h.last?.epoch ?? 0}\n`);
    else if (h.stopReason === 'aborted') this.stream.write(`aborted at step ${ctl.step}\n`);
    if (h.skippedSteps > 0) this.stream.write(`${h.skippedSteps} step(s) skipped for non-finite values\n`);
  }
}
