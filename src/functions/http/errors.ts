import type { HttpResponseInit, InvocationContext } from '@azure/functions';
import { ZodError } from 'zod';
import { formatJsonPath } from '../../core/runbook-schema.js';
import { isStorageUnavailable, StoredDataError } from '../../storage/index.js';

/** How long a caller should wait before trying again while storage is down. */
const STORAGE_RETRY_AFTER_SECONDS = 10;

/**
 * A caller's mistake, with the status and message the caller should see, and any header that tells it what
 * to do next (a 429's `Retry-After`).
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
  }
}

/**
 * Runs a paged table query; a continuation token we did not issue is the caller's mistake (400), not a
 * 500. The SDK rejects such a token before sending any request, so its error carries no status code.
 */
export async function withContinuation<T>(token: string | undefined, query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (err) {
    if (token && !(err instanceof Error && 'statusCode' in err)) {
      throw new HttpError(400, 'continuation: not a token from a previous page');
    }
    throw err;
  }
}

/** The only place that writes `{ "error": ... }`. */
export function toErrorResponse(err: unknown, context: InvocationContext): HttpResponseInit {
  if (err instanceof HttpError) {
    return { status: err.status, jsonBody: { error: err.message }, ...(err.headers ? { headers: err.headers } : {}) };
  }
  if (err instanceof ZodError) {
    const issue = err.issues[0];
    const where = issue && issue.path.length > 0 ? `${formatJsonPath(issue.path)}: ` : '';
    return { status: 400, jsonBody: { error: `${where}${issue?.message ?? 'invalid input'}` } };
  }
  if (isStorageUnavailable(err)) {
    // nothing was wrong with the request: say so, quickly, and when to try again (Azure Monitor retries 503s)
    context.warn(`storage unavailable in ${context.functionName} (invocation ${context.invocationId})`, err);
    return {
      status: 503,
      headers: { 'retry-after': String(STORAGE_RETRY_AFTER_SECONDS) },
      jsonBody: { error: 'storage is unavailable right now; try again later' },
    };
  }
  if (err instanceof StoredDataError) {
    // the data is wrong, not the request: the operator must see which row, the caller only that it failed
    context.error(`${err.message} (${context.functionName}, invocation ${context.invocationId})`);
    return { status: 500, jsonBody: { error: `internal error (invocation ${context.invocationId})` } };
  }
  context.error(`unhandled error in ${context.functionName} (invocation ${context.invocationId})`, err);
  return { status: 500, jsonBody: { error: `internal error (invocation ${context.invocationId})` } };
}
