import { expect } from 'vitest';
import type { TestStorage } from '../storage.js';
import type { RawRequest, RawResponse } from './raw-http.js';
import { rawRequest } from './raw-http.js';
import type { StorageSnapshot } from './storage-snapshot.js';
import { snapshotChanges, snapshotStorage } from './storage-snapshot.js';

/** A request that takes longer has hung: the slowest handler reads a few rows and writes a few more. */
export const REQUEST_TIMEOUT_MS = 5_000;

/** The error a refusal shows: `{ "error" }` for the API, the error page for the console's routes. */
export function refusalMessage(res: RawResponse): string | null {
  const type = String(res.headers['content-type'] ?? '');
  const text = res.body.toString('utf8');
  if (type.startsWith('text/html')) return /<p class="error-message">([^<]*)<\/p>/.exec(text)?.[1] ?? null;
  try {
    const body: unknown = JSON.parse(text);
    const error = typeof body === 'object' && body !== null && 'error' in body ? body.error : null;
    return typeof error === 'string' && error !== '' ? error : null;
  } catch {
    return null;
  }
}

/**
 * Sends fuzz cases one at a time and checks what every answer owes the caller: never a 5xx, never a hang,
 * a readable error with every refusal, and nothing written by a refused request (storage compared before
 * and after, per case: a 409 that follows an earlier case's accepted write is still checked on its own).
 * Returns the answer for checks of its own.
 */
export function caseChecker(t: TestStorage, baseUrl: string): (c: RawRequest) => Promise<RawResponse> {
  /** Storage as the last refused case left it; undefined when the last case may have written. */
  let settled: StorageSnapshot | undefined;
  const snapshot = () => snapshotStorage(t.storage, t.settings.namespace);
  return async (c) => {
    const before = settled ?? (await snapshot());
    settled = undefined;
    const res = await rawRequest(baseUrl, c, REQUEST_TIMEOUT_MS);
    expect(res.status, 'a 5xx is a bug: the server failed on this input').toBeLessThan(500);
    const type = String(res.headers['content-type'] ?? '');
    if (res.status >= 400) {
      // a HEAD answer has no body to read the error from
      if (c.method !== 'HEAD') expect(refusalMessage(res), `${res.status} without an error message`).not.toBeNull();
      const after = await snapshot();
      expect(snapshotChanges(before, after), `a refused request (${res.status}) wrote`).toEqual([]);
      settled = after;
    } else if (type.startsWith('text/event-stream')) {
      // a stream's status is sent before its first read: what fails later must still be no internal error
      expect(res.body.toString('utf8'), 'an event stream reported an error').not.toMatch(/^event: error$/m);
    } else if (type.startsWith('application/json') && c.method !== 'HEAD') {
      expect(() => JSON.parse(res.body.toString('utf8')), 'a JSON answer that does not parse').not.toThrow();
    }
    return res;
  };
}
