/**
 * @file The activation zoo beyond the classic ones in ../activation.ts: periodic (Sine, SPDER, GCU),
 * the SIREN network built on Sine, and PolyCom's polynomial compositions (PolyReLU, PolyNorm).
 */
export { Sine, SPDER, GCU } from './periodic.js';
export { SIREN, SIREN_ACTIVATIONS, sirenInit, type SIRENOptions, type SIRENActivation } from './siren.js';
export { PolyReLU, PolyNorm, type PolyOptions } from './polycom.js';
