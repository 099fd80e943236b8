/**
 * Worker entrypoint (container CMD, and one child process per capability in the local stack): reads
 * settings once, serves one capability's queue until SIGTERM/SIGINT, then shuts down gracefully.
 */
import os from 'node:os';
import { loadWorkerSettings, SettingsError } from '../src/core/settings.js';
import { createStorage } from '../src/storage/index.js';
import { QueueWorker } from './queue-worker.js';
import { LocalRunbookSource } from './runbook-source.js';

async function main(): Promise<void> {
  const settings = loadWorkerSettings(process.env);
  const storage = createStorage(settings.storage);
  const queue = storage.jobs.forWorker(settings.worker);
  await queue.ensureQueues();
  const worker = new QueueWorker({
    ...settings,
    queue,
    executions: storage.executions,
    logs: storage.logs,
    alertPayloads: storage.alertPayloads,
    runLocks: storage.runLocks,
    runbooks: new LocalRunbookSource(settings.runbooksDir),
    workerName: settings.worker,
    hostName: os.hostname(),
    workerEnv: process.env,
  });
  worker.start();
  console.log(
    `worker ${settings.worker} polling ${queue.name} (concurrency ${settings.concurrency}, runbooks in ${settings.runbooksDir})`,
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    // a second Ctrl-C means "now": kill running runbooks without waiting
    const force = stopping;
    stopping = true;
    console.log(
      `worker ${settings.worker}: ${signal}, ${force ? 'killing running runbooks' : 'finishing running runbooks'}`,
    );
    worker.close({ force }).then(
      () => process.exit(128 + (os.constants.signals[signal] ?? 15)),
      (err) => {
        console.error('worker shutdown failed', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // started by the local stack with an IPC channel: if that parent dies, do not linger as an orphan
  if (process.send) process.once('disconnect', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof SettingsError ? `cannot start the worker: ${err.message}` : err);
  process.exit(1);
});
