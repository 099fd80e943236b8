/**
 * Worker entrypoint (container CMD, and one child process per capability in the local stack): reads
 * settings once, serves one capability's queue until SIGTERM/SIGINT, then shuts down gracefully.
 */
import os from 'node:os';
import path from 'node:path';
import { createContainerGroups } from '../src/containers/index.js';
import { SettingsError } from '../src/core/setting-values.js';
import type { WorkerSettings } from '../src/core/worker-settings.js';
import { loadWorkerSettings } from '../src/core/worker-settings.js';
import { createStorage } from '../src/storage/index.js';
import { oneShotMain } from './isolated/index.js';
import { WakeListener } from './queue/index.js';
import { QueueWorker, workerStores } from './queue-worker.js';
import { separationProblem } from './run/index.js';
import type { RunbookSource } from './source/index.js';
import {
  GitHubRunbookSource,
  LocalRunbookSource,
  PUBLISH_INTERVAL_MS,
  RunbookPublisher,
  servedFolderOf,
} from './source/index.js';

/** The runbook folder, or a GitHub branch synced once before the first poll (a failure is logged, not fatal). */
async function runbookSource(settings: WorkerSettings): Promise<RunbookSource & { close?(): Promise<void> }> {
  const { github } = settings;
  if (!github) return new LocalRunbookSource(settings.runbooksDir ?? 'runbooks');
  const source = new GitHubRunbookSource({
    ...github,
    cacheDir: github.cacheDir ?? path.join(os.tmpdir(), `cloudo-runbooks-${process.pid}`),
  });
  const synced = await source.sync();
  console.log(
    synced.ok
      ? `runbooks from github ${github.repo}@${synced.sha.slice(0, 12)} (${github.branch})`
      : `runbooks from github ${github.repo}: first sync failed (${synced.error.message}); retrying on the next run`,
  );
  return source;
}

function runIdentityLine({ runIdentity }: WorkerSettings): string {
  return runIdentity
    ? `runs get their own Azure identity from ${runIdentity.appUrl} (federated tokens)`
    : '!! runs get no Azure identity (CLOUDO_APP_URL and CLOUDO_WORKER_KEY unset): cloudo-az-login and DefaultAzureCredential fail in runbooks';
}

function runbookUserLine({ runbookAccounts: range }: WorkerSettings): string {
  return range
    ? `runbooks run as uids ${range.firstUid}-${range.firstUid + range.count - 1} (gid ${range.gid}), one per run`
    : "!! runbooks run as this worker's own user and can read its secrets: set CLOUDO_RUNBOOK_UIDS to separate them";
}

/**
 * The wake-up listener, before the worker's first heartbeat so its address is in it. Without a
 * CLOUDO_WAKE_URL it listens on loopback: only an app on this machine would find it at 127.0.0.1.
 */
async function startWakeListener(settings: WorkerSettings, onWake: () => void) {
  const { wake } = settings;
  if (!wake) return null;
  const listener = new WakeListener({
    key: wake.key,
    capability: settings.worker,
    port: wake.port,
    host: wake.url ? '0.0.0.0' : '127.0.0.1',
    onWake,
    // the 1st, 10th, 100th...: a stranger knocking in a loop must not flood the log
    onRefused: (reason) => {
      const n = listener.counts.refused;
      if (/^10*$/.test(String(n))) console.error(`refused a wake-up nudge (${reason}); ${n} refused so far`);
    },
  });
  const port = await listener.start();
  return { listener, url: wake.url ?? `http://127.0.0.1:${port}/wake` };
}

async function main(): Promise<void> {
  // a log line must never end the worker: once whoever read our output is gone (the local stack's pipe
  // after it was killed), each write fails with EPIPE, and an unhandled stream error would end the worker
  // in the middle of its shutdown, leaving its runbooks running and their runs unrecorded
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  const settings = loadWorkerSettings(process.env);
  // asked to run runbooks as other users but unable to: refuse, rather than run them as ourselves
  const separation = settings.runbookAccounts && separationProblem(settings.runbookAccounts);
  if (separation) throw new SettingsError([separation]);
  const storage = createStorage(settings.storage);
  const stores = workerStores(storage, settings.worker);
  const runbooks = await runbookSource(settings);
  await stores.queue.ensureQueues();
  // the app holds no runbooks: it shows the source this worker publishes (a failure is logged, not fatal)
  const publisher = new RunbookPublisher({
    worker: settings.worker,
    store: storage.runbookSources,
    servedFolder: servedFolderOf(settings, runbooks instanceof GitHubRunbookSource ? runbooks : null),
    intervalMs: PUBLISH_INTERVAL_MS,
    log: (level, message, err) => (level === 'info' ? console.log(message) : console.error(message, err ?? '')),
  });
  await publisher.start();
  // until the worker exists a nudge has nothing to wake (nobody knows the address yet but a stranger)
  let nudge = (): void => undefined;
  const wake = await startWakeListener(settings, () => nudge());
  const worker = new QueueWorker({
    ...settings,
    ...stores,
    version: process.env.npm_package_version ?? 'dev',
    runbooks,
    workerName: settings.worker,
    hostName: os.hostname(),
    workerEnv: process.env,
    wakeUrl: wake?.url ?? null,
    containerGroups: settings.isolated && createContainerGroups(settings.isolated, settings.isolated.pollMs),
  });
  nudge = () => worker.wake();
  await worker.start();
  console.log(
    `worker ${settings.worker} polling ${stores.queue.name} (concurrency ${settings.concurrency}, runbooks in ${settings.runbooksDir})`,
  );
  console.log(runbookUserLine(settings));
  console.log(runIdentityLine(settings));
  if (settings.isolated) {
    const { subscriptionId, resourceGroup, location } = settings.isolated;
    console.log(
      `isolated runs in container groups of /subscriptions/${subscriptionId}/resourceGroups/${resourceGroup} (${location})`,
    );
  }
  console.log(
    wake ? `wake-up listener on ${wake.url}` : 'no wake-up listener (CLOUDO_WAKE_PORT unset): runs wait for a poll',
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    // a second Ctrl-C means "now": kill running runbooks without waiting
    const force = stopping;
    stopping = true;
    console.log(
      `worker ${settings.worker}: ${signal}, ${force ? 'killing running runbooks' : 'finishing running runbooks'}`,
    );
    // no more nudges first: they would only ask a closing worker to poll
    Promise.all([wake?.listener.close(), worker.close({ force }), publisher.close()]).then(
      () => process.exit(128 + (os.constants.signals[signal] ?? 15)),
      (err) => {
        console.error('worker shutdown failed', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // started by the local stack with an IPC channel: if that parent dies, do not linger as an orphan. It
  // may have died while this worker was starting: the 'disconnect' event is gone then, the state remains
  if (process.send) {
    if (process.connected) process.once('disconnect', () => stop('SIGTERM'));
    else stop('SIGTERM');
  }
}

// `--exec <execId>`: an isolated run's one-shot process, in the run's own container group
const execId = process.argv[process.argv.indexOf('--exec') + 1];
(process.argv.includes('--exec') && execId ? oneShotMain(execId) : main()).catch((err: unknown) => {
  console.error(err instanceof SettingsError ? `cannot start the worker: ${err.message}` : err);
  process.exit(1);
});
