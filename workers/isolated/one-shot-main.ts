import { OUTCOME_PREFIX } from '../../src/core/isolated-run.js';
import { loadOneShotSettings } from '../../src/core/one-shot-settings.js';
import { SettingsError } from '../../src/core/setting-values.js';
import { SHUTDOWN } from '../run/index.js';
import { runOneShot } from './one-shot.js';

/**
 * `workers/main.js --exec <execId>`: the container group of an isolated run runs the worker image this
 * way. It runs that one run, prints how it ended as its last console line (OUTCOME_PREFIX, which ACI keeps
 * for the worker to read), and exits 0; SIGTERM (the group deleted: cancel, timeout) kills the runbook.
 */
export async function oneShotMain(execId: string): Promise<never> {
  const abort = new AbortController();
  const stop = () => abort.abort(SHUTDOWN);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  let settings: ReturnType<typeof loadOneShotSettings>;
  try {
    settings = loadOneShotSettings(process.env);
  } catch (err) {
    console.error(err instanceof SettingsError ? `cannot run ${execId}: ${err.message}` : err);
    process.exit(2);
  }
  const outcome = await runOneShot(execId, settings, abort.signal, (level, message, err) =>
    (level === 'info' ? console.log : console.error)(`${level} ${message}`, err ?? ''),
  );
  console.log(`${OUTCOME_PREFIX}${JSON.stringify(outcome)}`);
  process.exit(0);
}
