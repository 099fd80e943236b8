import { z } from 'zod';
import type { Env, EnvShape } from '../core/setting-values.js';
import { described, parseEnv, SettingsError } from '../core/setting-values.js';
import { StorageEnv } from '../core/storage-settings.js';
import { StateDirEnv } from '../local/local-settings.js';

/** The API the CLI's approval commands talk to; `--url` and the address checks are the CLI's own. */
const ApiEnv = {
  CLOUDO_URL: described(z.string().optional(), 'the ClouDO app the CLI calls (default: the running local stack)'),
  CLOUDO_TOKEN: described(z.string().optional(), 'API token the CLI calls it with (secret)'),
} satisfies EnvShape;

/**
 * The environment of the `cloudo` command: storage for `schemas` and `tokens` (the running local stack's
 * when unset, found in its state folder), the API for approvals.
 */
export const CliEnv = { ...StorageEnv, ...StateDirEnv, ...ApiEnv } satisfies EnvShape;

export function loadCliSettings(env: Env) {
  const problems: string[] = [];
  const v = parseEnv({ ...StateDirEnv, ...ApiEnv }, env, problems);
  if (!v) throw new SettingsError(problems);
  return {
    stateDir: v.CLOUDO_STATE_DIR,
    api: { CLOUDO_URL: v.CLOUDO_URL, CLOUDO_TOKEN: v.CLOUDO_TOKEN },
    /** Whether the environment names storage itself; otherwise the local stack's is used. */
    namesStorage: Boolean(env.AzureWebJobsStorage?.trim() || env.AzureWebJobsStorage__accountName?.trim()),
  };
}
