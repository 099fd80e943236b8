import { createHash } from 'node:crypto';
import type { AlertContext } from '../core/alert-context.js';
import { firedDeliveryKey } from '../core/alert-delivery.js';
import { summarizeApproval } from '../core/approval-summary.js';
import type { Execution } from '../core/execution.js';
import { durationMs } from '../core/execution.js';
import type { Notification } from '../core/notification.js';
import type { NotificationRoute } from '../core/routing-rules.js';
import { FAILURE_STATUSES } from '../core/routing-rules.js';
import type { PageState } from '../storage/index.js';

export type Target = 'slack' | 'opsgenie' | 'pagerduty';

/** One send to make: which target, what to do, the message, and as which team. */
export interface PlannedSend {
  readonly target: Target;
  readonly notification: Notification;
  /** Team whose token or key sends it (`SLACK_TOKEN_<TEAM>`…); null, or a team without one: the default. */
  readonly team: string | null;
}

/** What planning reads of the page of this schema on this resource (the Pages table's state). */
export type OpenPage = Pick<PageState, 'open' | 'slackTs' | 'slackChannel' | 'slackTeam' | 'opsgenieTeam'>;

/**
 * "This schema on this resource": repeats add to one page, and a recovery closes it. An unmatched alert
 * has no schema, and many have no resource (Alertmanager's): its page is the alert's own, Fired and
 * Resolved alike, so its resolving closes it and no other.
 */
export function dedupKeyOf(execution: Execution, alert: AlertContext | null = null): string {
  if (execution.status === 'unmatched' && alert) return `cloudo-unmatched-${firedDeliveryKey(alert).slice(0, 40)}`;
  const resource = execution.resourceId
    ? createHash('sha256').update(execution.resourceId.toLowerCase()).digest('hex').slice(0, 16)
    : 'none';
  return `cloudo-${execution.schemaId}-${resource}`.slice(0, 200);
}

export function isFailure(status: string): boolean {
  return (FAILURE_STATUSES as readonly string[]).includes(status);
}

/** The notification about `e` for one action; the plan fills in where it goes. */
function notificationOf(
  e: Execution,
  input: { readonly logTail: string; readonly publicUrl: string; readonly dedupKey?: string },
  action: Notification['action'],
  channel: string | null,
  threadTs: string | null,
): Notification {
  return {
    action,
    execId: e.execId,
    // an unmatched alert has no schema to name: the alert is what people need to recognise, and its
    // schema and runbook show empty, as ever (targets tag and group by them)
    schemaId: e.schemaId ?? '',
    schemaName: e.status === 'unmatched' ? `${e.alertRule ?? '(no rule)'} (no schema handles it)` : e.schemaName,
    runbook: e.runbook ?? '',
    status: e.status,
    oncall: e.oncall,
    severity: null,
    alertRule: e.alertRule,
    resourceId: e.resourceId,
    team: e.trigger.team,
    durationMs: durationMs(e),
    exitCode: e.exitCode,
    error: e.error,
    logTail: input.logTail,
    // the run page, where people sign in to decide: never a key, a token or a decision in the URL
    link: `${input.publicUrl}/api/logs/${e.execId}`,
    dedupKey: input.dedupKey ?? dedupKeyOf(e),
    channel,
    threadTs,
    approval: null,
    updateTs: null,
  };
}

/**
 * The approval message of a gated run as it stands now: posted to `channel` (null: the notifier's default)
 * when `updateTs` is null, else the update of the message posted before (`channel` is then its channel ID).
 * Null for a run that never waited.
 */
export function planApprovalMessage(input: {
  execution: Execution;
  channel: string | null;
  updateTs: string | null;
  publicUrl: string;
}): Notification | null {
  const approval = summarizeApproval(input.execution);
  if (!approval) return null;
  const n = notificationOf(
    input.execution,
    { logTail: '', publicUrl: input.publicUrl },
    'approval',
    input.channel,
    null,
  );
  return { ...n, approval, updateTs: input.updateTs };
}

/**
 * Decides the sends for a finished run: an on-call failure opens a page on every routed target, and so
 * does a firing unmatched alert that a rule routes to Opsgenie or PagerDuty; a later success (or a
 * resolved alert's run or row) closes the open page on the targets that hold it and replies in its Slack
 * thread; anything else posts to Slack when the route says so. A run waiting for approval gets none: its
 * approval message (planApprovalMessage) is what people see of it.
 */
export function planNotifications(input: {
  execution: Execution;
  logTail: string;
  route: NotificationRoute;
  page: OpenPage | null;
  publicUrl: string;
  /** The page this run belongs to (`dedupKeyOf`); default: its schema and resource. */
  dedupKey?: string;
}): PlannedSend[] {
  const { execution: e, route, page } = input;
  const base = (action: Notification['action'], channel: string | null, threadTs: string | null) =>
    notificationOf(e, input, action, channel, threadTs);
  if (e.status === 'pending_approval') return [];
  const sends: PlannedSend[] = [];
  const thread = page?.open ? page.slackTs : null;
  const isPagedUnmatched =
    e.status === 'unmatched' && e.monitorCondition !== 'Resolved' && (route.opsgenie || route.pagerduty);
  if ((isFailure(e.status) && e.oncall) || isPagedUnmatched) {
    // a page already open is added to where it lives: its channel, its thread, its team's workspace and account
    const slackTeam = page?.slackChannel ? page.slackTeam : route.slackTeam;
    const opsgenieTeam = page?.open && page.opsgenieTeam !== null ? page.opsgenieTeam : route.opsgenieTeam;
    if (route.slackChannel)
      sends.push({
        target: 'slack',
        notification: base('open', page?.slackChannel ?? route.slackChannel, thread),
        team: slackTeam,
      });
    if (route.opsgenie) sends.push({ target: 'opsgenie', notification: base('open', null, null), team: opsgenieTeam });
    if (route.pagerduty) sends.push({ target: 'pagerduty', notification: base('open', null, null), team: null });
    return sends;
  }
  const recovered = e.status === 'succeeded' || (e.monitorCondition === 'Resolved' && !isFailure(e.status));
  if (recovered && page?.open) {
    // with the credentials that opened it, whoever's run recovered it: another key's account has no such alert
    if (page.slackChannel)
      sends.push({
        target: 'slack',
        notification: base('close', page.slackChannel, page.slackTs),
        team: page.slackTeam,
      });
    sends.push({ target: 'opsgenie', notification: base('close', null, null), team: page.opsgenieTeam });
    sends.push({ target: 'pagerduty', notification: base('close', null, null), team: null });
    return sends;
  }
  if (route.slackChannel)
    sends.push({ target: 'slack', notification: base('post', route.slackChannel, null), team: route.slackTeam });
  return sends;
}
