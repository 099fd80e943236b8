import { createHash } from 'node:crypto';
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

/**
 * Decides the sends for a finished run: an on-call failure opens a page on every routed target; a later
 * success (or a resolved alert's run) closes the open page on the targets that hold it and replies in its
 * Slack thread; anything else posts to Slack when the route says so.
 */
export function planNotifications(input: {
  execution: Execution;
  logTail: string;
  route: NotificationRoute;
  page: OpenPage | null;
  publicUrl: string;
}): PlannedSend[] {
  const { execution: e, route, page } = input;
  const base = (action: Notification['action'], channel: string | null, threadTs: string | null): Notification => ({
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
    link: `${input.publicUrl}/api/logs/${e.execId}`,
    dedupKey: dedupKeyOf(e),
    channel,
    threadTs,
  });
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
