import { z } from 'zod';
import { functionKeyNamesSetting, KeyName, keyFingerprint, MASTER_KEY_NAME } from '../core/function-key.js';
import type { CommandOutput } from './schemas-command.js';

/**
 * What `az functionapp keys list -g RG -n APP -o json` prints. System keys open extension endpoints,
 * never an HTTP function, so no audit entry can name one: they are left out.
 */
const HostKeys = z.object({
  functionKeys: z.record(z.string(), z.string().min(1)).default({}),
  masterKey: z.string().min(1),
});

const NOT_HOST_KEYS =
  'stdin is not the JSON of `az functionapp keys list -g RG -n APP -o json` ({"functionKeys": {...}, "masterKey": "..."})';

/**
 * `cloudo keys fingerprints`: reads the app's host keys on stdin and prints each key's name and
 * fingerprint, then the `CLOUDO_FUNCTION_KEY_NAMES` value (and the Terraform `function_key_names`) that
 * names them in the audit log. The input is all key values: no message repeats any of it.
 */
export async function printKeyFingerprints(readStdin: () => Promise<string>): Promise<CommandOutput> {
  const text = await readStdin();
  let json: unknown;
  try {
    // editors and PowerShell on Windows may save or pipe a byte-order mark, which JSON.parse refuses
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    // JSON.parse's message quotes the input: a key
    return { exitCode: 2, lines: [NOT_HOST_KEYS] };
  }
  const parsed = HostKeys.safeParse(json);
  if (!parsed.success) return { exitCode: 2, lines: [NOT_HOST_KEYS] };

  const problems: string[] = [];
  const keys = Object.entries(parsed.data.functionKeys).map(([name, value]) => ({ name, value }));
  for (const { name } of keys) {
    if (name === MASTER_KEY_NAME) {
      problems.push(
        `functionKeys has a key named ${MASTER_KEY_NAME}, the name the master key gets: rename it (az functionapp keys set)`,
      );
    } else if (!KeyName.safeParse(name).success) {
      problems.push(`functionKeys: "${name}" is no name the audit log can show: use letters, digits, _ . or -`);
    }
  }
  if (problems.length > 0) return { exitCode: 2, lines: problems };

  const named = [...keys, { name: MASTER_KEY_NAME, value: parsed.data.masterKey }]
    .map(({ name, value }) => ({ name, fingerprint: keyFingerprint(value) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const width = Math.max(...named.map((k) => k.name.length));
  return {
    exitCode: 0,
    lines: [
      ...named.map(({ name, fingerprint }) => `${name.padEnd(width)}  ${fingerprint}`),
      '',
      `CLOUDO_FUNCTION_KEY_NAMES=${functionKeyNamesSetting(named)}`,
      `Terraform: function_key_names = { ${named.map(({ name, fingerprint }) => `"${name}" = "${fingerprint}"`).join(', ')} }`,
    ],
  };
}
