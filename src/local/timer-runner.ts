import { randomUUID } from 'node:crypto';
import { Ticker } from '../core/ticker.js';
import type { FunctionDefinition, TimerFunctionDefinition } from '../functions/index.js';
import { InvocationContext } from '../functions/index.js';
import { parseSchedule } from './ncrontab.js';

/**
 * Runs the timer functions of the list locally, one run at a time each, as the Functions host runs them
 * in Azure: on their own NCRONTAB `schedule` (UTC), or every `intervalMs` when given.
 */
export function startTimers(
  definitions: readonly FunctionDefinition[],
  log: (functionName: string, level: string, args: unknown[]) => void,
  intervalMs: number | null = null,
): { stop(): Promise<void> } {
  const tickers = definitions
    .filter((d): d is TimerFunctionDefinition => d.kind === 'timer')
    .map((definition) => {
      const run = () => {
        const context = new InvocationContext({
          invocationId: randomUUID(),
          functionName: definition.name,
          logHandler: (level, ...args) => log(definition.name, level, args),
        });
        return definition.handler(context).catch((err: unknown) => log(definition.name, 'error', [err]));
      };
      // parsed now, even when an interval overrides it: a schedule Azure would misread stops the start
      const schedule = parseSchedule(definition.schedule);
      const delayMs = intervalMs ?? (() => schedule.next(new Date()).getTime() - Date.now());
      // referenced, as the host's timers are: the local stack lives as long as its functions run
      return new Ticker(run, delayMs, false).start();
    });
  return {
    async stop() {
      await Promise.all(tickers.map((ticker) => ticker.stop()));
    },
  };
}
