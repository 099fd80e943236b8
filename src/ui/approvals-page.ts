import { approvalCount, timeLeftMs } from '../core/approval-policy.js';
import type { Execution } from '../core/execution.js';
import type { HtmlFragment } from './html.js';
import { html } from './html.js';
import { formatDuration, layout, timeCell } from './layout.js';
import { executionUrl } from './links.js';

export const APPROVALS_REFRESH_SECONDS = 30;

/** A gated run waiting, and what the person looking may do about it. */
export interface ApprovalInboxItem {
  readonly execution: Execution;
  readonly canApprove: boolean;
  readonly canReject: boolean;
  /** Why they may do neither, or null. */
  readonly cannotDecideBecause: string | null;
}

const STYLES = html`<style>
  .table-scroll { overflow-x: auto; max-width: 100%; }
  .you-may { font-weight: 600; }
</style>`;

function youMay(item: ApprovalInboxItem): HtmlFragment {
  const may = [item.canApprove && 'approve', item.canReject && 'reject'].filter((x) => x !== false);
  if (may.length > 0) return html`<span class="you-may">You may ${may.join(' or ')}</span>`;
  return html`<span class="muted">${item.cannotDecideBecause ?? 'You may not decide on it'}</span>`;
}

function table(id: string, items: readonly ApprovalInboxItem[], now: Date, empty: string): HtmlFragment {
  const rows = items.map(({ execution: e, ...item }) => {
    const gate = e.approval;
    return html`<tr>
<td><a href="${executionUrl(e.execId)}#approval">${e.schemaId}</a><div class="muted">${e.schemaName}</div></td>
<td>${timeCell(e.requestedAt)}</td>
<td>${gate?.requestedBy ?? e.trigger.actor ?? '—'}</td>
<td>${approvalCount(e)} of ${gate?.minApprovals ?? 1}<div class="muted">${gate && gate.approvers.length > 0 ? gate.approvers.join(', ') : 'any operator'}</div></td>
<td class="time-left">${formatDuration(timeLeftMs(e, now))} left</td>
<td>${youMay({ execution: e, ...item })}<div><a href="${executionUrl(e.execId)}#approval">Open the run to decide</a></div></td>
</tr>`;
  });
  return html`<div class="table-scroll"><table id="${id}">
<thead><tr><th scope="col">Schema</th><th scope="col">Requested</th><th scope="col">Requested by</th><th scope="col">Approvals</th><th scope="col">Time left</th><th scope="col">What you may do</th></tr></thead>
<tbody>${rows.length > 0 ? rows : html`<tr><td colspan="6" class="muted">${empty}</td></tr>`}</tbody>
</table></div>`;
}

/**
 * `GET /api/console/approvals`: the runs waiting for a decision, yours to decide first. The decision
 * forms stay on each run's page, where the run's details are: this page links there.
 */
export function renderApprovalsPage(items: readonly ApprovalInboxItem[], now: Date): HtmlFragment {
  const yours = items.filter((i) => i.canApprove || i.canReject);
  const others = items.filter((i) => !i.canApprove && !i.canReject);
  return layout({
    title: 'Approvals',
    section: 'approvals',
    styles: STYLES,
    refresh: { seconds: APPROVALS_REFRESH_SECONDS, url: '/api/console/approvals' },
    body: html`<h1>Approvals</h1>
<p id="approvals-summary">${items.length} run${items.length === 1 ? '' : 's'} waiting for a decision, ${yours.length} of them yours to decide.</p>
<h2>Yours to decide (${yours.length})</h2>
${table('approvals-yours', yours, now, 'Nothing waits for you.')}
<h2>Waiting on others (${others.length})</h2>
${table('approvals-others', others, now, 'Nothing else waits.')}`,
  });
}
