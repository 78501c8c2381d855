/**
 * @file ESLint flat config: typescript-eslint recommended (syntactic only, so lint stays fast),
 * a ban on string evaluation, and the one-way dependency rule of DESIGN.md enforced with
 * eslint-plugin-import-x's `no-restricted-paths`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import { importX, createNodeResolver } from 'eslint-plugin-import-x';

const root = path.dirname(fileURLToPath(import.meta.url));
const abs = (p) => path.join(root, p);

const LAYERING = 'Dependencies point one way (core <- ops <- nn <- optim <- train <- analysis <- apps; backends -> core), see DESIGN.md.';

/**
 * Zones of the dependency rule; `target` may not import `from`. Paths are relative to the repo root.
 * The last zone keeps apps/, test/ and bench/ out of every layer, so layer zones need not list apps.
 */
const layerZones = [
  {
    // Glob form so that a new folder under src/ is covered without editing this list.
    target: 'src/core',
    from: ['src/**', 'apps/**', 'test/**', 'bench/**'],
    except: [abs('src/core/**')],
    message: `src/core imports nothing outside src/core. ${LAYERING}`,
  },
  {
    target: 'src/backends',
    from: ['src/**', 'apps/**', 'test/**', 'bench/**'],
    except: [abs('src/core/**'), abs('src/backends/**')],
    message: `src/backends may import only src/core. ${LAYERING}`,
  },
  {
    target: 'src/ops',
    from: ['src/nn', 'src/optim', 'src/train', 'src/data', 'src/analysis', 'src/io', 'src/backends'],
    message: `src/ops may not import nn, optim, train, data, analysis, io or backends. ${LAYERING}`,
  },
  {
    target: 'src/nn',
    from: ['src/optim', 'src/train', 'src/analysis'],
    message: `src/nn may not import optim, train or analysis. ${LAYERING}`,
  },
  {
    target: 'src/optim',
    from: ['src/train', 'src/analysis'],
    message: `src/optim may not import train or analysis. ${LAYERING}`,
  },
  {
    target: 'src/train',
    from: ['src/analysis'],
    message: `src/train may not import analysis. ${LAYERING}`,
  },
  {
    target: 'src',
    from: ['apps', 'test', 'bench'],
    message: 'Library code under src/ may not import apps/, test/ or bench/.',
  },
];

export default defineConfig([
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'runs/**'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
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
    // Declared so that no-implied-eval can see them: it only checks references to known globals.
    languageOptions: {
      globals: { setTimeout: 'readonly', setInterval: 'readonly', setImmediate: 'readonly', globalThis: 'readonly' },
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
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      // Sources import './x.js' that exists on disk as './x.ts' (NodeNext); without the alias
      // imports would not resolve and no-restricted-paths would silently pass everything.
      'import-x/resolver-next': [createNodeResolver({
        extensions: ['.ts', '.tsx', '.mts', '.js', '.mjs', '.json'],
        extensionAlias: { '.js': ['.ts', '.tsx', '.js'], '.mjs': ['.mts', '.mjs'] },
      })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: root, zones: layerZones }],
    },
  },
  {
    // Unit tests beside sources may reach across layers (e.g. a core test using ops or testing),
    // but still not into apps/ or bench/.
    files: ['src/**/*.test.ts'],
    rules: {
      'import-x/no-restricted-paths': ['error', {
        basePath: root,
        zones: [{ target: 'src', from: ['apps', 'bench'], message: 'Unit tests under src/ may not import apps/ or bench/.' }],
      }],
    },
  },
]);
