import { randomUUID } from 'node:crypto';
import type { FunctionDefinition, TimerFunctionDefinition } from '../functions/index.js';
import { InvocationContext } from '../functions/index.js';

/**
 * Runs the timer functions of the list locally, each every `localIntervalMs`, one run at a time (a chain
 * of one-shot timers), as the Functions host runs them on their schedule in Azure.
 */
export function startTimers(
  definitions: readonly FunctionDefinition[],
  log: (functionName: string, level: string, args: unknown[]) => void,
): { stop(): Promise<void> } {
  const timers = new Map<string, NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  let stopped = false;
  const schedule = (definition: TimerFunctionDefinition) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      const context = new InvocationContext({
        invocationId: randomUUID(),
        functionName: definition.name,
        logHandler: (level, ...args) => log(definition.name, level, args),
      });
      const run = definition
        .handler(context)
        .catch((err: unknown) => log(definition.name, 'error', [err]))
        .finally(() => {
          running.delete(run);
          schedule(definition);
        });
      running.add(run);
    }, definition.localIntervalMs);
    timers.set(definition.name, timer);
  };
  for (const definition of definitions) if (definition.kind === 'timer') schedule(definition);
  return {
    async stop() {
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
      await Promise.all(running);
    },
  };
}
