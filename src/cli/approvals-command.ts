import { z } from 'zod';
import type { ApprovalDecisionKind } from '../core/approval-gate.js';
import { ExecId } from '../core/execution.js';
import type { Connect } from './api-command.js';
import { alignColumns, withClient } from './api-command.js';
import type { CommandOutput } from './schemas-command.js';

/**
 * The fields of the app's approval resource (`toApprovalResource`) these commands read; the rest is
 * ignored. The CLI talks to an app that may be older or newer than itself, so statuses stay strings.
 */
const ApprovalResource = z.object({
  exec_id: z.string(),
  status: z.string(),
  schema_id: z.string(),
  requested_by: z.string().nullable(),
  time_left_ms: z.number().nullable(),
  min_approvals: z.number().nullable(),
  approvals_so_far: z.number(),
  can_approve: z.boolean(),
  can_reject: z.boolean(),
  cannot_decide_because: z.string().nullable(),
});
type ApprovalResource = z.infer<typeof ApprovalResource>;

const ApprovalList = z.object({ approvals: z.array(ApprovalResource) });

/**
 * `cloudo approvals list [--all]`: the runs waiting for the caller's approval, one line each; `--all` every
 * waiting run with what the caller may do about it.
 */
export function listApprovals(connect: Connect, options: { all: boolean }): Promise<CommandOutput> {
  return withClient(connect, async (client) => {
    const answer = await client.get(`/api/approvals${options.all ? '?scope=all' : ''}`, ApprovalList);
    if (!answer.ok) return { exitCode: 1, lines: [answer.message] };
    const { approvals } = answer.value;
    if (approvals.length === 0) {
      return { exitCode: 0, lines: [`no runs are waiting for ${options.all ? '' : 'your '}approval`] };
    }
    return { exitCode: 0, lines: alignColumns(approvals.map((a) => approvalRow(a, options.all))) };
  });
}

export interface DecisionOptions {
  readonly execId: string;
  readonly decision: ApprovalDecisionKind;
  readonly reason: string | undefined;
}

/** `cloudo approve EXEC_ID [--reason TEXT]` and `cloudo reject EXEC_ID --reason TEXT`. */
export function decideApproval(connect: Connect, options: DecisionOptions): Promise<CommandOutput> {
  const execId = ExecId.safeParse(options.execId);
  if (!execId.success) {
    return Promise.resolve({
      exitCode: 2,
      lines: [`"${options.execId}" is not an execution id (cloudo approvals list shows them)`],
    });
  }
  // A reject without --reason is sent as is, not refused here: whether a rejection needs a reason is the
  // schema's `reject_reason_required` (default true), which only the server knows; it answers 400 naming
  // the rule when one is needed, and the CLI prints that.
  const body = { decision: options.decision, ...(options.reason === undefined ? {} : { reason: options.reason }) };
  return withClient(connect, async (client) => {
    const answer = await client.post(`/api/approvals/${execId.data}`, body, ApprovalResource);
    if (!answer.ok) return { exitCode: 1, lines: [answer.message] };
    return { exitCode: 0, lines: [outcomeLine(answer.value)] };
  });
}

function outcomeLine(a: ApprovalResource): string {
  switch (a.status) {
    case 'accepted':
      return `approved: run ${a.exec_id} is queued`;
    case 'pending_approval':
      return `approval recorded: ${a.approvals_so_far} of ${a.min_approvals ?? '?'}, waiting for more`;
    case 'rejected':
      return `rejected: run ${a.exec_id} will not run`;
    default:
      return `decided: run ${a.exec_id} is ${a.status}`;
  }
}

function approvalRow(a: ApprovalResource, withRights: boolean): string[] {
  const row = [
    a.exec_id,
    a.schema_id,
    `requested by ${a.requested_by?.replace(/^user:/, '') ?? 'unknown'}`,
    a.time_left_ms === null ? 'no deadline' : timeLeft(a.time_left_ms),
    `${a.approvals_so_far}/${a.min_approvals ?? '?'} approvals`,
  ];
  if (withRights) row.push(rights(a));
  return row;
}

function rights(a: ApprovalResource): string {
  if (a.can_approve && a.can_reject) return 'you may approve or reject';
  if (a.can_approve) return 'you may only approve';
  // the requester of a run may withdraw it but not approve it
  if (a.can_reject) return 'you may only reject';
  return `you cannot decide: ${a.cannot_decide_because ?? 'not allowed'}`;
}

/** `42 min left`, `5 h 3 min left`, `3 d 4 h left`: rounded down, so it never promises more than there is. */
export function timeLeft(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'under a minute left';
  if (minutes < 120) return `${minutes} min left`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min left`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h left`;
}
