/**
 * @file Seeded synthetic sequence tasks (issue #14, sequence models) and their metrics. Token tasks
 * return x, y int32 [n, seqLen] with y = -100 at positions that are not scored (crossEntropy's
 * default ignoreIndex), plus vocabSize and numClasses.
 */
export { IGNORE_INDEX, type TokenTask } from './common.js';
export { copyTask, type CopyTaskOptions } from './copy.js';
export { parityTask, type ParityTaskOptions } from './parity.js';
export { sortTask, type SortTaskOptions } from './sort.js';
export { associativeRecall, inductionHead, type AssociativeRecallOptions, type InductionHeadOptions } from './recall.js';
export { inContextRegression, leastSquaresBaseline, type InContextRegression, type InContextRegressionOptions } from './regression.js';
export { tokenAccuracy, sequenceExactMatch, METRIC_POSITIONS, type SequenceMetricOptions } from './metrics.js';
export { addingProblem, type AddingProblemOptions } from './adding.js';
export { type PointerTask } from './pointer-common.js';
export { pointerSortTask, type PointerSortTaskOptions } from './pointer-sort.js';
export { convexHullTask, hullAreaCoverage, type ConvexHullTaskOptions } from './convex-hull.js';
export { tspTask, optimalTour, tourLength, tourLengthRatio, canonicalTour, type TspTaskOptions } from './tsp.js';
export { orient2d, convexHull, polygonArea, isSimplePolygon, type Point } from './geometry.js';
export { pointerExactMatch } from './pointer-metrics.js';
