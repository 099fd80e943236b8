import { z } from 'zod';

/**
 * The approval contracts a gated run carries: the policy it was requested under and the decisions made on
 * it. The rules that apply them live in `approval-policy.ts`.
 */

const IsoTime = z.iso.datetime({ offset: true });

/** Default approval window of a gated run when its schema sets none: one hour. */
export const DEFAULT_APPROVAL_TIMEOUT_MINUTES = 60;
/** Longest approval window: a week. Pending runs are looked for no further back than this. */
export const MAX_APPROVAL_TIMEOUT_MINUTES = 7 * 24 * 60;
/** Longest reason kept with a decision. */
export const MAX_REASON_LENGTH = 1000;

/**
 * Who may decide, as a schema names them: an Entra app role (`role:ClouDO.Approver.Payments`), an Entra
 * group by object id (`group:0b1c…`), or one person / API-token owner (`user:alice@contoso.com`). Compared
 * case-insensitively, so stored lower-case.
 */
export const Approver = z
  .string()
  .regex(
    /^(role:[a-z0-9][a-z0-9._-]{0,119}|group:[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}|user:[^\s:][^\s]{0,255})$/i,
    'must be role:<app role value>, group:<Entra group object id> or user:<sign-in name or token owner>',
  )
  .transform((value) => value.toLowerCase());

export const ApprovalDecisionKind = z.enum(['approve', 'reject']);
export type ApprovalDecisionKind = z.infer<typeof ApprovalDecisionKind>;

/** The policy a gated run was requested under: the schema's, as it was then (a later edit changes nothing). */
export const ApprovalGate = z.object({
  /** The schema's `approvers`, lower-case; empty: any operator other than the requester. */
  approvers: z.array(z.string().max(300)).max(50),
  /** Approvals from distinct people needed before the run is queued (N of M). */
  minApprovals: z.number().int().min(1).max(20),
  /** Whether the requester may approve their own run (schema `allow_self_approval`, default false). */
  allowSelfApproval: z.boolean(),
  /** Whether a rejection must say why (schema `reject_reason_required`, default true). */
  rejectReasonRequired: z.boolean(),
  /**
   * Who asked for the run, as `Caller.principal` names people (`user:alice@contoso.com`), or `alert:<rule>`
   * for an alert; null when nobody is known (the local stack with access control off).
   */
  requestedBy: z.string().max(300).nullable(),
  /** After this instant nobody may decide, and housekeeping ends the run `expired`. */
  expiresAt: IsoTime,
});
export type ApprovalGate = z.infer<typeof ApprovalGate>;

/** One person's decision, kept on the run in the order they came. */
export const ApprovalDecision = z.object({
  /** Who decided, as the audit log names them (`alice@contoso.com`, `alice (token 3fa…)`). */
  by: z.string().max(256),
  /** Their `Caller.principal`: what self-approval and "one approval per person" compare. */
  principal: z.string().max(300),
  at: IsoTime,
  decision: ApprovalDecisionKind,
  reason: z.string().max(MAX_REASON_LENGTH).nullable(),
});
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;

/** The body of `POST /api/approvals/{execId}` (and of the run page's form). */
export const DecisionRequest = z
  .object({
    decision: ApprovalDecisionKind,
    /** Why; required to reject unless the schema says `reject_reason_required: false`. */
    reason: z.string().trim().max(MAX_REASON_LENGTH).optional(),
  })
  .strict();
export type DecisionRequest = z.infer<typeof DecisionRequest>;
