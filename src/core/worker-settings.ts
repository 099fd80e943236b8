import { z } from 'zod';
import { IsolatedRunsEnv, isolatedRunsSettings } from './isolation-settings.js';
import { WORKER_NAME_PATTERN } from './resource-names.js';
import { RunIdentityEnv, runIdentitySettings } from './run-identity-settings.js';
import { NEVER_INHERITED_ENV } from './runbook-env.js';
import type { Env, EnvShape } from './setting-values.js';
import { described, List, Millis, WholeNumber } from './setting-values.js';
import { loadSettings, StorageEnv } from './storage-settings.js';
import { WorkerWakeEnv, workerWakeSettings } from './wake-settings.js';

/** The environment of a worker process (workers/main.ts), read once at its start. */
export const WorkerEnv = {
  ...StorageEnv,
  CLOUDO_WORKER: described(
    z
      .string({
        message: 'CLOUDO_WORKER is missing: set it to the worker capability this process serves (e.g. Runbook)',
      })
      .regex(WORKER_NAME_PATTERN, `CLOUDO_WORKER must match ${WORKER_NAME_PATTERN}`),
    'capability served (the schemas’ `worker`); the worker polls `cloudo-jobs-<worker>`',
  ),
  RUNBOOKS_DIR: described(z.string().optional(), 'folder of the runbooks, when they do not come from GitHub'),
  CLOUDO_GITHUB_REPO: described(
    z
      .string()
      .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'CLOUDO_GITHUB_REPO is invalid: use owner/repo (e.g. acme/runbooks)')
      .optional(),
    'runbooks from this GitHub repository (`owner/repo`), instead of `RUNBOOKS_DIR`',
  ),
  CLOUDO_GITHUB_BRANCH: described(z.string().default('main'), 'branch the runbooks are taken from'),
  CLOUDO_GITHUB_TOKEN: described(z.string().optional(), 'token for a private repository (secret)'),
  CLOUDO_GITHUB_RUNBOOK_PATH: described(z.string().default(''), 'folder of the runbooks in the repository'),
  CLOUDO_GITHUB_CACHE_DIR: described(z.string().optional(), 'where snapshots of the repository are kept'),
  CLOUDO_GITHUB_REFRESH_INTERVAL_MS: described(
    Millis('CLOUDO_GITHUB_REFRESH_INTERVAL_MS', 1_000, 86_400_000).default(120_000),
    'how often the branch is checked for a new commit',
  ),
  CLOUDO_GITHUB_API_URL: described(
    z.url({ message: 'CLOUDO_GITHUB_API_URL is not a URL' }).default('https://api.github.com'),
    'GitHub API base URL (GitHub Enterprise)',
  ),
  CLOUDO_CONCURRENCY: described(WholeNumber('CLOUDO_CONCURRENCY', 1, 64).default(4), 'runs at once'),
  CLOUDO_POLL_MAX_INTERVAL_MS: described(
    // 1 s since wake-up nudges carry the latency (issue 19): an idle worker costs ~2.6M queue reads a month
    // instead of ~10.4M at the former 250 ms; without nudges it is also the longest wait for a new run
    Millis('CLOUDO_POLL_MAX_INTERVAL_MS', 10, 60_000).default(1_000),
    'longest pause between polls when idle (a nudged worker polls at once)',
  ),
  CLOUDO_VISIBILITY_TIMEOUT_MS: described(
    Millis('CLOUDO_VISIBILITY_TIMEOUT_MS', 2_000, 7 * 24 * 3600_000).default(60_000),
    'message lease, renewed at half',
  ),
  CLOUDO_KILL_GRACE_MS: described(
    Millis('CLOUDO_KILL_GRACE_MS', 0, 600_000).default(5_000),
    'SIGTERM → SIGKILL delay of a runbook’s processes',
  ),
  CLOUDO_SHUTDOWN_GRACE_MS: described(
    Millis('CLOUDO_SHUTDOWN_GRACE_MS', 0, 3600_000).default(30_000),
    'on SIGTERM, how long running runbooks may finish before they are killed',
  ),
  CLOUDO_LOG_FLUSH_INTERVAL_MS: described(
    Millis('CLOUDO_LOG_FLUSH_INTERVAL_MS', 10, 60_000).default(200),
    'how often buffered output is appended to the log',
  ),
  CLOUDO_LOG_MAX_BYTES: described(
    WholeNumber('CLOUDO_LOG_MAX_BYTES', 1024, 1024 * 1024 * 1024, 'bytes').default(10 * 1024 * 1024),
    'most bytes one run’s log keeps, then a truncation marker',
  ),
  CLOUDO_RUNBOOK_ENV_PASSTHROUGH: described(
    List().default([]),
    'extra worker variables a runbook may see, comma-separated',
  ),
  CLOUDO_AKS_TIMEOUT_MS: described(
    Millis('CLOUDO_AKS_TIMEOUT_MS', 1_000, 600_000).default(60_000),
    'budget of fetching AKS credentials for one run',
  ),
  CLOUDO_HEARTBEAT_MS: described(
    Millis('CLOUDO_HEARTBEAT_MS', 100, 300_000).default(5_000),
    'how often the worker heartbeats to Table Workers',
  ),
  CLOUDO_RUNBOOK_UIDS: described(
    z
      .string()
      .regex(/^\d+(-\d+)?$/, 'CLOUDO_RUNBOOK_UIDS must be a uid range such as 20000-20063')
      .optional(),
    'OS accounts runbooks run as, one per running run (unset: as the worker’s own user)',
  ),
  CLOUDO_RUNBOOK_GID: described(
    WholeNumber('CLOUDO_RUNBOOK_GID', 1, 2 ** 31 - 1).optional(),
    'group of those accounts (default: the first uid)',
  ),
  ...WorkerWakeEnv,
  ...RunIdentityEnv,
  ...IsolatedRunsEnv,
} satisfies EnvShape;

/** Uids `firstUid` .. `firstUid + count - 1`, all in group `gid`. */
export interface RunbookAccountRange {
  readonly firstUid: number;
  readonly count: number;
  readonly gid: number;
}

/** `20000-20063` (or one uid) as a range; problems when it is empty, holds root, or cannot serve `concurrency`. */
function runbookAccountRange(
  uids: string | undefined,
  gid: number | undefined,
  concurrency: number,
  problems: string[],
): RunbookAccountRange | null {
  if (uids === undefined) {
    if (gid !== undefined) problems.push('CLOUDO_RUNBOOK_GID needs CLOUDO_RUNBOOK_UIDS');
    return null;
  }
  const [first = 0, last = first] = uids.split('-').map(Number);
  const count = last - first + 1;
  if (first < 1 || count < 1 || last > 2 ** 31 - 1) {
    problems.push(`CLOUDO_RUNBOOK_UIDS ${uids} is not a range of non-root uids (first <= last, first >= 1)`);
    return null;
  }
  if (count < concurrency) {
    problems.push(
      `CLOUDO_RUNBOOK_UIDS ${uids} holds ${count} uids but CLOUDO_CONCURRENCY is ${concurrency}: each running run needs its own`,
    );
    return null;
  }
  return { firstUid: first, count, gid: gid ?? first };
}

function checkRunbookSource(raw: Readonly<Record<string, string>>, problems: string[]): void {
  if (!raw.RUNBOOKS_DIR && !raw.CLOUDO_GITHUB_REPO) {
    problems.push('RUNBOOKS_DIR is missing: set it to the folder that holds the runbooks (or take them from GitHub)');
  }
  if (raw.RUNBOOKS_DIR && raw.CLOUDO_GITHUB_REPO) problems.push('set RUNBOOKS_DIR or CLOUDO_GITHUB_REPO, not both');
}

/** The workers' own managed identity never reaches a runbook, not even when a setting asks for it. */
function checkedPassthrough(passthrough: string[], problems: string[]): string[] {
  const refused = passthrough.filter((name) => (NEVER_INHERITED_ENV as readonly string[]).includes(name));
  if (refused.length > 0) {
    problems.push(
      `CLOUDO_RUNBOOK_ENV_PASSTHROUGH names ${refused.join(', ')}: runbooks no longer act as the workers' ` +
        'managed identity but as their own (cloudo-az-login, AZURE_FEDERATED_TOKEN_FILE); remove them',
    );
  }
  return passthrough;
}

type GithubValues = Pick<
  z.output<z.ZodObject<typeof WorkerEnv>>,
  | 'CLOUDO_GITHUB_REPO'
  | 'CLOUDO_GITHUB_BRANCH'
  | 'CLOUDO_GITHUB_TOKEN'
  | 'CLOUDO_GITHUB_RUNBOOK_PATH'
  | 'CLOUDO_GITHUB_CACHE_DIR'
  | 'CLOUDO_GITHUB_REFRESH_INTERVAL_MS'
  | 'CLOUDO_GITHUB_API_URL'
>;

/** Runbooks from GitHub as the CLOUDO_GITHUB_* variables say (a worker's, a one-shot's); null without a repository. */
export function githubSourceSettings(e: GithubValues) {
  if (!e.CLOUDO_GITHUB_REPO) return null;
  return {
    repo: e.CLOUDO_GITHUB_REPO,
    branch: e.CLOUDO_GITHUB_BRANCH,
    token: e.CLOUDO_GITHUB_TOKEN ?? null,
    runbookPath: e.CLOUDO_GITHUB_RUNBOOK_PATH,
    cacheDir: e.CLOUDO_GITHUB_CACHE_DIR ?? null,
    refreshIntervalMs: e.CLOUDO_GITHUB_REFRESH_INTERVAL_MS,
    apiBaseUrl: e.CLOUDO_GITHUB_API_URL,
  };
}

export function loadWorkerSettings(env: Env) {
  return loadSettings(
    WorkerEnv,
    env,
    (e, storage, problems) => ({
      storage,
      worker: e.CLOUDO_WORKER,
      runbookAccounts: runbookAccountRange(e.CLOUDO_RUNBOOK_UIDS, e.CLOUDO_RUNBOOK_GID, e.CLOUDO_CONCURRENCY, problems),
      runbooksDir: e.RUNBOOKS_DIR ?? null,
      github: githubSourceSettings(e),
      concurrency: e.CLOUDO_CONCURRENCY,
      pollMaxIntervalMs: e.CLOUDO_POLL_MAX_INTERVAL_MS,
      visibilityTimeoutMs: e.CLOUDO_VISIBILITY_TIMEOUT_MS,
      killGraceMs: e.CLOUDO_KILL_GRACE_MS,
      shutdownGraceMs: e.CLOUDO_SHUTDOWN_GRACE_MS,
      logFlushIntervalMs: e.CLOUDO_LOG_FLUSH_INTERVAL_MS,
      logMaxBytes: e.CLOUDO_LOG_MAX_BYTES,
      runbookEnvPassthrough: checkedPassthrough(e.CLOUDO_RUNBOOK_ENV_PASSTHROUGH, problems),
      aksTimeoutMs: e.CLOUDO_AKS_TIMEOUT_MS,
      heartbeatMs: e.CLOUDO_HEARTBEAT_MS,
      wake: workerWakeSettings(e, problems),
      runIdentity: runIdentitySettings(e, problems),
      isolated: isolatedRunsSettings(e, problems),
    }),
    checkRunbookSource,
  );
}

/** Settings of a worker process; each field is the variable of WorkerEnv that names it. */
export type WorkerSettings = ReturnType<typeof loadWorkerSettings>;
