/** @file Whether ops record the autograd graph (PyTorch's grad mode). */
import { ValueError } from './errors.js';

let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

/** Runs `fn` without recording gradients (inference, optimizer updates). */
export function noGrad<R>(fn: () => R): R {
  if (typeof fn !== 'function') throw new ValueError(`noGrad: expected a function, got ${fn === null ? 'null' : typeof fn}`, 'INVALID_ARGUMENT');
  const prev = enabled;
  enabled = false;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

/** Runs `fn` with recording on, even inside noGrad (used by grad() and createGraph backward). */
export function enableGrad<R>(fn: () => R): R {
  if (typeof fn !== 'function') throw new ValueError(`enableGrad: expected a function, got ${fn === null ? 'null' : typeof fn}`, 'INVALID_ARGUMENT');
  const prev = enabled;
  enabled = true;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

export function setGradEnabled(on: boolean): void {
  enabled = on;
}
