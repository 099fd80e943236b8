import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadAppSettings } from '../../../src/core/settings.js';
import { cloudo } from '../../support/cli.js';

const DEFAULT_KEY = 'kQ9zP2vX7mL4nR8tW1yB6cD3fG5hJ0aS2eU4iO6pA8sD0fG2hJ4kLw==';
const CI_KEY = 'Zx8cV6bN4mQ2wE0rT9yU7iO5pA3sD1fG8hJ6kL4zX2cV0bN8mQ6wEw==';
const MASTER_KEY = 'Mq1wE3rT5yU7iO9pA2sD4fG6hJ8kL0zX1cV3bN5mQ7wE9rT2yU4iOw==';
const SYSTEM_KEY = 'Sy5sT3eM1kE9yV7aL5uE3nO1tF9oR7hT5tP3tR1iG9gE7rS5xY3zAw==';

/** What `az functionapp keys list -g RG -n APP -o json` prints. */
const AZ_KEYS_LIST = JSON.stringify({
  functionKeys: { default: DEFAULT_KEY, 'ci-pipeline': CI_KEY },
  masterKey: MASTER_KEY,
  systemKeys: { durabletask_extension: SYSTEM_KEY },
});

const fingerprint = (key: string) => `sha256:${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;

describe('cloudo keys fingerprints', () => {
  it('names every key that opens Trigger by fingerprint, ready to paste, and prints no key', async () => {
    const res = await cloudo(['keys', 'fingerprints'], {}, AZ_KEYS_LIST);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const setting = `ci-pipeline=${fingerprint(CI_KEY)},default=${fingerprint(DEFAULT_KEY)},master=${fingerprint(MASTER_KEY)}`;
    expect(res.stdout.split('\n')).toEqual([
      `ci-pipeline  ${fingerprint(CI_KEY)}`,
      `default      ${fingerprint(DEFAULT_KEY)}`,
      `master       ${fingerprint(MASTER_KEY)}`,
      '',
      `CLOUDO_FUNCTION_KEY_NAMES=${setting}`,
      `Terraform: function_key_names = { "ci-pipeline" = "${fingerprint(CI_KEY)}", "default" = "${fingerprint(DEFAULT_KEY)}", "master" = "${fingerprint(MASTER_KEY)}" }`,
      '',
    ]);
    // what it prints is what the app reads
    const env = { AzureWebJobsStorage: 'UseDevelopmentStorage=true', CLOUDO_ENV: 'development' };
    const names = loadAppSettings({ ...env, CLOUDO_FUNCTION_KEY_NAMES: setting }).auth.functionKeyNames;
    expect(names.get(fingerprint(MASTER_KEY))).toBe('master');
    for (const key of [DEFAULT_KEY, CI_KEY, MASTER_KEY, SYSTEM_KEY]) expect(res.stdout).not.toContain(key);
  });

  it('refuses input it cannot read without repeating it, and a key named like the master key', async () => {
    const notJson = await cloudo(['keys', 'fingerprints'], {}, `${DEFAULT_KEY}\n`);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toBe(
      'stdin is not the JSON of `az functionapp keys list -g RG -n APP -o json` ({"functionKeys": {...}, "masterKey": "..."})\n',
    );
    const wrongShape = await cloudo(['keys', 'fingerprints'], {}, JSON.stringify({ functionKeys: [DEFAULT_KEY] }));
    expect(wrongShape.code).toBe(2);
    expect(wrongShape.stderr).toMatch(/^stdin is not the JSON of `az functionapp keys list/);
    const clash = await cloudo(
      ['keys', 'fingerprints'],
      {},
      JSON.stringify({ functionKeys: { master: DEFAULT_KEY, 'bad name': CI_KEY }, masterKey: MASTER_KEY }),
    );
    expect(clash.code).toBe(2);
    expect(clash.stderr.split('\n')).toEqual([
      'functionKeys has a key named master, the name the master key gets: rename it (az functionapp keys set)',
      'functionKeys: "bad name" is no name the audit log can show: use letters, digits, _ . or -',
      '',
    ]);
    for (const res of [notJson, wrongShape, clash]) {
      for (const key of [DEFAULT_KEY, CI_KEY, MASTER_KEY]) expect(res.stdout + res.stderr).not.toContain(key);
    }
  });
});
