import { z } from 'zod';
import type { Env } from './setting-values.js';
import { described, parseEnv, SettingsError, Url, withoutBlanks } from './setting-values.js';
import { githubSourceSettings, WorkerEnv } from './worker-settings.js';

/**
 * The environment of an isolated run's one-shot process (`workers/main.js --exec <execId>`, in the run's
 * own container group), as its worker wrote it into the group: where the runbooks are and how to log,
 * like a worker, but no storage connection and no worker key — a capability for the run and a URL for
 * its log instead.
 */
export const OneShotEnv = {
  CLOUDO_WORKER: WorkerEnv.CLOUDO_WORKER,
  RUNBOOKS_DIR: WorkerEnv.RUNBOOKS_DIR,
  CLOUDO_GITHUB_REPO: WorkerEnv.CLOUDO_GITHUB_REPO,
  CLOUDO_GITHUB_BRANCH: WorkerEnv.CLOUDO_GITHUB_BRANCH,
  CLOUDO_GITHUB_TOKEN: WorkerEnv.CLOUDO_GITHUB_TOKEN,
  CLOUDO_GITHUB_RUNBOOK_PATH: WorkerEnv.CLOUDO_GITHUB_RUNBOOK_PATH,
  CLOUDO_GITHUB_CACHE_DIR: WorkerEnv.CLOUDO_GITHUB_CACHE_DIR,
  CLOUDO_GITHUB_REFRESH_INTERVAL_MS: WorkerEnv.CLOUDO_GITHUB_REFRESH_INTERVAL_MS,
  CLOUDO_GITHUB_API_URL: WorkerEnv.CLOUDO_GITHUB_API_URL,
  CLOUDO_KILL_GRACE_MS: WorkerEnv.CLOUDO_KILL_GRACE_MS,
  CLOUDO_LOG_FLUSH_INTERVAL_MS: WorkerEnv.CLOUDO_LOG_FLUSH_INTERVAL_MS,
  CLOUDO_LOG_MAX_BYTES: WorkerEnv.CLOUDO_LOG_MAX_BYTES,
  CLOUDO_RUNBOOK_ENV_PASSTHROUGH: WorkerEnv.CLOUDO_RUNBOOK_ENV_PASSTHROUGH,
  CLOUDO_APP_URL: described(
    Url('CLOUDO_APP_URL'),
    'the Functions app the one-shot process reads its run from (set by its worker)',
  ),
  CLOUDO_RUN_CAPABILITY: described(
    z.string({ message: 'CLOUDO_RUN_CAPABILITY is missing: a one-shot process is started by a worker, which sets it' }),
    'the right to read this one run through the app (`x-cloudo-run`), made by its worker (secret)',
  ),
  CLOUDO_LOG_URL: described(
    Url('CLOUDO_LOG_URL'),
    'a SAS URL that can create and append to this run’s log blob and nothing else, made by its worker (secret)',
  ),
  AZURE_CLIENT_ID: described(
    z.string().optional(),
    'client id of the runbook identity attached to the group, passed to the runbook; unset: it has none',
  ),
  AZURE_TENANT_ID: described(z.string().optional(), 'tenant of that identity'),
  AZURE_AUTHORITY_HOST: described(z.string().optional(), 'Entra authority of that identity (sovereign clouds)'),
};

/**
 * The settings a worker passes as they are into its isolated runs' groups (typed against OneShotEnv, so a
 * name the one-shot does not read cannot be passed). Not its GitHub cache folder, a path on its own host;
 * not the token, which goes as a secure value.
 */
export const SETTINGS_PASSED_TO_ONE_SHOT = [
  'RUNBOOKS_DIR',
  'CLOUDO_GITHUB_REPO',
  'CLOUDO_GITHUB_BRANCH',
  'CLOUDO_GITHUB_RUNBOOK_PATH',
  'CLOUDO_GITHUB_API_URL',
  'CLOUDO_KILL_GRACE_MS',
  'CLOUDO_LOG_FLUSH_INTERVAL_MS',
  'CLOUDO_LOG_MAX_BYTES',
  'CLOUDO_RUNBOOK_ENV_PASSTHROUGH',
] as const satisfies readonly (keyof typeof OneShotEnv)[];

export function loadOneShotSettings(env: Env) {
  const problems: string[] = [];
  const e = parseEnv(OneShotEnv, env, problems);
  const raw = withoutBlanks(env);
  if (!raw.RUNBOOKS_DIR && !raw.CLOUDO_GITHUB_REPO) problems.push('RUNBOOKS_DIR or CLOUDO_GITHUB_REPO is missing');
  if (!e || problems.length > 0) throw new SettingsError(problems);
  return {
    worker: e.CLOUDO_WORKER,
    runbooksDir: e.RUNBOOKS_DIR ?? null,
    github: githubSourceSettings(e),
    killGraceMs: e.CLOUDO_KILL_GRACE_MS,
    logFlushIntervalMs: e.CLOUDO_LOG_FLUSH_INTERVAL_MS,
    logMaxBytes: e.CLOUDO_LOG_MAX_BYTES,
    runbookEnvPassthrough: e.CLOUDO_RUNBOOK_ENV_PASSTHROUGH,
    appUrl: e.CLOUDO_APP_URL.replace(/\/+$/, ''),
    capability: e.CLOUDO_RUN_CAPABILITY,
    logUrl: e.CLOUDO_LOG_URL,
    identity: e.AZURE_CLIENT_ID
      ? {
          clientId: e.AZURE_CLIENT_ID,
          tenantId: e.AZURE_TENANT_ID ?? '',
          authorityHost: e.AZURE_AUTHORITY_HOST ?? 'https://login.microsoftonline.com/',
        }
      : null,
  };
}

export type OneShotSettings = ReturnType<typeof loadOneShotSettings>;
