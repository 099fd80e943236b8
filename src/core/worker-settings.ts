import { z } from 'zod';
import { WORKER_NAME_PATTERN } from './resource-names.js';
import type { Env } from './setting-values.js';
import { Millis, WholeNumber, withoutBlanks } from './setting-values.js';
import type { StorageSettings } from './settings.js';
import { readCommonSettings, SettingsError } from './settings.js';

/** Settings of a worker process (workers/main.ts), read once at its start. */
const WorkerEnv = z.object({
  CLOUDO_WORKER: z
    .string({ message: 'CLOUDO_WORKER is missing: set it to the worker capability this process serves (e.g. Runbook)' })
    .regex(WORKER_NAME_PATTERN, `CLOUDO_WORKER must match ${WORKER_NAME_PATTERN}`),
  RUNBOOKS_DIR: z.string().min(1).optional(),
  CLOUDO_GITHUB_REPO: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'CLOUDO_GITHUB_REPO is invalid: use owner/repo (e.g. acme/runbooks)')
    .optional(),
  CLOUDO_GITHUB_BRANCH: z.string().min(1).default('main'),
  CLOUDO_GITHUB_TOKEN: z.string().optional(),
  CLOUDO_GITHUB_RUNBOOK_PATH: z.string().default(''),
  CLOUDO_GITHUB_CACHE_DIR: z.string().min(1).optional(),
  CLOUDO_GITHUB_REFRESH_INTERVAL_MS: Millis('CLOUDO_GITHUB_REFRESH_INTERVAL_MS', 1_000, 86_400_000).default(120_000),
  CLOUDO_GITHUB_API_URL: z.url({ message: 'CLOUDO_GITHUB_API_URL is not a URL' }).default('https://api.github.com'),
  CLOUDO_CONCURRENCY: z.coerce
    .number({ message: 'CLOUDO_CONCURRENCY must be a number' })
    .int()
    .min(1, 'CLOUDO_CONCURRENCY must be at least 1')
    .max(64, 'CLOUDO_CONCURRENCY must be at most 64')
    .default(4),
  CLOUDO_POLL_MAX_INTERVAL_MS: Millis('CLOUDO_POLL_MAX_INTERVAL_MS', 10, 60_000).default(250),
  CLOUDO_VISIBILITY_TIMEOUT_MS: Millis('CLOUDO_VISIBILITY_TIMEOUT_MS', 2_000, 7 * 24 * 3600_000).default(60_000),
  CLOUDO_KILL_GRACE_MS: Millis('CLOUDO_KILL_GRACE_MS', 0, 600_000).default(5_000),
  CLOUDO_SHUTDOWN_GRACE_MS: Millis('CLOUDO_SHUTDOWN_GRACE_MS', 0, 3600_000).default(30_000),
  CLOUDO_LOG_FLUSH_INTERVAL_MS: Millis('CLOUDO_LOG_FLUSH_INTERVAL_MS', 10, 60_000).default(200),
  CLOUDO_LOG_MAX_BYTES: z.coerce
    .number({ message: 'CLOUDO_LOG_MAX_BYTES must be a number of bytes' })
    .int()
    .min(1024, 'CLOUDO_LOG_MAX_BYTES must be at least 1024')
    .max(1024 * 1024 * 1024, 'CLOUDO_LOG_MAX_BYTES must be at most 1 GiB')
    .default(10 * 1024 * 1024),
  CLOUDO_RUNBOOK_ENV_PASSTHROUGH: z.string().default(''),
  CLOUDO_AKS_CLIENT_ID: z
    .string()
    .regex(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
      'CLOUDO_AKS_CLIENT_ID must be a client id (GUID)',
    )
    .optional(),
  CLOUDO_AKS_TIMEOUT_MS: Millis('CLOUDO_AKS_TIMEOUT_MS', 1_000, 600_000).default(60_000),
  CLOUDO_HEARTBEAT_MS: Millis('CLOUDO_HEARTBEAT_MS', 100, 300_000).default(5_000),
  CLOUDO_RUNBOOK_UIDS: z
    .string()
    .regex(/^\d+(-\d+)?$/, 'CLOUDO_RUNBOOK_UIDS must be a uid range such as 20000-20063')
    .optional(),
  CLOUDO_RUNBOOK_GID: WholeNumber('CLOUDO_RUNBOOK_GID', 1, 2 ** 31 - 1).optional(),
});

export interface WorkerSettings {
  readonly storage: StorageSettings;
  /** Capability served; the worker polls `cloudo-jobs-<worker>`. */
  readonly worker: string;
  /** Folder that holds the runbooks (`RUNBOOKS_DIR`), when they do not come from GitHub. */
  readonly runbooksDir: string | null;
  /** Runbooks from a GitHub branch (`CLOUDO_GITHUB_*`, the Terraform module's github_repo_info). */
  readonly github: {
    readonly repo: string;
    readonly branch: string;
    /** Secret: never logged, never shown. */
    readonly token: string | null;
    readonly runbookPath: string;
    readonly cacheDir: string | null;
    readonly refreshIntervalMs: number;
    readonly apiBaseUrl: string;
  } | null;
  /** Runs executed at once (`CLOUDO_CONCURRENCY`, default 4). */
  readonly concurrency: number;
  /** Longest pause between two polls of an idle queue (`CLOUDO_POLL_MAX_INTERVAL_MS`, default 250). */
  readonly pollMaxIntervalMs: number;
  /** How long a received message stays hidden; renewed at half of it (`CLOUDO_VISIBILITY_TIMEOUT_MS`, default 60000). */
  readonly visibilityTimeoutMs: number;
  /** Pause between SIGTERM and SIGKILL of a runbook's process group (`CLOUDO_KILL_GRACE_MS`, default 5000). */
  readonly killGraceMs: number;
  /** How long shutdown waits for running runbooks before killing them (`CLOUDO_SHUTDOWN_GRACE_MS`, default 30000). */
  readonly shutdownGraceMs: number;
  /** How often buffered output is appended to the log blob (`CLOUDO_LOG_FLUSH_INTERVAL_MS`, default 200). */
  readonly logFlushIntervalMs: number;
  /** Most bytes one run's log keeps, then a truncation marker (`CLOUDO_LOG_MAX_BYTES`, default 10 MiB). */
  readonly logMaxBytes: number;
  /** Extra worker variables a runbook may see, comma-separated (`CLOUDO_RUNBOOK_ENV_PASSTHROUGH`). */
  readonly runbookEnvPassthrough: readonly string[];
  /** User-assigned identity for per-run AKS credentials (`CLOUDO_AKS_CLIENT_ID`); null: the system identity. */
  readonly aksClientId: string | null;
  /** Budget of fetching AKS credentials for one run (`CLOUDO_AKS_TIMEOUT_MS`, default 60000). */
  readonly aksTimeoutMs: number;
  /** How often the worker heartbeats to Table Workers (`CLOUDO_HEARTBEAT_MS`, default 5000). */
  readonly heartbeatMs: number;
  /**
   * The OS accounts runbooks run as, one per running run (`CLOUDO_RUNBOOK_UIDS`, `CLOUDO_RUNBOOK_GID`);
   * null: as the worker's own user, which can then read the worker's secrets (a developer's laptop).
   */
  readonly runbookAccounts: RunbookAccountRange | null;
}

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

export function loadWorkerSettings(env: Env): WorkerSettings {
  const { problems, storage } = readCommonSettings(env);
  const values = withoutBlanks(env);
  const parsed = WorkerEnv.safeParse(values);
  if (!parsed.success) problems.push(...parsed.error.issues.map((i) => i.message));
  if (!values.RUNBOOKS_DIR && !values.CLOUDO_GITHUB_REPO) {
    problems.push('RUNBOOKS_DIR is missing: set it to the folder that holds the runbooks (or take them from GitHub)');
  }
  if (values.RUNBOOKS_DIR && values.CLOUDO_GITHUB_REPO) {
    problems.push('set RUNBOOKS_DIR or CLOUDO_GITHUB_REPO, not both');
  }
  const runbookAccounts = parsed.success
    ? runbookAccountRange(
        parsed.data.CLOUDO_RUNBOOK_UIDS,
        parsed.data.CLOUDO_RUNBOOK_GID,
        parsed.data.CLOUDO_CONCURRENCY,
        problems,
      )
    : null;
  if (problems.length > 0 || !storage || !parsed.success) throw new SettingsError(problems);
  const e = parsed.data;
  return {
    storage,
    worker: e.CLOUDO_WORKER,
    runbookAccounts,
    runbooksDir: e.RUNBOOKS_DIR ?? null,
    github: e.CLOUDO_GITHUB_REPO
      ? {
          repo: e.CLOUDO_GITHUB_REPO,
          branch: e.CLOUDO_GITHUB_BRANCH,
          token: e.CLOUDO_GITHUB_TOKEN ?? null,
          runbookPath: e.CLOUDO_GITHUB_RUNBOOK_PATH,
          cacheDir: e.CLOUDO_GITHUB_CACHE_DIR ?? null,
          refreshIntervalMs: e.CLOUDO_GITHUB_REFRESH_INTERVAL_MS,
          apiBaseUrl: e.CLOUDO_GITHUB_API_URL,
        }
      : null,
    concurrency: e.CLOUDO_CONCURRENCY,
    pollMaxIntervalMs: e.CLOUDO_POLL_MAX_INTERVAL_MS,
    visibilityTimeoutMs: e.CLOUDO_VISIBILITY_TIMEOUT_MS,
    killGraceMs: e.CLOUDO_KILL_GRACE_MS,
    shutdownGraceMs: e.CLOUDO_SHUTDOWN_GRACE_MS,
    logFlushIntervalMs: e.CLOUDO_LOG_FLUSH_INTERVAL_MS,
    logMaxBytes: e.CLOUDO_LOG_MAX_BYTES,
    aksClientId: e.CLOUDO_AKS_CLIENT_ID ?? null,
    aksTimeoutMs: e.CLOUDO_AKS_TIMEOUT_MS,
    heartbeatMs: e.CLOUDO_HEARTBEAT_MS,
    runbookEnvPassthrough: e.CLOUDO_RUNBOOK_ENV_PASSTHROUGH.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}
