import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Which Functions key a caller used. The Functions host checks the key and keeps its name to itself: the
 * Node worker sees only the value the caller presented. The audit log must tell keys apart without ever
 * keeping a value, so a key is known by its fingerprint, `sha256:` and the first 12 hex digits of the
 * SHA-256 of its value, and by the name an admin gave that fingerprint (`CLOUDO_FUNCTION_KEY_NAMES`).
 * Like an API token's hash, it reveals nothing of a random key (the host makes random keys); a guessable
 * custom key could be guessed against it offline, so custom keys must be random too.
 */
export const KeyFingerprint = z
  .string()
  .regex(/^sha256:[0-9a-f]{12}$/, 'must be a key fingerprint: sha256: and 12 hex digits');
export type KeyFingerprint = z.infer<typeof KeyFingerprint>;

/** A key's name as the audit log shows it: `default`, `master`, `ci-pipeline`... */
export const KeyName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
    'must be 1-64 letters, digits, _ . or -, starting with a letter or digit',
  );
export type KeyName = z.infer<typeof KeyName>;

/** The name the Functions host gives its master key; the master key opens key-level routes too. */
export const MASTER_KEY_NAME = 'master';

export const keyFingerprint = (value: string): KeyFingerprint =>
  `sha256:${createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 12)}`;

/** Fingerprint → name, as `CLOUDO_FUNCTION_KEY_NAMES` says. */
export type FunctionKeyNames = ReadonlyMap<KeyFingerprint, KeyName>;

const SETTING = 'CLOUDO_FUNCTION_KEY_NAMES';

/**
 * Reads `name=sha256:<12 hex>,...`, adding every problem to `problems`. A problem names the entry by its
 * position, never by its text: a key value pasted here by mistake must not reach the start-up log.
 */
export function readFunctionKeyNames(value: string | undefined, problems: string[]): FunctionKeyNames {
  const names = new Map<KeyFingerprint, KeyName>();
  const entries = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  entries.forEach((entry, index) => {
    const [name, fingerprint, ...rest] = entry.split('=');
    const parsedName = KeyName.safeParse(name?.trim());
    const parsedFingerprint = KeyFingerprint.safeParse(fingerprint?.trim());
    if (!parsedName.success || !parsedFingerprint.success || rest.length > 0) {
      problems.push(
        `${SETTING}: entry ${index + 1} is not name=sha256:<12 hex digits> (names: letters, digits, _ . -); ` +
          'it holds fingerprints, never key values: `cloudo keys fingerprints` prints them',
      );
      return;
    }
    const known = names.get(parsedFingerprint.data);
    if (known !== undefined && known !== parsedName.data) {
      problems.push(`${SETTING}: ${parsedFingerprint.data} is named both ${known} and ${parsedName.data}`);
      return;
    }
    names.set(parsedFingerprint.data, parsedName.data);
  });
  return names;
}

/** The `CLOUDO_FUNCTION_KEY_NAMES` value that gives these fingerprints these names. */
export function functionKeyNamesSetting(keys: readonly { name: KeyName; fingerprint: KeyFingerprint }[]): string {
  return keys.map(({ name, fingerprint }) => `${name}=${fingerprint}`).join(',');
}

/** How a Functions key caller is recorded: `id` in the audit log and on its runs, `principal` for policies. */
export interface FunctionKeyIdentity {
  /** `functions key <name>`, or `functions key sha256:<12 hex>` for a key nobody named. */
  readonly id: string;
  /** `key:<name>` or `key:sha256:<12 hex>`, lower-case. */
  readonly principal: string;
}

/**
 * Who presented `value`, the key the host checked; null when the request carried none the app can see
 * (the host let it through another way), which is recorded as such rather than guessed.
 */
export function functionKeyIdentity(value: string | null, names: FunctionKeyNames): FunctionKeyIdentity {
  // `?` is in no name and no fingerprint: an unseen key never passes for a named one
  if (!value) return { id: 'functions key (not seen by the app)', principal: 'key:?' };
  const fingerprint = keyFingerprint(value);
  const label = names.get(fingerprint) ?? fingerprint;
  return { id: `functions key ${label}`, principal: `key:${label.toLowerCase()}` };
}
