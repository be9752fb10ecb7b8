// ESLint (flat config): typescript-eslint's recommended rules, plus the architecture's import boundaries.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
  {
    // The engine runs anywhere (extension host, worker, browser): no VS Code, no DOM, no Node built-ins.
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['vscode', 'node:*', 'fs', 'path', 'os', 'worker_threads', '../notebook/*', '../experiments/*'], message: 'The engine is pure TypeScript: no vscode, DOM or Node-only imports.' }] }],
      'no-restricted-globals': ['error', { name: 'Math.random', message: 'Use a seeded Generator.' }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Use a seeded Generator: the same seed must give the same run.' }],
    },
  },
  {
    // The renderer knows nothing of the engine or the extension: only the shared payload types.
    files: ['renderers/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/engine', '**/engine/*', '**/notebook/*', '**/experiments/*', 'vscode'], message: 'The renderer only knows the shared payload types.' }] }],
    },
  },
  {
    // Experiments, the kernel and the CLI don't depend on VS Code, so the headless runner and workers share them.
    files: ['src/experiments/**/*.ts', 'src/kernel/**/*.ts', 'src/cli/**/*.ts', 'src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'Keep this module free of VS Code so it runs headlessly.' }] }],
    },
  },
);
