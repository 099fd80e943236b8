import { ExecutionStatus } from '../core/execution.js';
import type { TriggerKind } from '../core/execution-search.js';
import { TriggerKind as TriggerKinds } from '../core/execution-search.js';
import type { HtmlFragment } from './html.js';
import { html } from './html.js';

/**
 * What the list shows, as the query string says it (`?status=failed&schema=test&q=vm-01`): the same
 * parameters `GET /api/executions` takes, so a console URL and an API URL search alike.
 */
export interface ExecutionsFilter {
  readonly status?: ExecutionStatus | undefined;
  readonly schema?: string | undefined;
  /** Worker capability. */
  readonly worker?: string | undefined;
  readonly trigger?: TriggerKind | undefined;
  /** Requested at or after, ms since the epoch (the form shows and sends it as UTC). */
  readonly from?: number | undefined;
  /** Requested at or before, ms since the epoch. */
  readonly to?: number | undefined;
  /** Free text: schema, runbook, alert rule, resource id, execution id. */
  readonly q?: string | undefined;
  /** Page size; omitted means the handler's default, and links then omit it too. */
  readonly limit?: number | undefined;
}

/**
 * A time as a `datetime-local` input holds it, in UTC (the console shows every time in UTC): minutes,
 * or seconds when the time has them. The handler reads a zone-less time as UTC, so it round-trips.
 */
export function toFormTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.slice(17, 23) === '00.000' ? iso.slice(0, 16) : iso.slice(0, 19);
}

/** `/api/logs` with the filter (and page token) in its query string. */
export function executionsUrl(filter: ExecutionsFilter, continuation?: string): string {
  const query = new URLSearchParams();
  if (filter.status) query.set('status', filter.status);
  if (filter.schema) query.set('schema', filter.schema);
  if (filter.worker) query.set('worker', filter.worker);
  if (filter.trigger) query.set('trigger', filter.trigger);
  if (filter.from !== undefined) query.set('from', toFormTime(filter.from));
  if (filter.to !== undefined) query.set('to', toFormTime(filter.to));
  if (filter.q) query.set('q', filter.q);
  if (filter.limit !== undefined) query.set('limit', String(filter.limit));
  if (continuation) query.set('continuation', continuation);
  const search = query.toString();
  return search ? `/api/logs?${search}` : '/api/logs';
}

/** Whether any filter is set (the page size is not a filter). */
export function isFiltered(filter: ExecutionsFilter): boolean {
  const { limit: _limit, ...filters } = filter;
  return Object.values(filters).some((value) => value !== undefined && value !== '');
}

function choice<T extends string>(name: string, values: readonly T[], current: T | undefined): HtmlFragment {
  const options = values.map((v) => html`<option value="${v}"${v === current && ' selected'}>${v}</option>`);
  return html`<select name="${name}"><option value="">any</option>${options}</select>`;
}

/**
 * The filter form: a plain GET form (works without script), its fields named as the API's parameters.
 * `workers`: capabilities offered as suggestions for the worker field.
 */
export function filterForm(filter: ExecutionsFilter, workers: readonly string[] = []): HtmlFragment {
  const time = (name: 'from' | 'to', ms: number | undefined) =>
    html`<input type="datetime-local" step="1" name="${name}" value="${ms === undefined ? '' : toFormTime(ms)}">`;
  const suggestions = [...new Set(workers)].sort().map((w) => html`<option value="${w}"></option>`);
  return html`<form class="filters" method="get" action="/api/logs" role="search">
<label>Status ${choice('status', ExecutionStatus.options, filter.status)}</label>
<label>Schema id <input name="schema" value="${filter.schema ?? ''}" placeholder="any"></label>
<label>Worker <input name="worker" value="${filter.worker ?? ''}" placeholder="any" list="worker-names"></label>
<datalist id="worker-names">${suggestions}</datalist>
<label>Trigger ${choice('trigger', TriggerKinds.options, filter.trigger)}</label>
<label>From (UTC) ${time('from', filter.from)}</label>
<label>To (UTC) ${time('to', filter.to)}</label>
<label>Text <input type="search" name="q" value="${filter.q ?? ''}" maxlength="200" placeholder="schema, rule, resource, id"></label>
${filter.limit !== undefined && html`<input type="hidden" name="limit" value="${filter.limit}">`}
<button type="submit">Filter</button>
${isFiltered(filter) && html`<a href="${executionsUrl({ limit: filter.limit })}">Clear filters</a>`}
</form>`;
}
