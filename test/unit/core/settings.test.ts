import { describe, expect, it } from 'vitest';
import { SettingsError } from '../../../src/core/setting-values.js';
import { loadAppSettings, loadRegistrationSettings } from '../../../src/core/settings.js';
import { loadStorageSettings } from '../../../src/core/storage-settings.js';
import { loadWorkerSettings } from '../../../src/core/worker-settings.js';
import { settingsProblems } from '../../support/settings-problems.js';

const CONN = 'DefaultEndpointsProtocol=http;AccountName=a;AccountKey=a2V5;QueueEndpoint=http://127.0.0.1:1/a';

describe('settings', () => {
  it('reads a connection string', () => {
    expect(loadStorageSettings({ AzureWebJobsStorage: CONN })).toEqual({
      connection: { kind: 'connection-string', connectionString: CONN },
      namespace: '',
    });
  });

  it('reads identity-based settings the way Functions names them', () => {
    expect(
      loadStorageSettings({ AzureWebJobsStorage__accountName: 'acct', AzureWebJobsStorage__clientId: 'cid' })
        .connection,
    ).toEqual({
      kind: 'identity',
      tableServiceUri: 'https://acct.table.core.windows.net',
      queueServiceUri: 'https://acct.queue.core.windows.net',
      blobServiceUri: 'https://acct.blob.core.windows.net',
      clientId: 'cid',
    });
  });

  it('names what is missing when only some service URIs are set', () => {
    expect(() => loadStorageSettings({ AzureWebJobsStorage__queueServiceUri: 'https://q.example' })).toThrow(
      /AzureWebJobsStorage__tableServiceUri, AzureWebJobsStorage__blobServiceUri/,
    );
  });

  it('stops with the variable to set when storage is not configured', () => {
    expect(() => loadAppSettings({})).toThrow(SettingsError);
    expect(() => loadAppSettings({})).toThrow(/AzureWebJobsStorage is not set/);
  });

  it('refuses a connection string without a key', () => {
    expect(() => loadStorageSettings({ AzureWebJobsStorage: 'AccountName=a' })).toThrow(/lacks AccountKey/);
  });

  it('gives workers their defaults and collects every problem at once', () => {
    const ok = loadWorkerSettings({ AzureWebJobsStorage: CONN, CLOUDO_WORKER: 'Runbook', RUNBOOKS_DIR: '/rb' });
    expect(ok).toMatchObject({ worker: 'Runbook', concurrency: 4, pollMaxIntervalMs: 1000, killGraceMs: 5000 });
    try {
      loadWorkerSettings({ CLOUDO_CONCURRENCY: 'lots', CLOUDO_POLL_MAX_INTERVAL_MS: '0' });
      expect.unreachable();
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toMatch(/AzureWebJobsStorage is not set/);
      expect(message).toMatch(/CLOUDO_WORKER is missing: set it to the worker capability/);
      expect(message).toMatch(/RUNBOOKS_DIR is missing/);
      expect(message).toMatch(/CLOUDO_CONCURRENCY must be a number/);
      expect(message).toMatch(/CLOUDO_POLL_MAX_INTERVAL_MS must be at least 10/);
    }
  });

  it('reads the runbook uids as a range that can serve every running run, never root', () => {
    const env = { AzureWebJobsStorage: CONN, CLOUDO_WORKER: 'Runbook', RUNBOOKS_DIR: '/rb' };
    expect(loadWorkerSettings(env).runbookAccounts).toBeNull();
    expect(loadWorkerSettings({ ...env, CLOUDO_RUNBOOK_UIDS: '20000-20063' }).runbookAccounts).toEqual({
      firstUid: 20000,
      count: 64,
      gid: 20000,
    });
    expect(
      loadWorkerSettings({ ...env, CLOUDO_RUNBOOK_UIDS: '20000-20003', CLOUDO_RUNBOOK_GID: '30000' }).runbookAccounts,
    ).toEqual({ firstUid: 20000, count: 4, gid: 30000 });
    expect(settingsProblems(() => loadWorkerSettings({ ...env, CLOUDO_RUNBOOK_UIDS: '20000-20001' }))).toEqual([
      'CLOUDO_RUNBOOK_UIDS 20000-20001 holds 2 uids but CLOUDO_CONCURRENCY is 4: each running run needs its own',
    ]);
    expect(settingsProblems(() => loadWorkerSettings({ ...env, CLOUDO_RUNBOOK_UIDS: '0-63' }))).toEqual([
      'CLOUDO_RUNBOOK_UIDS 0-63 is not a range of non-root uids (first <= last, first >= 1)',
    ]);
    expect(settingsProblems(() => loadWorkerSettings({ ...env, CLOUDO_RUNBOOK_UIDS: 'runbook' }))).toEqual([
      'CLOUDO_RUNBOOK_UIDS must be a uid range such as 20000-20063',
    ]);
    expect(settingsProblems(() => loadWorkerSettings({ ...env, CLOUDO_RUNBOOK_GID: '20000' }))).toEqual([
      'CLOUDO_RUNBOOK_GID needs CLOUDO_RUNBOOK_UIDS',
    ]);
  });

  it('reads where runs get their own Azure identity: the app and the key together, or neither', () => {
    const env = { AzureWebJobsStorage: CONN, CLOUDO_WORKER: 'Runbook', RUNBOOKS_DIR: '/rb' };
    const key = 'k'.repeat(32);
    expect(loadWorkerSettings(env).runIdentity).toBeNull();
    expect(
      loadWorkerSettings({ ...env, CLOUDO_APP_URL: 'https://fn.azurewebsites.net/', CLOUDO_WORKER_KEY: key })
        .runIdentity,
    ).toEqual({ appUrl: 'https://fn.azurewebsites.net', key });
    expect(settingsProblems(() => loadWorkerSettings({ ...env, CLOUDO_APP_URL: 'https://fn' }))).toEqual([
      'CLOUDO_APP_URL needs CLOUDO_WORKER_KEY: the key the app checks the workers’ calls with',
    ]);
    expect(settingsProblems(() => loadWorkerSettings({ ...env, CLOUDO_WORKER_KEY: 'short' }))).toEqual([
      'CLOUDO_WORKER_KEY must be at least 32 characters (openssl rand -base64 48)',
    ]);
  });

  it("refuses to pass the workers' managed identity to runbooks, naming the change", () => {
    const env = { AzureWebJobsStorage: CONN, CLOUDO_WORKER: 'Runbook', RUNBOOKS_DIR: '/rb' };
    const problems = settingsProblems(() =>
      loadWorkerSettings({ ...env, CLOUDO_RUNBOOK_ENV_PASSTHROUGH: 'EXTRA,IDENTITY_ENDPOINT,IDENTITY_HEADER' }),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^CLOUDO_RUNBOOK_ENV_PASSTHROUGH names IDENTITY_ENDPOINT, IDENTITY_HEADER: .*cloudo-az-login/,
    );
  });

  it('reads what registering the functions needs on its own, refusing an auth level that is neither', () => {
    expect(loadRegistrationSettings({})).toEqual({ triggerAuthLevel: 'function', namespace: '' });
    expect(
      loadRegistrationSettings({ CLOUDO_TRIGGER_AUTH_LEVEL: ' anonymous ', CLOUDO_STORAGE_NAMESPACE: 'ns1' }),
    ).toEqual({ triggerAuthLevel: 'anonymous', namespace: 'ns1' });
    expect(settingsProblems(() => loadRegistrationSettings({ CLOUDO_TRIGGER_AUTH_LEVEL: 'key' }))).toEqual([
      'CLOUDO_TRIGGER_AUTH_LEVEL="key" is invalid: use function or anonymous',
    ]);
  });

  it('refuses true/false settings that say neither, instead of reading them as false', () => {
    const env = { AzureWebJobsStorage: CONN, CLOUDO_ENV: 'development', CLOUDO_LOCAL_AUTH: 'off' };
    expect(settingsProblems(() => loadAppSettings({ ...env, CLOUDO_TRUST_EASY_AUTH: 'yes' }))).toEqual([
      'CLOUDO_TRUST_EASY_AUTH="yes" is invalid: use true or false',
    ]);
    expect(settingsProblems(() => loadAppSettings({ ...env, CLOUDO_SCHEMAS_PRUNE: '1' }))).toEqual([
      'CLOUDO_SCHEMAS_PRUNE="1" is invalid: use true or false',
    ]);
    expect(loadAppSettings({ ...env, CLOUDO_TRUST_EASY_AUTH: ' TRUE ' }).auth.trustEasyAuth).toBe(true);
    expect(loadAppSettings({ ...env, CLOUDO_TRUST_EASY_AUTH: '' }).auth.trustEasyAuth).toBe(false);
  });

  it('names Functions keys by fingerprint, and never repeats a wrong entry that may be a key value', () => {
    const env = { AzureWebJobsStorage: CONN, CLOUDO_ENV: 'development', CLOUDO_LOCAL_AUTH: 'off' };
    const named = loadAppSettings({
      ...env,
      CLOUDO_FUNCTION_KEY_NAMES:
        ' default=sha256:0123456789ab, master=sha256:ba9876543210,old-default=sha256:aaaaaaaaaaaa,',
    });
    expect(named.auth.functionKeyNames).toEqual(
      new Map([
        ['sha256:0123456789ab', 'default'],
        ['sha256:ba9876543210', 'master'],
        ['sha256:aaaaaaaaaaaa', 'old-default'],
      ]),
    );
    expect(loadAppSettings(env).auth.functionKeyNames).toEqual(new Map());

    const pastedKey = 'q9Zr1kSgN2V7x_LxjT0yA8bq3mWcE5uH6iJkLmNoPqRsTuVwXyZ-AA==';
    const problems = settingsProblems(() =>
      loadAppSettings({
        ...env,
        CLOUDO_FUNCTION_KEY_NAMES: `default=${pastedKey},ci=sha256:0123456789ab,cd=sha256:0123456789ab,a b=sha256:ffffffffffff`,
      }),
    );
    expect(problems).toEqual([
      'CLOUDO_FUNCTION_KEY_NAMES: entry 1 is not name=sha256:<12 hex digits> (names: letters, digits, _ . -); it holds fingerprints, never key values: `cloudo keys fingerprints` prints them',
      'CLOUDO_FUNCTION_KEY_NAMES: sha256:0123456789ab is named both ci and cd',
      'CLOUDO_FUNCTION_KEY_NAMES: entry 4 is not name=sha256:<12 hex digits> (names: letters, digits, _ . -); it holds fingerprints, never key values: `cloudo keys fingerprints` prints them',
    ]);
    expect(problems.join('\n')).not.toContain(pastedKey.slice(0, 8));
  });

  it('reads the AKS integration’s clusters as a comma or whitespace list, naming an id that is no cluster', () => {
    const env = { AzureWebJobsStorage: CONN, CLOUDO_ENV: 'development', CLOUDO_LOCAL_AUTH: 'off' };
    const cluster = (name: string) =>
      `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/${name}`;
    expect(loadAppSettings(env).aksClusters).toEqual([]);
    expect(
      loadAppSettings({ ...env, CLOUDO_AKS_CLUSTERS: `${cluster('a')},\n ${cluster('b')}  ${cluster('c')},` })
        .aksClusters,
    ).toEqual([cluster('a'), cluster('b'), cluster('c')]);
    expect(
      settingsProblems(() =>
        loadAppSettings({ ...env, CLOUDO_AKS_CLUSTERS: `${cluster('a')} aks-b ${cluster('c')}/agentPools/x` }),
      ),
    ).toEqual([
      `CLOUDO_AKS_CLUSTERS: "aks-b", "${cluster('c')}/agentPools/x" are not managed cluster ids (/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.ContainerService/managedClusters/<name>)`,
    ]);
  });

  it('caps live-log streams at 10 per caller and 200 in all unless told otherwise, naming a wrong value', () => {
    const env = { AzureWebJobsStorage: CONN, CLOUDO_ENV: 'development', CLOUDO_LOCAL_AUTH: 'off' };
    expect(loadAppSettings(env).liveLogStreams).toEqual({ perCaller: 10, total: 200 });
    expect(
      loadAppSettings({ ...env, CLOUDO_STREAMS_PER_CALLER: ' 3 ', CLOUDO_STREAMS_TOTAL: '50' }).liveLogStreams,
    ).toEqual({ perCaller: 3, total: 50 });
    expect(
      settingsProblems(() => loadAppSettings({ ...env, CLOUDO_STREAMS_PER_CALLER: 'lots', CLOUDO_STREAMS_TOTAL: '0' })),
    ).toEqual(['CLOUDO_STREAMS_PER_CALLER must be a number', 'CLOUDO_STREAMS_TOTAL must be at least 1']);
  });

  it('turns Slack buttons on with SLACK_SIGNING_SECRET, off by default, and only next to the bot token', () => {
    const env = { AzureWebJobsStorage: CONN, CLOUDO_ENV: 'development', SLACK_TOKEN: 'xoxb-1' };
    expect(loadAppSettings(env).notify.slack?.signingSecret).toBeNull();
    expect(loadAppSettings({ ...env, SLACK_SIGNING_SECRET: ' 8f742231b10e ' }).notify.slack?.signingSecret).toBe(
      '8f742231b10e',
    );
    expect(
      settingsProblems(() => loadAppSettings({ ...env, SLACK_TOKEN: '', SLACK_SIGNING_SECRET: 's3cr3t' })),
    ).toEqual(['SLACK_SIGNING_SECRET is set but SLACK_TOKEN is not: Slack buttons need the bot token too']);
  });

  it('reads routing rules from CLOUDO_ROUTING_RULES_FILE through the reader it is given, naming what fails', () => {
    const env = {
      AzureWebJobsStorage: CONN,
      CLOUDO_ENV: 'development',
      CLOUDO_LOCAL_AUTH: 'off',
      CLOUDO_ROUTING_RULES_FILE: '/etc/cloudo/rules.json',
    };
    const files: Record<string, string> = {
      '/etc/cloudo/rules.json': '{"rules":[{"name":"r","when":{"team":"ops"},"notify":{"slack":false}}]}',
    };
    const read = (path: string) => {
      const content = files[path];
      if (content === undefined) throw new Error(`ENOENT: no such file, open '${path}'`);
      return content;
    };
    expect(loadAppSettings(env, read).notify.routing.rules.map((r) => r.name)).toEqual(['r']);
    expect(
      settingsProblems(() => loadAppSettings({ ...env, CLOUDO_ROUTING_RULES_FILE: '/nowhere.json' }, read)),
    ).toEqual(["CLOUDO_ROUTING_RULES_FILE: cannot read /nowhere.json: ENOENT: no such file, open '/nowhere.json'"]);
    files['/etc/cloudo/rules.json'] = '{"rules":[{"when":{"team":"ops"}}]}';
    expect(settingsProblems(() => loadAppSettings(env, read))[0]).toMatch(
      /^CLOUDO_ROUTING_RULES_FILE rules\[0\]\.notify: /,
    );
  });

  describe('unresolved Key Vault references', () => {
    // App Service passes `@Microsoft.KeyVault(...)` itself while the app's identity may not read the vault yet
    const SIGNING_KEY_REF = '@Microsoft.KeyVault(SecretUri=https://x-kv.vault.azure.net/secrets/cloudo-signing-key)';
    const STRONG_KEY = 'q8Zr3vX1mN7pL2kT9wB4yH6cF0dJ5sGa';

    it('refuses one as the signing key: the reference passes as a strong key, and anyone can guess it', () => {
      const problems = settingsProblems(() =>
        loadAppSettings({ AzureWebJobsStorage: CONN, CLOUDO_SIGNING_KEY: SIGNING_KEY_REF }),
      );
      expect(problems).toEqual([
        expect.stringMatching(
          /^CLOUDO_SIGNING_KEY is an unresolved Key Vault reference \(@Microsoft\.KeyVault\(\.\.\.\)\): give the app's identity "Key Vault Secrets User" on the vault x-kv, then restart the app$/,
        ),
      ]);
      // short: the reference itself is not repeated
      expect(problems.join('\n')).not.toContain('secrets/cloudo-signing-key');
    });

    it('reports every variable holding one, whatever its case, spacing or form', () => {
      const problems = settingsProblems(() =>
        loadAppSettings({
          AzureWebJobsStorage: CONN,
          CLOUDO_SIGNING_KEY: STRONG_KEY,
          SLACK_TOKEN: '  @microsoft.keyvault(VaultName=ops-kv;SecretName=slack-token)',
          SLACK_SIGNING_SECRET: '@Microsoft.KeyVault(SecretUri=https://ops-kv.vault.azure.net/secrets/slack-signing)',
          OPSGENIE_API_KEY: '@MICROSOFT.KEYVAULT(SecretUri=https://ops-kv.vault.azure.net/secrets/opsgenie/)',
          PAGERDUTY_ROUTING_KEY: '@Microsoft.KeyVault(SecretUri=https://ops-kv.vault.azure.net/secrets/pd/0123)',
          // read by App Service Authentication, not by ClouDO: still garbage until the vault is readable
          MICROSOFT_PROVIDER_AUTHENTICATION_SECRET:
            '@Microsoft.KeyVault(SecretUri=https://ops-kv.vault.azure.net/secrets/easyauth)',
          // only a value that starts with the reference is one
          CLOUDO_PUBLIC_URL: 'https://ops.example.com/@Microsoft.KeyVault(',
        }),
      );
      expect(problems.map((p) => p.split(' ')[0])).toEqual([
        'MICROSOFT_PROVIDER_AUTHENTICATION_SECRET',
        'OPSGENIE_API_KEY',
        'PAGERDUTY_ROUTING_KEY',
        'SLACK_SIGNING_SECRET',
        'SLACK_TOKEN',
      ]);
      for (const p of problems)
        expect(p).toMatch(/is an unresolved Key Vault reference .* on the vault ops-kv, then restart/);
    });

    it('refuses one in a worker setting too', () => {
      const problems = settingsProblems(() =>
        loadWorkerSettings({
          AzureWebJobsStorage: CONN,
          CLOUDO_WORKER: 'Runbook',
          CLOUDO_GITHUB_REPO: 'acme/runbooks',
          CLOUDO_GITHUB_TOKEN: '@Microsoft.KeyVault(SecretUri=https://x-kv.vault.azure.net/secrets/github-token)',
        }),
      );
      expect(problems).toEqual([expect.stringMatching(/^CLOUDO_GITHUB_TOKEN is an unresolved Key Vault reference /)]);
    });

    it('accepts the resolved secrets', () => {
      const app = loadAppSettings({ AzureWebJobsStorage: CONN, CLOUDO_SIGNING_KEY: STRONG_KEY, SLACK_TOKEN: 'xoxb-1' });
      expect(app.auth.signingKey).toBe(STRONG_KEY);
      expect(app.notify.slack?.token).toBe('xoxb-1');
    });
  });

  it('keeps runs 90 days, the audit log 365 and dead workers a day, unless told otherwise', () => {
    const env = { AzureWebJobsStorage: CONN, CLOUDO_ENV: 'development', CLOUDO_LOCAL_AUTH: 'off' };
    expect(loadAppSettings(env).retention).toEqual({
      runDays: 90,
      auditDays: 365,
      deadWorkerMs: 86_400_000,
      batchSize: 500,
    });
    expect(
      loadAppSettings({
        ...env,
        CLOUDO_RETENTION_DAYS: '30',
        CLOUDO_AUDIT_RETENTION_DAYS: '730',
        CLOUDO_DEAD_WORKER_RETENTION_MS: '3600000',
        CLOUDO_RETENTION_BATCH_SIZE: '50',
      }).retention,
    ).toEqual({ runDays: 30, auditDays: 730, deadWorkerMs: 3_600_000, batchSize: 50 });
    expect(
      settingsProblems(() =>
        loadAppSettings({
          ...env,
          CLOUDO_RETENTION_DAYS: '0',
          CLOUDO_AUDIT_RETENTION_DAYS: 'a year',
          CLOUDO_RETENTION_BATCH_SIZE: '100000',
        }),
      ),
    ).toEqual([
      'CLOUDO_RETENTION_DAYS must be at least 1',
      'CLOUDO_AUDIT_RETENTION_DAYS must be a number of days',
      'CLOUDO_RETENTION_BATCH_SIZE must be at most 5000',
    ]);
  });

  it('refuses to forget a worker before it counts as gone', () => {
    const env = { AzureWebJobsStorage: CONN, CLOUDO_ENV: 'development', CLOUDO_LOCAL_AUTH: 'off' };
    expect(
      settingsProblems(() =>
        loadAppSettings({
          ...env,
          CLOUDO_STALE_WORKER_MS: '600000',
          CLOUDO_DEAD_WORKER_RETENTION_MS: '300000',
        }),
      ),
    ).toEqual([
      'CLOUDO_DEAD_WORKER_RETENTION_MS (300000) must be at least CLOUDO_STALE_WORKER_MS (600000): ' +
        'a worker would leave the list before it counts as gone',
    ]);
  });

  it('refuses a namespace that would make invalid resource names', () => {
    expect(() => loadStorageSettings({ AzureWebJobsStorage: CONN, CLOUDO_STORAGE_NAMESPACE: 'Prod-1' })).toThrow(
      /CLOUDO_STORAGE_NAMESPACE="Prod-1" is invalid/,
    );
  });
});
