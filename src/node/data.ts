/**
 * @file plexus/node's `data`: everything of the portable `data` plus the readers of files: IDX and
 * CSV from paths, Fashion-MNIST from Debian's folder (or one given), and the built-in digits and
 * Iris sets shipped in data/builtin/.
 */
export * from '../data/index.js';
export { readIdx } from '../data/idx-file.js';
export { readCsv } from '../data/csv-file.js';
export {
  fashionMnist, loadIdxPair, FASHION_MNIST_DIR, FASHION_MNIST_PACKAGE, FASHION_MNIST_CLASSES,
  type FashionMnistOptions, type IdxPairOptions,
} from '../data/mnist.js';
export { digits, iris, builtinPath, type BuiltinOptions, type BuiltinDataset } from '../data/builtin.js';
export { builtinText, BUILTIN_TEXTS, type BuiltinTextName } from '../data/builtin.js';
export { readPng, writePng, builtinImage, BUILTIN_IMAGES, type BuiltinImageName } from '../data/png-file.js';
