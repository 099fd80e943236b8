import { defineConfig } from 'vitest/config';

/** Projects that talk to Azurite (test/support/global-setup.ts starts one, shared by all of them). */
const withAzurite = (name: string, dir: string) => ({
  extends: true as const,
  test: { name, include: [`test/${dir}/**/*.test.ts`], globalSetup: ['test/support/global-setup.ts'] },
});

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // two cores: more workers only make the real processes in the tests fight for CPU
    maxWorkers: 2,
    reporters: ['default'],
    // `npm run test:unit` runs only `unit`: pure tests, no processes, no Azurite, no wall-clock checks
    // (timing goals live in `npm run bench`). `npm test` runs every project in one vitest run.
    projects: [
      {
        extends: true,
        // files share one module cache per worker: importing the SDKs once per worker instead of once per
        // file halves the run. The price: a unit test restores what it changes (timers, spies, env).
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], isolate: false },
      },
      // the real terraform binary with fake providers (Node processes): tens of seconds, no Azurite
      { extends: true, test: { name: 'iac', include: ['test/iac/**/*.test.ts'] } },
      withAzurite('integration', 'integration'),
      withAzurite('e2e', 'e2e'),
      withAzurite('security', 'security'),
      withAzurite('chaos', 'chaos'),
    ],
  },
});
