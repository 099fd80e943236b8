import os from 'node:os';
import type { InvocationContext } from '@azure/functions';
import { MAX_COUNTED_MISSED_TICKS } from '../core/schedule-ticks.js';
import { Scheduler } from '../intake/index.js';
import type { TimerFunctionDefinition } from './definitions.js';
import type { ServicesProvider } from './services.js';

/**
 * Every 15 seconds: the runs of schedule ticks that have come due (README "Schedules"). Finer than the
 * minute, so a tick starts within seconds of its time, and a 6-field cron's seconds mean something. Each
 * tick starts one run however many instances run this timer at once, or retry it (see Scheduler).
 */
export function schedulerFunction(services: ServicesProvider): TimerFunctionDefinition {
  return {
    kind: 'timer',
    name: 'Scheduler',
    schedule: '*/15 * * * * *',
    handler: async (context: InvocationContext) => {
      const { storage, settings, wake } = services();
      const scheduler = new Scheduler({
        storage,
        from: `scheduler on ${os.hostname()}`,
        aksClusters: settings.aksClusters,
        wake,
      });
      const pass = await scheduler.runDue();
      await wake.settle();
      for (const f of pass.fired) {
        if (f.kind === 'already-fired') continue;
        const late = f.catchUp ? ' (catch-up for missed ticks)' : '';
        context.log(`schedule ${f.scheduleId}: tick ${f.tick} ${f.kind} run ${f.execId}${late}`);
      }
      for (const m of pass.missed) {
        const count = m.count >= MAX_COUNTED_MISSED_TICKS ? `at least ${m.count}` : String(m.count);
        context.warn(`schedule ${m.scheduleId}: ${count} tick(s) missed, from ${m.first} to ${m.last}`);
      }
      for (const e of pass.errors) context.error(`schedule ${e.scheduleId}: ${e.error}`);
    },
  };
}
