import type { Execution } from '../core/execution.js';
import { durationMs } from '../core/execution.js';
import type { RunbookParameter } from '../core/run-parameters.js';
import type { RunbookSchema } from '../core/runbook-schema.js';
import type { HtmlFragment } from './html.js';
import { html } from './html.js';
import { formatDuration, layout, statusBadge, timeCell } from './layout.js';
import { executionUrl } from './links.js';
import { LOCAL_TIMES_SCRIPT_PATH } from './local-times.js';
import type { RunFormView } from './run-form.js';
import { renderRunForm } from './run-form.js';
import type { RunbookScheduleView } from './schedule-cells.js';
import { SCHEDULE_STYLES, schedulesSection } from './schedule-cells.js';
import type { SourceLanguage } from './source-highlight.js';
import { highlightSource } from './source-highlight.js';
import { tagList } from './tags.js';

/** Where the runbook's source comes from, and the source itself when its worker published it. */
export interface RunbookSourceView {
  readonly path: string;
  /** The commit runs resolve against (Git), or null for a folder. */
  readonly commit: string | null;
  /** The file at that commit on the Git host, or null. */
  readonly url: string | null;
  /** The text and its language, or why it cannot be shown. */
  readonly content: { readonly text: string; readonly language: SourceLanguage } | { readonly problem: string };
}

export interface RunbookPageInput {
  readonly schema: RunbookSchema;
  readonly source: RunbookSourceView;
  /** The newest runs of the schema, newest first. */
  readonly recentRuns: readonly Execution[];
  readonly now: Date;
  /** The Run form for a person who may start runs; null for everyone else (a viewer sees none). */
  readonly runForm: RunFormView | null;
  /** The schema's schedules, in id order, each with its next fire time. */
  readonly schedules: readonly RunbookScheduleView[];
}

const STYLES = html`<style>
  section { margin-bottom: 1.5rem; }
  pre.source { max-height: 40rem; overflow: auto; white-space: pre; }
  .tok-comment { color: #9ca3af; font-style: italic; } .tok-string { color: #86efac; }
  .tok-keyword { color: #93c5fd; font-weight: 600; } .tok-variable { color: #fde047; }
  form.run-form { display: grid; gap: .9rem; max-width: 40rem; }
  form.run-form .field { display: grid; gap: .2rem; }
  form.run-form .field-boolean { grid-template-columns: max-content 1fr; align-items: center; column-gap: .5rem; }
  form.run-form .field-boolean label { grid-column: 2; grid-row: 1; }
  form.run-form .field-boolean .hint, form.run-form .field-boolean .field-error { grid-column: 1 / -1; }
  form.run-form input[type="text"], form.run-form input[type="number"], form.run-form select { font: inherit; padding: .3rem; max-width: 100%; }
  .hint { color: var(--muted); }
  .required { color: #b91c1c; font-weight: 600; }
  .field-error, .form-problems { color: #b91c1c; font-weight: 600; margin: 0; }
  .has-error input, .has-error select { border: 2px solid #b91c1c; }
  button.run { justify-self: start; font: inherit; font-weight: 600; padding: .45rem 1.25rem; border-radius: .375rem; border: 0; color: #fff; background: #1d4ed8; cursor: pointer; }
  @media (prefers-color-scheme: dark) { .required, .field-error, .form-problems { color: #fca5a5; } }
</style>`;

const dash = html`<span class="muted">—</span>`;

/** When the schema's runs get AKS credentials (`aks_credentials`); `auto` is decided for each alert. */
const AKS_CREDENTIALS: Readonly<Record<string, string>> = {
  true: '; AKS credentials for the cluster the alert names',
  auto: '; AKS credentials when the alert is about a cluster of the AKS integration',
  false: '',
};

function schemaFields(s: RunbookSchema): HtmlFragment {
  const approval = s.requireApproval
    ? html`${s.minApprovals === 1 ? '1 approval' : `${s.minApprovals} approvals`} from ${s.approvers.length > 0 ? s.approvers.join(', ') : 'any other operator'}${s.allowSelfApproval ? ' (the requester may approve)' : ''}, within ${s.approvalTimeoutMinutes} min`
    : html`not required`;
  return html`<dl class="schema">
<dt>Id</dt><dd><code>${s.id}</code> <span class="muted">(partition ${s.partitionKey})</span></dd>
<dt>Description</dt><dd>${s.description || dash}</dd>
<dt>Tags</dt><dd>${tagList(s.tags) ?? dash}</dd>
<dt>Runbook</dt><dd><code>${s.runbook}</code>${s.runArgs && html` <code>${s.runArgs}</code>`}</dd>
<dt>Worker</dt><dd>${s.worker}</dd>
<dt>Isolation</dt><dd>${s.isolation === 'container' ? `each run in a container group of its own (${s.resources?.cpu ?? 1} CPU, ${s.resources?.memoryGb ?? 1.5} GB)` : 'shared worker'}</dd>
<dt>Team</dt><dd>${s.team ?? dash}</dd>
<dt>Azure identity</dt><dd>${s.identity === null ? html`<span class="muted">the default runbook identity</span>` : html`<code>${s.identity}</code>`}</dd>
<dt>On-call</dt><dd>${s.oncall ? 'a failure pages the on-call team' : 'no'}</dd>
<dt>Approval</dt><dd>${approval}</dd>
<dt>Time limit</dt><dd>${formatDuration(s.timeoutSeconds * 1000)}</dd>
<dt>Alert rules</dt><dd>${s.alertRules.length > 0 ? s.alertRules.join(', ') : dash}</dd>
<dt>Alerts</dt><dd>repeats within ${s.dedupeWindowMinutes} min start one run; resolved: ${s.onResolved}; concurrency: ${s.concurrency}${AKS_CREDENTIALS[String(s.aksCredentials)]}</dd>
</dl>`;
}

function parameterRow(p: RunbookParameter): HtmlFragment {
  const rule = p.values ? p.values.join(', ') : p.pattern !== undefined ? html`<code>${p.pattern}</code>` : dash;
  return html`<tr><th scope="row"><code>${p.name}</code></th><td>${p.type}</td><td>${p.required ? 'yes' : 'no'}</td>
<td>${p.default === undefined ? dash : html`<code>${String(p.default)}</code>`}</td><td>${rule}</td><td>${p.description || dash}</td></tr>`;
}

function parametersSection(parameters: readonly RunbookParameter[]): HtmlFragment {
  const body =
    parameters.length === 0
      ? html`<p class="muted">None: runs of this runbook take no parameters.</p>`
      : html`<table id="parameters"><thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Required</th><th scope="col">Default</th><th scope="col">Values or pattern</th><th scope="col">Description</th></tr></thead>
<tbody>${parameters.map(parameterRow)}</tbody></table>`;
  return html`<section aria-labelledby="parameters-heading"><h2 id="parameters-heading">Parameters</h2>${body}</section>`;
}

function sourceSection(source: RunbookSourceView): HtmlFragment {
  const where = source.commit
    ? html`at commit <code>${source.commit.slice(0, 12)}</code>${source.url && html` · <a href="${source.url}" rel="noreferrer">view the file at this commit</a>`}`
    : html`from its worker's runbook folder`;
  const body =
    'text' in source.content
      ? html`<pre class="source lang-${source.content.language}" tabindex="0" aria-label="Source of ${source.path}"><code>${highlightSource(source.content.text, source.content.language)}</code></pre>`
      : html`<p class="source-problem">The source cannot be shown: ${source.content.problem}.</p>`;
  return html`<section aria-labelledby="source-heading"><h2 id="source-heading">Source</h2>
<p><code>${source.path}</code> ${where}</p>
${body}</section>`;
}

function runRow(e: Execution, now: Date): HtmlFragment {
  const who = e.trigger.actor ? ` by ${e.trigger.actor}` : '';
  return html`<tr><td><a href="${executionUrl(e.execId)}">${statusBadge(e.status)}</a></td><td>${timeCell(e.requestedAt)}</td>
<td>${formatDuration(durationMs(e, now))}</td><td>${e.trigger.source}${who}</td>
<td><a href="${executionUrl(e.execId)}"><code>${e.execId}</code></a></td></tr>`;
}

function recentRunsSection(schema: RunbookSchema, runs: readonly Execution[], now: Date): HtmlFragment {
  const all = `/api/logs?schema=${encodeURIComponent(schema.id)}`;
  const body =
    runs.length === 0
      ? html`<p class="muted">No run yet.</p>`
      : html`<table id="recent-runs"><thead><tr><th scope="col">Status</th><th scope="col">Requested</th><th scope="col">Duration</th><th scope="col">Trigger</th><th scope="col">Run</th></tr></thead>
<tbody>${runs.map((e) => runRow(e, now))}</tbody></table>`;
  return html`<section aria-labelledby="runs-heading"><h2 id="runs-heading">Recent runs</h2>${body}
<p><a href="${all}">All runs of this runbook</a></p></section>`;
}

/** `GET /api/console/runbooks/{id}`: a runbook's schema, parameters, source and runs, and its Run form. */
export function renderRunbookPage(input: RunbookPageInput): HtmlFragment {
  const { schema } = input;
  const form =
    input.runForm &&
    html`<section aria-labelledby="run-heading" id="run"><h2 id="run-heading">Run</h2>${renderRunForm(input.runForm)}</section>`;
  return layout({
    title: schema.name,
    section: 'runbooks',
    styles: html`${STYLES}${input.schedules.length > 0 && SCHEDULE_STYLES}`,
    scripts: input.schedules.length > 0 ? [LOCAL_TIMES_SCRIPT_PATH] : [],
    body: html`<p><a href="/api/console/runbooks">All runbooks</a></p>
<h1>${schema.name}</h1>
${form}
${schemaFields(schema)}
${parametersSection(schema.parameters)}
${schedulesSection(input.schedules)}
${sourceSection(input.source)}
${recentRunsSection(schema, input.recentRuns, input.now)}`,
  });
}
