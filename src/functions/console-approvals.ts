import { decisionRights, stillWaiting } from '../core/approval-policy.js';
import { renderApprovalsPage } from '../ui/index.js';
import { defineHttp } from './definitions.js';
import { htmlResponse, renderError } from './http/html-page.js';
import type { ServicesProvider } from './services.js';

/**
 * `GET /api/console/approvals` (viewer): every run waiting for a decision, with what the caller may do
 * (the same rights `GET /api/approvals` gives), each linking to its run page's decision forms.
 */
export function approvalsPageFunction(services: ServicesProvider) {
  return defineHttp(
    services,
    'ApprovalsPage',
    { route: 'console/approvals', methods: ['GET'], authLevel: 'anonymous', role: 'viewer', renderError },
    async ({ caller, services: { storage } }) => {
      const now = new Date();
      const items = stillWaiting(await storage.executions.listPending(), now).map((execution) => {
        const rights = decisionRights(execution, caller);
        return {
          execution,
          canApprove: rights.approve === null,
          canReject: rights.reject === null,
          cannotDecideBecause: rights.approve && rights.reject ? rights.approve.error : null,
        };
      });
      return htmlResponse(200, renderApprovalsPage(items, now));
    },
  );
}
