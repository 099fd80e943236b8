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
