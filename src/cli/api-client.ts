import type { z } from 'zod';
import type { StackFile } from '../local/stack-file.js';

/**
 * The CLI's way to the HTTP API, for commands that act as a person (decisions are authenticated and
 * policy-checked by the app, so they cannot go to storage directly). Every failure comes back as one line
 * to print: the server's own `{ error }` when it answered, what to do when it did not.
 */

/** How long one request may take before the CLI gives up, in ms. */
export const DEFAULT_API_TIMEOUT_MS = 30_000;

export interface ApiClientOptions {
  /** The app's address without `/api`, checked by `apiBaseUrl` (`https://cloudo.example.net`). */
  readonly baseUrl: string;
  /** A ClouDO API token, sent as `Authorization: Bearer`; null sends none (the open local stack checks nothing). */
  readonly token: string | null;
  /** Longest wait for one answer, in ms; default DEFAULT_API_TIMEOUT_MS. */
  readonly timeoutMs?: number;
}

/** The parsed body of a 2xx answer, or why there is none (a line that never holds the token). */
export type ApiAnswer<T> =
  | { readonly ok: true; readonly value: T }
  /** `status` is null when no HTTP answer came (refused connection, timeout, unknown host). */
  | { readonly ok: false; readonly status: number | null; readonly message: string };

const TOKEN_HINT = 'cloudo tokens create --role operator --owner <your name>';

export class ApiClient {
  private readonly timeoutMs: number;

  constructor(private readonly options: ApiClientOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_API_TIMEOUT_MS;
    if (!(this.timeoutMs > 0)) throw new Error('timeoutMs must be > 0');
  }

  /** Where requests go, as messages name it. */
  get baseUrl(): string {
    return this.options.baseUrl;
  }

  /** `GET /api/...`; `path` starts with `/api/`. */
  get<T>(path: string, schema: z.ZodType<T>): Promise<ApiAnswer<T>> {
    return this.request('GET', path, schema);
  }

  /** `POST /api/...` with `body` as JSON. */
  post<T>(path: string, body: unknown, schema: z.ZodType<T>): Promise<ApiAnswer<T>> {
    return this.request('POST', path, schema, body);
  }

  /** `DELETE /api/...`, answered with JSON. */
  delete<T>(path: string, schema: z.ZodType<T>): Promise<ApiAnswer<T>> {
    return this.request('DELETE', path, schema);
  }

  private async request<T>(method: string, path: string, schema: z.ZodType<T>, body?: unknown): Promise<ApiAnswer<T>> {
    const answer = await this.open(method, path, 'application/json', body);
    if (!answer.ok) return answer;
    try {
      return this.parse(path, await answer.value.text(), schema);
    } catch (err) {
      return this.failure(answer.value.status, `cannot read ClouDO's answer: ${this.networkReason(err)}`);
    }
  }

  /** `GET /api/...` as text (a log). */
  async getText(path: string): Promise<ApiAnswer<string>> {
    const answer = await this.open('GET', path, 'text/plain');
    if (!answer.ok) return answer;
    try {
      return { ok: true, value: await answer.value.text() };
    } catch (err) {
      return this.failure(answer.value.status, `cannot read ClouDO's answer: ${this.networkReason(err)}`);
    }
  }

  /**
   * A 2xx response whose body the caller reads (a stream of events): the timeout covers the answer's
   * head only, unless `timeoutMs` says otherwise, so a live log may flow for as long as the run lasts.
   */
  async open(
    method: string,
    path: string,
    accept: string,
    body?: unknown,
    options: { readonly bodyTimeout?: boolean } = { bodyTimeout: true },
  ): Promise<ApiAnswer<Response>> {
    const headers: Record<string, string> = { accept, 'user-agent': 'cloudo-cli' };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let status: number | null = null;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new DOMException('timeout', 'TimeoutError')), this.timeoutMs);
    // it still bounds reading the body, but must not keep the command alive once the answer is read
    timer.unref();
    try {
      const response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        // a sign-in redirect (Easy Auth) would lead to an HTML page; say so instead of following it
        redirect: 'manual',
        signal: abort.signal,
      });
      status = response.status;
      if (!response.ok) return this.failure(status, this.refusal(response, await response.text()));
      if (!options.bodyTimeout) clearTimeout(timer);
      return { ok: true, value: response };
    } catch (err) {
      clearTimeout(timer);
      return this.failure(status, `cannot reach ClouDO at ${this.baseUrl}: ${this.networkReason(err)}`);
    }
  }

  private parse<T>(path: string, text: string, schema: z.ZodType<T>): ApiAnswer<T> {
    const parsed = schema.safeParse(parseJson(text));
    if (parsed.success) return { ok: true, value: parsed.data };
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    return this.failure(
      200,
      `unexpected answer from ${this.baseUrl}${path} (${where}${issue?.message ?? 'invalid'}): is this the ClouDO app?`,
    );
  }

  private refusal(response: Response, text: string): string {
    const { status } = response;
    const error = serverError(text);
    if (status >= 300 && status < 400) {
      const to = response.headers.get('location') ?? 'elsewhere';
      return `${this.baseUrl} redirected to ${to} (HTTP ${status}), a sign-in page? The CLI signs in only with CLOUDO_TOKEN`;
    }
    if (status === 401) {
      const why = error ?? 'authentication required';
      return this.options.token
        ? `${this.baseUrl} refused CLOUDO_TOKEN (${why}): set CLOUDO_TOKEN to a valid API token: ${TOKEN_HINT}`
        : `${this.baseUrl} needs an API token (${why}): set CLOUDO_TOKEN to an API token: ${TOKEN_HINT}`;
    }
    if (error === null)
      return `${this.baseUrl} answered HTTP ${status} ${response.statusText}: is this the ClouDO app?`;
    if (status >= 500) return `ClouDO at ${this.baseUrl} failed (HTTP ${status}): ${error}`;
    return `${error} (HTTP ${status})`;
  }

  private networkReason(err: unknown): string {
    if (err instanceof Error && err.name === 'TimeoutError') return `no answer within ${this.timeoutMs / 1000} s`;
    // fetch reports every network failure as TypeError('fetch failed'); the cause says which
    const cause = err instanceof Error ? err.cause : undefined;
    const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : '';
    if (code === 'ECONNREFUSED') return 'connection refused';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
    if (code === 'ECONNRESET') return 'connection reset';
    if (cause instanceof Error) return cause.message;
    return err instanceof Error ? err.message : String(err);
  }

  /** Every message passes here: a header error from fetch, for one, quotes the header's value. */
  private failure(status: number | null, message: string): ApiAnswer<never> {
    const { token } = this.options;
    return { ok: false, status, message: token ? message.replaceAll(token, '***') : message };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The `{ "error": "..." }` every ClouDO refusal carries, or null for an answer from something else. */
function serverError(text: string): string | null {
  const body = parseJson(text);
  if (typeof body !== 'object' || body === null || !('error' in body) || typeof body.error !== 'string') return null;
  return body.error.slice(0, 2000);
}

/** Where the CLI's API settings come from. */
export interface ApiEnv {
  readonly CLOUDO_URL?: string;
  readonly CLOUDO_TOKEN?: string;
}

export type ApiConnection =
  | { readonly ok: true; readonly client: ApiClient }
  | { readonly ok: false; readonly problem: string };

/**
 * The client the command line asks for: the URL from `--url`, else `CLOUDO_URL`, else the running local
 * stack; the token from `CLOUDO_TOKEN`. A problem here is a usage problem: nothing was sent.
 */
export async function connectApi(
  url: string | undefined,
  env: ApiEnv,
  runningStack: () => Promise<StackFile | null> = async () => null,
): Promise<ApiConnection> {
  const stack = url === undefined && !env.CLOUDO_URL ? await runningStack() : null;
  const [raw, source] =
    url !== undefined ? [url, '--url'] : env.CLOUDO_URL ? [env.CLOUDO_URL, 'CLOUDO_URL'] : [stack?.url, 'stack.json'];
  if (raw === undefined) {
    return {
      ok: false,
      problem: 'no ClouDO to talk to: pass --url, set CLOUDO_URL, or start the local stack with npm start',
    };
  }
  const baseUrl = apiBaseUrl(raw);
  if (baseUrl === null) {
    return {
      ok: false,
      problem: `${source} must be the app's http(s) address without credentials or query, like https://cloudo.example.net`,
    };
  }
  const token = apiToken(env.CLOUDO_TOKEN);
  if (token === null)
    return { ok: false, problem: 'CLOUDO_TOKEN must be one API token, with no spaces or line breaks' };
  return { ok: true, client: new ApiClient({ baseUrl, token: token || null }) };
}

/** `https://host[/prefix]` without a trailing slash or `/api`, or null when `raw` is not such an address. */
export function apiBaseUrl(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  // credentials or a ?code= Functions key in the address would be printed with every error
  if (!['http:', 'https:'].includes(url.protocol) || url.username || url.password || url.search || url.hash) {
    return null;
  }
  // people paste the address of the API they see in the README (…/api); the client adds /api itself
  const prefix = url.pathname.replace(/\/+$/, '').replace(/\/api$/i, '');
  return `${url.origin}${prefix}`;
}

/** The token to send: '' for none, null when the variable cannot hold a token. */
function apiToken(raw: string | undefined): string | null {
  // a copied "Bearer cloudo_…" or a trailing newline from a file are meant as the token itself
  const token = (raw ?? '').trim().replace(/^Bearer\s+/i, '');
  return /^[\x21-\x7e]*$/.test(token) ? token : null;
}
