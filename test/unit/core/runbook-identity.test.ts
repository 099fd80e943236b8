import { describe, expect, it } from 'vitest';
import { Execution } from '../../../src/core/execution.js';
import { planRun } from '../../../src/core/run-plan.js';
import type { RunbookIdentitySettings } from '../../../src/core/runbook-identity.js';
import {
  DEFAULT_RUNBOOK_SUBJECT,
  resolveRunbookIdentity,
  unknownIdentityWarnings,
} from '../../../src/core/runbook-identity.js';
import { parseSchemasFile } from '../../../src/core/runbook-schema.js';
import { loadAppSettings } from '../../../src/core/settings.js';
import { HTTP_TRIGGER, testSchema } from '../../support/schemas.js';
import { settingsProblems } from '../../support/settings-problems.js';

const PAYMENTS = '11111111-2222-3333-4444-555555555555';
const DEFAULT = '99999999-8888-7777-6666-555555555555';
const TENANT = '00000000-aaaa-bbbb-cccc-000000000000';
const SETTINGS: RunbookIdentitySettings = {
  named: { payments: PAYMENTS, reader: '22222222-2222-3333-4444-555555555555' },
  defaultClientId: DEFAULT,
  tenantId: TENANT,
  authorityHost: 'https://login.microsoftonline.com/',
};

const file = (entry: Record<string, unknown>) =>
  JSON.stringify([
    { partition_key: 'ops', entity: [{ id: 'hello', name: 'Hello', runbook: 'h.sh', worker: 'Runbook', ...entry }] },
  ]);

describe('a schema’s identity', () => {
  it('is a client id or a name of runbook_identities, and unset means the default identity (null)', () => {
    for (const identity of [PAYMENTS, PAYMENTS.toUpperCase(), 'payments', 'k8s-reader-2']) {
      const parsed = parseSchemasFile(file({ identity }));
      expect(parsed.ok && parsed.schemas[0]?.identity, identity).toBe(identity);
    }
    const unset = parseSchemasFile(file({}));
    expect(unset.ok && unset.schemas[0]?.identity).toBeNull();
  });

  it('refuses anything else, naming the field', () => {
    for (const identity of ['Payments', 'pay_ments', '-payments', '', 'a'.repeat(64), 42]) {
      const parsed = parseSchemasFile(file({ identity }));
      expect(parsed.ok, String(identity)).toBe(false);
      if (!parsed.ok) expect(parsed.problems[0]?.path).toBe('[0].entity[0].identity');
    }
  });

  it('is copied onto the planned run, so a later schema edit does not change who a queued run acts as', () => {
    const { execution } = planRun(testSchema({ identity: 'payments' }), HTTP_TRIGGER);
    expect(execution.identity).toBe('payments');
    expect(planRun(testSchema(), HTTP_TRIGGER).execution.identity).toBeNull();
  });

  it('reads as null on a run stored before the field existed', () => {
    const { execution } = planRun(testSchema(), HTTP_TRIGGER);
    const { identity: _identity, ...older } = execution;
    expect(Execution.parse(older).identity).toBeNull();
  });
});

describe('resolveRunbookIdentity', () => {
  const run = (identity: string | null) => ({ identity, schemaPartition: 'ops', schemaId: 'restart-pod' });

  it('gives a schema naming no identity the default identity, under the one shared subject', () => {
    expect(resolveRunbookIdentity(run(null), SETTINGS)).toEqual({
      status: 'resolved',
      clientId: DEFAULT,
      subject: DEFAULT_RUNBOOK_SUBJECT,
      tenantId: TENANT,
    });
    expect(DEFAULT_RUNBOOK_SUBJECT).toBe('cloudo:runbook-identity:default');
  });

  it('maps a name to its client id, under the schema’s own subject', () => {
    expect(resolveRunbookIdentity(run('payments'), SETTINGS)).toEqual({
      status: 'resolved',
      clientId: PAYMENTS,
      subject: 'cloudo:schema:ops:restart-pod',
      tenantId: TENANT,
    });
  });

  it('takes a client id as it is (lower case), under the schema’s own subject', () => {
    expect(resolveRunbookIdentity(run(PAYMENTS.toUpperCase()), SETTINGS)).toMatchObject({
      status: 'resolved',
      clientId: PAYMENTS,
      subject: 'cloudo:schema:ops:restart-pod',
    });
  });

  it('names an unknown name and the names the deployment has', () => {
    expect(resolveRunbookIdentity(run('billing'), SETTINGS)).toEqual({
      status: 'unknown',
      error:
        'schema "restart-pod" names identity "billing" that this deployment does not define ' +
        '(CLOUDO_RUNBOOK_IDENTITIES has: payments, reader); add it to the Terraform module’s runbook_identities, or name a client id',
    });
    const none = resolveRunbookIdentity(run('billing'), { ...SETTINGS, named: {} });
    expect(none.status === 'unknown' && none.error).toContain('(CLOUDO_RUNBOOK_IDENTITIES has: none)');
  });

  it('gives no Azure identity at all, never the workers’, when no default is configured', () => {
    const resolution = resolveRunbookIdentity(run(null), { ...SETTINGS, defaultClientId: null });
    expect(resolution).toEqual({ status: 'none', reason: expect.stringContaining('no runbook identity') });
    // a named identity still resolves without a default
    expect(resolveRunbookIdentity(run('payments'), { ...SETTINGS, defaultClientId: null }).status).toBe('resolved');
  });

  it('warns at import about schemas naming an identity the deployment does not define, and only those', () => {
    const schemas = [
      testSchema({ id: 'a', identity: 'payments' }),
      testSchema({ id: 'b', identity: 'billing' }),
      testSchema({ id: 'c', identity: PAYMENTS }),
      testSchema({ id: 'd' }),
    ];
    const warnings = unknownIdentityWarnings(schemas, SETTINGS);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^warning: schema "b" names identity "billing" that this deployment does not define/);
  });
});

describe('runbook identity settings', () => {
  const CONN = 'DefaultEndpointsProtocol=http;AccountName=a;AccountKey=a2V5;QueueEndpoint=http://127.0.0.1:1/a';
  const env = { AzureWebJobsStorage: CONN, CLOUDO_ENV: 'development', CLOUDO_LOCAL_AUTH: 'off' };

  it('reads the names, the default identity and the tenant Terraform sets', () => {
    const settings = loadAppSettings({
      ...env,
      CLOUDO_RUNBOOK_IDENTITIES: JSON.stringify({ payments: PAYMENTS }),
      CLOUDO_RUNBOOK_CLIENT_ID: DEFAULT,
      AZURE_TENANT_ID: TENANT,
      AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.us/',
    });
    expect(settings.runbookIdentities).toEqual({
      named: { payments: PAYMENTS },
      defaultClientId: DEFAULT,
      tenantId: TENANT,
      authorityHost: 'https://login.microsoftonline.us/',
    });
  });

  it('has none of them unset (blank, as Terraform may write it, too)', () => {
    expect(loadAppSettings({ ...env, CLOUDO_RUNBOOK_IDENTITIES: ' ' }).runbookIdentities).toEqual({
      named: {},
      defaultClientId: null,
      tenantId: null,
      authorityHost: 'https://login.microsoftonline.com/',
    });
    expect(loadAppSettings({ ...env, CLOUDO_RUNBOOK_IDENTITIES: '{}' }).runbookIdentities.named).toEqual({});
  });

  it('refuses a wrong mapping or client id, naming the setting', () => {
    const problems = (extra: Record<string, string>) => settingsProblems(() => loadAppSettings({ ...env, ...extra }));
    expect(problems({ CLOUDO_RUNBOOK_IDENTITIES: 'payments=1' })).toEqual([
      'CLOUDO_RUNBOOK_IDENTITIES must be a JSON object of name → client id',
    ]);
    expect(problems({ CLOUDO_RUNBOOK_IDENTITIES: '["payments"]' })).toEqual([
      'CLOUDO_RUNBOOK_IDENTITIES must be a JSON object of name → client id',
    ]);
    expect(problems({ CLOUDO_RUNBOOK_IDENTITIES: '{"payments":"not-a-guid"}' })).toEqual([
      'CLOUDO_RUNBOOK_IDENTITIES: each value must be a client id (GUID)',
    ]);
    expect(problems({ CLOUDO_RUNBOOK_IDENTITIES: `{"Payments":"${PAYMENTS}"}` })).toEqual([
      'CLOUDO_RUNBOOK_IDENTITIES: each name must match ^[a-z0-9][a-z0-9-]{0,62}$ ("Payments")',
    ]);
    expect(problems({ CLOUDO_RUNBOOK_IDENTITIES: `{"${DEFAULT}":"${PAYMENTS}"}` })).toEqual([
      `CLOUDO_RUNBOOK_IDENTITIES: a name must not be a GUID (a schema’s GUID is a client id) ("${DEFAULT}")`,
    ]);
    expect(problems({ CLOUDO_RUNBOOK_CLIENT_ID: 'runbook' })).toEqual([
      'CLOUDO_RUNBOOK_CLIENT_ID must be a client id (GUID)',
    ]);
  });
});
