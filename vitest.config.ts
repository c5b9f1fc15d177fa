import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // 2-core CI: two test files at a time keeps tfjs-heavy files from starving each other.
    maxWorkers: 2,
  },
});
