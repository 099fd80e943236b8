import type { InvocationContext } from '@azure/functions';
import { expireOverdueRuns } from '../approvals/index.js';
import { applyRetention } from '../retention/index.js';
import { abandonStaleRuns } from '../storage/index.js';
import type { TimerFunctionDefinition } from './definitions.js';
import type { ServicesProvider } from './services.js';

/**
 * Every minute: runs whose worker stopped heartbeating end `abandoned` instead of `running` forever, gated
 * runs nobody decided on in time end `expired`, and the deployment's schemas are imported if the attempt
 * at start failed; what is older than its retention is purged, a batch a tick.
 */
export function housekeepingFunction(services: ServicesProvider): TimerFunctionDefinition {
  return {
    kind: 'timer',
    name: 'Housekeeping',
    schedule: '0 */1 * * * *',
    localIntervalMs: 10_000,
    handler: async (context: InvocationContext) => {
      const { storage, settings, deployedSchemas } = services();
      // until it has worked once in this process (a no-op afterwards); a failure must not stop the sweep
      await deployedSchemas
        .sync((level, message) => (level === 'error' ? context.error(message) : context.log(message)))
        .catch((err: unknown) => context.warn(`CLOUDO_SCHEMAS_JSON not imported yet, next tick retries: ${err}`));
      const abandoned = await abandonStaleRuns({
        executions: storage.executions,
        workers: storage.workers,
        staleAfterMs: settings.staleWorkerMs,
      });
      for (const run of abandoned) {
        context.warn(`run ${run.execId} abandoned: ${run.error}`);
        await storage.results.publish(run);
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
