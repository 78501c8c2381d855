/**
 * @file A fit callback that drives a Fourier-feature frequency mask from a schedule (SAPE-style
 * progressive encodings, Hertz et al. 2021, https://arxiv.org/abs/2104.09125): before the first step
 * and after each one it sets `encoding.setFrequencyMask(schedule(step))`, step being the number of
 * optimizer steps taken. A hand-written loop calls `update(step)` itself.
 */
import { ValueError } from '../core/errors.js';
import type { FourierFeatures } from '../nn/encoding/fourier.js';
import type { FrequencyScheduleFn } from '../nn/encoding/schedule.js';
import type { BatchLogs, Callback, TrainControl } from './history.js';

/**
 * @example
 * const enc = new nn.encoding.FourierFeatures(2, 128, { kind: 'positional', scale: 32 });
 * await fit(model, data, { ..., callbacks: [new train.FrequencySchedule(enc, nn.encoding.coarseToFine(enc, { steps: 500 }))] });
 */
export class FrequencySchedule implements Callback {
  constructor(readonly encoding: FourierFeatures, readonly schedule: FrequencyScheduleFn) {
    if (typeof encoding?.setFrequencyMask !== 'function') throw new ValueError('FrequencySchedule: encoding must be an nn.encoding.FourierFeatures');
    if (typeof schedule !== 'function') throw new ValueError('FrequencySchedule: schedule must be a function (step) => mask');
  }

  /** Sets the mask for `step` (optimizer steps taken so far). */
  update(step: number): void {
    this.encoding.setFrequencyMask(this.schedule(step));
  }

  onTrainBegin(ctl: TrainControl): void {
    this.update(ctl.step);
  }

  onBatchEnd(_logs: Readonly<BatchLogs>, ctl: TrainControl): void {
    this.update(ctl.step);
  }
}
