import { z } from 'zod';

/**
 * Typed parameters of a manual run: a schema declares them, a caller sends values, and the runbook reads
 * each as `CLOUDO_PARAM_<NAME>` from its environment. Values never pass through a shell, nor into argv.
 */

/** Env names are upper case, so names must differ by more than case. */
const NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
/** Longest value a parameter takes: values become environment variables, and patterns run over them. */
export const MAX_PARAM_LENGTH = 4096;

export const ParamValue = z.union([z.string(), z.number(), z.boolean()]);
export type ParamValue = z.infer<typeof ParamValue>;

/** A parameter as a schemas file declares it. */
export const RunbookParameter = z
  .object({
    name: z.string().regex(NAME, 'must be a letter then up to 63 letters, digits or "_"'),
    type: z.enum(['string', 'number', 'boolean', 'enum']).default('string'),
    required: z.boolean().default(false),
    default: ParamValue.optional(),
    /** The choices of an `enum`. */
    values: z.array(z.string().min(1).max(256)).min(1).max(100).optional(),
    /** A regular expression a `string` value must match, whole. */
    pattern: z.string().max(512).optional(),
    description: z.string().max(500).default(''),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.type === 'enum' && !p.values)
      ctx.addIssue({ code: 'custom', path: ['values'], message: 'an enum needs values' });
    if (p.type !== 'enum' && p.values) {
      ctx.addIssue({ code: 'custom', path: ['values'], message: 'only an enum has values' });
    }
    if (p.pattern !== undefined) {
      if (p.type !== 'string')
        ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'only a string has a pattern' });
      else if (patternOf(p.pattern) === null) {
        ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'is not a valid regular expression' });
      }
    }
    if (p.default !== undefined) {
      const problem = valueProblem(p, p.default);
      if (problem) ctx.addIssue({ code: 'custom', path: ['default'], message: problem });
    }
  });
export type RunbookParameter = z.output<typeof RunbookParameter>;

/** A schema's parameter list: names unique whatever their case, since they become env names. */
export const RunbookParameters = z
  .array(RunbookParameter)
  .max(50)
  .superRefine((params, ctx) => {
    const seen = new Map<string, number>();
    params.forEach((p, i) => {
      const first = seen.get(envName(p.name));
      if (first === undefined) seen.set(envName(p.name), i);
      else ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `same variable as parameters[${first}]` });
    });
  });

/** The variable a parameter reaches the runbook as. */
export function envName(name: string): string {
  return `CLOUDO_PARAM_${name.toUpperCase()}`;
}

function patternOf(source: string): RegExp | null {
  try {
    return new RegExp(`^(?:${source})$`, 'u');
  } catch {
    return null;
  }
}

/** `raw` as the parameter's type, or why it is not one. Forms and `--param k=v` send every value as text. */
function coerce(p: RunbookParameter, raw: ParamValue): { value: ParamValue } | { problem: string } {
  if (p.type === 'number') {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
    return Number.isFinite(n) ? { value: n } : { problem: 'must be a number' };
  }
  if (p.type === 'boolean') {
    if (typeof raw === 'boolean') return { value: raw };
    const text = String(raw).toLowerCase();
    return text === 'true' || text === 'false' ? { value: text === 'true' } : { problem: 'must be true or false' };
  }
  if (typeof raw !== 'string') return { problem: 'must be text' };
  return { value: raw };
}

function valueProblem(p: RunbookParameter, raw: ParamValue): string | null {
  const coerced = coerce(p, raw);
  if ('problem' in coerced) return coerced.problem;
  const { value } = coerced;
  if (typeof value !== 'string') return null;
  if (value.length > MAX_PARAM_LENGTH) return `must be at most ${MAX_PARAM_LENGTH} characters`;
  if (value.includes('\0')) return 'must not contain NUL characters';
  if (p.type === 'enum' && !p.values?.includes(value)) return `must be one of ${p.values?.join(', ')}`;
  if (p.pattern !== undefined && !patternOf(p.pattern)?.test(value)) return `must match ${p.pattern}`;
  return null;
}

export type ParamsResult =
  | { readonly ok: true; readonly params: Record<string, ParamValue> }
  | { readonly ok: false; readonly problems: string[] };

/**
 * Checks what a caller sent against the schema's parameters: each problem names its parameter. Defaults
 * fill what was not sent; a parameter neither sent nor defaulted is left out (the runbook sees no variable).
 */
export function resolveParams(declared: readonly RunbookParameter[], sent: unknown): ParamsResult {
  const parsed = z.record(z.string(), ParamValue).safeParse(sent ?? {});
  if (!parsed.success) {
    return { ok: false, problems: ['params must be an object of names to text, numbers or true/false'] };
  }
  const problems: string[] = [];
  const params: Record<string, ParamValue> = {};
  const known = new Set(declared.map((p) => p.name));
  for (const name of Object.keys(parsed.data).filter((n) => !known.has(n))) {
    problems.push(
      declared.length === 0
        ? `params.${name}: this runbook takes no parameters`
        : `params.${name}: unknown parameter (this runbook takes ${[...known].join(', ')})`,
    );
  }
  for (const p of declared) {
    const raw = parsed.data[p.name] ?? p.default;
    if (raw === undefined) {
      if (p.required) problems.push(`params.${p.name}: is required`);
      continue;
    }
    const problem = valueProblem(p, raw);
    if (problem) problems.push(`params.${p.name}: ${problem}`);
    else {
      const coerced = coerce(p, raw);
      if ('value' in coerced) params[p.name] = coerced.value;
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, params };
}

/** The variables a run's parameters give its runbook. */
export function paramsEnv(params: Readonly<Record<string, ParamValue>>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).map(([name, value]) => [envName(name), String(value)]));
}
