import type { HtmlFragment } from './html.js';
import { html } from './html.js';
import { layout } from './layout.js';
import type { WorkerView } from './workers-panel.js';
import { workersPanel } from './workers-panel.js';

/** The workers page reloads itself this often: heartbeats come every few seconds. */
export const WORKERS_REFRESH_SECONDS = 15;

const STYLES = html`<style>
  .table-scroll { overflow-x: auto; max-width: 100%; }
  td.num { font-variant-numeric: tabular-nums; }
</style>`;

/** Per capability: how many workers answer, and how much of their room is taken. */
function capabilities(workers: readonly WorkerView[]): HtmlFragment {
  const byCapability = new Map<string, WorkerView[]>();
  for (const w of workers) byCapability.set(w.capability, [...(byCapability.get(w.capability) ?? []), w]);
  const rows = [...byCapability]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([capability, list]) => {
      const alive = list.filter((w) => w.alive);
      const running = alive.reduce((n, w) => n + w.runningRuns.length, 0);
      const room = alive.reduce((n, w) => n + w.concurrency, 0);
      return html`<tr><th scope="row">${capability}</th><td class="num">${alive.length} of ${list.length}</td>
<td class="num">${running} / ${room}</td><td>${alive.length === 0 ? html`<strong>no live worker: its runs wait in the queue</strong>` : 'serving'}</td></tr>`;
    });
  return html`<h2>Capabilities</h2>
<div class="table-scroll"><table id="capabilities">
<thead><tr><th scope="col">Capability</th><th scope="col">Alive</th><th scope="col">Running / room</th><th scope="col">State</th></tr></thead>
<tbody>${rows.length > 0 ? rows : html`<tr><td colspan="4" class="muted">No worker has reported in.</td></tr>`}</tbody>
</table></div>`;
}

/** `GET /api/console/workers`: who can run what, how busy each is, and when it was last heard from. */
export function renderWorkersPage(workers: readonly WorkerView[]): HtmlFragment {
  const alive = workers.filter((w) => w.alive).length;
  return layout({
    title: 'Workers',
    section: 'workers',
    styles: STYLES,
    refresh: { seconds: WORKERS_REFRESH_SECONDS, url: '/api/console/workers' },
    body: html`<h1>Workers</h1>
<p id="workers-summary">${alive} of ${workers.length} worker${workers.length === 1 ? '' : 's'} alive. <span class="muted">A worker is silent when its heartbeat is older than the stale window; "Runbooks as" says whether runbooks run as users of their own or as the worker's user, who can read its secrets.</span></p>
${capabilities(workers)}
<div class="table-scroll">${workersPanel(workers)}</div>`,
  });
}
