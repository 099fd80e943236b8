import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // two cores: more workers only make the real processes in the tests fight for CPU
    maxWorkers: 2,
    reporters: ['default'],
  },
});
