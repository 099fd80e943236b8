import type { FederatedTokenRequest } from '../../src/core/federated-token.js';
import { FEDERATED_TOKEN_METHOD, FederatedTokenAnswer, federatedTokenPath } from '../../src/core/federated-token.js';
import { WORKER_HEADER, workerSignature } from '../../src/core/worker-signature.js';

export interface FederatedTokenClientOptions {
  /** Base URL of the Functions app (`CLOUDO_APP_URL`), no trailing slash. */
  readonly appUrl: string;
  /** `CLOUDO_WORKER_KEY`. */
  readonly key: string;
  /** This worker's id, as in Table Workers and the runs it claimed. */
  readonly workerId: string;
  /** How long one call may take, in ms (default 10000). */
  readonly timeoutMs?: number;
}

/** Expected outcomes are values: what the app said about a run's Azure identity. */
export type TokenFetch =
  | { readonly kind: 'token'; readonly answer: FederatedTokenAnswer }
  /** 204: the deployment gives this run no Azure identity. */
  | { readonly kind: 'none' }
  /** A 4xx: asking again would get the same answer (bad key, run not ours, unknown run). */
  | { readonly kind: 'refused'; readonly reason: string }
  /** The app could not be reached, failed (5xx) or answered nonsense: asking again may help. */
  | { readonly kind: 'unavailable'; readonly reason: string };

const DEFAULT_TIMEOUT_MS = 10_000;

/** A worker's side of the federated-token call (src/core/federated-token.ts). */
export class FederatedTokenClient {
  constructor(private readonly options: FederatedTokenClientOptions) {}

  async fetchToken(execId: string, signal?: AbortSignal): Promise<TokenFetch> {
    const { appUrl, key, workerId } = this.options;
    const path = federatedTokenPath(execId);
    const url = new URL(path, `${appUrl}/`);
    // the app sees the path it was asked for: sign that one, a base path of CLOUDO_APP_URL included
    const call = { method: FEDERATED_TOKEN_METHOD, path: url.pathname, workerId };
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    let response: Response;
    try {
      response = await fetch(url, {
        method: FEDERATED_TOKEN_METHOD,
        headers: { 'content-type': 'application/json', [WORKER_HEADER]: workerSignature(key, call) },
        body: JSON.stringify({ workerId } satisfies FederatedTokenRequest),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        redirect: 'error',
      });
    } catch (err) {
      return { kind: 'unavailable', reason: `${url.origin} could not be reached: ${errorText(err)}` };
    }
    const text = await response.text().catch(() => '');
    if (response.status === 204) return { kind: 'none' };
    if (response.status === 200) {
      const parsed = FederatedTokenAnswer.safeParse(parseJson(text));
      if (parsed.success) return { kind: 'token', answer: parsed.data };
      const issue = parsed.error.issues[0];
      return {
        kind: 'unavailable',
        reason: `the app's answer is not a token: ${issue?.path.join('.')} ${issue?.message}`,
      };
    }
    const said = appError(text);
    const reason = `the app answered ${response.status}${said ? `: ${said}` : ''}`;
    return response.status >= 400 && response.status < 500 && response.status !== 429
      ? { kind: 'refused', reason }
      : { kind: 'unavailable', reason };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The `{ "error": ... }` of the app's error answers, cut short (it goes into the run's error). */
function appError(text: string): string {
  const body = parseJson(text);
  const error =
    typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'string' ? body.error : '';
  return error.slice(0, 300);
}

function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
  return `${err.message}${cause}`;
}
