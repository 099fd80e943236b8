import type { InvocationContext } from '@azure/functions';
import { expireOverdueRuns } from '../approvals/index.js';
import type { Execution } from '../core/execution.js';
import { applyRetention } from '../retention/index.js';
import { abandonStaleRuns, endUnservedRuns, requeueOrphanRuns, sweepOrphanGroups } from '../runs/index.js';
import type { Storage } from '../storage/index.js';
import type { TimerFunctionDefinition } from './definitions.js';
import type { ServicesProvider } from './services.js';

/**
 * Every minute: the deployment's schemas are imported if the attempt at start failed, runs whose worker
 * stopped heartbeating end `abandoned` instead of `running` forever, runs queued too long for a capability
 * no worker serves end `error`, runs recorded but never queued are queued again, gated runs nobody decided
 * on in time end `expired`, isolated runs' container groups no worker will delete are deleted, and what is
 * older than its retention is purged, a batch a tick.
 */
export function housekeepingFunction(services: ServicesProvider): TimerFunctionDefinition {
  // Since when this process has seen storage answer, tick after tick. A worker's silence counts only once
  // housekeeping itself has watched for a whole stale window: silence during an outage that housekeeping
  // suffered too is the outage's, not the worker's (after a restart it watches one window before judging).
  let watchingSince: number | null = null;
  return {
    kind: 'timer',
    name: 'Housekeeping',
    schedule: '0 */1 * * * *',
    handler: async (context: InvocationContext) => {
      const { storage, settings, deployedSchemas, containerGroups } = services();
      // until it has worked once in this process (a no-op afterwards); a failure must not stop the sweep
      await deployedSchemas
        .sync((level, message) => (level === 'error' ? context.error(message) : context.log(message)))
        .catch((err: unknown) => context.warn(`CLOUDO_SCHEMAS_JSON not imported yet, next tick retries: ${err}`));
      const workers = await storage.workers.list().catch((err: unknown) => {
        watchingSince = null;
        throw err;
      });
      const now = Date.now();
      watchingSince ??= now;
      if (now - watchingSince >= settings.staleWorkerMs) {
        // the workers as listed above: no second read of Table Workers per running run
        const byId = new Map(workers.map((w) => [`${w.capability}/${w.workerId}`, w]));
        const abandoned = await abandonStaleRuns({
          executions: storage.executions,
          workers: { get: async (capability, workerId) => byId.get(`${capability}/${workerId}`) ?? null },
          staleAfterMs: settings.staleWorkerMs,
        });
        await announceEnded(storage, context, abandoned, 'abandoned');
      }
      const unserved = await endUnservedRuns({
        executions: storage.executions,
        jobs: storage.jobs,
        workers,
        staleWorkerMs: settings.staleWorkerMs,
        queuedTimeoutMs: settings.queuedTimeoutMs,
      });
      await announceEnded(storage, context, unserved, 'ended');
      const requeued = await requeueOrphanRuns({
        executions: storage.executions,
        jobs: storage.jobs,
        orphanAfterMs: settings.orphanAfterMs,
      });
      for (const run of requeued)
        context.warn(`run ${run.execId} still accepted after ${settings.orphanAfterMs} ms: queued again`);
      if (containerGroups && settings.containerGroups) {
        // on its own too: ARM trouble holds up nothing else
        await sweepOrphanGroups({
          groups: containerGroups,
          executions: storage.executions,
          graceMs: settings.containerGroups.orphanGraceMs,
          onError: (name, err) =>
            context.error(`could not delete container group ${name}, the next tick retries: ${err}`),
        }).then(
          (swept) => {
            for (const g of swept) context.warn(`deleted container group ${g.name}: ${g.reason}`);
          },
          (err: unknown) => context.error(`sweeping container groups failed, the next tick retries: ${err}`),
        );
      }
      const expired = await expireOverdueRuns({ storage, onError: (message, err) => context.error(message, err) });
      for (const run of expired) context.log(`run ${run.execId} expired: ${run.error}`);
      // on its own: a failed purge holds up nothing else, and the next tick takes it up again
      await applyRetention({ storage, settings: settings.retention }).then(
        ({ runs, auditEntries, workers }) =>
          runs + auditEntries + workers > 0 &&
          context.log(`retention purged ${runs} runs, ${auditEntries} audit entries and ${workers} dead workers`),
        (err: unknown) => context.error(`retention failed, the next tick retries: ${err}`),
      );
    },
  };
}

/** Runs housekeeping ended: said in its log, and announced so on-call hears of them as of any run. */
async function announceEnded(
  storage: Storage,
  context: InvocationContext,
  runs: readonly Execution[],
  verb: string,
): Promise<void> {
  for (const run of runs) {
    context.warn(`run ${run.execId} ${verb}: ${run.error}`);
    await storage.results.publish(run);
  }
}
