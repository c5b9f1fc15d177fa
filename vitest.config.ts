import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Real-data suites train small models on wasm: minutes, not seconds, on a 2-core machine.
    testTimeout: 900_000,
    hookTimeout: 900_000,
    // 2-core CI: two test files at a time keeps tfjs-heavy files from starving each other.
    maxWorkers: 2,
  },
});
