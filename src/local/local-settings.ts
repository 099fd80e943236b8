import { z } from 'zod';
import type { Env, EnvShape } from '../core/setting-values.js';
import { Bool, described, Millis, OneOf, parseEnv, SettingsError, WholeNumber } from '../core/setting-values.js';
import { StorageEnv } from '../core/storage-settings.js';

/** Where the local stack keeps its state; the CLI finds the running stack there too. */
export const StateDirEnv = {
  CLOUDO_STATE_DIR: described(
    z.string().default('.cloudo'),
    'where the local stack keeps Azurite data, keys.json and stack.json',
  ),
} satisfies EnvShape;

/** Labs and tests that cannot wait for Housekeeping's minute run the timer functions faster. */
const TimerEnv = {
  CLOUDO_LOCAL_TIMER_INTERVAL_MS: described(
    Millis('CLOUDO_LOCAL_TIMER_INTERVAL_MS', 1, 86_400_000).optional(),
    'run the timer functions this often instead of on their own NCRONTAB schedule, as Azure does',
  ),
} satisfies EnvShape;

/** The local timers' interval, or null for their own schedule. */
export function loadTimerInterval(env: Env): number | null {
  const problems: string[] = [];
  const v = parseEnv(TimerEnv, env, problems);
  if (!v) throw new SettingsError(problems);
  return v.CLOUDO_LOCAL_TIMER_INTERVAL_MS ?? null;
}

const Port = (name: string) => WholeNumber(name, 0, 65_535);
const azuritePort = (service: string) =>
  described(
    Port(`CLOUDO_AZURITE_${service.toUpperCase()}_PORT`).default(0),
    `Azurite’s ${service} port (0: a free one)`,
  );

/**
 * The environment of `npm start`. Everything else in it passes through to the functions and the workers it
 * starts, so their settings apply locally as in Azure.
 */
export const LocalEnv = {
  ...StateDirEnv,
  PORT: described(Port('PORT').default(7071), 'HTTP port of the local stack'),
  CLOUDO_AZURITE_BLOB_PORT: azuritePort('blob'),
  CLOUDO_AZURITE_QUEUE_PORT: azuritePort('queue'),
  CLOUDO_AZURITE_TABLE_PORT: azuritePort('table'),
  CLOUDO_AZURITE_IN_MEMORY: described(
    Bool('CLOUDO_AZURITE_IN_MEMORY').default(false),
    'keep storage in memory (`--in-memory`): nothing kept under the state folder',
  ),
  CLOUDO_LOCAL_AUTH: described(
    OneOf('CLOUDO_LOCAL_AUTH', ['on', 'off']).default('off'),
    '`on` enforces keys, roles and tokens as production does (`--secure`)',
  ),
  CLOUDO_STORAGE_NAMESPACE: StorageEnv.CLOUDO_STORAGE_NAMESPACE,
  CLOUDO_SCHEMAS_FILE: described(z.string().default('schemas/schemas.json'), 'schemas file imported at start'),
  RUNBOOKS_DIR: described(z.string().default('runbooks'), 'folder of the runbooks the local workers run'),
  ...TimerEnv,
} satisfies EnvShape;

export function loadLocalSettings(env: Env, flags: { inMemory: boolean; secure: boolean }) {
  const problems: string[] = [];
  const v = parseEnv(LocalEnv, env, problems);
  if (!v) throw new SettingsError(problems);
  return {
    stateDir: v.CLOUDO_STATE_DIR,
    port: v.PORT,
    azuritePorts: {
      blob: v.CLOUDO_AZURITE_BLOB_PORT,
      queue: v.CLOUDO_AZURITE_QUEUE_PORT,
      table: v.CLOUDO_AZURITE_TABLE_PORT,
    },
    inMemory: flags.inMemory || v.CLOUDO_AZURITE_IN_MEMORY,
    secure: flags.secure || v.CLOUDO_LOCAL_AUTH === 'on',
    namespace: v.CLOUDO_STORAGE_NAMESPACE,
    schemasFile: v.CLOUDO_SCHEMAS_FILE,
    runbooksDir: v.RUNBOOKS_DIR,
    timerIntervalMs: v.CLOUDO_LOCAL_TIMER_INTERVAL_MS ?? null,
  };
}

/** The state folder alone, for the CLI and the stack file. */
export function loadStateDir(env: Env): string {
  const problems: string[] = [];
  const v = parseEnv(StateDirEnv, env, problems);
  if (!v) throw new SettingsError(problems);
  return v.CLOUDO_STATE_DIR;
}
