import type { Execution } from '../core/execution.js';
import { durationMs, isTerminal } from '../core/execution.js';
import type { ApprovalView } from './approval-panel.js';
import { approvalPanel } from './approval-panel.js';
import type { HtmlFragment, HtmlValue } from './html.js';
import { html } from './html.js';
import { formatBytes, formatDuration, layout, NO_SCHEMA, statusBadge, timeCell } from './layout.js';
import { executionUrl } from './links.js';
import { LIVE_LOG_SCRIPT_PATH } from './live-log-script.js';
import type { LogWindowView } from './log-panel.js';
import { logPanel, needsLogScript, wholeLog } from './log-panel.js';
import { logView } from './log-view.js';
import type { RunActionsView } from './run-actions.js';
import { RUN_PAGE_STYLES, rerunLinks, runActions } from './run-actions.js';

/** Seconds between reloads while a run is not finished, so its log grows on screen. */
export const EXECUTION_REFRESH_SECONDS = 2;
/** Seconds between reloads of a waiting run's page for someone with no form to fill. */
export const WAITING_REFRESH_SECONDS = 15;

export interface ExecutionPageInput {
  readonly execution: Execution;
  /**
   * The log, or the part of it the page shows (the handler reads the last 256 KiB of a large one); a
   * string is the whole log. Null when the run has not written one (yet).
   */
  readonly log: LogWindowView | string | null;
  /** A running run shows its duration so far, up to this instant. */
  readonly now: Date;
  /** For a gated run: what the person looking may decide (null: nothing to show, e.g. not gated). */
  readonly approval?: ApprovalView | null;
  /** The Cancel / Re-run buttons the person may use (null or absent: none, as for a viewer). */
  readonly actions?: RunActionsView | null;
}

const NONE = html`<span class="muted">—</span>`;

function orNone(value: string | number | null): HtmlValue {
  return value === null || value === '' ? NONE : value;
}

/** Whether the run got AKS credentials: decided when it was planned, for a listed cluster or the alert's. */
function aksCredentials(e: Execution): HtmlFragment | '' {
  if (!e.aksCredentials) return '';
  const cluster = e.aksCluster === null ? 'the cluster the alert names' : html`<code>${e.aksCluster}</code>`;
  return html`<dt>AKS credentials</dt><dd>for ${cluster}</dd>`;
}

function details(execution: Execution, now: Date): HtmlFragment {
  const e = execution;
  const { trigger } = e;
  return html`<dl>
<dt>Status</dt><dd>${statusBadge(e.status)}</dd>
<dt>Execution id</dt><dd><code>${e.execId}</code></dd>
<dt>Schema</dt><dd>${e.schemaId} <span class="muted">(${e.schemaName ?? NO_SCHEMA}, partition ${e.schemaPartition})</span></dd>
<dt>Runbook</dt><dd><code>${e.runbook}</code></dd>
<dt>Worker</dt><dd>${e.worker}</dd>
${e.status === 'unmatched' ? '' : html`<dt>Azure identity</dt><dd>${e.identity === null ? html`<span class="muted">the default runbook identity</span>` : html`<code>${e.identity}</code>`}</dd>`}
<dt>Arguments</dt><dd>${e.runArgs === '' ? NONE : html`<code>${e.runArgs}</code>`}</dd>
<dt>On-call</dt><dd>${e.oncall ? 'yes' : 'no'}</dd>
<dt>Time limit</dt><dd>${formatDuration(e.timeoutMs)}</dd>
<dt>Trigger</dt><dd>${trigger.source}</dd>
${
  e.monitorCondition === null
    ? ''
    : html`<dt>Alert</dt><dd>${orNone(e.alertRule)} <span class="muted">(${e.monitorCondition})</span></dd>
<dt>Resource</dt><dd>${e.resourceId === null ? NONE : html`<code>${e.resourceId}</code>`}</dd>`
}
${e.deliveries === null ? '' : html`<dt>Deliveries</dt><dd>${e.deliveries} <span class="muted">(repeats of this alert counted here)</span></dd>`}
<dt>Actor</dt><dd>${orNone(trigger.actor)}</dd>
<dt>Team</dt><dd>${orNone(trigger.team)}</dd>
<dt>Requested</dt><dd>${timeCell(e.requestedAt)}</dd>
<dt>Started</dt><dd>${timeCell(e.startedAt)}</dd>
<dt>Finished</dt><dd>${timeCell(e.finishedAt)}</dd>
<dt>Duration</dt><dd>${formatDuration(durationMs(e, now))}</dd>
<dt>Exit code</dt><dd>${orNone(e.exitCode)}</dd>
<dt>Signal</dt><dd>${orNone(e.signal)}</dd>
<dt>Error</dt><dd>${e.error === null ? NONE : html`<pre class="error">${logView(e.error)}</pre>`}</dd>
<dt>Log size</dt><dd>${e.logBytes === null ? NONE : formatBytes(e.logBytes)}</dd>
<dt>Ran on</dt><dd>${ranOn(e)}</dd>
${aksCredentials(e)}
${e.abandonedAt === null ? '' : html`<dt>Reported late</dt><dd>marked abandoned at ${timeCell(e.abandonedAt)} while its worker was out of touch; this is the outcome it reported</dd>`}
${e.notifyError === null ? '' : html`<dt>Notifications</dt><dd><pre class="error">${e.notifyError}</pre></dd>`}
${rerunLinks(e)}
</dl>`;
}

/**
 * One run: every detail, the buttons the person may use, links to its API resources and re-runs, and its
 * log (the end of a large one, with earlier parts on request); follows the run live until it ends.
 */
export function renderExecutionPage(input: ExecutionPageInput): HtmlFragment {
  const { execution } = input;
  const id = encodeURIComponent(execution.execId);
  const log = typeof input.log === 'string' ? wholeLog(input.log) : input.log;
  // a run waiting for people does not reload under them (a half-typed reason would be lost)
  const isWaiting = execution.status === 'pending_approval';
  const isLive = !isTerminal(execution.status) && !isWaiting;
  const body = html`<p class="links">
<a href="/api/logs">← All executions</a>
<a href="/api/executions/${id}/log">Raw log</a>
<a href="/api/executions/${id}">JSON</a>
</p>
<h1>${execution.schemaName ?? NO_SCHEMA} <span id="status">${statusBadge(execution.status)}</span></h1>
${runActions(execution, input.actions ?? null)}
${approvalPanel(execution, input.approval ?? null, input.now)}
${details(execution, input.now)}
<h2>Log</h2>
${logPanel(execution, log, isLive)}`;
  return layout({
    section: 'runs',
    title: `${execution.schemaId ?? ''} · ${execution.status}`,
    body,
    styles: RUN_PAGE_STYLES,
    // a page showing an earlier part of a live log is being read: it does not jump back to the end
    refresh:
      isLive && (log === null || log.end === log.size)
        ? { seconds: EXECUTION_REFRESH_SECONDS, url: executionUrl(execution.execId) }
        : // someone who cannot decide sees the decisions of others arrive
          isWaiting && input.approval?.approveRefusal && input.approval.rejectRefusal
          ? { seconds: WAITING_REFRESH_SECONDS, url: executionUrl(execution.execId) }
          : undefined,
    scripts: needsLogScript(log, isLive) ? [LIVE_LOG_SCRIPT_PATH] : [],
  });
}

/** Where a run ran: its container group and size (an isolated run), or its worker's host. */
function ranOn(e: Execution) {
  const size = e.resources && `${e.resources.cpu} CPU, ${e.resources.memoryGb} GB`;
  if (e.containerGroup !== null) {
    return html`container group <code>${e.containerGroup}</code> <span class="muted">(${size}; its own, deleted after the run; claimed by worker host ${orNone(e.workerHost)})</span>`;
  }
  if (e.workerHost !== null) return html`worker host ${e.workerHost} <span class="muted">(shared)</span>`;
  return e.isolation === 'container'
    ? html`<span class="muted">a container group of its own (${size}), once a worker takes it</span>`
    : NONE;
}
