import type { TestProject } from 'vitest/node';
import { startAzurite } from '../../src/local/azurite.js';

declare module 'vitest' {
  export interface ProvidedContext {
    azuriteConnectionString: string;
  }
}

/**
 * One in-memory Azurite for the whole run; each test file works in its own storage namespace. Should
 * vitest die without its teardown, Azurite notices and stops by itself (src/local/azurite-process.ts).
 */
export default async function setup(project: TestProject) {
  const azurite = await startAzurite();
  project.provide('azuriteConnectionString', azurite.connectionString);
  return () => azurite.stop();
}
