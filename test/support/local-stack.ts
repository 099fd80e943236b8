import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadTimerInterval } from '../../src/local/local-settings.js';
import type { LocalStack, LocalStackOptions } from '../../src/local/stack.js';
import { startLocalStack } from '../../src/local/stack.js';

/**
 * The local stack as tests and benchmarks run it: in-memory Azurite and the functions on free ports, its
 * state (keys, the schemas file holding `entities`) in `dir`, silent, its timers as its environment's
 * CLOUDO_LOCAL_TIMER_INTERVAL_MS says (as `npm start` reads it). `overrides` change the rest.
 */
export async function startStackIn(
  dir: string,
  entities: readonly object[],
  overrides: Partial<LocalStackOptions> = {},
): Promise<LocalStack> {
  const schemasFile = path.join(dir, 'schemas.json');
  const env = overrides.env ?? { ...process.env };
  await writeFile(schemasFile, JSON.stringify([{ partition_key: 'test', entity: entities }]));
  return startLocalStack({
    port: 0,
    azuriteLocation: null,
    azuritePorts: { blob: 0, queue: 0, table: 0 },
    schemasFile,
    runbooksDir: 'runbooks',
    namespace: '',
    secure: false,
    stateDir: dir,
    env,
    timerIntervalMs: loadTimerInterval(env),
    log: () => undefined,
    ...overrides,
  });
}
