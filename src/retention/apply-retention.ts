import { isForgotten, retentionCutoffMs } from '../core/retention.js';
import type { RetentionSettings } from '../core/settings.js';
import type { Storage } from '../storage/index.js';
import type { RunStores } from './purge-runs.js';
import { purgeRuns } from './purge-runs.js';

export interface RetentionOptions {
  readonly storage: RunStores & Pick<Storage, 'audit' | 'workers'>;
  readonly settings: RetentionSettings;
  readonly now?: Date;
}

/** What one pass deleted. */
export interface RetentionReport {
  /** Ended runs, each with its log, alert payloads, ledger, delivery key and lock. */
  readonly runs: number;
  readonly auditEntries: number;
  /** Rows of workers silent for longer than the dead-worker retention. */
  readonly workers: number;
}

/**
 * One Housekeeping pass of retention: at most `batchSize` runs and `batchSize` audit entries older than
 * their retention, and the workers silent for longer than theirs. A backlog is worked off over several
 * ticks, each starting where the last stopped (what is left is simply what is still old). With nothing to
 * purge it costs a query of Executions, of AuditLog and of Workers.
 */
export async function applyRetention(options: RetentionOptions): Promise<RetentionReport> {
  const { storage, settings } = options;
  const now = options.now ?? new Date();
  // each on its own: a failure in one does not hold up the others, and is reported once all have run
  const [runs, auditEntries, workers] = await Promise.allSettled([
    purgeRuns(storage, retentionCutoffMs(now, settings.runDays), settings.batchSize),
    storage.audit.purgeBefore(retentionCutoffMs(now, settings.auditDays), settings.batchSize),
    forgetDeadWorkers(storage.workers, now, settings),
  ]);
  for (const outcome of [runs, auditEntries, workers]) if (outcome.status === 'rejected') throw outcome.reason;
  const count = (outcome: PromiseSettledResult<number>) => (outcome.status === 'fulfilled' ? outcome.value : 0);
  return { runs: count(runs), auditEntries: count(auditEntries), workers: count(workers) };
}

async function forgetDeadWorkers(workers: Storage['workers'], now: Date, settings: RetentionSettings): Promise<number> {
  const dead = (await workers.list())
    .filter((w) => isForgotten(w.lastSeen, now, settings.deadWorkerMs))
    .slice(0, settings.batchSize);
  await Promise.all(dead.map((w) => workers.remove(w.capability, w.workerId)));
  return dead.length;
}
