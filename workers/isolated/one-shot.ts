import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { IsolatedOutcome } from '../../src/core/isolated-run.js';
import type { Log } from '../../src/core/log.js';
import type { OneShotSettings } from '../../src/core/one-shot-settings.js';
import { createRedactor, secretValues } from '../../src/core/redaction.js';
import { AppendOnlyLog } from '../../src/storage/index.js';
import type { RunDependencies } from '../run/index.js';
import { executeRun } from '../run/index.js';
import type { RunbookSource } from '../source/index.js';
import { GitHubRunbookSource, LocalRunbookSource } from '../source/index.js';
import { fetchRunInput } from './run-input-client.js';

/** Where the runbooks are: the image's folder, or the branch, synced once (a one-shot never refreshes). */
async function runbookSource(settings: OneShotSettings): Promise<RunbookSource> {
  if (!settings.github) return new LocalRunbookSource(settings.runbooksDir ?? 'runbooks');
  const cacheDir = settings.github.cacheDir ?? (await mkdtemp(path.join(os.tmpdir(), 'cloudo-runbooks-')));
  const source = new GitHubRunbookSource({ ...settings.github, cacheDir });
  const synced = await source.sync();
  if (!synced.ok)
    throw new Error(`could not fetch the runbooks from github ${settings.github.repo}: ${synced.error.message}`);
  return source;
}

/**
 * Runs one isolated run inside its own container group, as a worker runs a shared one (same environment
 * contract, live log, kill on timeout or SIGTERM), and returns how it ended for the worker to record. The
 * worker owns the run's row: this process reads its run through the app and writes only into its log.
 */
export async function runOneShot(
  execId: string,
  settings: OneShotSettings,
  signal: AbortSignal,
  log: Log,
): Promise<IsolatedOutcome> {
  const logs = new AppendOnlyLog(settings.logUrl);
  try {
    const [input, runbooks] = await Promise.all([
      fetchRunInput(settings.appUrl, execId, settings.capability, signal),
      runbookSource(settings),
    ]);
    const workerEnv = process.env;
    const deps: RunDependencies = {
      runbooks,
      logs,
      alertPayloads: { load: async () => input.alert },
      workerName: settings.worker,
      workerEnv,
      runbookEnvPassthrough: settings.runbookEnvPassthrough,
      aksTimeoutMs: 60_000,
      killGraceMs: settings.killGraceMs,
      logFlushIntervalMs: settings.logFlushIntervalMs,
      logMaxBytes: settings.logMaxBytes,
      // the capability and the log URL are secrets too, whatever their names say
      redact: createRedactor([...secretValues(workerEnv), settings.capability, settings.logUrl]),
      accounts: null,
      runIdentity: null,
      attachedIdentity: settings.identity && { ...settings.identity, tokenFile: null },
      log,
    };
    const { execution } = await executeRun(deps, input.run, signal);
    return {
      status: outcomeStatus(execution.status),
      exitCode: execution.exitCode,
      signal: execution.signal,
      error: execution.error,
      logBytes: execution.logBytes,
      finishedAt: execution.finishedAt ?? new Date().toISOString(),
      runbookOrigin: execution.runbookOrigin,
      commitSha: execution.commitSha,
    };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    // the run's author reads why in the log, where its output would have been
    const line = Buffer.from(`[cloudo] the run could not start in its container: ${error}\n`);
    await logs.put(execId, line).catch((e: unknown) => log('warn', `could not write to the log of ${execId}`, e));
    return {
      status: 'error',
      exitCode: null,
      signal: null,
      error,
      logBytes: line.length,
      finishedAt: new Date().toISOString(),
      runbookOrigin: null,
      commitSha: null,
    };
  }
}

/** A status a one-shot run can end in; anything else (none is expected) reads as an error. */
function outcomeStatus(status: string): IsolatedOutcome['status'] {
  const parsed = IsolatedOutcome.shape.status.safeParse(status);
  return parsed.success ? parsed.data : 'error';
}
