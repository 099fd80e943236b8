/**
 * The Functions app in Azure starts with exactly the app settings iac/functions.tf gives it, plus the
 * AzureWebJobsStorage__accountName the provider adds (storage_uses_managed_identity). No Azure here, so
 * this stands in plausible values for what Terraform computes and loads the app's settings from them, as
 * the app does at start: with every integration configured, with none, and with Key Vault references the
 * platform could not resolve yet.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ContainerGroupsEnv, containerGroupsSettings } from '../../../src/core/isolation-settings.js';
import { parseSchemasFile } from '../../../src/core/runbook-schema.js';
import { loadAppSettings } from '../../../src/core/settings.js';
import { registrationOptions } from '../../../src/functions/index.js';
import { hclMapEntries, literal, placeholder } from '../../support/iac-values.js';
import { settingsProblems } from '../../support/settings-problems.js';

const functionsTf = readFileSync(new URL('../../../iac/functions.tf', import.meta.url), 'utf8');
/** Every `"NAME" = hcl` of the app's settings maps (storage identity, webhook, the rest). */
const entries = hclMapEntries(functionsTf);
const PROVIDER_MANAGED = { AzureWebJobsStorage__accountName: 'cloudoprodst' };

const isSecret = (hcl: string) => hcl.includes('kv_ref[');
/** `cond ? X : ""`: what an optional integration's setting is when it is not configured. */
const emptyWhenOff = (hcl: string) => /\?[^:]+:\s*""\s*$/.test(hcl.trim());
const WEBHOOK_ONLY = /^CLOUDO_WEBHOOK_/;

function appEnv(options: { configured: boolean; resolveSecrets: boolean }): Record<string, string> {
  const env: Record<string, string> = { ...PROVIDER_MANAGED };
  for (const [name, hcl] of entries) {
    if (!options.configured && (WEBHOOK_ONLY.test(name) || name === 'MICROSOFT_PROVIDER_AUTHENTICATION_SECRET'))
      continue;
    if (!options.configured && emptyWhenOff(hcl)) {
      env[name] = '';
    } else if (isSecret(hcl) && !options.resolveSecrets) {
      env[name] = `@Microsoft.KeyVault(SecretUri=https://cloudoprod-cloudo-kv.vault.azure.net/secrets/${name})`;
    } else {
      env[name] = literal(hcl) ?? placeholder(name);
    }
  }
  return env;
}

describe('the Functions app with the settings of the Terraform module', () => {
  it('reads the settings maps of iac/functions.tf', () => {
    expect([...entries.keys()]).toEqual(
      expect.arrayContaining([
        'CLOUDO_ENV',
        'CLOUDO_SIGNING_KEY',
        'AzureWebJobsStorage__clientId',
        'CLOUDO_SCHEMAS_JSON',
      ]),
    );
    expect(literal(entries.get('CLOUDO_ENV') ?? '')).toBe('production');
  });

  it('starts in production with every integration configured, and imports the schemas it is given', () => {
    const env = appEnv({ configured: true, resolveSecrets: true });
    expect(settingsProblems(() => loadAppSettings(env))).toEqual([]);
    const settings = loadAppSettings(env);
    expect(settings.auth.environment).toBe('production');
    expect(settings.storage.connection).toMatchObject({ kind: 'identity', clientId: placeholder('clientId') });
    expect(settings.notify.slack).not.toBeNull();
    expect(settings.notify.slack?.signingSecret).toBe(placeholder('SLACK_SIGNING_SECRET'));
    expect(settings.notify.opsgenie).not.toBeNull();
    expect(settings.notify.pagerduty).not.toBeNull();
    expect(settings.auth.webhook).not.toBeNull();
    expect(parseSchemasFile(settings.deployedSchemas?.json ?? '').ok).toBe(true);
    expect(registrationOptions(env).triggerAuthLevel).toBe('function');
  });

  it('starts in production with nothing optional configured (the README example without integrations)', () => {
    const env = appEnv({ configured: false, resolveSecrets: true });
    expect(settingsProblems(() => loadAppSettings(env))).toEqual([]);
    const settings = loadAppSettings(env);
    expect(settings.notify).toMatchObject({ slack: null, opsgenie: null, pagerduty: null });
    expect(settings.auth.webhook).toBeNull();
  });

  it('refuses to start while Key Vault references are unresolved, naming each secret setting', () => {
    const secrets = [...entries].filter(([, hcl]) => isSecret(hcl)).map(([name]) => name);
    expect(secrets.sort()).toEqual([
      'CLOUDO_SIGNING_KEY',
      'CLOUDO_WAKE_KEY',
      'CLOUDO_WORKER_KEY',
      'MICROSOFT_PROVIDER_AUTHENTICATION_SECRET',
      'OPSGENIE_API_KEY',
      'PAGERDUTY_ROUTING_KEY',
      'SLACK_SIGNING_SECRET',
      'SLACK_TOKEN',
    ]);
    const problems = settingsProblems(() => loadAppSettings(appEnv({ configured: true, resolveSecrets: false })));
    for (const name of secrets) expect(problems.join('\n')).toContain(`${name} is an unresolved Key Vault reference`);
  });

  it('tells housekeeping where isolated runs’ container groups are, as the app’s own identity', () => {
    const env = appEnv({ configured: true, resolveSecrets: true });
    expect(containerGroupsSettings(z.object(ContainerGroupsEnv).parse(env))).toEqual({
      subscriptionId: '0b6c5a5e-2f3d-4c1a-9e8f-7a6b5c4d3e2f',
      resourceGroup: 'cloudo-prod-rg',
      clientId: '0b6c5a5e-2f3d-4c1a-9e8f-7a6b5c4d3e2f',
      armUrl: 'https://management.azure.com',
      orphanGraceMs: 900_000,
    });
  });
});
