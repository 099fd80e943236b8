import { ArgvSyntaxError, splitArgs } from '../../src/core/argv.js';
import type { Execution, Run } from '../../src/core/execution.js';
import type { Log } from '../../src/core/log.js';
import type { Redactor } from '../../src/core/redaction.js';
import type { RunIdentity } from '../../src/core/runbook-env.js';
import type { AlertPayloadStore } from '../../src/storage/index.js';
import type { ResolvedRunbook, RunbookSource } from '../source/index.js';
import { RunbookUnavailableError } from '../source/index.js';
import type { RunbookOutcome } from './executor.js';
import { RunbookSpawnError, runRunbook } from './executor.js';
import type { FederatedTokenClient } from './federated-token-client.js';
import type { LogAppender } from './log-streamer.js';
import { LogStreamer } from './log-streamer.js';
import { prepareRunEnvironment } from './run-environment.js';
import { handOverRunFolder, makeRunFolder, removeRunFolder } from './run-folder.js';
import type { HeldRunIdentity } from './run-identity.js';
import { holdRunIdentity } from './run-identity.js';
import { outcomeFields, stoppedBeforeStart } from './run-outcome.js';
import type { RunbookAccount, RunbookAccounts } from './runbook-accounts.js';

/** What running one claimed run needs from its worker. */
export interface RunDependencies {
  readonly runbooks: RunbookSource;
  /** Where the run's log goes: the store, or (one-shot) a URL good for this one log. */
  readonly logs: LogAppender;
  readonly alertPayloads: Pick<AlertPayloadStore, 'load'>;
  readonly workerName: string;
  readonly workerEnv: Readonly<Record<string, string | undefined>>;
  readonly runbookEnvPassthrough?: readonly string[];
  /** Budget of az login + get-credentials + kubelogin (+ kubectl set-context) (`CLOUDO_AKS_TIMEOUT_MS`). */
  readonly aksTimeoutMs: number;
  readonly killGraceMs: number;
  readonly logFlushIntervalMs: number;
  readonly logMaxBytes: number;
  readonly redact: Redactor;
  /** The uids runbooks run as, one per run; null: as the worker itself. */
  readonly accounts: RunbookAccounts | null;
  /** Where each run's own Azure token comes from (`CLOUDO_APP_URL`); null: runs get no Azure identity. */
  readonly runIdentity: FederatedTokenClient | null;
  /** An identity attached to where the run executes (an isolated run's container group), used without runIdentity. */
  readonly attachedIdentity?: RunIdentity | null;
  readonly log: Log;
}

/** A finished run: its final record and the end of its log (kept in memory, so no one reads it back). */
export interface RunResult {
  readonly execution: Execution;
  readonly logTail: Buffer | null;
}

/**
 * A run that ended before its runbook started: stopped by a cancel or a shutdown (which made the step
 * fail), or `error` with what failed.
 */
function notStarted(signal: AbortSignal, error: string): Partial<Run> {
  return signal.aborted ? stoppedBeforeStart(signal.reason) : { status: 'error', error };
}

/** The run's final record: what it was, plus how it ended, now. */
function ended(run: Run, patch: Partial<Run>): RunResult {
  return { execution: { ...run, finishedAt: new Date().toISOString(), ...patch }, logTail: null };
}

/**
 * `onExited`: called once the runbook's processes are gone, before its log is closed and its outcome
 * recorded — what a worker's concurrency limits is runbooks running, not runs being written down.
 */
export async function executeRun(
  deps: RunDependencies,
  run: Run,
  signal: AbortSignal,
  onExited: () => void = () => undefined,
): Promise<RunResult> {
  let args: string[];
  let resolved: ResolvedRunbook;
  try {
    args = splitArgs(run.runArgs);
    resolved = await deps.runbooks.resolve(run.runbook);
  } catch (err) {
    if (err instanceof RunbookUnavailableError || err instanceof ArgvSyntaxError) {
      return ended(run, { status: 'error', error: err.message, logBytes: 0 });
    }
    throw err;
  }
  try {
    const origin = { runbookOrigin: resolved.origin, commitSha: resolved.commitSha ?? null };
    return await spawnRun(deps, { ...run, ...origin }, args, resolved.path, signal, onExited);
  } finally {
    resolved.release?.();
  }
}

async function spawnRun(
  deps: RunDependencies,
  run: Run,
  args: string[],
  scriptPath: string,
  signal: AbortSignal,
  onExited: () => void,
): Promise<RunResult> {
  // the streamer makes the log: at its first flush, or whole at its close for a run quicker than that
  const streamer = new LogStreamer({
    store: deps.logs,
    execId: run.execId,
    flushIntervalMs: deps.logFlushIntervalMs,
    maxBytes: deps.logMaxBytes,
    redact: deps.redact,
    onError: (err) => deps.log('warn', `appending to the log of ${run.execId} failed; will retry`, err),
  });
  const workDir = await makeRunFolder(run.execId);
  const account = await deps.accounts?.acquire();
  const runLog = (line: string) => streamer.write(Buffer.from(`[cloudo] ${line}\n`));
  let held: HeldRunIdentity | undefined;
  let outcome: RunbookOutcome;
  let finishedAt: string;
  try {
    const identity = deps.runIdentity
      ? await holdRunIdentity({ client: deps.runIdentity, execId: run.execId, account, signal, log: deps.log, runLog })
      : null;
    if (identity && 'error' in identity) {
      // a fetch cut short by a cancel or a shutdown failed because of it: the run says why it stopped
      return await closeLog(streamer, ended(run, notStarted(signal, identity.error)));
    }
    held = identity ?? undefined;
    const prepared = await prepareRunEnvironment({
      run,
      workDir,
      separateUser: account !== undefined,
      workerName: deps.workerName,
      workerEnv: deps.workerEnv,
      passthrough: deps.runbookEnvPassthrough ?? [],
      identity: held?.identity ?? deps.attachedIdentity ?? null,
      currentToken: () => held?.currentToken() ?? null,
      alertPayloads: deps.alertPayloads,
      aksTimeoutMs: deps.aksTimeoutMs,
      signal,
      log: deps.log,
      runLog,
    });
    if ('error' in prepared) {
      return await closeLog(streamer, ended(run, notStarted(signal, prepared.error)));
    }
    if (account) await handOverRunFolder(workDir, account);
    outcome = await runRunbook({
      scriptPath,
      args,
      cwd: workDir,
      env: prepared.env,
      timeoutMs: run.timeoutMs,
      killGraceMs: deps.killGraceMs,
      signal,
      account,
      stragglers: account ? { uid: account.uid } : { envMarker: `CLOUDO_EXEC_ID=${run.execId}` },
      onOutput: (chunk) => streamer.write(chunk),
    });
    finishedAt = new Date().toISOString();
    onExited();
  } catch (err) {
    if (!(err instanceof RunbookSpawnError)) {
      // what the run printed before the worker failed is kept: the worker's error ends the run
      await streamer.close().catch(() => undefined);
      throw err;
    }
    return await closeLog(streamer, ended(run, { status: 'error', error: err.message }));
  } finally {
    // no refresh outlives the run, and no token is left for the uid's next run
    await held?.close().catch((err: unknown) => deps.log('warn', `could not remove the token of ${run.execId}`, err));
    await releaseRunFolder(deps, workDir, account);
  }
  const fields = outcomeFields(outcome, run.timeoutMs);
  // the error carries the stderr tail: it is shown in the API, the console and Slack, so it is redacted as the log is
  const error = fields.error ? deps.redact(fields.error) : null;
  return closeLog(streamer, ended(run, { ...fields, error, finishedAt }));
}

/**
 * Uploads the rest of the log and records its size. The run's `finishedAt` was stamped before: a slow
 * last upload is the store's time, not the runbook's.
 */
async function closeLog(streamer: LogStreamer, result: RunResult): Promise<RunResult> {
  const logBytes = await streamer.close();
  return { execution: { ...result.execution, logBytes }, logTail: streamer.tail };
}

/** The run is over: its folder goes, now, or with its uid after the outcome is recorded. */
async function releaseRunFolder(deps: RunDependencies, workDir: string, account: RunbookAccount | undefined) {
  if (account) {
    deps.accounts?.release(account, workDir);
    return;
  }
  await removeRunFolder(workDir, undefined).catch((err: unknown) =>
    deps.log('warn', `could not remove the run folder ${workDir}`, err),
  );
}
