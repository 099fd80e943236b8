import { z } from 'zod';
import type { EnvShape } from './setting-values.js';
import { described, Url, WholeNumber } from './setting-values.js';

/** The key the Functions app signs wake-up nudges with and workers check them with (wake-signature.ts). */
export const WakeKeyEnv = {
  CLOUDO_WAKE_KEY: described(
    z.string().min(32, 'CLOUDO_WAKE_KEY must be at least 32 characters (openssl rand -base64 48)').optional(),
    'shared by the app and its workers to sign wake-up nudges (secret, 32+ characters); unset: no nudges, runs wait for the next poll',
  ),
} satisfies EnvShape;

/** Where a worker listens for nudges and where it tells the app (in Table Workers) to send them. */
export const WorkerWakeEnv = {
  ...WakeKeyEnv,
  CLOUDO_WAKE_PORT: described(
    WholeNumber('CLOUDO_WAKE_PORT', 0, 65_535).optional(),
    'port of the worker’s wake-up listener (`POST /wake`; 0: a free one); unset: no listener, the worker only polls',
  ),
  CLOUDO_WAKE_URL: described(
    Url('CLOUDO_WAKE_URL').optional(),
    'where the app reaches that listener, e.g. the worker app’s internal ingress (default `http://127.0.0.1:<port>/wake`, and then it listens on loopback only)',
  ),
} satisfies EnvShape;

/** A worker's wake-up listener: null when it only polls. */
export interface WorkerWakeSettings {
  readonly key: string;
  /** 0: a free port. */
  readonly port: number;
  /** Advertised in Table Workers; null: `http://127.0.0.1:<port>/wake`. */
  readonly url: string | null;
}

type WakeValues = z.output<z.ZodObject<typeof WorkerWakeEnv>>;

export function workerWakeSettings(v: WakeValues, problems: string[]): WorkerWakeSettings | null {
  if (v.CLOUDO_WAKE_URL !== undefined && v.CLOUDO_WAKE_PORT === undefined) {
    problems.push('CLOUDO_WAKE_URL needs CLOUDO_WAKE_PORT: the port the listener it points at listens on');
  }
  if (v.CLOUDO_WAKE_PORT === undefined) return null;
  if (v.CLOUDO_WAKE_KEY === undefined) {
    problems.push('CLOUDO_WAKE_PORT needs CLOUDO_WAKE_KEY: the key the Functions app signs nudges with');
    return null;
  }
  return { key: v.CLOUDO_WAKE_KEY, port: v.CLOUDO_WAKE_PORT, url: v.CLOUDO_WAKE_URL ?? null };
}
