import type { TestProject } from 'vitest/node';
import { type RunningAzurite, startAzurite } from '../../src/local/azurite.js';

declare module 'vitest' {
  export interface ProvidedContext {
    azuriteConnectionString: string;
  }
}

/**
 * vitest runs this once per project that lists it (vitest.config.ts), each time in a fresh module
 * instance but in the same process: the first project starts Azurite, the others borrow it, the last
 * teardown stops it. The key lives on globalThis because module state is not shared between projects.
 */
const SHARED = Symbol.for('cloudo.test.azurite');
interface SharedAzurite {
  readonly azurite: Promise<RunningAzurite>;
  users: number;
}
const registry = globalThis as typeof globalThis & { [SHARED]?: SharedAzurite };

/**
 * One in-memory Azurite for the whole run; each test file works in its own storage namespace. Should
 * vitest die without its teardown, Azurite notices and stops by itself (src/local/azurite-process.ts).
 */
export default async function setup(project: TestProject) {
  registry[SHARED] ??= { azurite: startAzurite(), users: 0 };
  const shared = registry[SHARED];
  shared.users++;
  const azurite = await shared.azurite;
  project.provide('azuriteConnectionString', azurite.connectionString);
  return async () => {
    if (--shared.users > 0) return;
    delete registry[SHARED];
    await azurite.stop();
  };
}
