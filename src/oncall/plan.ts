import { createHash } from 'node:crypto';
import { summarizeApproval } from '../core/approval-summary.js';
import type { Execution } from '../core/execution.js';
import { durationMs } from '../core/execution.js';
import type { Notification } from '../core/notification.js';
import type { NotificationRoute } from '../core/routing-rules.js';
import { FAILURE_STATUSES } from '../core/routing-rules.js';

export type Target = 'slack' | 'opsgenie' | 'pagerduty';

/** One send to make: which target, what to do, and the message. */
export interface PlannedSend {
  readonly target: Target;
  readonly notification: Notification;
}

/** What is known of the page of this schema on this resource. */
export interface OpenPage {
  readonly open: boolean;
  readonly slackTs: string | null;
  readonly slackChannel: string | null;
}

/** "This schema on this resource": repeats add to one page, and a recovery closes it. */
export function dedupKeyOf(execution: Execution): string {
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
  input: { readonly logTail: string; readonly publicUrl: string },
  action: Notification['action'],
  channel: string | null,
  threadTs: string | null,
): Notification {
  return {
    action,
    execId: e.execId,
    schemaId: e.schemaId,
    schemaName: e.schemaName,
    runbook: e.runbook,
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
    dedupKey: dedupKeyOf(e),
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
 * Decides the sends for a finished run: an on-call failure opens a page on every routed target; a later
 * success (or a resolved alert's run) closes the open page on the targets that hold it and replies in its
 * Slack thread; anything else posts to Slack when the route says so. A run waiting for approval gets none:
 * its approval message (planApprovalMessage) is what people see of it.
 */
export function planNotifications(input: {
  execution: Execution;
  logTail: string;
  route: NotificationRoute;
  page: OpenPage | null;
  publicUrl: string;
}): PlannedSend[] {
  const { execution: e, route, page } = input;
  const base = (action: Notification['action'], channel: string | null, threadTs: string | null) =>
    notificationOf(e, input, action, channel, threadTs);
  if (e.status === 'pending_approval') return [];
  const sends: PlannedSend[] = [];
  const thread = page?.open ? page.slackTs : null;
  if (isFailure(e.status) && e.oncall) {
    if (route.slackChannel)
      sends.push({ target: 'slack', notification: base('open', page?.slackChannel ?? route.slackChannel, thread) });
    if (route.opsgenie) sends.push({ target: 'opsgenie', notification: base('open', null, null) });
    if (route.pagerduty) sends.push({ target: 'pagerduty', notification: base('open', null, null) });
    return sends;
  }
  const recovered = e.status === 'succeeded' || (e.monitorCondition === 'Resolved' && !isFailure(e.status));
  if (recovered && page?.open) {
    if (page.slackChannel)
      sends.push({ target: 'slack', notification: base('close', page.slackChannel, page.slackTs) });
    sends.push({ target: 'opsgenie', notification: base('close', null, null) });
    sends.push({ target: 'pagerduty', notification: base('close', null, null) });
    return sends;
  }
  if (route.slackChannel) sends.push({ target: 'slack', notification: base('post', route.slackChannel, null) });
  return sends;
}
