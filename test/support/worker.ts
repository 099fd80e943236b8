import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { QueueWorkerOptions } from '../../workers/queue-worker.js';
import { QueueWorker, workerStores } from '../../workers/queue-worker.js';
import { LocalRunbookSource } from '../../workers/source/index.js';
import type { TestStorage } from './storage.js';

/** Writes scripts into a fresh runbook folder and returns its path. */
export async function makeRunbooks(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-runbooks-'));
  for (const [name, body] of Object.entries(files)) {
    const file = path.join(dir, name);
    await writeFile(file, body);
    await chmod(file, 0o755);
  }
  return dir;
}

/** A QueueWorker on the test's storage with fast timings; quiet unless something goes wrong. */
export function startTestWorker(
  t: TestStorage,
  runbooksDir: string,
  overrides: Partial<QueueWorkerOptions> = {},
): QueueWorker {
  const worker = new QueueWorker({
    ...workerStores(t.storage, 'Runbook'),
    runbooks: new LocalRunbookSource(runbooksDir),
    workerName: 'Runbook',
    hostName: 'test-host',
    concurrency: 4,
    pollMaxIntervalMs: 50,
    visibilityTimeoutMs: 30_000,
    killGraceMs: 500,
    shutdownGraceMs: 2_000,
    logFlushIntervalMs: 50,
    logMaxBytes: 10 * 1024 * 1024,
    heartbeatMs: 5_000,
    aksTimeoutMs: 60_000,
    workerEnv: { PATH: process.env.PATH, HOME: process.env.HOME, SECRET_TOKEN: 'must-not-leak' },
    log: (level, message, err) => {
      if (level === 'error') console.error(message, err);
    },
    ...overrides,
  });
  void worker.start();
  return worker;
}
