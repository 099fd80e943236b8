import type { InvocationContext } from '@azure/functions';
import { abandonStaleRuns } from '../storage/index.js';
import type { TimerFunctionDefinition } from './definitions.js';
import type { ServicesProvider } from './services.js';

/** Every minute: runs whose worker stopped heartbeating end `abandoned` instead of `running` forever. */
export function housekeepingFunction(services: ServicesProvider): TimerFunctionDefinition {
  return {
    kind: 'timer',
    name: 'Housekeeping',
    schedule: '0 */1 * * * *',
    localIntervalMs: 10_000,
    handler: async (context: InvocationContext) => {
      const { storage, settings } = services();
      const abandoned = await abandonStaleRuns({
        executions: storage.executions,
        workers: storage.workers,
        staleAfterMs: settings.staleWorkerMs,
      });
      for (const run of abandoned) {
        context.warn(`run ${run.execId} abandoned: ${run.error}`);
        await storage.results.publish(run);
      }
    },
  };
}
