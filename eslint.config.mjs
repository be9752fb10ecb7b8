// ESLint (flat config): typescript-eslint's recommended rules, plus the architecture's import boundaries
// (the layers of docs/architecture.md, enforced by ./scripts/lint/architecture.mjs).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { architectureConfig } from './scripts/lint/architecture.mjs';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'dist-vsix/', '.vscode-test/', 'test-results/', 'docs/screenshots/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'eslint.config.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', fetch: 'readonly', Buffer: 'readonly' } },
  },
  ...architectureConfig(),
  {
    // Long functions read as one block: split them into named steps (issue 17).
    files: ['src/**/*.ts', 'renderers/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }] },
  },
  {
    // The engine runs anywhere (extension host, worker, browser): its imports are checked by architecture/layers,
    // its globals by `tsc -p src/engine` (no DOM, no Node types); randomness comes from seeded generators.
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'Math.random', message: 'Use a seeded Generator.' }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Use a seeded Generator: the same seed must give the same run.' }],
    },
  },
);
