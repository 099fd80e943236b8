import type { Execution } from '../core/execution.js';
import { durationMs } from '../core/execution.js';
import { waitingPanel } from './approval-panel.js';
import type { ExecutionsFilter } from './executions-filters.js';
import { executionsUrl, filterForm } from './executions-filters.js';
import type { HtmlFragment } from './html.js';
import { html } from './html.js';
import { formatDuration, layout, NO_SCHEMA, statusBadge, timeCell } from './layout.js';
import { executionUrl } from './links.js';
import { EXECUTIONS_REFRESH_SECONDS, RUNS_REFRESH_SCRIPT_PATH } from './runs-refresh-script.js';
import type { WorkerView } from './workers-panel.js';
import { workersPanel } from './workers-panel.js';

// the page's surface as index.ts has always listed it; the filter has its own module
export type { ExecutionsFilter };
export { EXECUTIONS_REFRESH_SECONDS, executionsUrl };

export interface ExecutionsPageInput {
  /** Newest first, as the repository returns them. */
  readonly executions: readonly Execution[];
  readonly filter: ExecutionsFilter;
  /** Token of the page shown; undefined on the first page. */
  readonly continuation?: string | undefined;
  /** Token of the next page; null on the last page. */
  readonly nextContinuation: string | null;
  /** Rows the page read to find its runs: with free text, a page stops after a bounded scan. */
  readonly scannedRows?: number;
  /** Running runs show their duration so far, up to this instant. */
  readonly now: Date;
  /** Worker processes and whether they still heartbeat; the panel is left out when absent. */
  readonly workers?: readonly WorkerView[];
  /** Gated runs waiting for a decision, shown on top with their time left. */
  readonly waiting?: readonly Execution[];
}

/**
 * What a free-text page says about itself. The table cannot search text, so a page reads a bounded number
 * of rows: a short page with a continuation is "not found yet", not "not there".
 */
function searchNote(input: ExecutionsPageInput): HtmlFragment | '' {
  const { filter, nextContinuation, scannedRows } = input;
  if (!filter.q || scannedRows === undefined) return '';
  const found = input.executions.length;
  const more = nextContinuation
    ? html` <a href="${executionsUrl(filter, nextContinuation)}" class="search-more">Search further…</a>`
    : html` That was the last of them.`;
  return html`<p class="muted search-note" id="search-note">Searched ${scannedRows} run${scannedRows === 1 ? '' : 's'} for this page, ${found} found.${more}</p>`;
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
      : html`<tr><td colspan="6" class="muted">${
          filter.q && nextContinuation ? 'No match in the runs searched so far.' : 'No executions match.'
        }</td></tr>`;
  const capabilities = (input.workers ?? []).map((w) => w.capability);
  // the refresh script swaps the parts with ids in place (#waiting, #runs tbody, #pages, #workers)
  const body = html`<div id="waiting-slot">${waitingPanel(input.waiting ?? [], input.now)}</div>
<h1>Executions</h1>
${filterForm(filter, capabilities)}
${searchNote(input)}
<table id="runs">
<thead><tr><th>Requested</th><th>Schema</th><th>Runbook</th><th>Worker</th><th>Status</th><th>Duration</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<nav class="pages" id="pages">
${continuation && html`<a href="${executionsUrl(filter)}">First page</a>`}
${nextContinuation && html`<a rel="next" href="${executionsUrl(filter, nextContinuation)}">Next page</a>`}
</nav>
<div id="workers-slot">${input.workers && workersPanel(input.workers)}</div>`;
  return layout({
    section: 'runs',
    title: 'Executions',
    body,
    // with script, the page swaps in fresh rows in place (scroll, focus and typed filters stay); the meta
    // refresh is then only for browsers without it
    refresh: { seconds: EXECUTIONS_REFRESH_SECONDS, url: executionsUrl(filter, continuation) },
    scripts: [RUNS_REFRESH_SCRIPT_PATH],
  });
}
