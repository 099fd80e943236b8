import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

/** What went wrong talking to GitHub; the kind says whether waiting helps. */
export type GitHubSyncErrorKind =
  /** 401: the token is wrong or expired. Waiting does not help. */
  | 'unauthorized'
  /** 403 without a rate limit: the token may not read the repository. */
  | 'forbidden'
  /** 404/422: no such repository, branch or commit (or private and no token). */
  | 'not-found'
  /** 403/429 rate limit: `retryAt` says when to ask again. */
  | 'rate-limited'
  /** Network error, timeout or a 5xx: try again later. */
  | 'unavailable'
  /** The archive could not be unpacked or held unsafe entries; the previous snapshot stays. */
  | 'bad-archive';

/** A failed sync, as a value (see `SyncResult`). Its message never contains the token. */
export class GitHubSyncError extends Error {
  override readonly name = 'GitHubSyncError';
  constructor(
    readonly kind: GitHubSyncErrorKind,
    message: string,
    /** HTTP status GitHub answered, or null when there was no answer. */
    readonly status: number | null = null,
    /** Epoch ms before which GitHub asked not to be called again (rate limits), or null. */
    readonly retryAt: number | null = null,
  ) {
    super(message);
  }
}

export type GitHubResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: GitHubSyncError };

export interface GitHubApiOptions {
  readonly owner: string;
  readonly repo: string;
  /** Sent as `Authorization: Bearer`; null for public repositories. */
  readonly token: string | null;
  /** e.g. `https://api.github.com`, without a trailing slash. */
  readonly apiBaseUrl: string;
  /** Longest a request may take, body included, in ms. */
  readonly timeoutMs: number;
  readonly fetch: typeof fetch;
  readonly now: () => number;
  /** Aborting it cancels requests in flight (the owner is closing). */
  readonly signal: AbortSignal;
}

const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/** GitHub's advice for a secondary limit that names no time: wait at least a minute. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

/** The two GitHub REST calls a runbook snapshot needs: the branch head, and its tarball. */
export class GitHubApi {
  private readonly name: string;

  constructor(private readonly options: GitHubApiOptions) {
    this.name = `${options.owner}/${options.repo}`;
  }

  /** The commit SHA the branch points at now (`GET /repos/{o}/{r}/commits/{branch}`, sha media type). */
  headSha(branch: string): Promise<GitHubResult<string>> {
    const ref = branch.split('/').map(encodeURIComponent).join('/');
    return this.request(`commits/${ref}`, 'application/vnd.github.sha', `branch "${branch}"`, async (res) => {
      const text = (await res.text()).trim();
      // an API (or proxy) that ignores the sha media type answers with the JSON commit instead
      const sha = text.startsWith('{') ? jsonField(text, 'sha') : text;
      // the SHA becomes a folder name: take nothing but hex from the wire
      if (sha === undefined || !SHA.test(sha)) {
        return this.fail(
          'unavailable',
          `GitHub answered the head of ${this.name}@${branch} with something that is not a commit SHA`,
          res.status,
        );
      }
      return { ok: true, value: sha };
    });
  }

  /**
   * Downloads the tarball of `sha` (the API redirects to a download host; fetch follows it) and hands
   * the body to `consume` while the request's timeout still runs. What `consume` throws becomes a
   * `bad-archive` failure, or `unavailable` when the download itself broke off.
   */
  tarball<T>(sha: string, consume: (body: Readable) => Promise<GitHubResult<T>>): Promise<GitHubResult<T>> {
    return this.request(`tarball/${sha}`, 'application/vnd.github+json', `commit ${sha}`, async (res, signal) => {
      if (!res.body) return this.fail('unavailable', `GitHub sent no archive for ${this.name} at ${sha}`, res.status);
      try {
        return await consume(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>));
      } catch (err) {
        if (signal.aborted)
          return this.fail('unavailable', `downloading ${this.name} at ${sha} ${abortReason(signal)}`);
        return this.fail('bad-archive', `the archive of ${this.name} at ${sha} is broken: ${this.reasonOf(err)}`);
      }
    });
  }

  private async request<T>(
    apiPath: string,
    accept: string,
    what: string,
    handle: (res: Response, signal: AbortSignal) => Promise<GitHubResult<T>>,
  ): Promise<GitHubResult<T>> {
    const { token, timeoutMs } = this.options;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    const onClose = () => controller.abort(new Error('was cancelled: the runbook source is closing'));
    this.options.signal.addEventListener('abort', onClose, { once: true });
    try {
      if (this.options.signal.aborted) onClose();
      let res: Response;
      try {
        res = await this.options.fetch(`${this.options.apiBaseUrl}/repos/${this.name}/${apiPath}`, {
          headers: {
            accept,
            'user-agent': 'cloudo-runbook-source',
            'x-github-api-version': '2022-11-28',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          redirect: 'follow',
          signal: controller.signal,
        });
      } catch (err) {
        const why = controller.signal.aborted ? abortReason(controller.signal) : `failed: ${this.reasonOf(err)}`;
        return this.fail('unavailable', `asking GitHub (${hostOf(this.options.apiBaseUrl)}) for ${this.name} ${why}`);
      }
      if (!res.ok) return { ok: false, error: await this.errorOf(res, what) };
      try {
        return await handle(res, controller.signal);
      } catch (err) {
        const why = controller.signal.aborted ? abortReason(controller.signal) : `failed: ${this.reasonOf(err)}`;
        return this.fail('unavailable', `reading GitHub's answer for ${this.name} ${why}`);
      }
    } finally {
      clearTimeout(timer);
      this.options.signal.removeEventListener('abort', onClose);
    }
  }

  /** Maps a refusal to a message an operator can act on (GitHub's docs: rate limits for the REST API). */
  private async errorOf(res: Response, what: string): Promise<GitHubSyncError> {
    const said = await res.text().then(
      (body) => jsonField(body, 'message') ?? '',
      () => '',
    );
    const detail = said ? `: ${oneLine(said)}` : '';
    const status = res.status;
    const hasToken = this.options.token !== null;
    const retryAt = rateLimitRetryAt(res, said, this.options.now());
    if (retryAt !== null) {
      const inSeconds = Math.max(0, Math.ceil((retryAt - this.options.now()) / 1000));
      const hint = hasToken ? '' : '; unauthenticated requests get 60 an hour, a token raises that';
      return this.error(
        'rate-limited',
        `GitHub rate limit reached for ${this.name} (${status}): retry after ${new Date(retryAt).toISOString()} (in ${inSeconds} s)${hint}`,
        status,
        retryAt,
      );
    }
    switch (status) {
      case 401:
        return this.error(
          'unauthorized',
          hasToken
            ? `GitHub refused the token for ${this.name} (401${detail}): set a valid, unexpired token that can read the repository's contents`
            : `GitHub asked for credentials for ${this.name} (401${detail}): set a token`,
          status,
        );
      case 403:
        return this.error(
          'forbidden',
          `GitHub denied access to ${this.name} (403${detail}): give the token read access to the repository's contents`,
          status,
        );
      case 404:
        return this.error(
          'not-found',
          hasToken
            ? `GitHub found no repository ${this.name} visible to this token (404), or no ${what} in it: check the names and the token's access`
            : `GitHub found no public repository ${this.name} (404), or no ${what} in it: check the names, or set a token if it is private`,
          status,
        );
      case 422:
        return this.error('not-found', `GitHub found no ${what} in ${this.name} (422${detail})`, status);
      default:
        return this.error('unavailable', `GitHub answered ${status} for ${what} of ${this.name}${detail}`, status);
    }
  }

  private fail(
    kind: GitHubSyncErrorKind,
    message: string,
    status: number | null = null,
  ): { ok: false; error: GitHubSyncError } {
    return { ok: false, error: this.error(kind, message, status) };
  }

  private error(kind: GitHubSyncErrorKind, message: string, status: number | null, retryAt: number | null = null) {
    return new GitHubSyncError(kind, this.redact(message), status, retryAt);
  }

  private reasonOf(err: unknown): string {
    const message = err instanceof Error ? err.message : String(err);
    // fetch says only "fetch failed"; the cause says why (ECONNREFUSED, a TLS error...)
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : '';
    return oneLine(cause && !message.includes(cause) ? `${message} (${cause})` : message);
  }

  /** Nothing we write quotes the token, but a server's message or a library error might. */
  private redact(message: string): string {
    const { token } = this.options;
    return token ? message.split(token).join('***') : message;
  }
}

/** When GitHub says a rate limit was hit, the epoch ms to wait for; null when it is no rate limit. */
function rateLimitRetryAt(res: Response, message: string, now: number): number | null {
  if (res.status !== 403 && res.status !== 429) return null;
  // GitHub's order: retry-after first, then x-ratelimit-reset when remaining is 0, else at least a minute
  const retryAfter = Number(res.headers.get('retry-after') ?? Number.NaN);
  if (Number.isFinite(retryAfter) && retryAfter >= 0) return now + retryAfter * 1000;
  const reset = Number(res.headers.get('x-ratelimit-reset') ?? Number.NaN);
  if (res.headers.get('x-ratelimit-remaining') === '0') {
    return Number.isFinite(reset) ? Math.max(now, reset * 1000) : now + DEFAULT_RATE_LIMIT_WAIT_MS;
  }
  if (res.status === 429 || /rate limit/i.test(message)) return now + DEFAULT_RATE_LIMIT_WAIT_MS;
  return null;
}

function jsonField(text: string, field: string): string | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const found: unknown = (value as Record<string, unknown>)[field];
    return typeof found === 'string' ? found : undefined;
  } catch {
    return undefined;
  }
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

function abortReason(signal: AbortSignal): string {
  return signal.reason instanceof Error ? signal.reason.message : 'was aborted';
}

function hostOf(url: string): string {
  return URL.canParse(url) ? new URL(url).host : url;
}
