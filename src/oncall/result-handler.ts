import type { AlertContext } from '../core/alert-context.js';
import type { Log } from '../core/log.js';
import type { Notifier } from '../core/notification.js';
import { RESULT_MAX_ROUNDS, ResultMessage, resultRetryDelayMs } from '../core/result-message.js';
import type { RoutingRules, RunFacts } from '../core/routing-rules.js';
import { routeRun } from '../core/routing-rules.js';
import type { PageState, Storage } from '../storage/index.js';
import { syncApprovalMessage } from './approval-message.js';
import type { PlannedSend, Target } from './plan.js';
import { dedupKeyOf, planNotifications } from './plan.js';
import { RetryLaterError, SendRound } from './send-round.js';
import type { TeamNotifiers } from './team-notifiers.js';
import { teamChannelOf } from './team-notifiers.js';

export interface ResultHandlerDeps {
  readonly storage: Storage;
  /** Configured targets; a missing one is simply not notified. */
  readonly notifiers: Partial<Record<Target, Notifier>>;
  /** Teams' own tokens, keys and channels (`SLACK_TOKEN_<TEAM>`…); a team not here uses `notifiers`. */
  readonly teamNotifiers?: TeamNotifiers;
  readonly routing: RoutingRules;
  readonly publicUrl: string;
  readonly log: Log;
}

export interface Attempt {
  /** How many times this results message has been delivered (the queue's dequeue count). */
  readonly dequeueCount: number;
  /** The last delivery: failures are recorded instead of retried. */
  readonly maxDequeueCount: number;
}

/**
 * Notifies about one finished run: routes it, plans the sends, and makes each (execution, target, action)
 * at most once per success (a ledger row per send). A gated run also gets its Slack approval message,
 * posted once and then kept in step with its state (approval-message.ts). Retryable failures put the
 * result back on the queue as a later round; on the last round (or the queue's last delivery) they are
 * recorded on the execution instead.
 */
export async function handleResult(deps: ResultHandlerDeps, message: unknown, attempt: Attempt): Promise<void> {
  const parsed = ResultMessage.safeParse(message);
  if (!parsed.success) {
    deps.log('warn', `ignoring a results message that is not a ResultMessage: ${parsed.error.issues[0]?.message}`);
    return;
  }
  // with no notifier at all nothing can be sent, posted or recorded: the run and its page need no reading
  if (!hasAnyNotifier(deps)) return;
  const { storage } = deps;
  const execution = (await storage.executions.get(parsed.data.execId))?.execution;
  if (!execution) {
    deps.log('warn', `no execution ${parsed.data.execId} for a results message; nothing to notify`);
    return;
  }
  const alert = execution.monitorCondition ? await storage.alertPayloads.loadAlert(execution.execId) : null;
  const facts: RunFacts = {
    team: execution.trigger.team,
    // an unmatched alert has no schema: rules see the empty id (`schema: "*"` still matches it)
    schemaId: execution.schemaId ?? '',
    severity: alert?.severity ?? null,
    status: execution.status,
    namespace: alert?.kubernetes.namespace ?? null,
    resourceGroup: alert?.resourceGroup ?? null,
    oncall: execution.oncall,
  };
  const teamNotifiers = deps.teamNotifiers ?? new Map();
  const channelOf = teamChannelOf(teamNotifiers);
  const route = routeRun(deps.routing, facts, channelOf);
  const dedupKey = dedupKeyOf(execution, alert);
  const page = await storage.notifications.page(dedupKey);
  const sends = planNotifications({
    execution,
    logTail: parsed.data.logTail,
    route,
    page,
    publicUrl: deps.publicUrl,
    dedupKey,
  }).map((s) => withSeverity(s, alert));

  const roundNo = parsed.data.round ?? 1;
  const round = new SendRound({
    storage,
    notifiers: deps.notifiers,
    teamNotifiers,
    execId: execution.execId,
    lastAttempt: attempt.dequeueCount >= attempt.maxDequeueCount || roundNo >= RESULT_MAX_ROUNDS,
  });
  // the message goes where an approval request is routed, whatever the run's state when we first see it
  const requestRoute = execution.approval
    ? routeRun(deps.routing, { ...facts, status: 'pending_approval' }, channelOf)
    : null;
  if (requestRoute && round.notifierFor('slack', requestRoute.slackTeam)) {
    const approvalDeps = { storage, round, publicUrl: deps.publicUrl, slackTeam: requestRoute.slackTeam };
    await syncApprovalMessage(approvalDeps, execution, requestRoute.slackChannel);
  }
  let pageState = page;
  for (const send of sends) {
    const key = `${send.target}.${send.notification.action}`;
    if (!round.notifierFor(send.target, send.team) || (await round.wasSent(key))) continue;
    const delivery = await round.send(send.target, send.notification, key, send.team);
    if (delivery) pageState = nextPage(pageState, send, delivery.ref, execution.execId);
  }
  if (pageState && pageState !== page) await storage.notifications.setPage(dedupKey, pageState);
  try {
    await round.finish();
  } catch (err) {
    if (!(err instanceof RetryLaterError)) throw err;
    // not the queue's own redelivery, which gives up after maxDequeueCount (about 30 s, shorter than many a
    // Slack or Opsgenie outage): a later round of its own, backing off to every 10 minutes
    const delayMs = resultRetryDelayMs(roundNo);
    await storage.results.retryLater(parsed.data, delayMs);
    deps.log('warn', `${err.message}; round ${roundNo + 1} of ${RESULT_MAX_ROUNDS} in ${delayMs / 1000} s`);
  }
}

function hasAnyNotifier(deps: Pick<ResultHandlerDeps, 'notifiers' | 'teamNotifiers'>): boolean {
  const configured = (notifiers: Partial<Record<Target, Notifier>>) => Object.values(notifiers).some(Boolean);
  return configured(deps.notifiers) || [...(deps.teamNotifiers?.values() ?? [])].some((t) => configured(t.notifiers));
}

function withSeverity(send: PlannedSend, alert: AlertContext | null): PlannedSend {
  return { ...send, notification: { ...send.notification, severity: alert?.severity ?? null } };
}

/**
 * An open page remembers its Slack thread and the teams whose credentials opened it; a close (or a
 * success after it) closes it.
 */
function nextPage(page: PageState | null, send: PlannedSend, ref: string | null, execId: string): PageState | null {
  const { action, channel } = send.notification;
  if (action === 'open') {
    const isSlack = send.target === 'slack';
    const hasThread = Boolean(page?.open && page.slackChannel);
    const hasAlert = page?.open === true && page.opsgenieTeam !== null;
    return {
      open: true,
      slackTs: page?.open && page.slackTs ? page.slackTs : isSlack ? ref : (page?.slackTs ?? null),
      slackChannel: hasThread ? (page?.slackChannel ?? null) : isSlack ? channel : (page?.slackChannel ?? null),
      slackTeam: hasThread ? (page?.slackTeam ?? null) : isSlack ? send.team : (page?.slackTeam ?? null),
      opsgenieTeam: !hasAlert && send.target === 'opsgenie' ? send.team : (page?.opsgenieTeam ?? null),
      execId: page?.open ? page.execId : execId,
    };
  }
  if (action === 'close') {
    return { open: false, slackTs: null, slackChannel: null, slackTeam: null, opsgenieTeam: null, execId };
  }
  return page;
}
