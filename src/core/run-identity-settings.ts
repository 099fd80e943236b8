import { z } from 'zod';
import type { EnvShape } from './setting-values.js';
import { described, Url } from './setting-values.js';

/**
 * The key workers sign their calls to the Functions app with and the app checks them with
 * (worker-signature.ts): both processes read it.
 */
export const WorkerKeyEnv = {
  CLOUDO_WORKER_KEY: described(
    z.string().min(32, 'CLOUDO_WORKER_KEY must be at least 32 characters (openssl rand -base64 48)').optional(),
    'shared by the app and its workers to sign the workers’ calls to the app, such as a run’s Azure token (secret, 32+ characters); unset: runs get no Azure identity',
  ),
} satisfies EnvShape;

/** Where a worker asks for each run's own Azure identity (issue 20). */
export const RunIdentityEnv = {
  ...WorkerKeyEnv,
  CLOUDO_APP_URL: described(
    Url('CLOUDO_APP_URL').optional(),
    'base URL of the Functions app (`https://<app>.azurewebsites.net`), where a worker fetches each run’s federated token; unset: runs get no Azure identity',
  ),
} satisfies EnvShape;

/** A worker's source of per-run Azure tokens: null when runs get no Azure identity. */
export interface RunIdentitySettings {
  /** Base URL of the app, without a trailing slash. */
  readonly appUrl: string;
  readonly key: string;
}

type RunIdentityValues = z.output<z.ZodObject<typeof RunIdentityEnv>>;

export function runIdentitySettings(v: RunIdentityValues, problems: string[]): RunIdentitySettings | null {
  if (v.CLOUDO_APP_URL === undefined && v.CLOUDO_WORKER_KEY === undefined) return null;
  if (v.CLOUDO_APP_URL === undefined) {
    problems.push('CLOUDO_WORKER_KEY needs CLOUDO_APP_URL: the Functions app that mints each run’s Azure token');
    return null;
  }
  if (v.CLOUDO_WORKER_KEY === undefined) {
    problems.push('CLOUDO_APP_URL needs CLOUDO_WORKER_KEY: the key the app checks the workers’ calls with');
    return null;
  }
  return { appUrl: v.CLOUDO_APP_URL.replace(/\/+$/, ''), key: v.CLOUDO_WORKER_KEY };
}
