import type { InvocationContext } from '@azure/functions';
import { resourceNames } from '../core/resource-names.js';
import { handleResult } from '../oncall/index.js';
import type { QueueFunctionDefinition } from './definitions.js';
import type { ServicesProvider } from './services.js';

/** host.json `extensions.queues.maxDequeueCount`: the last delivery records failures instead of retrying. */
export const RESULTS_MAX_DEQUEUE_COUNT = 5;

/**
 * `cloudo-results` queue trigger: tells on-call about finished runs (Slack, Opsgenie/JSM, PagerDuty). A
 * retryable failure throws, and the queue brings the message back after its visibility timeout: no
 * sleeping in a function.
 */
export function resultsFunction(services: ServicesProvider, namespace: string): QueueFunctionDefinition {
  return {
    kind: 'queue',
    name: 'Results',
    queueName: resourceNames(namespace).resultsQueue,
    handler: async (message: unknown, context: InvocationContext) => {
      const { storage, settings, notifiers, teamNotifiers } = services();
      const dequeueCount = Number(context.triggerMetadata?.dequeueCount ?? 1);
      await handleResult(
        {
          storage,
          notifiers,
          teamNotifiers,
          routing: settings.notify.routing,
          publicUrl: settings.notify.publicUrl,
          log: (level, text) =>
            level === 'info' ? context.log(text) : level === 'warn' ? context.warn(text) : context.error(text),
        },
        message,
        { dequeueCount, maxDequeueCount: RESULTS_MAX_DEQUEUE_COUNT },
      );
    },
  };
}
