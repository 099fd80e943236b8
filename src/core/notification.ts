import { z } from 'zod';
import { ApprovalDecisionKind } from './approval-gate.js';

/**
 * Where a gated run's approval stands: `pending` until decided; a run that was let go counts as `approved`
 * whatever happened to it next (running, succeeded, failed...), so its later results change nothing here.
 */
export const ApprovalState = z.enum(['pending', 'approved', 'rejected', 'expired', 'cancelled']);
export type ApprovalState = z.infer<typeof ApprovalState>;

/** What an approval message shows of a gated run: the request, the decisions so far, the outcome. */
export const ApprovalSummary = z.object({
  state: ApprovalState,
  /** Who asked, as the gate names them (`user:alice@contoso.com`, `alert:<rule>`); null when unknown. */
  requestedBy: z.string().nullable(),
  /** When the approval window closes (ISO 8601). */
  expiresAt: z.string(),
  /** Approvals from distinct people needed (N of M). */
  minApprovals: z.number().int().min(1),
  /** Approvals from distinct people so far. */
  approvals: z.number().int().min(0),
  /** Every decision so far, oldest first: who, what, why, when. */
  decisions: z.array(
    z.object({ by: z.string(), decision: ApprovalDecisionKind, reason: z.string().nullable(), at: z.string() }),
  ),
  /** The arguments the runbook would run with (as the run page shows them). */
  runArgs: z.string(),
  /** Why it ended, in the run's words (`rejected by bob: …`, `no decision within 60 min …`); null while pending. */
  outcome: z.string().nullable(),
});
export type ApprovalSummary = z.infer<typeof ApprovalSummary>;

/**
 * What a notifier is asked to do about one run, built from a ResultMessage and the routing rules. No
 * secret and no full log: a tail of at most 4 KB and a link.
 */
export const Notification = z.object({
  /**
   * `open`: page / post about a failure (on-call failures always open); `close`: the same schema and
   * resource recovered (a later run succeeded, or the alert resolved); `post`: an informational message (a
   * status the routing asks to be told about); `approval`: the approval request of a gated run, posted once
   * and then updated in place (`updateTs`) as it is decided.
   */
  action: z.enum(['open', 'close', 'post', 'approval']),
  execId: z.string(),
  schemaId: z.string(),
  schemaName: z.string(),
  runbook: z.string(),
  status: z.string(),
  oncall: z.boolean(),
  /** "Sev0".."Sev4" or the source's word; null when the run had no alert. */
  severity: z.string().nullable(),
  alertRule: z.string().nullable(),
  resourceId: z.string().nullable(),
  team: z.string().nullable(),
  durationMs: z.number().nullable(),
  exitCode: z.number().int().nullable(),
  /** Why it failed, short (the run's error field). */
  error: z.string().nullable(),
  /** Last lines of the log, at most 4096 bytes. */
  logTail: z.string().max(4096),
  /** Link to the run in the console (`CLOUDO_PUBLIC_URL` + /api/logs/<execId>). */
  link: z.string(),
  /**
   * Deterministic key of "this schema on this resource": repeats add to one Opsgenie alert / PagerDuty
   * incident, and a recovery closes it.
   */
  dedupKey: z.string(),
  /** Slack channel chosen by routing (team channel or the default). */
  channel: z.string().nullable(),
  /** Slack thread to follow up in (the `ts` of the first message about this schema and resource). */
  threadTs: z.string().nullable(),
  /** For `approval`: the gate's state and decisions; null for every other action. */
  approval: ApprovalSummary.nullable(),
  /**
   * For `approval`: the `ts` of the message to update in place (with `channel` the channel ID Slack gave
   * when it was posted); null to post it.
   */
  updateTs: z.string().nullable(),
});
export type Notification = z.infer<typeof Notification>;

/** The outcome of one send. Expected failures are values; `retryable` decides between retry and give-up. */
export type Delivery =
  | {
      readonly ok: true /** Slack message ts, Opsgenie request id, PagerDuty dedup key... */;
      readonly ref: string | null;
      /** Slack: the channel ID the message is in (what `chat.update` needs; a `#name` will not do). */
      readonly channel?: string;
    }
  | {
      readonly ok: false;
      readonly retryable: boolean;
      readonly reason: string;
    };

/**
 * One notification target. Implementations talk to one service; they never throw on a service's answer.
 * Every action gets an answer: one the service has no place for (`post` and `approval` on a paging
 * service) is acknowledged as delivered, `{ ok: true, ref: null }`, without a request.
 */
export interface Notifier {
  readonly name: string;
  send(notification: Notification): Promise<Delivery>;
}

/** Opsgenie/JSM priority from a severity: Sev0 → P1 … Sev4 → P5; unknown → P3. */
export function priorityOf(severity: string | null): 'P1' | 'P2' | 'P3' | 'P4' | 'P5' {
  const m = /^Sev([0-4])$/.exec(severity ?? '');
  return m ? (`P${Number(m[1]) + 1}` as 'P1' | 'P2' | 'P3' | 'P4' | 'P5') : 'P3';
}
