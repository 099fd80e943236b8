import { approvalCount, timeLeftMs } from '../core/approval-policy.js';
import type { Execution } from '../core/execution.js';
import type { HtmlFragment } from './html.js';
import { html } from './html.js';
import { formatDuration, timeCell } from './layout.js';
import { executionUrl } from './links.js';

/** What the person looking at a gated run may do about it. */
export interface ApprovalView {
  /** Why they may not approve, or null when they may. */
  readonly approveRefusal: string | null;
  /** Why they may not reject, or null when they may. */
  readonly rejectRefusal: string | null;
  /** Token the decision forms carry, bound to this person and this run. */
  readonly formToken: string;
}

/** `Needs 2 approvals from role:ops, user:bob (not the requester)`. */
function needs(execution: Execution): string {
  const gate = execution.approval;
  if (!gate) return '';
  const from = gate.approvers.length > 0 ? gate.approvers.join(', ') : 'any operator';
  const plural = gate.minApprovals === 1 ? '' : 's';
  return `${gate.minApprovals} approval${plural} from ${from}${gate.allowSelfApproval ? '' : ', not the requester'}`;
}

function decisions(execution: Execution): HtmlFragment | '' {
  if (execution.approvals.length === 0) return '';
  const items = execution.approvals.map(
    (d) =>
      html`<li class="decision decision-${d.decision}"><strong>${d.by}</strong> ${
        d.decision === 'approve' ? 'approved' : 'rejected'
      } ${timeCell(d.at)}${d.reason === null ? '' : html`: <q>${d.reason}</q>`}</li>`,
  );
  return html`<ol class="decisions">${items}</ol>`;
}

function forms(execution: Execution, view: ApprovalView): HtmlFragment {
  const action = `${executionUrl(execution.execId)}/decision`;
  const required = execution.approval?.rejectReasonRequired ? ' required' : '';
  const approve =
    view.approveRefusal === null
      ? html`<form method="post" action="${action}" class="decide">
<input type="hidden" name="token" value="${view.formToken}">
<input type="hidden" name="decision" value="approve">
<button type="submit" class="approve">Approve</button>
</form>`
      : '';
  const reject =
    view.rejectRefusal === null
      ? html`<form method="post" action="${action}" class="decide">
<input type="hidden" name="token" value="${view.formToken}">
<input type="hidden" name="decision" value="reject">
<label>Reason <textarea name="reason" maxlength="1000" rows="2"${required}></textarea></label>
<button type="submit" class="reject">Reject</button>
</form>`
      : '';
  // one reason is enough when both are refused for the same cause
  const refusals = [...new Set([view.approveRefusal, view.rejectRefusal])].filter((r) => r !== null);
  const why =
    approve === '' && reject === ''
      ? html`<p class="muted cannot-decide">${refusals.join('; ')}</p>`
      : approve === '' && view.approveRefusal
        ? html`<p class="muted cannot-decide">${view.approveRefusal}</p>`
        : '';
  return html`<div class="decide-forms">${approve}${reject}</div>${why}`;
}

/**
 * A gated run's approval: who asked, what it needs, the decisions so far and, while it waits, the
 * Approve / Reject forms for those who may use them (plain POST forms: they work without JavaScript).
 */
export function approvalPanel(execution: Execution, view: ApprovalView | null, now: Date): HtmlFragment | '' {
  const gate = execution.approval;
  if (!gate) return '';
  const waiting = execution.status === 'pending_approval';
  const left = timeLeftMs(execution, now);
  return html`<section class="approval${waiting ? ' waiting' : ''}" id="approval">
<h2>${waiting ? 'Waiting for approval' : 'Approval'}</h2>
<dl>
<dt>Requested by</dt><dd>${gate.requestedBy ?? execution.trigger.actor ?? 'nobody known (access control off)'}</dd>
<dt>Needs</dt><dd>${needs(execution)} <span class="muted">(${approvalCount(execution)} so far)</span></dd>
${
  waiting
    ? html`<dt>Decide by</dt><dd>${timeCell(gate.expiresAt)} <strong class="time-left">${formatDuration(left)} left</strong></dd>
<dt>Will run</dt><dd><code>${execution.runbook}</code> on ${execution.worker}, from ${
        execution.commitSha
          ? html`commit <code>${execution.commitSha}</code>`
          : 'the runbook source current when a worker starts it'
      }</dd>`
    : ''
}
</dl>
${decisions(execution)}
${waiting && view ? forms(execution, view) : ''}
</section>`;
}

/** The runs waiting for a decision, shown above the list of runs with their time left. */
export function waitingPanel(waiting: readonly Execution[], now: Date): HtmlFragment | '' {
  if (waiting.length === 0) return '';
  const rows = waiting.map(
    (e) => html`<tr>
<td><a href="${executionUrl(e.execId)}">${timeCell(e.requestedAt)}</a></td>
<td>${e.schemaId}<div class="muted">${e.schemaName}</div></td>
<td>${e.approval?.requestedBy ?? e.trigger.actor ?? '—'}</td>
<td>${approvalCount(e)} of ${e.approval?.minApprovals ?? 1}</td>
<td class="time-left">${formatDuration(timeLeftMs(e, now))} left</td>
</tr>`,
  );
  return html`<section class="waiting" id="waiting">
<h2>Waiting for approval (${waiting.length})</h2>
<table>
<thead><tr><th>Requested</th><th>Schema</th><th>Requested by</th><th>Approvals</th><th>Time left</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</section>`;
}
