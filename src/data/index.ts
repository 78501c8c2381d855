/**
 * @file The data layer's public surface (exported from the package as `data`): datasets and the
 * loader, IDX / CSV parsers (bytes and text), splits, standardisation and synthetic generators.
 * Everything here works in every host; reading files (readIdx, readCsv, readPng, Fashion-MNIST, the
 * built-in digits and Iris sets and test images) is plexus/node's `data` (src/node/data.ts), a superset of this one.
 */
export { DataError, IdxFormatError, CsvError, ImageFormatError } from './errors.js';
export { type Dataset, type Sample, type Batch, type Split, TensorDataset, collate } from './dataset.js';
export { DataLoader, type DataLoaderOptions, type DataLoaderState } from './loader.js';
export { gatherRows } from './rows.js';
export { parseIdx, IDX_DEFAULT_MAX_BYTES, type IdxArray, type IdxData, type IdxOptions, type IdxType } from './idx.js';
export { tokenizeCsv, formatCsvRow, CSV_DEFAULT_MAX_LINE, type CsvRecord, type TokenizeOptions } from './csv-tokenize.js';
export { parseCsv, CSV_DEFAULT_MAX_ROWS, CSV_DEFAULT_MAX_BYTES, type CsvOptions, type CsvTable } from './csv.js';
export { fitStandardizer, applyStandardizer, type Standardizer } from './standardize.js';
export { trainTestSplit, type SplitOptions } from './split.js';
export { parseDigitsText } from './digits-text.js';
export { spiral, circles, moons, xor, gaussians, fitFunction, expSinSquare, type SyntheticOptions, type FitFunctionOptions } from './synthetic.js';
export { decodePng, encodePng, readPngHeader, checkImage, IMAGE_DEFAULT_MAX_PIXELS, type Image, type PngHeader, type DecodePngOptions } from './png.js';
export { imageGrid, imageFromTensor, comparisonImage, spectrumImage, IMAGE_SPLITS, type ImageGrid, type ImageGridOptions, type ImageSplit } from './image.js';
export { signal1d, SIGNAL_KINDS, type SignalKind, type SignalOptions } from './signals.js';
export * from './sequence/index.js';
export { charText, type CharText, type CharTextOptions, type CharWindows, type CharSplit } from './char-text.js';
