import { z } from 'zod';
import { decideRun } from '../approvals/index.js';
import { DecisionRequest } from '../core/approval-gate.js';
import { stillWaiting } from '../core/approval-policy.js';
import type { Run } from '../core/execution.js';
import { ExecId } from '../core/execution.js';
import { isFormToken } from '../core/form-token.js';
import { executionUrl } from '../ui/index.js';
import type { HttpCall } from './definitions.js';
import { defineHttp } from './definitions.js';
import { loadExecution } from './executions.js';
import { audit } from './http/audit.js';
import { readBodyText, readJsonBody } from './http/body.js';
import { HttpError } from './http/errors.js';
import { renderError } from './http/html-page.js';
import { toApprovalResource } from './http/resources.js';
import type { ServicesProvider } from './services.js';

const ListQuery = z.object({
  /** `mine` (default): the runs the caller may approve; `all`: every run waiting, with what the caller may do. */
  scope: z.enum(['mine', 'all']).default('mine'),
});

/** `GET /api/approvals` (viewer): runs waiting for a decision, newest first, with their time left. */
export function listApprovalsFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'ListApprovals',
    { route: 'approvals', methods: ['GET'], authLevel: 'anonymous', role: 'viewer' },
    async ({ request, caller, services: { storage } }) => {
      const { scope } = ListQuery.parse(Object.fromEntries(request.query));
      const now = new Date();
      const waiting = stillWaiting(await storage.executions.listPending(), now);
      const approvals = waiting.map((e) => toApprovalResource(e, caller, now));
      // an inbox of runs awaiting your approval: your own requests (which you may only withdraw) are not in it
      return { jsonBody: { approvals: scope === 'all' ? approvals : approvals.filter((a) => a.can_approve) } };
    },
  );
}

/** `GET /api/approvals/{execId}` (viewer): one gated run's approval state and what the caller may do. */
export function getApprovalFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'GetApproval',
    { route: 'approvals/{execId}', methods: ['GET'], authLevel: 'anonymous', role: 'viewer' },
    async ({ request, caller, services: { storage } }) => {
      const execution = await loadExecution(storage, request);
      if (!execution.approval) throw new HttpError(404, `execution ${execution.execId} does not need approval`);
      return { jsonBody: toApprovalResource(execution, caller) };
    },
  );
}

/**
 * `POST /api/approvals/{execId}` (operator, and the schema's policy) with `{"decision": "approve"|"reject",
 * "reason": "..."}`: records the decision; the last approval needed queues the run.
 */
export function decideApprovalFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'DecideApproval',
    { route: 'approvals/{execId}', methods: ['POST'], authLevel: 'anonymous', role: 'operator' },
    async (call) => {
      const { execId } = z.object({ execId: ExecId }).parse(call.request.params);
      const body = await readJsonBody(call.request, call.services.settings.maxBodyBytes);
      if (body === undefined)
        throw new HttpError(400, 'body must be JSON: {"decision": "approve"|"reject", "reason": "..."}');
      const decided = await applyDecision(call, execId, DecisionRequest.parse(body), 'api');
      return { jsonBody: toApprovalResource(decided, call.caller) };
    },
  );
}

/**
 * `POST /api/logs/{execId}/decision` (operator): the run page's Approve / Reject form. Besides the
 * cross-site check every POST gets, the form carries a token bound to the person and the run. Answers
 * with a redirect back to the run page (303, so a reload does not post again).
 */
export function decisionFormFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'DecisionForm',
    { route: 'logs/{execId}/decision', methods: ['POST'], authLevel: 'anonymous', role: 'operator', renderError },
    async (call) => {
      const { execId } = await loadExecution(call.services.storage, call.request);
      const form = new URLSearchParams(await readBodyText(call.request, call.services.settings.maxBodyBytes));
      if (!isFormToken(call.services.formKey, call.caller.id, execId, form.get('token') ?? '')) {
        throw new HttpError(403, 'this form was not issued to you for this run: reload the run page and decide again');
      }
      const reason = form.get('reason')?.trim();
      const request = DecisionRequest.parse({ decision: form.get('decision'), ...(reason ? { reason } : {}) });
      await applyDecision(call, execId, request, 'console');
      return { status: 303, headers: { location: executionUrl(execId) } };
    },
  );
}

/**
 * Decides as `caller`, maps a refusal to its HTTP error, and audits what was decided (`via`: where the
 * decision was made). The one way every route records a decision.
 */
export async function applyDecision(
  { request, context, caller, services }: HttpCall,
  execId: string,
  decision: DecisionRequest,
  via: 'api' | 'console' | 'slack',
): Promise<Run> {
  const outcome = await decideRun(
    { storage: services.storage, wake: services.wake, onError: (message, err) => context.error(message, err) },
    execId,
    caller,
    decision,
  );
  switch (outcome.kind) {
    case 'missing':
      throw new HttpError(404, `no execution with id "${execId}"`);
    case 'refused':
      throw new HttpError(outcome.status, outcome.error);
    case 'expired':
      throw new HttpError(
        409,
        `execution ${execId} is expired: its approval window closed at ${outcome.execution.approval?.expiresAt ?? 'its deadline'}`,
      );
    default:
      await audit(services.storage, context, {
        caller,
        request,
        action: decision.decision,
        target: execId,
        details: { outcome: outcome.kind, via, ...(decision.reason ? { reason: decision.reason } : {}) },
      });
      return outcome.execution;
  }
}
