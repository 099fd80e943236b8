import type { Execution } from '../core/execution.js';
import type { HtmlFragment } from './html.js';
import { html } from './html.js';
import { formatBytes } from './layout.js';
import { executionUrl } from './links.js';
import { logView } from './log-view.js';

/** The part of a run's log a page shows: bytes `start`-`end` of `size`, as text. */
export interface LogWindowView {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** The log's size when the page was made. */
  readonly size: number;
}

/** A whole log given as text: the window that is all of it. */
export function wholeLog(text: string): LogWindowView {
  const size = Buffer.byteLength(text);
  return { text, start: 0, end: size, size };
}

/** Whether the page needs the log script: to follow a live run, or to load earlier parts in place. */
export function needsLogScript(log: LogWindowView | null, isLive: boolean): boolean {
  return isLive || (log !== null && log.start > 0);
}

/**
 * Links above the log: earlier output (a plain link to the page ending there, which the script turns into
 * an in-place load), the end when the page shows an earlier part, follow/pause for a live run (a button
 * the script reveals: without it there is nothing to pause), and the download.
 */
function controls(execution: Execution, log: LogWindowView | null, isStreaming: boolean): HtmlFragment {
  const id = encodeURIComponent(execution.execId);
  const page = executionUrl(execution.execId);
  const earlier =
    log && log.start > 0
      ? html`<a id="log-earlier" href="${page}?before=${log.start}#log">Show earlier output</a>
<span class="muted" id="log-earlier-note">${formatBytes(log.start)} before this</span>`
      : '';
  const later = log && log.end < log.size ? html`<a id="log-end" href="${page}#log">Show the end</a>` : '';
  const follow = isStreaming
    ? html`<button type="button" id="log-follow" aria-pressed="true" hidden>Pause</button>
<span class="muted" id="log-held" aria-live="polite"></span>`
    : '';
  const download =
    log && log.size > 0
      ? html`<a href="/api/executions/${id}/log?download=1" download>Download log (${formatBytes(log.size)})</a>`
      : '';
  return html`<div class="log-controls">${earlier}${later}${follow}${download}</div>`;
}

/**
 * A run's log: the window the handler read (the last 256 KiB, or the part a `?before=` link asks for),
 * its colours as classes and everything else as text. A live run's log grows in place: the script streams
 * from the byte this page stops at. A large log never reaches the page whole.
 */
export function logPanel(execution: Execution, log: LogWindowView | null, isLive: boolean): HtmlFragment {
  const id = encodeURIComponent(execution.execId);
  const text = log?.text ?? '';
  const isPart = log !== null && (log.start > 0 || log.end < log.size);
  const range = log ? html` data-log="/api/executions/${id}/log" data-start="${log.start}"` : '';
  // a live run's page showing an earlier part is a page to read, not to follow
  const isStreaming = isLive && (log === null || log.end === log.size);
  let block: HtmlFragment;
  if (isStreaming) {
    block = html`<p class="muted no-log" id="log-empty"${text === '' ? '' : ' hidden'}>No output yet.</p>
<pre class="log" id="log"${range} data-stream="/api/executions/${id}/stream?offset=${log?.end ?? 0}"${text === '' ? ' hidden' : ''}>${logView(text)}</pre>`;
  } else if (execution.status === 'pending_approval') {
    block = html`<p class="muted no-log">It has not started: it waits for approval.</p>`;
  } else if (text === '') {
    block = html`<p class="muted no-log">This run wrote no output.</p>`;
  } else if (isPart) {
    block = html`<pre class="log" id="log"${range}>${logView(text)}</pre>`;
  } else {
    block = html`<pre class="log">${logView(text)}</pre>`;
  }
  return html`${controls(execution, log, isStreaming)}
${block}`;
}
