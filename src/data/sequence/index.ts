/** @file Synthetic sequence tasks for recurrent and attention models (seeded generators). */
export { addingProblem, type AddingProblemOptions } from './adding.js';
