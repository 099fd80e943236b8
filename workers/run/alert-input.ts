import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AlertContext } from '../../src/core/alert-context.js';
import type { Execution } from '../../src/core/execution.js';
import type { Log } from '../../src/core/log.js';
import type { AlertPayloadStore } from '../../src/storage/index.js';

/**
 * For an alert run: the alert (for the env) and the original payload written to a file in the run's own
 * folder (CLOUDO_ALERT_FILE). Alert data reaches the script only this way, never as code or path.
 */
export async function prepareAlertInput(
  store: Pick<AlertPayloadStore, 'load'>,
  run: Execution,
  workDir: string,
  log: Log,
): Promise<{ alert: AlertContext | null; alertFile: string | null }> {
  if (run.monitorCondition === null) return { alert: null, alertFile: null };
  const stored = await store.load(run.execId);
  if (!stored) {
    log('warn', `run ${run.execId} is an alert run but its payload is missing; running without it`);
    return { alert: null, alertFile: null };
  }
  const alertFile = path.join(workDir, 'alert.json');
  await writeFile(alertFile, JSON.stringify(stored.payload), { mode: 0o600 });
  return { alert: stored.alert, alertFile };
}
