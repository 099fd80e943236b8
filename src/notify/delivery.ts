import type { z } from 'zod';
import { isLoopbackHost } from '../core/loopback.js';
import type { Delivery } from '../core/notification.js';

/** Shared by the notifiers: how an HTTP answer (or its absence) becomes a Delivery, and text limits. */

/** How long one send may take, unless a notifier is told otherwise. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Checks what every notifier's options have in common (a credential, a timeout, a service URL) plus its
 * own `problems`, and throws one error listing them all.
 */
export function checkNotifierOptions(
  service: string,
  checks: { credential: [name: string, value: string]; timeoutMs: number; url: [name: string, value: string] },
  problems: string[] = [],
): void {
  const [credentialName, credential] = checks.credential;
  if (!credential) problems.unshift(`${credentialName} is empty`);
  if (!(Number.isFinite(checks.timeoutMs) && checks.timeoutMs > 0)) {
    problems.push(`timeoutMs must be > 0, got ${checks.timeoutMs}`);
  }
  const urlProblem = checkServiceUrl(...checks.url);
  if (urlProblem) problems.push(urlProblem);
  if (problems.length > 0) {
    throw new Error(`invalid ${service} notifier options:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * POSTs JSON and reads the answer, with one timeout covering the body too (a server that sends headers
 * and then stalls is a timeout as well). No answer at all becomes a retryable Delivery; the credential
 * never appears in it.
 */
export async function postJson(
  what: string,
  request: {
    fetch: typeof fetch;
    url: string;
    headers?: Record<string, string>;
    body: object;
    timeoutMs: number;
    secret: string;
  },
): Promise<{ response: Response; text: string } | Delivery> {
  try {
    const response = await request.fetch(request.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...request.headers },
      body: JSON.stringify(request.body),
      redirect: 'error',
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    return { response, text: await response.text() };
  } catch (err) {
    return redacted(transportFailure(what, err, request.timeoutMs), request.secret);
  }
}

/**
 * An HTTP error answer: 429, 5xx and 408 retry (the message comes back after the queue's visibility
 * timeout), any other 4xx gives up (the same request would fail the same way).
 */
export function httpFailure(what: string, response: Response, detail: string): Delivery {
  const { status } = response;
  if (status === 429 || status >= 500 || status === 408) return retry(`${what}: ${detail}`);
  return giveUp(`${what}: ${detail}`);
}

/** A request that got no HTTP answer: timed out, refused, reset, unresolvable. All retryable. */
export function transportFailure(what: string, err: unknown, timeoutMs: number): Delivery {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return retry(`${what}: no answer within ${timeoutMs} ms`);
  }
  if (err instanceof Error) return retry(`${what}: network error (${networkCause(err)})`);
  throw err;
}

export function retry(reason: string): Delivery {
  return { ok: false, retryable: true, reason };
}

export function giveUp(reason: string): Delivery {
  return { ok: false, retryable: false, reason };
}

/** The system error code under fetch's generic "fetch failed" (ECONNREFUSED, ENOTFOUND…). */
export function networkCause(err: Error): string {
  const cause: unknown = err.cause;
  if (cause && typeof cause === 'object' && 'code' in cause && typeof cause.code === 'string') return cause.code;
  return err.message.slice(0, 200);
}

/** A reason is logged and stored; whatever produced it, the credential must not be in it. */
export function redacted(delivery: Delivery, secret: string): Delivery {
  if (delivery.ok || !delivery.reason.includes(secret)) return delivery;
  return { ...delivery, reason: delivery.reason.replaceAll(secret, '***') };
}

/** https, or http to a loopback test server. Null when fine. */
export function checkServiceUrl(name: string, value: string): string | null {
  if (!URL.canParse(value)) return `${name} "${value}" is not a URL`;
  const url = new URL(value);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) return null;
  return `${name} "${value}" must use https (plain http is allowed on loopback only, for test servers)`;
}

/** At most `max` UTF-16 units (as the API counts), with an ellipsis when cut, never half a surrogate pair. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(max - 1, 0)).replace(/[\uD800-\uDBFF]$/, '')}…`;
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** `vm-01` from `/subscriptions/…/virtualMachines/vm-01`: the part a responder recognises. */
export function lastSegment(resourceId: string): string {
  return resourceId.split('/').filter(Boolean).at(-1) ?? resourceId;
}

/** A service's JSON answer in the shape `schema` reads, or `{}` for a proxy's HTML error page or no body. */
export function parseAnswer<T extends object>(schema: z.ZodType<T>, text: string): Partial<T> {
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** `HTTP 422 Request body is not processable (message: Message can not be empty.)`, at most 500 units. */
export function describeAnswer(status: number, message: string | undefined, errors: readonly string[]): string {
  const text = message ? ` ${message}` : '';
  return cut(`HTTP ${status}${text}${errors.length > 0 ? ` (${errors.join('; ')})` : ''}`, 500);
}
