// @ts-check
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'bench/**/*.py', 'resources/**'] },
  {
    files: ['src/**/*.{ts,tsx}', 'test/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
  {
    // The folder is the runtime: src/core is pure TypeScript that runs anywhere (Node, browser, worker).
    files: ['src/core/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'src/core is pure: no Node built-ins (put I/O in src/node).' },
            { group: ['electron', 'electron/*'], message: 'src/core is pure: no electron.' },
            { group: ['better-sqlite3'], message: 'src/core is pure: no SQLite (use src/node/db).' },
            { group: ['react', 'react-dom', 'react/*', 'react-dom/*'], message: 'src/core is pure: no React.' },
            { group: ['**/node/**', '**/main/**', '**/renderer/**', '**/cli/**', '**/preload/**'], message: 'src/core may import only src/core and src/shared.' },
            { group: ['fs', 'path', 'os', 'child_process', 'worker_threads', 'http', 'crypto'], message: 'src/core is pure: no Node built-ins.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'document', 'window', 'process', 'require', 'Buffer'],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*', 'electron', 'better-sqlite3', 'react', '**/node/**', '**/core/**'], message: 'src/shared holds contracts only.' }] },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*', 'electron', 'better-sqlite3', '**/node/**'], message: 'The renderer talks to the backend only through the Api.' }] },
      ],
    },
  },
);
