/**
 * @file The data layer's public surface (exported from the package as `data`): datasets and the
 * loader, IDX / CSV readers, Fashion-MNIST, the built-in digits and Iris sets, splits,
 * standardisation and synthetic generators.
 */
export { DataError, IdxFormatError, CsvError } from './errors.js';
export { type Dataset, type Sample, type Batch, type Split, TensorDataset, collate } from './dataset.js';
export { DataLoader, type DataLoaderOptions, type DataLoaderState } from './loader.js';
export { gatherRows } from './rows.js';
export { parseIdx, readIdx, IDX_DEFAULT_MAX_BYTES, type IdxArray, type IdxData, type IdxOptions, type IdxType } from './idx.js';
export {
  fashionMnist, loadIdxPair, FASHION_MNIST_DIR, FASHION_MNIST_PACKAGE, FASHION_MNIST_CLASSES,
  type FashionMnistOptions, type IdxPairOptions,
} from './mnist.js';
export { tokenizeCsv, formatCsvRow, CSV_DEFAULT_MAX_LINE, type CsvRecord, type TokenizeOptions } from './csv-tokenize.js';
export { parseCsv, readCsv, CSV_DEFAULT_MAX_ROWS, CSV_DEFAULT_MAX_BYTES, type CsvOptions, type CsvTable } from './csv.js';
export { fitStandardizer, applyStandardizer, type Standardizer } from './standardize.js';
export { trainTestSplit, type SplitOptions } from './split.js';
export { digits, iris, builtinPath, parseDigitsText, type BuiltinOptions, type BuiltinDataset } from './builtin.js';
export { spiral, circles, moons, xor, gaussians, fitFunction, expSinSquare, type SyntheticOptions, type FitFunctionOptions } from './synthetic.js';
