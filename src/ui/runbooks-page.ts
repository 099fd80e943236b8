import type { ExecutionStatus } from '../core/execution.js';
import type { RunbookSchema } from '../core/runbook-schema.js';
import type { HtmlFragment } from './html.js';
import { html } from './html.js';
import { layout, statusBadge, timeCell } from './layout.js';
import { tagList } from './tags.js';

/** The URL of one runbook's page in the console. */
export function runbookUrl(schemaId: string): string {
  return `/api/console/runbooks/${encodeURIComponent(schemaId)}`;
}

/** The newest run of a schema, as the catalogue shows it. */
export interface LastRunView {
  readonly status: ExecutionStatus;
  readonly requestedAt: string;
}

export interface RunbookListItem {
  readonly schema: RunbookSchema;
  /** Null when the scan of recent runs found none (see `lastRunSince`). */
  readonly lastRun: LastRunView | null;
}

export interface RunbooksFilter {
  /** Free text: id, name, description or runbook path, any case. */
  readonly q?: string | undefined;
  readonly worker?: string | undefined;
  readonly team?: string | undefined;
}

export interface RunbooksPageInput {
  readonly runbooks: readonly RunbookListItem[];
  readonly filter: RunbooksFilter;
  /** Every worker and team some schema names: the filters' choices. */
  readonly workers: readonly string[];
  readonly teams: readonly string[];
  /** Schemas in all, before filtering. */
  readonly total: number;
  /** How far back the last runs were looked for (ISO time): "none since" means none found after it. */
  readonly lastRunSince: string;
}

const STYLES = html`<style>
  form.filters input[type="search"] { min-width: 18rem; }
  td.runbook a { font-weight: 600; }
  td.runbook .id, td.description { overflow-wrap: anywhere; }
  ul.rules { margin: 0; padding-left: 1rem; }
  p.count { color: var(--muted); }
</style>`;

function select(name: string, label: string, choices: readonly string[], chosen: string | undefined): HtmlFragment {
  const options = choices.map((c) =>
    c === chosen ? html`<option selected>${c}</option>` : html`<option>${c}</option>`,
  );
  return html`<label for="filter-${name}">${label}<select id="filter-${name}" name="${name}"><option value="">any</option>${options}</select></label>`;
}

function filterForm(input: RunbooksPageInput): HtmlFragment {
  const { filter } = input;
  return html`<form class="filters" method="get" action="/api/console/runbooks" role="search">
<label for="filter-q">Search<input type="search" id="filter-q" name="q" value="${filter.q ?? ''}" placeholder="name, id, description, runbook"></label>
${select('worker', 'Worker', input.workers, filter.worker)}
${select('team', 'Team', input.teams, filter.team)}
<button type="submit" id="filter-submit">Search</button>
${(filter.q || filter.worker || filter.team) && html`<a href="/api/console/runbooks">Clear</a>`}
</form>`;
}

function approvalCell(schema: RunbookSchema): HtmlFragment {
  if (!schema.requireApproval) return html`<span class="muted">none</span>`;
  const n = schema.minApprovals;
  return html`required: ${n === 1 ? '1 approval' : `${n} approvals`}`;
}

function lastRunCell(lastRun: LastRunView | null, since: string): HtmlFragment {
  if (!lastRun) return html`<span class="muted">none since ${timeCell(since)}</span>`;
  return html`${statusBadge(lastRun.status)} ${timeCell(lastRun.requestedAt)}`;
}

function row({ schema, lastRun }: RunbookListItem, since: string): HtmlFragment {
  const rules =
    schema.alertRules.length === 0
      ? html`<span class="muted">—</span>`
      : html`<ul class="rules">${schema.alertRules.map((r) => html`<li>${r}</li>`)}</ul>`;
  return html`<tr>
<td class="runbook"><a href="${runbookUrl(schema.id)}">${schema.name}</a><br><code class="id muted">${schema.id}</code></td>
<td class="description">${schema.description || html`<span class="muted">—</span>`}${tagList(schema.tags) ?? ''}</td>
<td>${schema.worker}</td>
<td>${schema.team ?? html`<span class="muted">—</span>`}</td>
<td>${schema.oncall ? 'pages on failure' : html`<span class="muted">no</span>`}</td>
<td>${approvalCell(schema)}</td>
<td>${rules}</td>
<td class="last-run">${lastRunCell(lastRun, since)}</td>
</tr>`;
}

/** `GET /api/console/runbooks`: every runbook schema, searchable, with its last run. */
export function renderRunbooksPage(input: RunbooksPageInput): HtmlFragment {
  const shown = input.runbooks.length;
  const count = shown === input.total ? `${shown} runbooks` : `${shown} of ${input.total} runbooks match`;
  const table =
    shown === 0
      ? html`<p class="empty">No runbook matches these filters.</p>`
      : html`<table id="runbooks">
<caption class="muted">Last runs are looked for among recent runs only, back to ${timeCell(input.lastRunSince)}.</caption>
<thead><tr><th scope="col">Runbook</th><th scope="col">Description</th><th scope="col">Worker</th><th scope="col">Team</th><th scope="col">On-call</th><th scope="col">Approval</th><th scope="col">Alert rules</th><th scope="col">Last run</th></tr></thead>
<tbody>${input.runbooks.map((item) => row(item, input.lastRunSince))}</tbody>
</table>`;
  return layout({
    title: 'Runbooks',
    section: 'runbooks',
    styles: STYLES,
    body: html`<h1>Runbooks</h1>
${filterForm(input)}
<p class="count" aria-live="polite">${count}</p>
${table}`,
  });
}
