import { randomUUID } from 'node:crypto';
import { Ticker } from '../core/ticker.js';
import type { FunctionDefinition, TimerFunctionDefinition } from '../functions/index.js';
import { InvocationContext } from '../functions/index.js';

/**
 * Runs the timer functions of the list locally, each every `localIntervalMs`, one run at a time, as the
 * Functions host runs them on their schedule in Azure.
 */
export function startTimers(
  definitions: readonly FunctionDefinition[],
  log: (functionName: string, level: string, args: unknown[]) => void,
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
      // referenced, as the host's timers are: the local stack lives as long as its functions run
      return new Ticker(run, definition.localIntervalMs, false).start();
    });
  return {
    async stop() {
      await Promise.all(tickers.map((ticker) => ticker.stop()));
    },
  };
}
