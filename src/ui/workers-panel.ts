import type { HtmlFragment } from './html.js';
import { html } from './html.js';
import { timeCell } from './layout.js';

/** A worker as the console lists it (from Table Workers). */
export interface WorkerView {
  readonly capability: string;
  readonly workerId: string;
  readonly host: string;
  readonly version: string;
  readonly concurrency: number;
  readonly runningRuns: readonly string[];
  readonly lastSeen: string;
  /** Heartbeat within the stale window. */
  readonly alive: boolean;
  /** `none`: its runbooks run as the worker's own user and can read its secrets. */
  readonly runbookIsolation: 'separate-users' | 'none';
}

const RUNBOOK_USER = {
  'separate-users': html`<span class="badge badge-succeeded" title="each run as a user of its own">own users</span>`,
  none: html`<span class="badge badge-failed" title="runbooks can read this worker's secrets">worker's user</span>`,
} as const;

/** The workers table under the runs: who can run what, and whether each still answers. */
export function workersPanel(workers: readonly WorkerView[]): HtmlFragment {
  const rows =
    workers.length > 0
      ? workers.map(
          (w) => html`<tr class="worker">
<td>${w.capability}</td><td><code>${w.workerId}</code></td><td>${w.host}</td><td>${w.version}</td>
<td>${w.runningRuns.length} / ${w.concurrency}</td><td>${RUNBOOK_USER[w.runbookIsolation]}</td><td>${timeCell(w.lastSeen)}</td>
<td><span class="badge badge-${w.alive ? 'succeeded' : 'abandoned'}">${w.alive ? 'alive' : 'silent'}</span></td>
</tr>`,
        )
      : html`<tr><td colspan="8" class="muted">No worker has reported in.</td></tr>`;
  return html`<h2>Workers</h2>
<table>
<thead><tr><th>Capability</th><th>Worker</th><th>Host</th><th>Version</th><th>Runs</th><th>Runbooks as</th><th>Last seen</th><th>State</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}
