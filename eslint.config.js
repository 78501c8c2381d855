/**
 * @file ESLint flat config: typescript-eslint recommended (syntactic only, so lint stays fast),
 * a ban on string evaluation, and the one-way dependency rule of docs/architecture.md "The layering rule".
 *
 * The dependency rule is a small local rule with the semantics of import/no-restricted-paths
 * (`target` may not import from `from`, minus `except`). Why not eslint-plugin-import-x: it pulls in
 * unrs-resolver, whose 21 optional platform binaries the npm mirror does not all serve, so the lock
 * file cannot list them and `npm ci` refuses to run. Checking directories needs no resolver anyway:
 * a relative specifier joined to the importing file's folder says which layer it lands in.
 */
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const root = path.dirname(fileURLToPath(import.meta.url));
const PACKAGE_NAME = 'plexus';

const LAYERING = 'Dependencies point one way (core <- ops <- nn <- optim <- train <- analysis <- apps; backends -> core), see docs/architecture.md.';
const OUTSIDE = ['apps', 'test', 'bench'];

/**
 * The Node-only modules: they read or write files, and only the Node entry (src/node.ts,
 * `plexus/node`) reaches them. Everything else under src/ is in the browser entry's graph and may
 * not import a Node built-in (rule plexus/no-node-builtins) nor any of these (zone below);
 * test/browser-bundle.test.ts checks the same with a real bundle.
 */
const NODE_ONLY = [
  'src/node.ts', 'src/node',
  'src/io/atomic.ts', 'src/io/files.ts', 'src/io/model-files.ts', 'src/io/checkpoint-files.ts',
  'src/data/files.ts', 'src/data/idx-file.ts', 'src/data/csv-file.ts', 'src/data/mnist.ts', 'src/data/builtin.ts', 'src/data/png-file.ts',
  'src/train/file-callbacks.ts', 'src/nn/kan/plot-file.ts',
];
/** The entries apps/ and bench/ may import (package.json "exports": ".", "./node", "./internal"). */
const ENTRIES = ['src/index.ts', 'src/node.ts', 'src/onnx.ts', 'src/internal.ts'];

/**
 * Zones of the dependency rule: files under `target` may not import anything under `from`, unless it
 * is also under `except`. Folders relative to the repo root. Layer zones need not list apps/test/bench:
 * the last zone keeps those out of all of src/.
 */
const layerZones = [
  {
    target: 'src/core', from: ['src'], except: ['src/core'],
    message: `src/core imports nothing outside src/core. ${LAYERING}`,
  },
  {
    target: 'src/backends', from: ['src'], except: ['src/core', 'src/backends'],
    message: `src/backends may import only src/core. ${LAYERING}`,
  },
  {
    target: 'src/viz', from: ['src'], except: ['src/viz', 'src/core'],
    message: `src/viz (scenes, SVG, PNG) may import only src/core. ${LAYERING}`,
  },
  {
    target: 'src/ops',
    from: ['src/nn', 'src/optim', 'src/train', 'src/data', 'src/analysis', 'src/io', 'src/backends'],
    message: `src/ops may not import nn, optim, train, data, analysis, io or backends. ${LAYERING}`,
  },
  {
    target: 'src/nn', from: ['src/optim', 'src/train', 'src/analysis', 'src/io', 'src/data', 'src/testing'],
    message: `src/nn may not import optim, train, analysis, io, data or testing. ${LAYERING}`,
  },
  {
    target: 'src/optim', from: ['src/train', 'src/analysis', 'src/io', 'src/data', 'src/testing'],
    message: `src/optim may not import train, analysis, io, data or testing. ${LAYERING}`,
  },
  {
    // Datasets are tensors and loaders: built from core and ops, below every model layer.
    target: 'src/data', from: ['src'], except: ['src/data', 'src/core', 'src/ops'],
    message: `src/data may import only src/core and src/ops. ${LAYERING}`,
  },
  {
    // Model files and checkpoints serialize modules and optimizers, so io sits above optim; train uses io.
    target: 'src/io', from: ['src'], except: ['src/io', 'src/core', 'src/ops', 'src/nn', 'src/optim'],
    message: `src/io may import only src/core, src/ops, src/nn and src/optim (train uses io, not the reverse). ${LAYERING}`,
  },
  {
    target: 'src/testing', from: ['src'], except: ['src/testing', 'src/core', 'src/ops'],
    message: `src/testing (gradcheck, allclose, op tables) may import only src/core and src/ops. ${LAYERING}`,
  },
  {
    target: 'src/train', from: ['src/analysis'],
    message: `src/train may not import analysis. ${LAYERING}`,
  },
  {
    // The top library layer: it reads trained models through nn/ops/core (every layer below lists
    // src/analysis in its `from`); it computes through the backend dispatch, never a kernel table.
    target: 'src/analysis', from: ['src/backends'],
    message: `src/analysis reaches backends only through src/core's dispatch. ${LAYERING}`,
  },
  {
    target: 'src', from: OUTSIDE,
    message: 'Library code under src/ may not import apps/, test/ or bench/.',
  },
  {
    target: 'src', targetExcept: NODE_ONLY, from: NODE_ONLY,
    message: 'Node-only modules (files on disk) are reached only through src/node.ts (plexus/node): the browser entry must not import them.',
  },
];

/** apps/ and bench/ use the library as users do: through the package entries, not its internals. */
const entryZones = [
  {
    target: 'apps', from: ['src'], except: ENTRIES,
    message: 'apps/ imports only the package entries: src/index.ts (plexus), src/node.ts (plexus/node) or src/internal.ts (plexus/internal).',
  },
  {
    target: 'bench', from: ['src'], except: ENTRIES,
    message: 'bench/ imports only the package entries: src/index.ts (plexus), src/node.ts (plexus/node) or src/internal.ts (plexus/internal, for kernels and pool internals).',
  },
];

/** Unit tests beside sources may cross layers (a core test may use ops), but not leave the library. */
const unitTestZones = [
  { target: 'src', from: ['apps', 'bench'], message: 'Unit tests under src/ may not import apps/ or bench/.' },
];

/** True when `file` is `dir` or lies below it (both absolute). */
function isInside(file, dir) {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Absolute path an import specifier points at, or null for packages other than this one. */
function importedPath(specifier, fromFile) {
  // NodeNext specifiers name the emitted .js; the source, which zones list, is the .ts beside it.
  if (specifier.startsWith('.') || specifier.startsWith('/')) return path.resolve(path.dirname(fromFile), specifier).replace(/\.js$/, '.ts');
  // A self-reference through the package name lands on an entry ("exports" in package.json).
  if (specifier === PACKAGE_NAME) return path.join(root, 'src', 'index.ts');
  if (specifier === `${PACKAGE_NAME}/node`) return path.join(root, 'src', 'node.ts');
  if (specifier === `${PACKAGE_NAME}/internal`) return path.join(root, 'src', 'internal.ts');
  if (specifier.startsWith(`${PACKAGE_NAME}/`)) return path.join(root, 'src', specifier.slice(PACKAGE_NAME.length + 1));
  return null;
}

/** @type {import('eslint').Rule.RuleModule} */
const noRestrictedPaths = {
  meta: {
    type: 'problem',
    docs: { description: 'Keep imports pointing the one way docs/architecture.md allows.' },
    schema: [{ type: 'object', properties: { zones: { type: 'array' } }, additionalProperties: false }],
    messages: { zone: "'{{specifier}}' may not be imported here. {{message}}" },
  },
  create(context) {
    const abs = (p) => path.join(root, p);
    const file = context.physicalFilename;
    const zones = (context.options[0]?.zones ?? []).filter((z) => isInside(file, abs(z.target)) &&
      !(z.targetExcept ?? []).some((d) => isInside(file, abs(d))));
    if (zones.length === 0) return {};
    function check(sourceNode) {
      if (!sourceNode || typeof sourceNode.value !== 'string') return;
      const target = importedPath(sourceNode.value, file);
      if (target === null) return;
      for (const z of zones) {
        const banned = z.from.some((d) => isInside(target, abs(d))) &&
          !(z.except ?? []).some((d) => isInside(target, abs(d)));
        if (banned) context.report({ node: sourceNode, messageId: 'zone', data: { specifier: sourceNode.value, message: z.message } });
      }
    }
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      // `import('../x.js').T` in a type position.
      TSImportType: (node) => check(node.argument?.literal ?? node.argument),
    };
  },
};

const NODE_BUILTINS = new Set(builtinModules);

/** @type {import('eslint').Rule.RuleModule} */
const noNodeBuiltins = {
  meta: {
    type: 'problem',
    docs: { description: 'No Node built-in in modules the browser entry reaches (type-only imports are erased and allowed).' },
    schema: [],
    messages: { builtin: "'{{specifier}}' is a Node built-in: this module is in the browser entry's graph. Take it from the host at run time (core/host.ts nodeBuiltin) or move the code to a Node-only module (plexus/node; list it in NODE_ONLY)." },
  },
  create(context) {
    const isBuiltin = (s) => s.startsWith('node:') || NODE_BUILTINS.has(s) || NODE_BUILTINS.has(s.split('/')[0]);
    function check(node, sourceNode) {
      if (node.importKind === 'type' || node.exportKind === 'type') return;
      if (sourceNode && typeof sourceNode.value === 'string' && isBuiltin(sourceNode.value)) {
        context.report({ node: sourceNode, messageId: 'builtin', data: { specifier: sourceNode.value } });
      }
    }
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
    };
  },
};

const plexusPlugin = { rules: { 'no-restricted-paths': noRestrictedPaths, 'no-node-builtins': noNodeBuiltins } };

export default defineConfig([
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'runs/**'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: {
      // Declared so that no-implied-eval can see them: it only checks references to known globals.
      globals: { setTimeout: 'readonly', setInterval: 'readonly', setImmediate: 'readonly', globalThis: 'readonly' },
    },
    rules: {
      'no-eval': 'error',
      'no-new-func': 'error',
      'no-implied-eval': 'error',
      '@typescript-eslint/no-unused-vars': ['error', {
        args: 'after-used',
        argsIgnorePattern: '^_',
        varsIgnorePattern: '^_',
        caughtErrorsIgnorePattern: '^_',
        destructuredArrayIgnorePattern: '^_',
      }],
    },
  },
  {
    // Plain JS (bin/, this file) runs in Node; TS files get their globals from the type checker.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly' },
    },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.js'],
    plugins: { plexus: plexusPlugin },
    rules: { 'plexus/no-restricted-paths': ['error', { zones: layerZones }], 'plexus/no-node-builtins': 'error' },
  },
  {
    files: NODE_ONLY.map((p) => (p.endsWith('.ts') ? p : `${p}/**/*.ts`)),
    rules: { 'plexus/no-node-builtins': 'off' },
  },
  {
    files: ['src/**/*.test.ts'],
    rules: { 'plexus/no-restricted-paths': ['error', { zones: unitTestZones }], 'plexus/no-node-builtins': 'off' },
  },
  {
    files: ['apps/**/*.ts', 'bench/**/*.ts'],
    plugins: { plexus: plexusPlugin },
    rules: { 'plexus/no-restricted-paths': ['error', { zones: entryZones }] },
  },
]);
