import { formToken } from '../../core/form-token.js';
import type { ParamValue } from '../../core/run-parameters.js';
import { resolveParams } from '../../core/run-parameters.js';
import type { RunbookSchema } from '../../core/runbook-schema.js';
import type { RunFormView } from '../../ui/index.js';
import { paramFieldName, runbookUrl } from '../../ui/index.js';

/** What a Run form sent: parameter values to start the run with, or the problems to show beside each field. */
export type RunFormInput =
  | { readonly ok: true; readonly params: Record<string, ParamValue> }
  | {
      readonly ok: false;
      /** As typed, by parameter name, so the form comes back filled as it was sent. */
      readonly values: Record<string, string | boolean>;
      /** By parameter name; under `''` those of no one parameter. */
      readonly problems: Record<string, string[]>;
    };

/**
 * A form's fields as parameter values. A browser sends every field as text: an empty one is a value not
 * given (the default applies, or "is required"), and a checkbox left unchecked sends nothing, which is
 * false. The values are checked as `POST /api/executions` checks them (resolveParams).
 */
export function readRunForm(schema: RunbookSchema, form: URLSearchParams): RunFormInput {
  const params: Record<string, ParamValue> = {};
  const values: Record<string, string | boolean> = {};
  for (const p of schema.parameters) {
    const field = form.get(paramFieldName(p.name));
    if (p.type === 'boolean') {
      params[p.name] = values[p.name] = field === 'true';
    } else if (field !== null) {
      values[p.name] = field;
      if (field !== '') params[p.name] = field;
    }
  }
  const resolved = resolveParams(schema.parameters, params);
  if (resolved.ok) return { ok: true, params };
  const problems: Record<string, string[]> = {};
  for (const problem of resolved.problems) {
    // resolveParams names each problem's parameter as `params.<name>: …`
    const named = /^params\.([A-Za-z][A-Za-z0-9_]*): (.*)$/s.exec(problem);
    const key = named?.[1] && schema.parameters.some((p) => p.name === named[1]) ? named[1] : '';
    problems[key] = [...(problems[key] ?? []), key ? (named?.[2] ?? problem) : problem];
  }
  return { ok: false, values, problems };
}

/** The Run form for `callerId`, with its token (purpose `run-form`, bound to the schema) and what was sent. */
export function runFormView(
  formKey: string,
  callerId: string,
  schema: RunbookSchema,
  sent: RunFormInput | undefined,
): RunFormView {
  return {
    action: `${runbookUrl(schema.id)}/run`,
    token: formToken(formKey, callerId, schema.id, 'run-form'),
    parameters: schema.parameters,
    values: sent && !sent.ok ? sent.values : undefined,
    problems: sent && !sent.ok ? sent.problems : undefined,
    requiresApproval: schema.requireApproval,
  };
}
