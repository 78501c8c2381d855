/** @file Public test utilities (like torch.testing / torch.autograd.gradcheck). */
export * from './allclose.js';
export * from './gradcheck.js';
export * from './op-table.js';
