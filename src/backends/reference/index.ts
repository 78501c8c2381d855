/**
 * @file The reference backend: storage is a plain typed array and the kernel table is empty, so
 * every op runs its primitive's float64 `reference` loops. It is the oracle other backends are
 * tested against, and complete by construction.
 */
import type { Backend } from '../../core/backend.js';
import { arrayBackend } from '../array-storage.js';

export function createReferenceBackend(): Backend {
  return arrayBackend('reference');
}
