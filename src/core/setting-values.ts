import { z } from 'zod';

/** Shapes every settings reader shares. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * A true/false setting: blank means `fallback`; anything but true or false (any case) is a problem, so that
 * `CLOUDO_TRUST_EASY_AUTH=yes` is not silently read as false.
 */
export function readBoolean(env: Env, name: string, fallback: boolean, problems: string[]): boolean {
  const value = env[name]?.trim().toLowerCase();
  if (!value) return fallback;
  if (value === 'true' || value === 'false') return value === 'true';
  problems.push(`${name}="${env[name]?.trim()}" is invalid: use true or false`);
  return fallback;
}

/** A whole-number setting in `unit`, between `min` and `max`, every message naming the variable. */
export const WholeNumber = (name: string, min: number, max: number, unit = '') =>
  z.coerce
    .number({ message: `${name} must be a number${unit && ` of ${unit}`}` })
    .int(`${name} must be a whole number${unit && ` of ${unit}`}`)
    .min(min, `${name} must be at least ${min}`)
    .max(max, `${name} must be at most ${max}`);

export const Millis = (name: string, min: number, max: number) => WholeNumber(name, min, max, 'milliseconds');

/** Parses one setting, adding its problems to `problems`; undefined when it is wrong. */
export function readSetting<T>(schema: z.ZodType<T>, value: string | undefined, problems: string[]): T | undefined {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  problems.push(...parsed.error.issues.map((i) => i.message));
  return undefined;
}

/** Blank variables count as unset, as they do in app settings and compose files. */
export function withoutBlanks(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') out[key] = value.trim();
  }
  return out;
}
