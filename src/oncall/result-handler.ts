import type { AlertContext } from '../core/alert-context.js';
import type { Execution } from '../core/execution.js';
import type { Notifier } from '../core/notification.js';
import { ResultMessage } from '../core/result-message.js';
import type { RoutingRules } from '../core/routing-rules.js';
import { routeRun } from '../core/routing-rules.js';
import type { Storage } from '../storage/index.js';
import { ConcurrentUpdateError } from '../storage/index.js';
import type { PlannedSend, Target } from './plan.js';
import { dedupKeyOf, planNotifications } from './plan.js';

/** A send failed in a way worth trying again: the results message comes back after its visibility timeout. */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
}

export interface ResultHandlerDeps {
  readonly storage: Storage;
  /** Configured targets; a missing one is simply not notified. */
  readonly notifiers: Partial<Record<Target, Notifier>>;
  readonly routing: RoutingRules;
  readonly publicUrl: string;
  readonly log: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export interface Attempt {
  /** How many times this results message has been delivered (the queue's dequeue count). */
  readonly dequeueCount: number;
  /** The last delivery: failures are recorded instead of retried. */
  readonly maxDequeueCount: number;
}

/**
 * Notifies about one finished run: routes it, plans the sends, and makes each (execution, target, action)
 * at most once per success (a ledger row per send). Retryable failures throw RetryLaterError so the queue
 * brings the message back; on the last delivery they are recorded on the execution instead.
 */
export async function handleResult(deps: ResultHandlerDeps, message: unknown, attempt: Attempt): Promise<void> {
  const parsed = ResultMessage.safeParse(message);
  if (!parsed.success) {
    deps.log('warn', `ignoring a results message that is not a ResultMessage: ${parsed.error.issues[0]?.message}`);
    return;
  }
  const { storage } = deps;
  const execution = (await storage.executions.get(parsed.data.execId))?.execution;
  if (!execution) {
    deps.log('warn', `no execution ${parsed.data.execId} for a results message; nothing to notify`);
    return;
  }
  const alert = execution.monitorCondition
    ? ((await storage.alertPayloads.load(execution.execId))?.alert ?? null)
    : null;
  const route = routeRun(deps.routing, {
    team: execution.trigger.team,
    schemaId: execution.schemaId,
    severity: alert?.severity ?? null,
    status: execution.status,
    namespace: alert?.kubernetes.namespace ?? null,
    resourceGroup: alert?.resourceGroup ?? null,
    oncall: execution.oncall,
  });
  const dedupKey = dedupKeyOf(execution);
  const page = await storage.notifications.page(dedupKey);
  const sends = planNotifications({
    execution,
    logTail: parsed.data.logTail,
    route,
    page,
    publicUrl: deps.publicUrl,
  }).map((s) => withSeverity(s, alert));

  const lastAttempt = attempt.dequeueCount >= attempt.maxDequeueCount;
  const gaveUp: string[] = [];
  let retryReason: string | null = null;
  let pageState = page;
  for (const send of sends) {
    const notifier = deps.notifiers[send.target];
    if (!notifier) continue;
    const key = `${send.target}.${send.notification.action}`;
    if ((await storage.notifications.get(execution.execId, key))?.status === 'sent') continue;
    const delivery = await notifier.send(send.notification);
    const at = new Date().toISOString();
    if (delivery.ok) {
      await storage.notifications.record(execution.execId, key, {
        status: 'sent',
        ref: delivery.ref,
        reason: null,
        at,
      });
      pageState = nextPage(pageState, send, delivery.ref, execution.execId);
      continue;
    }
    if (delivery.retryable && !lastAttempt) {
      retryReason ??= `${notifier.name}: ${delivery.reason}`;
      continue;
    }
    await storage.notifications.record(execution.execId, key, {
      status: 'failed',
      ref: null,
      reason: delivery.reason,
      at,
    });
    gaveUp.push(`${notifier.name} ${send.notification.action}: ${delivery.reason}`);
  }
  if (pageState && pageState !== page) await storage.notifications.setPage(dedupKey, pageState);
  if (gaveUp.length > 0) await recordNotifyError(storage, execution.execId, gaveUp.join('; '));
  if (retryReason) throw new RetryLaterError(`will retry: ${retryReason}`);
}

function withSeverity(send: PlannedSend, alert: AlertContext | null): PlannedSend {
  return { ...send, notification: { ...send.notification, severity: alert?.severity ?? null } };
}

/** An open page remembers its Slack thread; a close (or a success after it) closes it. */
function nextPage(
  page: { open: boolean; slackTs: string | null; slackChannel: string | null; execId: string } | null,
  send: PlannedSend,
  ref: string | null,
  execId: string,
) {
  const { action, channel } = send.notification;
  if (action === 'open') {
    const isSlack = send.target === 'slack';
    return {
      open: true,
      slackTs: page?.open && page.slackTs ? page.slackTs : isSlack ? ref : (page?.slackTs ?? null),
      slackChannel:
        page?.open && page.slackChannel ? page.slackChannel : isSlack ? channel : (page?.slackChannel ?? null),
      execId: page?.open ? page.execId : execId,
    };
  }
  if (action === 'close') return { open: false, slackTs: null, slackChannel: null, execId };
  return page;
}

/** Puts the reason notifications gave up on the run, for the console (the status stays as it was). */
async function recordNotifyError(storage: Storage, execId: string, reason: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await storage.executions.get(execId);
    if (!current) return;
    const next: Execution = { ...current.execution, notifyError: reason.slice(0, 1000) };
    try {
      await storage.executions.update(current, next);
      return;
    } catch (err) {
      if (!(err instanceof ConcurrentUpdateError)) throw err;
    }
  }
}
