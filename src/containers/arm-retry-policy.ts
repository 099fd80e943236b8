import { setTimeout as sleep } from 'node:timers/promises';
import type { ContainerInstanceManagementClientOptionalParams } from '@azure/arm-containerinstance';

/**
 * How ClouDO waits out ARM's "not now" answers, instead of the SDK's retry policy (turned off with
 * `maxRetries: 0`): the SDK's waits cannot be cut short by our budget, and it retries neither 409 nor a
 * quota refusal differently from a throttle. What we relied on:
 * - ARM throttling answers 429 with `Retry-After` in seconds (learn.microsoft.com/azure/azure-resource-manager/
 *   management/request-limits-and-throttling); HTTP allows a date there too (RFC 9110 §10.2.3), and the Azure
 *   SDKs also read `retry-after-ms` / `x-ms-retry-after-ms` (core-rest-pipeline's throttlingRetryStrategy).
 * - ARM's error body is `{ "error": { "code", "message" } }` (CloudError in the ACI REST spec,
 *   Azure/azure-rest-api-specs specification/containerinstance/.../2023-05-01/containerInstance.json).
 * - A quota refusal is final, whatever its status: ACI answers 400 `ContainerGroupQuotaReached`
 *   ("Resource type 'Microsoft.ContainerInstance/containerGroups' container group quota 'StandardCores'
 *   exceeded in region ...", MicrosoftDocs/SupportArticles-docs azure-container-instances), older or
 *   cross-region refusals come as `ServiceUnavailable` with the same "quota ... exceeded" message, and
 *   Compute-style ones as 409 `OperationNotAllowed` / `*QuotaExceeded`. `InaccessibleImage` ("The image '…' in
 *   container group '…' is not accessible. Please check the image and registry credential.") never heals either.
 */

type PipelinePolicy = NonNullable<
  ContainerInstanceManagementClientOptionalParams['additionalPolicies']
>[number]['policy'];
type PipelineResponse = Awaited<ReturnType<PipelinePolicy['sendRequest']>>;
type AbortSignalLike = Parameters<PipelinePolicy['sendRequest']>[0]['abortSignal'];

/** Codes that no amount of waiting fixes: the caller hears them at once. */
const FINAL_CODES = new Set(['InaccessibleImage', 'OperationNotAllowed', 'ContainerGroupQuotaReached']);
const QUOTA_CODE = /quota/i;
const QUOTA_MESSAGE = /quota\b.*\bexceeded|exceed\w*\b.*\bquota/i;
/** Wait when ARM says nothing; ARM's own throttle windows are seconds long. */
export const DEFAULT_RETRY_WAIT_MS = 5_000;
/** Longest single wait we honour: a Retry-After of an hour would outlive any run's start timeout. */
export const MAX_RETRY_WAIT_MS = 60_000;

/** ARM's error, as its body says. */
export interface ArmError {
  readonly code: string | null;
  readonly message: string | null;
}

/** `{ error: { code, message } }` from a body (text or parsed); nulls when it is not one. */
export function armErrorOf(body: unknown): ArmError {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return { code: null, message: null };
    }
  }
  const error = typeof value === 'object' && value !== null ? (value as { error?: unknown }).error : undefined;
  if (typeof error !== 'object' || error === null) return { code: null, message: null };
  const { code, message } = error as { code?: unknown; message?: unknown };
  return {
    code: typeof code === 'string' ? code : null,
    message: typeof message === 'string' ? message : null,
  };
}

/** A refusal that waiting does not fix (quota, image), whatever status it came with. */
export function isFinalArmError(error: ArmError): boolean {
  if (error.code && (FINAL_CODES.has(error.code) || QUOTA_CODE.test(error.code))) return true;
  return error.message !== null && QUOTA_MESSAGE.test(error.message);
}

/** Whether ARM means "try again later": throttled, busy with another operation, or briefly down. */
export function isRetryable(status: number, error: ArmError): boolean {
  if (isFinalArmError(error)) return false;
  return status === 429 || status === 409 || status === 500 || status === 502 || status === 503 || status === 504;
}

/** How long the response asks us to wait, in ms; null when it does not say. */
export function retryAfterMs(headers: { get(name: string): string | undefined }, nowMs: number): number | null {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const ms = Number(headers.get(name));
    if (headers.get(name) !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  }
  const value = headers.get('retry-after')?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

export interface ArmRetryOptions {
  /** Longest one request is retried, from its first answer, ms. Past it the last answer stands. */
  readonly budgetMs: number;
  /** Wait when the answer names none, ms (default 5 s). */
  readonly defaultWaitMs?: number;
  /** Cap on any one wait, ms (default 60 s). */
  readonly maxWaitMs?: number;
}

/**
 * A pipeline policy resending a request while ARM answers 429, 409 or 5xx (quota and image refusals
 * excepted), each time after the wait the answer asks for, until the budget would be overrun; then the last
 * answer goes to the SDK, which throws it. The wait ends early, with an AbortError, when the request is aborted.
 */
export function armRetryPolicy(options: ArmRetryOptions): PipelinePolicy {
  const defaultWaitMs = options.defaultWaitMs ?? DEFAULT_RETRY_WAIT_MS;
  const maxWaitMs = options.maxWaitMs ?? MAX_RETRY_WAIT_MS;
  return {
    name: 'cloudoArmRetry',
    async sendRequest(request, next) {
      const deadlineMs = Date.now() + options.budgetMs;
      for (;;) {
        const response: PipelineResponse = await next(request);
        if (!isRetryable(response.status, armErrorOf(response.bodyAsText))) return response;
        const waitMs = Math.min(retryAfterMs(response.headers, Date.now()) ?? defaultWaitMs, maxWaitMs);
        if (Date.now() + waitMs > deadlineMs) return response;
        await sleep(waitMs, undefined, { signal: toAbortSignal(request.abortSignal) });
      }
    },
  };
}

/** Node's timers take a real AbortSignal; the SDK hands on ours (or the poller's), but types it loosely. */
function toAbortSignal(signal: AbortSignalLike): AbortSignal | undefined {
  if (!signal || signal instanceof AbortSignal) return signal;
  const controller = new AbortController();
  if (signal.aborted) controller.abort();
  else signal.addEventListener('abort', () => controller.abort(), { once: true });
  return controller.signal;
}
