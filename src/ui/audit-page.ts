import type { AuditEntry } from '../core/audit.js';
import { AuditAction } from '../core/audit.js';
import type { HtmlFragment } from './html.js';
import { html } from './html.js';
import { layout, timeCell } from './layout.js';
import { executionUrl } from './links.js';

/** The audit page's filters as the form sent them (times as typed: `2026-05-01` or an ISO time). */
export interface AuditFilter {
  readonly action?: string | undefined;
  readonly actor?: string | undefined;
  readonly target?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  /** Page size, kept in the paging links when the caller chose one. */
  readonly limit?: string | undefined;
}

export interface AuditPageInput {
  readonly entries: readonly AuditEntry[];
  readonly filter: AuditFilter;
  readonly continuation: string | undefined;
  readonly nextContinuation: string | null;
}

const STYLES = html`<style>
  .table-scroll { overflow-x: auto; max-width: 100%; }
  td.details { font-size: .85rem; overflow-wrap: anywhere; }
  td.details dl { grid-template-columns: max-content 1fr; margin: 0; }
  td.target { overflow-wrap: anywhere; }
  form.filters input { max-width: 14rem; }
</style>`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function auditUrl(filter: AuditFilter, continuation?: string): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (typeof v === 'string' && v !== '') params.set(k, v);
  if (continuation) params.set('continuation', continuation);
  const query = params.toString();
  return `/api/console/audit${query ? `?${query}` : ''}`;
}

function filters(filter: AuditFilter): HtmlFragment {
  const actions = AuditAction.options.map(
    (a) => html`<option value="${a}"${a === filter.action ? html` selected` : ''}>${a}</option>`,
  );
  return html`<form class="filters" method="get" action="/api/console/audit">
<label>Action <select name="action"><option value="">any</option>${actions}</select></label>
<label>Actor <input name="actor" value="${filter.actor ?? ''}" maxlength="256" placeholder="bob (token 3f2a…)"></label>
<label>Target <input name="target" value="${filter.target ?? ''}" maxlength="256" placeholder="execution or schema id"></label>
<label>From <input name="from" value="${filter.from ?? ''}" maxlength="40" placeholder="2026-05-01"></label>
<label>To <input name="to" value="${filter.to ?? ''}" maxlength="40" placeholder="2026-05-01T18:00:00Z"></label>
<button type="submit">Filter</button>
</form>`;
}

function row(e: AuditEntry): HtmlFragment {
  // a run's id links to its page; any other target is shown as text
  const target = UUID.test(e.target) ? html`<a href="${executionUrl(e.target)}">${e.target}</a>` : e.target;
  const details = Object.entries(e.details);
  return html`<tr class="audit-entry">
<td>${timeCell(e.at)}</td><td><code>${e.action}</code></td><td>${e.actorId}<div class="muted">${e.actorKind}</div></td>
<td class="target">${target}</td><td>${e.from}</td>
<td class="details">${details.length > 0 ? html`<dl>${details.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>` : ''}</td>
</tr>`;
}

/** `GET /api/console/audit` (admin): who did what, newest first, filtered, a page at a time. */
export function renderAuditPage(input: AuditPageInput): HtmlFragment {
  const { entries, filter } = input;
  const next = input.nextContinuation
    ? html`<a href="${auditUrl(filter, input.nextContinuation)}" rel="next">Older entries</a>`
    : '';
  const first = input.continuation ? html`<a href="${auditUrl(filter)}">Newest entries</a>` : '';
  return layout({
    title: 'Audit',
    section: 'audit',
    styles: STYLES,
    body: html`<h1>Audit log</h1>
${filters(filter)}
<div class="table-scroll"><table id="audit">
<thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">Who</th><th scope="col">Target</th><th scope="col">From</th><th scope="col">Details</th></tr></thead>
<tbody>${entries.length > 0 ? entries.map(row) : html`<tr><td colspan="6" class="muted">No entry matches.</td></tr>`}</tbody>
</table></div>
<nav class="pages" aria-label="Audit pages">${first}${next}</nav>`,
  });
}
