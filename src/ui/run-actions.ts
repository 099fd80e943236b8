import type { Execution } from '../core/execution.js';
import { canTransition, isRun, isTerminal } from '../core/execution.js';
import type { HtmlFragment } from './html.js';
import { html } from './html.js';
import { executionUrl } from './links.js';

/**
 * What the person looking at a run may do to it. A token is bound to the person, the run and what the
 * form does (cancel or re-run); null leaves the button out (a viewer sees none).
 */
export interface RunActionsView {
  readonly cancelToken: string | null;
  readonly rerunToken: string | null;
}

/** Whether the run may still be cancelled: the state machine says so, not the page. */
export function isCancellable(execution: Execution): boolean {
  return isRun(execution) && canTransition(execution.status, 'cancelled');
}

/** Whether the run can be started again: it has ended, and it ran a schema (an unmatched alert ran nothing). */
export function isRerunnable(execution: Execution): boolean {
  return isRun(execution) && isTerminal(execution.status);
}

function actionForm(execution: Execution, what: 'cancel' | 'rerun', token: string, label: string): HtmlFragment {
  return html`<form method="post" action="${executionUrl(execution.execId)}/${what}" class="run-action">
<input type="hidden" name="token" value="${token}">
<button type="submit" class="${what}">${label}</button>
</form>`;
}

/**
 * The Cancel and Re-run buttons: plain POST forms (they work without script) for the operator the tokens
 * were issued to. Cancel while the run may still be stopped; Re-run once it has ended.
 */
export function runActions(execution: Execution, view: RunActionsView | null): HtmlFragment | '' {
  const cancel =
    view?.cancelToken && isCancellable(execution) && actionForm(execution, 'cancel', view.cancelToken, 'Cancel run');
  const rerun =
    view?.rerunToken && isRerunnable(execution) && actionForm(execution, 'rerun', view.rerunToken, 'Re-run');
  if (!cancel && !rerun) return '';
  return html`<div class="run-actions" id="run-actions">${cancel}${rerun}</div>`;
}

/** The run this one repeats, and the runs that repeat it, as links both ways (`rerun_of`, `reruns`). */
export function rerunLinks(execution: Execution): HtmlFragment | '' {
  const of = isRun(execution) ? execution.rerunOf : null;
  const reruns = execution.reruns;
  if (of === null && reruns.length === 0) return '';
  const link = (execId: string) => html`<a href="${executionUrl(execId)}"><code>${execId}</code></a>`;
  return html`${of === null ? '' : html`<dt>Re-run of</dt><dd id="rerun-of">${link(of)}</dd>`}
${reruns.length === 0 ? '' : html`<dt>Re-runs</dt><dd id="reruns"><ul class="reruns">${reruns.map((r) => html`<li>${link(r)}</li>`)}</ul></dd>`}`;
}

/** The page's own rules: the buttons and the log's controls. */
export const RUN_PAGE_STYLES = html`<style>
  .run-actions { display: flex; gap: .75rem; margin: .5rem 0 1rem; flex-wrap: wrap; }
  button.cancel, button.rerun { font: inherit; font-weight: 600; padding: .4rem 1rem; border-radius: .375rem; border: 0; color: #fff; cursor: pointer; }
  button.cancel { background: #9f1239; }
  button.rerun { background: #1d4ed8; }
  .log-controls { display: flex; gap: 1rem; align-items: baseline; flex-wrap: wrap; margin-bottom: .5rem; }
  .log-controls button { font: inherit; padding: .2rem .75rem; }
  ul.reruns { margin: 0; padding-left: 1.25rem; }
</style>`;
