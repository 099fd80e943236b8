import type { WorkerBeat } from '../../src/storage/worker-registry.js';

/**
 * A worker's row in Table Workers as a live worker of `Runbook` writes it, seen now; `overrides` say what
 * the test is about (its capability, its wake-up address, when it was last seen).
 */
export function workerBeat(overrides: Partial<WorkerBeat> = {}): WorkerBeat {
  const now = new Date().toISOString();
  return {
    capability: 'Runbook',
    workerId: 'w-1',
    host: 'h',
    version: 'test',
    concurrency: 4,
    runningRuns: [],
    runbookIsolation: 'none',
    startedAt: now,
    lastSeen: now,
    ...overrides,
  };
}
