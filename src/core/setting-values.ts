import { z } from 'zod';

/**
 * How every process reads its environment: one zod object per process (functions, worker, CLI, local
 * stack) lists each variable once, with its default and a description; the README's settings table is
 * generated from those objects (`npm run docs:settings`), and a test keeps them equal.
 */
export type Env = Readonly<Record<string, string | undefined>>;

/** What a process reads: each variable's schema states its default; `meta` holds its README description. */
export type EnvShape = Record<string, z.ZodType>;

/**
 * A missing or wrong value stops start-up with a message naming the variable and what to set; every
 * problem is reported at once.
 */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** A variable of a process's environment, with the line the README's settings table gives it. */
export const described = <T extends z.ZodType>(schema: T, description: string): T => schema.meta({ description }) as T;

/** A whole-number setting in `unit`, between `min` and `max`, every message naming the variable. */
export const WholeNumber = (name: string, min: number, max: number, unit = '') =>
  z.coerce
    .number({ message: `${name} must be a number${unit && ` of ${unit}`}` })
    .int(`${name} must be a whole number${unit && ` of ${unit}`}`)
    .min(min, `${name} must be at least ${min}`)
    .max(max, `${name} must be at most ${max}`);

export const Millis = (name: string, min: number, max: number) => WholeNumber(name, min, max, 'milliseconds');

/**
 * A true/false setting, any case; anything else is a problem, so that `CLOUDO_TRUST_EASY_AUTH=yes` is not
 * silently read as false.
 */
export const Bool = (name: string) =>
  z
    .string()
    .transform((v) => v.toLowerCase())
    .pipe(z.enum(['true', 'false'], { error: (i) => `${name}="${String(i.input)}" is invalid: use true or false` }))
    .transform((v) => v === 'true');

/** One of `values`, naming them when the value is another. */
export const OneOf = <const T extends readonly [string, ...string[]]>(name: string, values: T) =>
  z.enum(values, { error: (i) => `${name}="${String(i.input)}" is invalid: use ${values.join(' or ')}` });

/** A URL setting, naming the variable and the value when it is not one. */
export const Url = (name: string) =>
  z.string().refine((v) => URL.canParse(v), { error: (i) => `${name} is not a URL: "${String(i.input)}"` });

/** A comma-separated list; blanks between commas are dropped. */
export const List = () =>
  z.string().transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

export const Guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Blank variables count as unset, as they do in app settings and compose files. */
export function withoutBlanks(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') out[key] = value.trim();
  }
  return out;
}

/**
 * Parses `env` through a process's shape, adding each problem (named by its variable) to `problems`;
 * undefined when any variable is wrong.
 */
export function parseEnv<S extends EnvShape>(
  shape: S,
  env: Env,
  problems: string[],
): z.output<z.ZodObject<S>> | undefined {
  const parsed = z.object(shape).safeParse(withoutBlanks(env));
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    const name = String(issue.path[0] ?? '');
    problems.push(issue.message.startsWith(name) ? issue.message : `${name}: ${issue.message}`);
  }
  return undefined;
}
