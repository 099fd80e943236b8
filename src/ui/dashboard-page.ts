import type { RunStats, StatsBucket } from '../core/run-stats.js';
import { inlineBar, stackedBars, statusesIn, statusLabel, statusLegend, statusPatterns } from './charts.js';
import type { HtmlFragment } from './html.js';
import { html } from './html.js';
import { formatDuration, layout, timeCell } from './layout.js';

/** The ranges the dashboard offers, and how far back each reaches. */
export const DASHBOARD_RANGES = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
export type DashboardRange = keyof typeof DASHBOARD_RANGES;
/** The page reloads itself this often (no script: a `<meta>` refresh). */
export const DASHBOARD_REFRESH_SECONDS = 60;

export interface DashboardPageInput {
  readonly range: DashboardRange;
  readonly schemaId: string | undefined;
  readonly stats: RunStats;
  /** The scan stopped at its row cap: the oldest part of the range is missing. */
  readonly truncated: boolean;
  readonly computedAt: string;
  /** Schema ids for the filter, besides the one chosen. */
  readonly schemaIds: readonly string[];
}

const STYLES = html`<style>
  .tiles { display: flex; flex-wrap: wrap; gap: .75rem; padding: 0; margin: 0 0 1rem; }
  .tiles div { border: 1px solid var(--line); border-radius: .5rem; padding: .5rem 1rem; min-width: 8rem; }
  .tiles dt { font-size: .85rem; } .tiles dd { font-size: 1.4rem; font-weight: 700; }
  svg.defs { position: absolute; }
  svg.chart { width: 100%; height: auto; max-width: 900px; display: block; }
  svg.chart text { fill: currentColor; font-size: 11px; }
  svg.chart .axis-name { font-size: 10px; fill: var(--muted); }
  svg.chart .gridline { stroke: var(--line); stroke-width: 1; }
  svg.chart .bar-total { font-weight: 600; font-size: 10px; }
  ul.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .25rem 1rem; }
  ul.legend li { display: flex; align-items: center; gap: .35rem; }
  .inline-bar { display: inline-flex; align-items: center; gap: .5rem; }
  .inline-bar svg { width: 6rem; height: .7rem; border: 1px solid var(--muted); }
  .inline-bar .bar-track { fill: transparent; }
  .bar-value { font-variant-numeric: tabular-nums; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .resource { overflow-wrap: anywhere; word-break: break-all; }
  section.chart-block { margin-bottom: 2rem; }
  details summary { cursor: pointer; margin: .5rem 0; }
  .table-scroll { overflow-x: auto; max-width: 100%; }
  .warning { border-left: 4px solid #ca8a04; padding: .25rem .75rem; }
</style>`;

const percent = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)} %`);

/** `14:00` for hour buckets, `05-01` for days: what the axis and each bar's title call a bucket. */
function bucketLabel(stats: RunStats): (bucket: StatsBucket) => string {
  return stats.bucket === 'hour' ? (b) => `${b.start.slice(11, 16)}` : (b) => b.start.slice(5, 10);
}

function filters(input: DashboardPageInput): HtmlFragment {
  const ranges = (Object.keys(DASHBOARD_RANGES) as DashboardRange[]).map(
    (r) => html`<option value="${r}"${r === input.range ? html` selected` : ''}>${r}</option>`,
  );
  const ids = [...new Set([...input.schemaIds, ...(input.schemaId ? [input.schemaId] : [])])].sort();
  const schemas = ids.map(
    (id) => html`<option value="${id}"${id === input.schemaId ? html` selected` : ''}>${id}</option>`,
  );
  return html`<form class="filters" method="get" action="/api/console/dashboard">
<label>Range <select name="range">${ranges}</select></label>
<label>Schema <select name="schema"><option value="">all schemas</option>${schemas}</select></label>
<button type="submit">Show</button>
</form>`;
}

function overTime(stats: RunStats): HtmlFragment {
  const statuses = statusesIn(stats.buckets);
  const label = bucketLabel(stats);
  const unit = stats.bucket === 'hour' ? 'hour' : 'day';
  const busiest = [...stats.buckets].sort((a, b) => b.total - a.total)[0];
  const description = `${stats.total} runs in ${stats.buckets.length} ${unit}s (UTC)${
    busiest && busiest.total > 0 ? `; the busiest ${unit}, ${label(busiest)}, had ${busiest.total}` : ''
  }. ${statuses.map((s) => `${statusLabel(s)}: ${stats.byStatus[s] ?? 0}`).join(', ')}. The table below gives every ${unit}.`;
  const rows = stats.buckets.map(
    (b) =>
      html`<tr><th scope="row">${timeCell(b.start)}</th><td class="num">${b.total}</td>${statuses.map(
        (s) => html`<td class="num">${b.byStatus[s] ?? 0}</td>`,
      )}</tr>`,
  );
  return html`<section class="chart-block" aria-labelledby="over-time-h">
<h2 id="over-time-h">Runs by status, per ${unit}</h2>
${statusLegend(statuses, stats.byStatus)}
${stackedBars({ id: 'runs-over-time', title: `Runs by status per ${unit}`, description, buckets: stats.buckets, statuses, label })}
<details><summary>Runs by status per ${unit}, as a table</summary>
<div class="table-scroll"><table id="runs-over-time-table">
<caption class="muted">Runs by status per ${unit}, by request time (UTC)</caption>
<thead><tr><th scope="col">${unit === 'hour' ? 'Hour' : 'Day'}</th><th scope="col">Total</th>${statuses.map(
    (s) => html`<th scope="col">${statusLabel(s)}</th>`,
  )}</tr></thead>
<tbody>${rows}</tbody>
</table></div></details>
</section>`;
}

function perSchema(stats: RunStats): HtmlFragment {
  const slowest = Math.max(1, ...stats.schemas.map((s) => s.p95DurationMs ?? 0));
  const rows = stats.schemas.map(
    (s) => html`<tr>
<th scope="row"><a href="/api/console/dashboard?schema=${encodeURIComponent(s.schemaId)}">${s.schemaId}</a></th>
<td class="num">${s.runs}</td>
<td>${inlineBar(s.successRate ?? 0, percent(s.successRate))} <span class="muted">${s.succeeded} of ${s.succeeded + s.failures}</span></td>
<td class="num">${formatDuration(s.p50DurationMs)}</td>
<td>${inlineBar((s.p95DurationMs ?? 0) / slowest, formatDuration(s.p95DurationMs), 'running')}</td>
</tr>`,
  );
  return html`<section class="chart-block" aria-labelledby="per-schema-h">
<h2 id="per-schema-h">Success rate and duration per schema</h2>
<p class="muted">Success rate: succeeded ÷ (succeeded + failed, timed out, error, abandoned). Durations: of runs with a start and an end, nearest rank.</p>
<div class="table-scroll"><table id="schema-stats">
<thead><tr><th scope="col">Schema</th><th scope="col">Runs</th><th scope="col">Success rate</th><th scope="col">p50</th><th scope="col">p95 duration</th></tr></thead>
<tbody>${rows.length > 0 ? rows : html`<tr><td colspan="5" class="muted">No runs in this range.</td></tr>`}</tbody>
</table></div>
</section>`;
}

function failing(stats: RunStats): HtmlFragment {
  const mostSchema = Math.max(1, ...stats.topFailingSchemas.map((s) => s.failures));
  const mostResource = Math.max(1, ...stats.topFailingResources.map((r) => r.failures));
  const schemaRows = stats.topFailingSchemas.map(
    (s) => html`<tr><th scope="row"><a href="/api/logs?schema=${encodeURIComponent(s.schemaId)}">${s.schemaId}</a></th>
<td>${inlineBar(s.failures / mostSchema, String(s.failures), 'failed')}</td><td class="num">${s.runs}</td></tr>`,
  );
  const resourceRows = stats.topFailingResources.map(
    (r) => html`<tr><th scope="row" class="resource"><code>${r.resourceId}</code></th>
<td>${inlineBar(r.failures / mostResource, String(r.failures), 'failed')}</td><td>${r.schemaIds.join(', ')}</td></tr>`,
  );
  const none = (cols: number) => html`<tr><td colspan="${cols}" class="muted">No failures in this range.</td></tr>`;
  return html`<section class="chart-block" aria-labelledby="failing-h">
<h2 id="failing-h">Where runs fail</h2>
<h3>Top failing schemas</h3>
<div class="table-scroll"><table id="failing-schemas">
<thead><tr><th scope="col">Schema</th><th scope="col">Failures</th><th scope="col">Runs</th></tr></thead>
<tbody>${schemaRows.length > 0 ? schemaRows : none(3)}</tbody>
</table></div>
<h3>Top failing resources</h3>
<div class="table-scroll"><table id="failing-resources">
<thead><tr><th scope="col">Resource</th><th scope="col">Failures</th><th scope="col">Schemas</th></tr></thead>
<tbody>${resourceRows.length > 0 ? resourceRows : none(3)}</tbody>
</table></div>
</section>`;
}

/** The dashboard: how runs went over a range, per schema, and where they fail; reloads every minute. */
export function renderDashboardPage(input: DashboardPageInput): HtmlFragment {
  const { stats } = input;
  const failures = stats.schemas.reduce((n, s) => n + s.failures, 0);
  const succeeded = stats.byStatus.succeeded ?? 0;
  const query = new URLSearchParams({ range: input.range, ...(input.schemaId ? { schema: input.schemaId } : {}) });
  const body = html`${statusPatterns()}
<h1>Dashboard${input.schemaId ? html`: <code>${input.schemaId}</code>` : ''}</h1>
${filters(input)}
<p class="muted">From ${timeCell(new Date(stats.fromMs).toISOString())} to ${timeCell(new Date(stats.toMs).toISOString())}; computed ${timeCell(input.computedAt)}.</p>
${input.truncated ? html`<p class="warning" role="status">Too many runs to count them all: the oldest part of the range is left out.</p>` : ''}
<dl class="tiles" id="totals">
<div><dt>Runs</dt><dd id="total-runs">${stats.total}</dd></div>
<div><dt>Succeeded</dt><dd id="total-succeeded">${succeeded}</dd></div>
<div><dt>Failures</dt><dd id="total-failures">${failures}</dd></div>
<div><dt>Success rate</dt><dd id="success-rate">${percent(succeeded + failures === 0 ? null : succeeded / (succeeded + failures))}</dd></div>
</dl>
${overTime(stats)}
${perSchema(stats)}
${failing(stats)}`;
  return layout({
    title: 'Dashboard',
    section: 'dashboard',
    styles: STYLES,
    refresh: { seconds: DASHBOARD_REFRESH_SECONDS, url: `/api/console/dashboard?${query}` },
    body,
  });
}
