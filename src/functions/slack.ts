import type { HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import type { Caller } from '../core/access.js';
import type { ApprovalGate, DecisionRequest } from '../core/approval-gate.js';
import { approvalCount } from '../core/approval-policy.js';
import type { Run } from '../core/execution.js';
import { ExecId } from '../core/execution.js';
import { SLACK_SIGNATURE_HEADER, SLACK_TIMESTAMP_HEADER, verifySlackSignature } from '../core/slack-signature.js';
import { APPROVE_ACTION, escapeSlack, REJECT_ACTION, replyToClick } from '../notify/index.js';
import { executionUrl } from '../ui/index.js';
import { applyDecision } from './approvals.js';
import type { HttpCall } from './definitions.js';
import { defineHttp } from './definitions.js';
import { readBodyText } from './http/body.js';
import { HttpError } from './http/errors.js';
import type { ServicesProvider } from './services.js';

/** The part of a Slack `block_actions` payload we read: who clicked, and which button. */
const BlockActions = z.object({
  type: z.literal('block_actions', { error: 'only block_actions (button clicks) are handled here' }),
  user: z.object({ id: z.string().regex(/^[UW][A-Z0-9]{2,30}$/, 'must be a Slack user id') }),
  actions: z.array(z.object({ action_id: z.string().max(255), value: z.string().max(2000).optional() })).min(1),
  /** Where a note for the clicker goes: Slack ignores the HTTP answer's body for button clicks. */
  response_url: z.string().max(2000).optional(),
});

/**
 * `POST /api/slack/interactions`: Slack sends the clicks on an approval message's Approve / Reject buttons
 * here. Public, because Slack's signature is the authentication (v0 HMAC with `SLACK_SIGNING_SECRET`, five
 * minutes, constant time); without that setting the route does not exist (404). The clicking Slack user
 * decides as the person their Slack e-mail names, and only when the run's approvers name that person
 * (`user:<e-mail>`): group, role and "any operator" approvers cannot be checked from Slack and decide on the
 * run page. Tells the clicker the outcome through the click's `response_url` (an ephemeral note); the
 * message itself is updated by the results flow.
 */
export function slackInteractionsFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'SlackInteractions',
    { route: 'slack/interactions', methods: ['POST'], authLevel: 'anonymous', role: 'public' },
    async (call) => {
      const { request, context, services: app } = call;
      const secret = app.settings.notify.slack?.signingSecret;
      if (!secret || !app.slackUsers)
        throw new HttpError(404, 'Slack interactivity is not enabled (SLACK_SIGNING_SECRET)');
      const rawBody = await readBodyText(request, app.settings.maxBodyBytes);
      const verdict = verifySlackSignature({
        secret,
        timestamp: request.headers.get(SLACK_TIMESTAMP_HEADER),
        signature: request.headers.get(SLACK_SIGNATURE_HEADER),
        rawBody,
        now: new Date(),
      });
      if (!verdict.ok) {
        context.warn(`SlackInteractions: refused (401) ${verdict.error}`);
        throw new HttpError(401, verdict.error);
      }
      const payload = parsePayload(rawBody);
      const action = payload.actions.find((a) => a.action_id === APPROVE_ACTION || a.action_id === REJECT_ACTION);
      // any other button (the link to the run page) is acknowledged and needs nothing
      if (!action) return { status: 200 };
      const { value: execId } = z.object({ value: ExecId }).parse(action);
      const decision: DecisionRequest = { decision: action.action_id === APPROVE_ACTION ? 'approve' : 'reject' };
      const text = await decideFromSlack(call, execId, decision, payload.user.id);
      if (payload.response_url) {
        const reply = await replyToClick(payload.response_url, text, {
          apiUrl: app.settings.notify.slack?.apiUrl ?? '',
        });
        if (!reply.ok) context.warn(`SlackInteractions: the clicker was not told (${reply.reason})`);
      }
      // also in the answer, where clients that read it (and tests) see it
      return ephemeral(text);
    },
  );
}

/** What the clicker is told: the outcome, or why nothing was recorded and where to decide instead. */
async function decideFromSlack(call: HttpCall, execId: string, request: DecisionRequest, slackUserId: string) {
  const { storage, settings, slackUsers } = call.services;
  const runPage = `<${settings.notify.publicUrl}${executionUrl(execId)}|run page>`;
  const refused = (why: string) => `Not recorded: ${why}`;
  const gate = (await storage.executions.get(execId))?.execution.approval;
  if (!gate) return refused(`run ${escapeSlack(execId)} does not exist or does not wait for approval.`);
  const found = await slackUsers?.emailOf(slackUserId);
  if (!found?.ok) {
    return refused(
      `ClouDO could not look you up in Slack (${escapeSlack(found?.reason ?? 'no directory')}). Decide on the ${runPage}.`,
    );
  }
  if (!found.email) {
    return refused(
      `Slack shares no e-mail address for you with ClouDO (its app needs users:read.email), so it cannot tell who you are. Decide on the ${runPage}.`,
    );
  }
  const principal = `user:${found.email.toLowerCase()}`;
  if (!isNamedApprover(gate, principal)) {
    return refused(
      `from Slack, only the approvers this run names one by one (user:<e-mail>) can decide, and ${escapeSlack(found.email)} is not one of them. ` +
        `Approval by group, by role or by any operator is checked when you sign in: decide on the ${runPage}.`,
    );
  }
  if (request.decision === 'reject' && gate.rejectReasonRequired) {
    return refused(`rejecting this run needs a reason, which a button cannot give. Reject it on the ${runPage}.`);
  }
  // the roles a signed-in person would need for this route; the gate's own checks follow in applyDecision
  const caller: Caller = {
    kind: 'user',
    id: `${found.email} (Slack)`,
    roles: ['operator'],
    principal,
    memberships: [],
  };
  try {
    return outcomeText(await applyDecision({ ...call, caller }, execId, request, 'slack'));
  } catch (err) {
    if (err instanceof HttpError) return refused(`${escapeSlack(err.message)}.`);
    throw err;
  }
}

/** Only an approver named one by one can be matched from Slack: memberships and roles are not known there. */
function isNamedApprover(gate: ApprovalGate, principal: string): boolean {
  return gate.approvers.includes(principal);
}

function outcomeText(decided: Run): string {
  const name = escapeSlack(decided.schemaName);
  const needed = decided.approval?.minApprovals ?? 1;
  const have = approvalCount(decided);
  if (decided.status === 'rejected') return `Rejected: the run of ${name} will not run.`;
  if (decided.status === 'accepted') return `Approved: the run of ${name} is queued (${have} of ${needed}).`;
  const missing = needed - have;
  return `Your approval is recorded (${have} of ${needed}): the run of ${name} waits for ${missing} more.`;
}

/** Slack's form body: `payload=<JSON>`; anything else is a 400 naming what is wrong. */
function parsePayload(rawBody: string) {
  const text = new URLSearchParams(rawBody).get('payload');
  if (!text) throw new HttpError(400, 'payload: the body must be form-encoded payload=<JSON>, as Slack sends it');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'payload: not JSON');
  }
  return BlockActions.parse(json);
}

function ephemeral(text: string): HttpResponseInit {
  return { status: 200, jsonBody: { response_type: 'ephemeral', replace_original: false, text } };
}
