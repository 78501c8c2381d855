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
    target: 'src/nn', from: ['src/optim', 'src/train', 'src/analysis'],
    message: `src/nn may not import optim, train or analysis. ${LAYERING}`,
  },
  {
    target: 'src/optim', from: ['src/train', 'src/analysis'],
    message: `src/optim may not import train or analysis. ${LAYERING}`,
  },
  {
    target: 'src/train', from: ['src/analysis'],
    message: `src/train may not import analysis. ${LAYERING}`,
  },
  {
    target: 'src', from: OUTSIDE,
    message: 'Library code under src/ may not import apps/, test/ or bench/.',
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
  if (specifier.startsWith('.') || specifier.startsWith('/')) return path.resolve(path.dirname(fromFile), specifier);
  // A self-reference through the package name lands on the public entry, i.e. all of src/.
  if (specifier === PACKAGE_NAME || specifier.startsWith(`${PACKAGE_NAME}/`)) return path.join(root, 'src', 'index.ts');
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
    const zones = (context.options[0]?.zones ?? []).filter((z) => isInside(file, abs(z.target)));
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
    plugins: { plexus: { rules: { 'no-restricted-paths': noRestrictedPaths } } },
    rules: { 'plexus/no-restricted-paths': ['error', { zones: layerZones }] },
  },
  {
    files: ['src/**/*.test.ts'],
    rules: { 'plexus/no-restricted-paths': ['error', { zones: unitTestZones }] },
  },
]);
