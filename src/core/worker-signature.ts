import type { SignedHeaderCheck } from './signed-header.js';
import { checkSignedHeader, SIGNED_HEADER_WINDOW_MS, signHeader } from './signed-header.js';

/**
 * A worker's proof, on its calls to the Functions app, that it holds `CLOUDO_WORKER_KEY`:
 * `v1.<unix ms>.<16 hex nonce>.<base64url HMAC-SHA256>` in the `x-cloudo-worker` header, the HMAC over
 * `v1\n<METHOD>\n<path>\n<workerId>\n<ms>\n<nonce>` (signed-header.ts). The method and path bind it to one
 * call on one run, and the worker id to the worker the body names, so a header captured for one run's
 * token is worth nothing for another run's, and is stale 30 s after it was made.
 */
export const WORKER_HEADER = 'x-cloudo-worker';

/** How far a call's moment may be from the app's clock, either way (clock skew plus transit). */
export const WORKER_SIGNATURE_WINDOW_MS = SIGNED_HEADER_WINDOW_MS;

/** What a worker's call is signed for. */
export interface WorkerCall {
  /** HTTP method; signed upper-case, so `post` and `POST` agree. */
  readonly method: string;
  /** The URL's path as requested, no query: `/api/runs/<execId>/federated-token`. */
  readonly path: string;
  /** The worker's id, as in Table Workers and `Run.workerId`, and as the request body names it. */
  readonly workerId: string;
}

const fields = (call: WorkerCall) => [call.method.toUpperCase(), call.path, call.workerId];

/** The `x-cloudo-worker` header value for `call`, made at `now`. */
export function workerSignature(key: string, call: WorkerCall, now: number = Date.now()): string {
  return signHeader(key, fields(call), now);
}

export type WorkerSignatureCheck = SignedHeaderCheck;

/**
 * Whether `presented` proves `call` was made by a holder of `key` within the window (constant-time
 * compare). `call.workerId` is the one the body names: check this before trusting it.
 */
export function checkWorkerSignature(
  key: string,
  call: WorkerCall,
  presented: string | undefined | null,
  now: number = Date.now(),
): WorkerSignatureCheck {
  return checkSignedHeader(key, fields(call), presented, now);
}
