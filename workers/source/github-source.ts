import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { runbookNameProblem } from '../../src/core/safe-path.js';
import type { GitHubSyncError } from './github-api.js';
import { GitHubApi } from './github-api.js';
import type { ResolvedRunbook, RunbookSource } from './runbook-source.js';
import { RunbookUnavailableError } from './runbook-source.js';
import { SnapshotCache } from './snapshot-cache.js';

export type GitHubSourceLog = (level: 'info' | 'warn' | 'error', message: string, err?: unknown) => void;

/** Mirrors Terraform's `github_repo_info`; the worker settings fill it in. */
export interface GitHubRunbookSourceOptions {
  /** `owner/name` (`repo_name`). */
  readonly repo: string;
  /** Branch whose head is followed (`repo_branch`). */
  readonly branch: string;
  /** Sent as `Authorization: Bearer`; null or empty for a public repository (`repo_token`). Never logged. */
  readonly token: string | null;
  /** Folder inside the repository that holds the runbooks, relative, no `..`; empty for the root (`runbook_path`). */
  readonly runbookPath: string;
  /** Where snapshots are unpacked, one folder per commit SHA. Give each worker process its own. */
  readonly cacheDir: string;
  /** REST API root (default `https://api.github.com`; GitHub Enterprise: `https://host/api/v3`). */
  readonly apiBaseUrl?: string;
  /** A resolve later than this after the last sync asks GitHub for the branch head first, in ms. */
  readonly refreshIntervalMs: number;
  /** Longest one GitHub request may take, download included, in ms (default 60000). */
  readonly requestTimeoutMs?: number;
  /** Snapshots kept on disk besides those still in use (default 3). */
  readonly keepSnapshots?: number;
  /** Largest unpacked snapshot, in bytes (default 256 MiB); a bigger archive fails the sync. */
  readonly maxSnapshotBytes?: number;
  readonly fetch?: typeof fetch;
  /** Clock for the refresh interval and rate-limit waits (default `Date.now`). */
  readonly now?: () => number;
  readonly log?: GitHubSourceLog;
}

/** A runbook in a snapshot of the repository, held on disk until `release()`. */
export interface GitHubResolvedRunbook extends ResolvedRunbook {
  /** The commit the snapshot was taken at. */
  readonly commitSha: string;
  /** Path of the runbook inside the repository (`<runbookPath>/<name>`). */
  readonly relativePath: string;
  /** Ends this run's hold on the snapshot, which may then be removed. Call it once the run ended; repeats do nothing. */
  readonly release: () => void;
}

/** Outcome of one sync: a value, since GitHub refusing or failing is expected (STYLE 10). */
export type SyncResult =
  | { readonly ok: true; readonly sha: string; readonly changed: boolean }
  | { readonly ok: false; readonly error: GitHubSyncError };

type Lookup = { ok: true; runbook: GitHubResolvedRunbook } | { ok: false; isMissing: boolean; message: string };

const REPO = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;

/**
 * Runbooks from a GitHub branch, pinned per run to a commit. Refreshes lazily: a resolve that comes
 * `refreshIntervalMs` after the last sync asks for the branch head first (one request shared by
 * concurrent resolves), so an idle worker spends none of the rate limit and owns no timer. A failed
 * refresh keeps the previous snapshot in use.
 */
export class GitHubRunbookSource implements RunbookSource {
  /** `owner/name`, as configured. */
  readonly repo: string;
  private readonly branch: string;
  private readonly runbookPath: string;
  private readonly refreshIntervalMs: number;
  private readonly now: () => number;
  private readonly log: GitHubSourceLog;
  private readonly api: GitHubApi;
  private readonly cache: SnapshotCache;
  private readonly closing = new AbortController();
  private current: string | undefined;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private lastError: GitHubSyncError | undefined;
  private syncing: Promise<SyncResult> | undefined;
  private pruning: Promise<void> = Promise.resolve();
  private closed: Promise<void> | undefined;

  constructor(options: GitHubRunbookSourceOptions) {
    const problems: string[] = [];
    if (!REPO.test(options.repo)) problems.push(`repo "${options.repo}" must be owner/name (e.g. octo-org/runbooks)`);
    const branchProblem = branchNameProblem(options.branch);
    if (branchProblem) problems.push(`branch "${options.branch}" ${branchProblem}`);
    const runbookPath = options.runbookPath.replace(/^\.\/|\/+$/g, '');
    const pathProblem = runbookPath === '' || runbookPath === '.' ? null : runbookNameProblem(runbookPath);
    if (pathProblem) problems.push(`runbookPath "${options.runbookPath}" ${pathProblem}`);
    const token = options.token?.trim() || null;
    // a control character would make fetch throw an error that quotes the header, token and all
    if (token !== null && !/^[\x21-\x7e]+$/.test(token)) problems.push('token contains spaces or control characters');
    if (!(options.refreshIntervalMs > 0)) problems.push('refreshIntervalMs must be > 0');
    if (!options.cacheDir) problems.push('cacheDir must be set');
    const apiBaseUrl = (options.apiBaseUrl ?? 'https://api.github.com').replace(/\/+$/, '');
    if (!/^https?:\/\//.test(apiBaseUrl) || !URL.canParse(apiBaseUrl))
      problems.push(`apiBaseUrl "${apiBaseUrl}" is not an http(s) URL`);
    const timeoutMs = options.requestTimeoutMs ?? 60_000;
    if (!(timeoutMs > 0)) problems.push('requestTimeoutMs must be > 0');
    if (problems.length > 0) throw new Error(`invalid GitHub runbook source: ${problems.join('; ')}`);

    const [owner = '', repo = ''] = options.repo.split('/');
    this.repo = options.repo;
    this.branch = options.branch;
    this.runbookPath = runbookPath === '.' ? '' : runbookPath;
    this.refreshIntervalMs = options.refreshIntervalMs;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? defaultLog;
    this.api = new GitHubApi({
      owner,
      repo,
      token,
      apiBaseUrl,
      timeoutMs,
      fetch: options.fetch ?? fetch,
      now: this.now,
      signal: this.closing.signal,
    });
    this.cache = new SnapshotCache({
      dir: path.resolve(options.cacheDir),
      keep: options.keepSnapshots ?? 3,
      maxBytes: options.maxSnapshotBytes ?? 256 * 1024 * 1024,
    });
  }

  /** The commit runs resolve against now, or null before the first successful sync. */
  get commitSha(): string | null {
    return this.current ?? null;
  }

  /** The runbook folder at the current commit, held on disk until `release()`; null before the first sync. */
  currentFolder(): { sha: string; root: string; branch: string; runbookPath: string; release: () => void } | null {
    const sha = this.current;
    if (sha === undefined || this.closed) return null;
    const root = path.join(this.cache.pathOf(sha), this.runbookPath);
    return { sha, root, branch: this.branch, runbookPath: this.runbookPath, release: this.cache.lease(sha) };
  }

  /**
   * Brings the snapshot to the branch head: asks GitHub for the head SHA and, when no snapshot of it is
   * on disk, downloads and unpacks its tarball. Concurrent calls share one sync. While GitHub's rate
   * limit says wait, it answers with the last error without asking.
   */
  sync(): Promise<SyncResult> {
    this.syncing ??= this.runSync().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  async resolve(name: string): Promise<GitHubResolvedRunbook> {
    const problem = runbookNameProblem(name);
    if (problem) throw new RunbookUnavailableError(`runbook "${name}" ${problem}`);
    if (this.closed)
      throw new RunbookUnavailableError(`runbook "${name}" is unavailable: the runbook source is closed`);
    let hasSynced = false;
    if (this.current === undefined || this.now() - this.lastAttemptAt >= this.refreshIntervalMs) {
      await this.sync();
      hasSynced = true;
    }
    let found = await this.lookup(name);
    // pushed since the last sync? look at the branch head once more, then give up
    if (!found.ok && found.isMissing && !hasSynced) {
      await this.sync();
      found = await this.lookup(name);
    }
    if (!found.ok) throw new RunbookUnavailableError(found.message);
    return found.runbook;
  }

  /** Cancels requests in flight and waits for the sync and clean-up under way. Same promise every time. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing.abort();
      await this.syncing?.catch(() => undefined);
      await this.pruning;
    })();
    return this.closed;
  }

  private async runSync(): Promise<SyncResult> {
    const startedAt = this.now();
    this.lastAttemptAt = startedAt;
    // GitHub asks clients to wait out a rate limit; asking anyway can get the integration banned
    if (this.lastError?.retryAt && startedAt < this.lastError.retryAt) return { ok: false, error: this.lastError };
    const result = await this.fetchHead();
    if (!result.ok) {
      this.lastError = result.error;
      const keeping = this.current ? `still using ${this.current}` : 'no snapshot yet';
      this.log(
        'warn',
        `syncing runbooks from ${this.repo}@${this.branch} failed (${keeping}): ${result.error.message}`,
      );
      return result;
    }
    this.lastError = undefined;
    if (result.changed) {
      this.log(
        'info',
        `runbooks from ${this.repo}@${this.branch} now at ${result.sha} (was ${this.current ?? 'none'})`,
      );
      this.current = result.sha;
    }
    this.cache.markCurrent(result.sha);
    await this.prune();
    return result;
  }

  private async fetchHead(): Promise<SyncResult> {
    const head = await this.api.headSha(this.branch);
    if (!head.ok) return head;
    const sha = head.value;
    if (sha === this.current) return { ok: true, sha, changed: false };
    if (!(await this.cache.has(sha))) {
      const got = await this.api.tarball(sha, async (body) => ({
        ok: true,
        value: await this.cache.install(sha, body),
      }));
      if (!got.ok) return got;
      if (got.value.droppedLinks.length > 0) {
        this.log(
          'warn',
          `${this.repo}@${sha}: left out symlinks pointing outside the repository: ${got.value.droppedLinks.join(', ')}`,
        );
      }
    }
    return { ok: true, sha, changed: true };
  }

  private async lookup(name: string): Promise<Lookup> {
    const sha = this.current;
    if (sha === undefined) {
      const why = this.lastError?.message ?? 'it has not been synced';
      return {
        ok: false,
        isMissing: false,
        message: `runbook "${name}" is unavailable: no snapshot of ${this.repo}@${this.branch} yet: ${why}`,
      };
    }
    const relativePath = this.runbookPath ? `${this.runbookPath}/${name}` : name;
    const at = `in ${this.repo} at commit ${sha}`;
    // held before the first await: a sync finishing meanwhile may otherwise prune this snapshot
    const release = this.cache.lease(sha);
    const fail = (isMissing: boolean, message: string): Lookup => {
      release();
      const refresh = isMissing && this.lastError ? ` (refreshing failed: ${this.lastError.message})` : '';
      return { ok: false, isMissing, message: `${message}${refresh}` };
    };
    const snapshot = await realpath(this.cache.pathOf(sha)).catch(() => null);
    const root = await realpath(path.join(this.cache.pathOf(sha), this.runbookPath)).catch(() => null);
    if (snapshot === null || root === null) return fail(true, `runbook "${relativePath}" not found ${at}`);
    const real = await realpath(path.join(root, name)).catch(() => null);
    if (real === null) return fail(true, `runbook "${relativePath}" not found ${at}`);
    // a symlink may point anywhere; only what stays under the runbook folder, inside the snapshot, may run
    if (!isInside(real, root) || !isInside(root, snapshot)) {
      return fail(false, `runbook "${relativePath}" resolves outside the runbook folder ${at}`);
    }
    const isFile = await stat(real).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!isFile) return fail(false, `runbook "${relativePath}" is not a file ${at}`);
    const runbook: GitHubResolvedRunbook = {
      path: real,
      origin: `github:${this.repo}@${sha}:${relativePath}`,
      commitSha: sha,
      relativePath,
      release: () => {
        release();
        // a snapshot no longer current may have waited for this run; it may go now
        if (sha !== this.current && !this.closed) void this.prune();
      },
    };
    return { ok: true, runbook };
  }

  /** Clean-ups run one at a time; a failure is logged, never thrown at a run. */
  private prune(): Promise<void> {
    this.pruning = this.pruning
      .then(() => this.cache.prune(this.current))
      .catch((err: unknown) => this.log('warn', `removing old runbook snapshots of ${this.repo} failed`, err));
    return this.pruning;
  }
}

function isInside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent + path.sep);
}

/** Why `name` is no valid Git branch name (a subset of `git check-ref-format`), or null. */
function branchNameProblem(name: string): string | null {
  if (name.length === 0 || name.length > 255) return 'must be 1-255 characters';
  const hasControl = [...name].some((c) => c.charCodeAt(0) <= 0x20 || c.charCodeAt(0) === 0x7f);
  if (hasControl || /[~^:?*[\\]/.test(name)) return 'contains a space, a control character or one of ~^:?*[\\';
  if (/\.\.|@\{|\/\/|\/\.|^[-/.]|[/.]$|\.lock$/.test(name)) return 'is not a valid Git branch name';
  return null;
}

function defaultLog(level: 'info' | 'warn' | 'error', message: string, err?: unknown): void {
  const line = `${new Date().toISOString()} ${level} ${message}`;
  if (level === 'info') console.log(line);
  else console.error(line, err ?? '');
}
