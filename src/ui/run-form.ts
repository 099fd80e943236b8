import type { RunbookParameter } from '../core/run-parameters.js';
import type { HtmlFragment } from './html.js';
import { html } from './html.js';

/** Where the Run form's field of a parameter is sent: prefixed, so no parameter can be named like `token`. */
export function paramFieldName(name: string): string {
  return `param.${name}`;
}

/** The Run form of a runbook page, for a person who may start runs. */
export interface RunFormView {
  /** Where it posts (`/api/console/runbooks/{id}/run`). */
  readonly action: string;
  /** The form token issued to this person for this schema (purpose `run-form`). */
  readonly token: string;
  readonly parameters: readonly RunbookParameter[];
  /** What the person sent, by parameter name, when the form comes back with problems; else the defaults show. */
  readonly values?: Readonly<Record<string, string | boolean>> | undefined;
  /** Problems by parameter name; under `''` those of no one parameter. */
  readonly problems?: Readonly<Record<string, readonly string[]>> | undefined;
  /** A gated schema's run waits for approval: the button says so. */
  readonly requiresApproval: boolean;
}

function initialValue(p: RunbookParameter, values: RunFormView['values']): string | number | boolean | undefined {
  if (values) return values[p.name];
  return p.default;
}

/** The control of one parameter; `describedBy` names its hint and its problems, read with the label. */
function control(p: RunbookParameter, value: string | number | boolean | undefined, describedBy: string): HtmlFragment {
  const id = `param-${p.name}`;
  const name = paramFieldName(p.name);
  const invalid = describedBy.includes('-error') ? html` aria-invalid="true"` : '';
  const described = describedBy ? html` aria-describedby="${describedBy}"` : '';
  const required = p.required ? html` required` : '';
  switch (p.type) {
    case 'boolean': {
      // an unchecked box sends nothing: the server reads a missing field as false
      const checked = value === true || value === 'true' ? html` checked` : '';
      return html`<input type="checkbox" id="${id}" name="${name}" value="true"${checked}${described}${invalid}>`;
    }
    case 'number':
      return html`<input type="number" step="any" id="${id}" name="${name}" value="${value === undefined ? '' : String(value)}"${required}${described}${invalid}>`;
    case 'enum': {
      const chosen = value === undefined ? '' : String(value);
      const none = p.required && p.default !== undefined ? '' : html`<option value="">(none)</option>`;
      const options = (p.values ?? []).map((v) =>
        v === chosen ? html`<option selected>${v}</option>` : html`<option>${v}</option>`,
      );
      return html`<select id="${id}" name="${name}"${required}${described}${invalid}>${none}${options}</select>`;
    }
    default: {
      // browsers compile `pattern` with the `v` flag, stricter than the server's `u`: a pattern a browser
      // cannot compile is ignored by it, and the server still checks every value
      const pattern = p.pattern === undefined ? '' : html` pattern="${p.pattern}"`;
      return html`<input type="text" id="${id}" name="${name}" value="${value === undefined ? '' : String(value)}"${pattern}${required}${described}${invalid}>`;
    }
  }
}

function field(p: RunbookParameter, view: RunFormView): HtmlFragment {
  const id = `param-${p.name}`;
  const problems = view.problems?.[p.name] ?? [];
  const hint = p.description ? html`<small class="hint" id="${id}-hint">${p.description}</small>` : '';
  const errors = problems.length > 0 && html`<p class="field-error" id="${id}-error">${problems.join('; ')}</p>`;
  const describedBy = [p.description ? `${id}-hint` : '', problems.length > 0 ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  const marker = p.required && html` <span class="required">(required)</span>`;
  const typeNote = p.type === 'enum' ? 'one of the list' : p.type;
  return html`<div class="field field-${p.type}${problems.length > 0 ? ' has-error' : ''}">
<label for="${id}">${p.name}${marker} <span class="muted">${typeNote}</span></label>
${control(p, initialValue(p, view.values), describedBy)}
${hint}${errors}
</div>`;
}

/** The Run form built from the schema's `parameters`: one labelled control each, then the button. */
export function renderRunForm(view: RunFormView): HtmlFragment {
  const general = view.problems?.[''] ?? [];
  const count = Object.values(view.problems ?? {}).reduce((n, list) => n + list.length, 0);
  // said once at the top, where a screen reader announces it; each field's own problem sits beside it
  const summary =
    count > 0 &&
    html`<div class="form-problems" id="run-problems" role="alert"><p>The run was not started: ${count === 1 ? '1 problem' : `${count} problems`} to fix.</p>${general.length > 0 && html`<ul>${general.map((p) => html`<li>${p}</li>`)}</ul>`}</div>`;
  const fields = view.parameters.map((p) => field(p, view));
  const none = view.parameters.length === 0 && html`<p class="muted">This runbook takes no parameters.</p>`;
  const label = view.requiresApproval ? 'Request run (needs approval)' : 'Run';
  return html`<form class="run-form" method="post" action="${view.action}" aria-labelledby="run-heading">
<input type="hidden" name="token" value="${view.token}">
${summary}${fields}${none}
<button type="submit" class="run">${label}</button>
</form>`;
}
