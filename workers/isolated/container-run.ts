import { setTimeout as sleep } from 'node:timers/promises';
import type { ContainerGroups } from '../../src/containers/index.js';
import { ContainerGroupError } from '../../src/containers/index.js';
import type { Run } from '../../src/core/execution.js';
import { outcomeFromConsole, runCapability } from '../../src/core/isolated-run.js';
import { containerGroupName } from '../../src/core/isolation.js';
import type { IsolatedRunsSettings } from '../../src/core/isolation-settings.js';
import { attachableIdentity } from '../../src/core/isolation-settings.js';
import type { RunIdentitySettings } from '../../src/core/run-identity-settings.js';
import type { LogStore } from '../../src/storage/index.js';
import type { RunDependencies, RunResult } from '../run/index.js';
import { outcomeFields, stoppedBeforeStart } from '../run/index.js';
import { groupSpecFor } from './group-spec.js';

/**
 * What following an isolated run needs from its worker: what a shared run takes from it too (passed on
 * to the group, or used to end the run the same way), plus ARM, the isolation settings and the app.
 */
export interface ContainerRunDependencies
  extends Pick<
    RunDependencies,
    'workerName' | 'workerEnv' | 'runbookEnvPassthrough' | 'killGraceMs' | 'redact' | 'log'
  > {
  readonly groups: ContainerGroups;
  readonly settings: IsolatedRunsSettings;
  readonly logs: Pick<LogStore, 'appendOnlyUrl' | 'create' | 'append' | 'readPart'>;
  /** The app the one-shot process reads its run from, and the key its capability is signed with. */
  readonly app: RunIdentitySettings;
}

/**
 * What isolated runs need from a worker's options, or why it cannot run them: without its own settings,
 * ARM, or an app and key for the run's container to read its run with, each such run ends in error.
 */
export function containerRunDependencies(
  options: Omit<ContainerRunDependencies, 'groups' | 'settings' | 'app'> & {
    readonly isolated?: IsolatedRunsSettings | null;
    readonly containerGroups?: ContainerGroups | null;
    readonly runIdentity?: RunIdentitySettings | null;
  },
): ContainerRunDependencies | { readonly problem: string } {
  const { isolated, containerGroups, runIdentity } = options;
  const cannot = 'this worker cannot run isolated runs (isolation: container)';
  if (!isolated || !containerGroups) return { problem: `${cannot}: it has no CLOUDO_ACI_RESOURCE_GROUP_ID` };
  if (!runIdentity) {
    return {
      problem: `${cannot}: it has no CLOUDO_APP_URL and CLOUDO_WORKER_KEY, which the run's container reads its run with`,
    };
  }
  return { ...options, groups: containerGroups, settings: isolated, app: runIdentity };
}

/** Lines of the group's console read for the one-shot's outcome line (the last it prints). */
const CONSOLE_TAIL_LINES = 20;
/** The end of the log the results message carries, as for a shared run. */
const LOG_TAIL_BYTES = 8 * 1024;
/** The capability and log URL outlive the run's own limits by this much (a slow start, a slow upload). */
const CAPABILITY_MARGIN_MS = 3_600_000;

/**
 * Runs a claimed `isolation: container` run in a container group of its own: creates it (the worker image
 * in one-shot mode, the run's identity attached), follows it until its container ends, enforces the timeout
 * and cancel by deleting it, records what the one-shot process reported, and deletes the group whatever
 * happens. The run's log is written by the one-shot process through an append-only URL; the worker adds
 * its own lines around it.
 */
export async function executeContainerRun(
  deps: ContainerRunDependencies,
  run: Run,
  signal: AbortSignal,
  onExited: () => void = () => undefined,
): Promise<RunResult> {
  const name = containerGroupName(run.execId);
  let ownBytes = 0;
  let logMade = false;
  const makeLog = async () => {
    if (!logMade) await deps.logs.create(run.execId);
    logMade = true;
  };
  const runLog = async (line: string) => {
    const data = Buffer.from(`[cloudo] ${line}\n`);
    try {
      await makeLog();
      await deps.logs.append(run.execId, data);
      ownBytes += data.length;
    } catch (err) {
      deps.log('warn', `could not write to the log of ${run.execId}`, err);
    }
  };
  const identity = attachableIdentity(run.identity, deps.settings.identities);
  if (identity && 'error' in identity) {
    await runLog(identity.error);
    return ended(run, { status: 'error', error: identity.error }, ownBytes, null);
  }
  const createdAt = new Date();
  const expiresAt = createdAt.getTime() + deps.settings.startTimeoutMs + run.timeoutMs + CAPABILITY_MARGIN_MS;
  let patch: Partial<Run>;
  try {
    const spec = groupSpecFor({
      run,
      settings: deps.settings,
      identity,
      workerName: deps.workerName,
      workerEnv: deps.workerEnv,
      passthrough: deps.runbookEnvPassthrough ?? [],
      appUrl: deps.app.appUrl,
      capability: runCapability(deps.app.key, run.execId, expiresAt),
      logUrl: await deps.logs.appendOnlyUrl(run.execId, new Date(expiresAt)),
      createdAt,
    });
    // the log exists before the group does: the group's URL may only append to it
    await makeLog();
    const size = `${spec.cpu} CPU, ${spec.memoryGb} GB`;
    await runLog(`running in container group ${name} (${size}, ${spec.location}); its output follows once it starts`);
    patch = await createAndFollow(deps, run, name, spec, signal);
  } finally {
    onExited();
    // whatever happened, the group goes: a run's container never outlives its run (housekeeping sweeps
    // what a failed delete leaves)
    await deps.groups
      .delete(name)
      .catch((err: unknown) => deps.log('warn', `could not delete container group ${name}; housekeeping will`, err));
  }
  if (patch.error && patch.status !== 'succeeded' && patch.status !== 'failed') await runLog(patch.error);
  const tail = await deps.logs
    .readPart(run.execId, (size) => ({ start: size - LOG_TAIL_BYTES, end: size }))
    .catch(() => null);
  return ended(run, { ...patch, error: patch.error ? deps.redact(patch.error) : null }, ownBytes, tail?.data ?? null);
}

async function createAndFollow(
  deps: ContainerRunDependencies,
  run: Run,
  name: string,
  spec: Parameters<ContainerGroups['create']>[0],
  signal: AbortSignal,
): Promise<Partial<Run>> {
  const { groups, settings } = deps;
  const startBy = Date.now() + settings.startTimeoutMs;
  try {
    await groups.create(spec, signal);
  } catch (err) {
    if (signal.aborted) return stoppedBeforeStart(signal.reason);
    if (err instanceof ContainerGroupError) {
      return { status: 'error', error: `Azure Container Instances refused the group: ${err.message}` };
    }
    throw err;
  }
  let endBy: number | null = null;
  for (;;) {
    if (signal.aborted) return stopped(signal.reason, endBy !== null);
    const state = await groups.state(name, signal).catch((err: unknown) => {
      if (signal.aborted) return null;
      deps.log('warn', `could not read the state of container group ${name}; trying again`, err);
      return null;
    });
    const now = Date.now();
    if (state?.phase === 'terminated') return await finished(deps, name, run, state.exitCode);
    if (state?.phase === 'failed') return { status: 'error', error: `its container group failed: ${state.error}` };
    if (state?.phase === 'gone')
      return { status: 'error', error: `its container group ${name} was deleted while the run ran` };
    if (state?.phase === 'running' && endBy === null) endBy = now + run.timeoutMs + deps.killGraceMs;
    if (endBy === null && now > startBy) {
      const detail = state?.phase === 'pending' && state.detail ? `: ${state.detail}` : '';
      return {
        status: 'error',
        error: `its container group did not start within ${Math.round(settings.startTimeoutMs / 1000)} s${detail}`,
      };
    }
    if (endBy !== null && now > endBy) {
      return {
        status: 'timed_out',
        error: `exceeded its timeout of ${Math.round(run.timeoutMs / 1000)} s; its container group was deleted`,
      };
    }
    await sleep(settings.pollMs, undefined, { signal }).catch(() => undefined);
  }
}

/** Cancelled (or the worker shutting down): the group is deleted by the caller, as for any ending. */
function stopped(reason: unknown, started: boolean): Partial<Run> {
  if (!started) return stoppedBeforeStart(reason);
  // as a shared run stopped the same way: the same status and words
  return outcomeFields(
    { exitCode: null, signal: null, timedOut: false, aborted: true, abortReason: reason, stderrTail: '' },
    0,
  );
}

/** The container ended: what its one-shot process said, or, when it said nothing (it died), its exit code. */
async function finished(
  deps: ContainerRunDependencies,
  name: string,
  run: Run,
  exitCode: number | null,
): Promise<Partial<Run>> {
  const console = await deps.groups.logs(name, CONSOLE_TAIL_LINES).catch(() => '');
  const outcome = outcomeFromConsole(console);
  if (outcome) return outcome;
  const how = exitCode === null ? 'ended' : `exited with code ${exitCode}`;
  return {
    status: 'error',
    exitCode,
    error: `the one-shot process in container group ${name} ${how} without reporting the run's outcome`,
    finishedAt: new Date().toISOString(),
    runbookOrigin: run.runbookOrigin,
  };
}

/** The run's final record: its ending, its log's size (the one-shot's part plus the worker's lines). */
function ended(run: Run, patch: Partial<Run>, ownBytes: number, logTail: Buffer | null): RunResult {
  const execution = {
    ...run,
    finishedAt: new Date().toISOString(),
    ...patch,
    logBytes: (patch.logBytes ?? 0) + ownBytes,
  };
  return { execution, logTail };
}
