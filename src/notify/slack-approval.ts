import type { ApprovalState, ApprovalSummary, Notification } from '../core/notification.js';
import { oneLine } from './delivery.js';
import type { SlackBlock } from './slack-text.js';
import { field, fitEscaped, LIMIT, linkButton, mrkdwn } from './slack-text.js';

/**
 * The approval message of a gated run: what would run, who asked, until when, who decided what and why,
 * and a link to the run page, where people sign in to decide. Every value is escaped. With interactivity
 * on, a pending request also carries Approve / Reject buttons that Slack sends to
 * `POST /api/slack/interactions` (action ids below, value the execution id).
 */

/** `action_id` of the Approve button. */
export const APPROVE_ACTION = 'cloudo-approve';
/** `action_id` of the Reject button. */
export const REJECT_ACTION = 'cloudo-reject';

const HEADLINE: Record<ApprovalState, string> = {
  pending: ':hourglass_flowing_sand: Approval needed',
  approved: ':white_check_mark: Approved',
  rejected: ':no_entry: Rejected',
  expired: ':alarm_clock: Expired',
  cancelled: ':heavy_multiplication_x: Cancelled',
};

/** The blocks of an approval message; `interactive` adds the buttons while the request is pending. */
export function approvalBlocks(n: Notification, approval: ApprovalSummary, interactive: boolean): SlackBlock[] {
  const pending = approval.state === 'pending';
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: fitEscaped(`${HEADLINE[approval.state]} · ${oneLine(n.schemaName)}`, LIMIT.header),
        emoji: true,
      },
    },
    {
      type: 'section',
      fields: [
        field('Runbook', n.runbook),
        field('Arguments', approval.runArgs === '' ? null : approval.runArgs),
        field('Resource', n.resourceId),
        field('Alert', n.alertRule === null ? null : `${n.alertRule}${n.severity ? ` (${n.severity})` : ''}`),
        field('Requested by', approval.requestedBy?.replace(/^user:/, '') ?? null),
        pending ? field('Decide before', formatTime(approval.expiresAt)) : field('Outcome', approval.outcome),
        field('Approvals', `${approval.approvals} of ${approval.minApprovals}`),
        field('Team', n.team),
      ],
    },
  ];
  if (approval.decisions.length > 0) {
    const lines = approval.decisions.map(
      (d) =>
        `${d.decision === 'approve' ? 'approved' : 'rejected'} by ${d.by} at ${formatTime(d.at)}` +
        (d.reason ? `: ${oneLine(d.reason)}` : ''),
    );
    blocks.push({
      type: 'section',
      text: mrkdwn(`*Decisions*\n${fitEscaped(lines.join('\n'), LIMIT.sectionText - 20)}`),
    });
  }
  blocks.push({
    type: 'context',
    elements: [mrkdwn(`Run \`${fitEscaped(n.execId, 200)}\` · schema \`${fitEscaped(n.schemaId, 200)}\``)],
  });
  const review = linkButton('cloudo-review', pending ? 'Review and decide' : 'Open run', n.link);
  const elements = [...(review ? [review] : []), ...(interactive && pending ? decisionButtons(n) : [])];
  if (elements.length > 0) blocks.push({ type: 'actions', elements });
  return blocks;
}

/** Notification and screen-reader text, where blocks are not rendered. */
export function approvalText(n: Notification, approval: ApprovalSummary): string {
  const headline = HEADLINE[approval.state].replace(/^:[a-z_]+: /, '');
  return fitEscaped(`${headline}: ${oneLine(n.schemaName)} (run ${n.execId})`, LIMIT.text);
}

/** Approve and Reject, each confirmed first: a click in a busy channel should not run a runbook by accident. */
function decisionButtons(n: Notification) {
  const confirm = (verb: string) => ({
    title: { type: 'plain_text' as const, text: `${verb} this run?` },
    text: { type: 'plain_text' as const, text: fitEscaped(`${verb} the run of ${oneLine(n.schemaName)}`, 300) },
    confirm: { type: 'plain_text' as const, text: verb },
    deny: { type: 'plain_text' as const, text: 'Back' },
  });
  return [
    {
      type: 'button' as const,
      action_id: APPROVE_ACTION,
      text: { type: 'plain_text' as const, text: 'Approve' },
      style: 'primary' as const,
      value: n.execId,
      confirm: confirm('Approve'),
    },
    {
      type: 'button' as const,
      action_id: REJECT_ACTION,
      text: { type: 'plain_text' as const, text: 'Reject' },
      style: 'danger' as const,
      value: n.execId,
      confirm: confirm('Reject'),
    },
  ];
}

/** `2026-12-06 03:11 UTC`: one zone for everybody in the channel. */
function formatTime(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
