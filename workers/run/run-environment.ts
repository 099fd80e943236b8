import { existsSync } from 'node:fs';
import path from 'node:path';
import { aksTarget, managedClusterOf } from '../../src/core/aks-cluster.js';
import type { Run } from '../../src/core/execution.js';
import type { Log } from '../../src/core/log.js';
import type { RunIdentity } from '../../src/core/runbook-env.js';
import { buildRunbookEnv } from '../../src/core/runbook-env.js';
import type { AlertPayloadStore } from '../../src/storage/index.js';
import { fetchAksCredentials } from './aks-credentials.js';
import { prepareAlertInput } from './alert-input.js';

export interface RunEnvironmentOptions {
  readonly run: Run;
  readonly workDir: string;
  /** The run has an OS user of its own: its HOME and TMPDIR are its private folder, not the worker's. */
  readonly separateUser: boolean;
  readonly workerName: string;
  readonly workerEnv: Readonly<Record<string, string | undefined>>;
  readonly passthrough: readonly string[];
  /** The run's own Azure identity (run-identity.ts); null: it has none. */
  readonly identity: RunIdentity | null;
  /** The token the identity's file holds now (HeldRunIdentity.currentToken), for fetching AKS credentials. */
  readonly currentToken: () => string | null;
  readonly alertPayloads: Pick<AlertPayloadStore, 'load'>;
  readonly aksTimeoutMs: number;
  readonly signal: AbortSignal;
  readonly log: Log;
  /** Writes a line of the worker's own to the run's log, ahead of the runbook's output, for its author. */
  readonly runLog: (line: string) => void;
}

/** Why a run that needs AKS credentials cannot start without an identity, and what gives it one. */
export const NO_IDENTITY_FOR_AKS =
  "AKS credentials are fetched as the run's own Azure identity and this run has none: give the schema an " +
  'identity, or the deployment a default runbook identity (Terraform runbook_identities / CLOUDO_RUNBOOK_CLIENT_ID), ' +
  'and the workers CLOUDO_APP_URL + CLOUDO_WORKER_KEY';

/**
 * Everything a run's process gets besides its argv: the contract's environment, the alert file, and,
 * for schemas that ask for it, AKS credentials of its own. `{ error }` when the run cannot start.
 */
export async function prepareRunEnvironment(
  options: RunEnvironmentOptions,
): Promise<{ env: Record<string, string> } | { error: string }> {
  const { run, workDir } = options;
  const { alert, alertFile } = await prepareAlertInput(options.alertPayloads, run, workDir, options.log);
  const env = buildRunbookEnv({
    execution: run,
    workerName: options.workerName,
    alert,
    alertFile,
    workerEnv: options.separateUser ? { ...options.workerEnv, ...ownAccountEnv(workDir) } : options.workerEnv,
    extraInherited: options.passthrough,
    identity: options.identity,
  });
  Object.assign(env, toolsEnv(env.PATH), {
    // a run's `az` state is its own (cloudo-az-login): never a ~/.azure shared with other runs or left
    // behind for the next one, which would then act as this run's identity
    AZURE_CONFIG_DIR: path.join(workDir, '.azure'),
  });
  if (!run.aksCredentials) return { env };
  // the cluster the plan found in CLOUDO_AKS_CLUSTERS says where it is; only a forced run reads the alert
  const target = managedClusterOf(run.aksCluster)?.target ?? aksTarget(alert);
  if ('missing' in target) return { error: `AKS credentials are needed but ${target.missing}` };
  const token = options.currentToken();
  // never the workers' identity instead: az would cache its tokens, which reach ClouDO's storage, in the
  // run's AZURE_CONFIG_DIR, and kubectl would act as the workers
  if (!options.identity || token === null) return { error: NO_IDENTITY_FOR_AKS };
  const credentials = await fetchAksCredentials({
    target,
    workDir,
    env,
    identity: options.identity,
    token,
    // as the original did: a runbook's plain `kubectl get pods` acts on the alert's namespace
    namespace: alert?.kubernetes.namespace ?? null,
    timeoutMs: options.aksTimeoutMs,
    signal: options.signal,
  });
  if (!credentials.ok) return { error: `AKS credentials: ${credentials.reason}` };
  if (credentials.notice) options.runLog(credentials.notice);
  return { env: { ...env, ...credentials.env } };
}

/**
 * Where the worker's own tools for runbooks (cloudo-az-login) are in a checkout: last on the runbook's PATH,
 * so the local stack and the tests behave as the image, which installs them in /usr/local/bin.
 */
const RUNBOOK_TOOLS_DIR = path.resolve(import.meta.dirname, '../bin');
const hasRunbookTools = existsSync(path.join(RUNBOOK_TOOLS_DIR, 'cloudo-az-login'));

function toolsEnv(pathValue: string | undefined): Record<string, string> {
  if (!hasRunbookTools) return {};
  return { PATH: pathValue ? `${pathValue}:${RUNBOOK_TOOLS_DIR}` : RUNBOOK_TOOLS_DIR };
}

/** A run with an OS user of its own gets no trace of the worker's user: home and temp are its folder. */
function ownAccountEnv(workDir: string): Record<string, string | undefined> {
  return { HOME: workDir, TMPDIR: workDir, USER: undefined, LOGNAME: undefined };
}
