import type { Execution } from '../core/execution.js';
import { durationMs, ExecutionStatus } from '../core/execution.js';
import { waitingPanel } from './approval-panel.js';
import type { HtmlFragment } from './html.js';
import { html } from './html.js';
import { formatDuration, layout, NO_SCHEMA, statusBadge, timeCell } from './layout.js';
import { executionUrl } from './links.js';
import type { WorkerView } from './workers-panel.js';
import { workersPanel } from './workers-panel.js';

/** Seconds between reloads of the list: new runs and status changes show up without a click. */
export const EXECUTIONS_REFRESH_SECONDS = 5;

/** What the list shows, as the query string says it (`?status=failed&schema=test`). */
export interface ExecutionsFilter {
  readonly status?: ExecutionStatus | undefined;
  readonly schema?: string | undefined;
  /** Page size; omitted means the handler's default, and links then omit it too. */
  readonly limit?: number | undefined;
}

export interface ExecutionsPageInput {
  /** Newest first, as the repository returns them. */
  readonly executions: readonly Execution[];
  readonly filter: ExecutionsFilter;
  /** Token of the page shown; undefined on the first page. */
  readonly continuation?: string | undefined;
  /** Token of the next page; null on the last page. */
  readonly nextContinuation: string | null;
  /** Running runs show their duration so far, up to this instant. */
  readonly now: Date;
  /** Worker processes and whether they still heartbeat; the panel is left out when absent. */
  readonly workers?: readonly WorkerView[];
  /** Gated runs waiting for a decision, shown on top with their time left. */
  readonly waiting?: readonly Execution[];
}

/** `/api/logs` with the filter (and page token) in its query string. */
export function executionsUrl(filter: ExecutionsFilter, continuation?: string): string {
  const query = new URLSearchParams();
  if (filter.status) query.set('status', filter.status);
  if (filter.schema) query.set('schema', filter.schema);
  if (filter.limit !== undefined) query.set('limit', String(filter.limit));
  if (continuation) query.set('continuation', continuation);
  const search = query.toString();
  return search ? `/api/logs?${search}` : '/api/logs';
}

function filterForm(filter: ExecutionsFilter): HtmlFragment {
  const options = ExecutionStatus.options.map(
    (status) => html`<option value="${status}"${status === filter.status && ' selected'}>${status}</option>`,
  );
  return html`<form class="filters" method="get" action="/api/logs">
<label>Status <select name="status"><option value="">any</option>${options}</select></label>
<label>Schema id <input name="schema" value="${filter.schema ?? ''}" placeholder="any"></label>
${filter.limit !== undefined && html`<input type="hidden" name="limit" value="${filter.limit}">`}
<button type="submit">Filter</button>
${(filter.status || filter.schema) && html`<a href="/api/logs">Clear filters</a>`}
</form>`;
}

function row(execution: Execution, now: Date): HtmlFragment {
  return html`<tr>
<td><a href="${executionUrl(execution.execId)}">${timeCell(execution.requestedAt)}</a></td>
<td>${execution.schemaId}<div class="muted">${execution.schemaName ?? NO_SCHEMA}</div></td>
<td>${execution.runbook}</td>
<td>${execution.worker}</td>
<td>${statusBadge(execution.status)}</td>
<td>${formatDuration(durationMs(execution, now))}</td>
</tr>`;
}

/** The list of runs, newest first, filtered, paged, reloading itself every few seconds. */
export function renderExecutionsPage(input: ExecutionsPageInput): HtmlFragment {
  const { filter, continuation, nextContinuation } = input;
  const rows =
    input.executions.length > 0
      ? input.executions.map((execution) => row(execution, input.now))
      : html`<tr><td colspan="6" class="muted">No executions match.</td></tr>`;
  const body = html`${waitingPanel(input.waiting ?? [], input.now)}
<h1>Executions</h1>
${filterForm(filter)}
<table>
<thead><tr><th>Requested</th><th>Schema</th><th>Runbook</th><th>Worker</th><th>Status</th><th>Duration</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<nav class="pages">
${continuation && html`<a href="${executionsUrl(filter)}">First page</a>`}
${nextContinuation && html`<a rel="next" href="${executionsUrl(filter, nextContinuation)}">Next page</a>`}
</nav>
${input.workers && workersPanel(input.workers)}`;
  return layout({
    section: 'runs',
    title: 'Executions',
    body,
    refresh: { seconds: EXECUTIONS_REFRESH_SECONDS, url: executionsUrl(filter, continuation) },
  });
}
