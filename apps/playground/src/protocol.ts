/**
 * @file Messages between the page (main.ts) and the training worker (worker.ts). Typed arrays go
 * by structured clone; the page never touches a tensor.
 */
import type { Settings } from './settings.js';

export type ToWorker =
  | { type: 'setup'; settings: Settings }
  | { type: 'upload'; name: string; text: string; bytes: number }
  | { type: 'train' }
  | { type: 'pause' }
  | { type: 'extendGrid' }
  | { type: 'prune' }
  | { type: 'save' }
  | { type: 'load'; name: string; bytes: Uint8Array };

/** What the page draws the data and the model's view with. */
export interface DataInfo {
  task: 'classification' | 'regression';
  classes: string[] | null;
  features: string[];
  bounds: [number, number][];
  /** Training points [n * inFeatures] and their labels / targets. */
  points: Float32Array;
  labels: Float32Array;
  trainSize: number;
  testSize: number;
}

export interface ModelInfo {
  summary: string;
  parameters: number;
  isKan: boolean;
  widths: number[] | null;
  /** KAN edges (0 for other models). */
  edges: number;
}

/** One KAN layer's edge functions on sample inputs: inputs [n * in], edges [n * out * in]. */
export interface EdgeLayer {
  n: number;
  in: number;
  out: number;
  inputs: Float32Array;
  edges: Float32Array;
}

export interface PoolInfo {
  crossOriginIsolated: boolean;
  /** Threads the wasm backend uses (the training worker plus its pool workers). */
  threads: number;
  /** Pool workers alive and ready. */
  workers: number;
  /** Chunks of ops the pool workers ran (0: every op ran on the training worker alone). */
  workerChunks: number;
  backend: string;
}

export interface Progress {
  step: number;
  epoch: number;
  trainLoss: number;
  testLoss: number;
  /** Accuracy (classification) or null. */
  trainAccuracy: number | null;
  testAccuracy: number | null;
  /** The model on a res x res grid over bounds: class index + confidence, or the value (2-D regression). */
  grid: { res: number; cls: Float32Array; conf: Float32Array } | null;
  /** 1-D: the fitted function at xs. */
  curve: { xs: Float32Array; ys: Float32Array } | null;
  kan: EdgeLayer[] | null;
  pool: PoolInfo;
  running: boolean;
}

export type FromWorker =
  | { type: 'ready'; data: DataInfo; model: ModelInfo }
  | { type: 'progress'; progress: Progress }
  | { type: 'model'; model: ModelInfo; note: string }
  | { type: 'uploaded'; name: string; rows: number; features: string[]; classes: string[] | null }
  | { type: 'saved'; bytes: Uint8Array; name: string; weights: [string, Float32Array][] }
  | { type: 'loaded'; name: string; model: ModelInfo; metadata: string; shown: boolean }
  | { type: 'error'; where: string; message: string };
