import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { AlertContext } from './alert-context.js';
import { Run, RunStatus } from './execution.js';
import { sameSecret } from './same-secret.js';

/**
 * What passes between a worker, the container group it starts for an isolated run, and the app. The
 * one-shot process in the group holds no storage key and no worker key: a capability for its one run
 * (read it through the app) and a SAS for its one log blob. A runbook that reads them from its process's
 * environment can do nothing with them but read its own run and write into its own log.
 */

/** The header a one-shot process presents its run capability in. */
export const RUN_CAPABILITY_HEADER = 'x-cloudo-run';

const CAPABILITY = /^rc1\.(\d{13})\.([A-Za-z0-9_-]{43})$/;

function mac(key: string, execId: string, expiresAtMs: number): string {
  return createHmac('sha256', key).update(`rc1\nrun-capability\n${execId}\n${expiresAtMs}`).digest('base64url');
}

/**
 * `rc1.<expiry ms>.<HMAC-SHA256 with CLOUDO_WORKER_KEY>`: the right to read run `execId` until then. Made
 * by the worker that claimed the run, checked by the app, which both hold the key.
 */
export function runCapability(key: string, execId: string, expiresAtMs: number): string {
  return `rc1.${expiresAtMs}.${mac(key, execId, expiresAtMs)}`;
}

export type RunCapabilityCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'missing' | 'malformed' | 'expired' | 'bad-signature' };

/** Whether `presented` grants run `execId` now (constant-time compare). */
export function checkRunCapability(
  key: string,
  execId: string,
  presented: string | null | undefined,
  now: number = Date.now(),
): RunCapabilityCheck {
  if (!presented) return { ok: false, reason: 'missing' };
  const m = CAPABILITY.exec(presented);
  if (!m) return { ok: false, reason: 'malformed' };
  const expiresAtMs = Number(m[1]);
  if (now > expiresAtMs) return { ok: false, reason: 'expired' };
  if (!sameSecret(mac(key, execId, expiresAtMs), m[2] ?? '')) return { ok: false, reason: 'bad-signature' };
  return { ok: true };
}

/** `GET /api/runs/{execId}/isolated`: the run as claimed, and for an alert run its alert and payload. */
export const IsolatedRunInput = z.object({
  run: Run,
  alert: z.object({ alert: AlertContext, payload: z.unknown() }).nullable(),
});
export type IsolatedRunInput = z.infer<typeof IsolatedRunInput>;

/**
 * The last line a one-shot process prints on its console (which ACI keeps, apart from the run's log): how
 * the run ended, for the worker to record. Only what the process saw; the worker owns the rest of the row.
 */
export const IsolatedOutcome = z.object({
  status: RunStatus.extract(['succeeded', 'failed', 'timed_out', 'error', 'cancelled']),
  exitCode: z.number().int().nullable(),
  signal: z.string().max(32).nullable(),
  error: z.string().max(8_192).nullable(),
  logBytes: z.number().int().nonnegative().nullable(),
  finishedAt: z.iso.datetime({ offset: true }),
  runbookOrigin: z.string().max(1024).nullable(),
  commitSha: z.string().max(64).nullable(),
});
export type IsolatedOutcome = z.infer<typeof IsolatedOutcome>;

/** Marks the outcome line among whatever else the console holds. */
export const OUTCOME_PREFIX = 'cloudo-outcome ';

/** The outcome in the last console lines of a one-shot process; null when it printed none (it died). */
export function outcomeFromConsole(text: string): IsolatedOutcome | null {
  const lines = text.split('\n').filter((line) => line.startsWith(OUTCOME_PREFIX));
  const last = lines.at(-1);
  if (last === undefined) return null;
  try {
    const parsed = IsolatedOutcome.safeParse(JSON.parse(last.slice(OUTCOME_PREFIX.length)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
