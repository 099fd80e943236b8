import { describe, expect, it } from 'vitest';
import { planRun } from '../../../src/core/run-plan.js';
import { alertEnv, buildRunbookEnv } from '../../../src/core/runbook-env.js';
import { HTTP_TRIGGER, testSchema } from '../../support/schemas.js';

const { execution } = planRun(testSchema({ id: 'disk', oncall: true }), HTTP_TRIGGER, new Date('2026-11-27T08:00:00Z'));

describe('buildRunbookEnv', () => {
  it('sets every contract variable, empty when unknown', () => {
    const env = buildRunbookEnv({ execution, workerName: 'Runbook', alert: null, alertFile: null, workerEnv: {} });
    expect(env).toEqual({
      RESOURCE_ID: '',
      RESOURCE_RG: '',
      RESOURCE_NAME: '',
      AKS_NAMESPACE: '',
      AKS_POD: '',
      AKS_DEPLOYMENT: '',
      AKS_JOB: '',
      AKS_HPA: '',
      MONITOR_CONDITION: '',
      CLOUDO_EXEC_ID: execution.execId,
      CLOUDO_ISOLATION: 'shared',
      CLOUDO_SCHEMA_ID: 'disk',
      CLOUDO_NAME: 'disk runbook',
      CLOUDO_RUNBOOK: 'disk.sh',
      CLOUDO_WORKER: 'Runbook',
      WORKER_CAPABILITY: 'Runbook',
      CLOUDO_ONCALL: 'true',
      CLOUDO_REQUESTED_AT: '2026-11-27T08:00:00.000Z',
      CLOUDO_ALERT_RULE: '',
      CLOUDO_SEVERITY: '',
      CLOUDO_ALERT_FILE: '',
      PYTHONUNBUFFERED: '1',
    });
  });

  it('passes alert facts as plain values', () => {
    const env = buildRunbookEnv({
      execution,
      workerName: 'Runbook',
      alertFile: '/tmp/run/alert.json',
      workerEnv: {},
      alert: {
        format: 'azure-common',
        alertId: 'a-1',
        firedAt: '2026-11-27T08:00:00Z',
        resourceId: '/subscriptions/s/resourceGroups/rg/providers/x/y/vm-1',
        subscriptionId: 's',
        resourceGroup: 'rg',
        resourceName: 'vm-1',
        monitorCondition: 'Fired',
        alertRule: '$(rm -rf /)',
        severity: 'Sev1',
        kubernetes: { cluster: 'aks-1', namespace: 'ns', pod: 'p', deployment: null, job: null, hpa: null },
        labels: {},
      },
    });
    expect(env).toMatchObject({
      RESOURCE_NAME: 'vm-1',
      AKS_NAMESPACE: 'ns',
      AKS_DEPLOYMENT: '',
      CLOUDO_ALERT_RULE: '$(rm -rf /)',
    });
    expect(env.CLOUDO_ALERT_FILE).toBe('/tmp/run/alert.json');
    // the original's CLOUDO_PAYLOAD (the job with the raw alert and the routing's Slack and Opsgenie
    // tokens) has no successor in the environment: the payload is a file, the tokens stay with ClouDO
    expect(env.CLOUDO_PAYLOAD).toBeUndefined();
  });

  it('inherits only allow-listed worker variables, never storage credentials', () => {
    const env = buildRunbookEnv({
      execution,
      workerName: 'Runbook',
      alert: null,
      alertFile: null,
      workerEnv: {
        PATH: '/usr/bin',
        HOME: '/home/cloudo',
        AzureWebJobsStorage: 'AccountKey=secret',
        SLACK_TOKEN: 'x',
        EXTRA: 'ok',
        AZURE_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
        AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000000',
        AZURE_TENANT_ID: '99999999-8888-7777-6666-555555555555',
        // the original masked these by name and passed the rest of its app settings on: not here
        GITHUB_TOKEN: 'ghp_x',
        CLOUDO_SECRET_KEY: 'k',
        QUEUE_NAME: 'q',
      },
      extraInherited: ['EXTRA'],
    });
    expect(env.PATH).toBe('/usr/bin');
    expect(env.EXTRA).toBe('ok');
    // the workers' identity is not the run's (issue 20): the run's comes from its token answer
    expect(env.AZURE_CLIENT_ID).toBeUndefined();
    expect(env.AZURE_SUBSCRIPTION_ID).toBe('00000000-0000-0000-0000-000000000000');
    expect(env.AZURE_TENANT_ID).toBe('99999999-8888-7777-6666-555555555555');
    expect(env.AzureWebJobsStorage).toBeUndefined();
    for (const name of ['GITHUB_TOKEN', 'CLOUDO_SECRET_KEY', 'QUEUE_NAME']) expect(env[name], name).toBeUndefined();
    expect(env.SLACK_TOKEN).toBeUndefined();
  });
});

describe("a run's Azure identity", () => {
  const workerIdentity = {
    PATH: '/usr/bin',
    IDENTITY_ENDPOINT: 'http://localhost:42356/msi/token',
    IDENTITY_HEADER: 'worker-msi-secret',
    MSI_ENDPOINT: 'http://localhost:42356/msi/token',
    MSI_SECRET: 'worker-msi-secret',
    AZURE_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
    AZURE_FEDERATED_TOKEN_FILE: '/var/run/secrets/azure/tokens/azure-identity-token',
    AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.com/',
    AZURE_TENANT_ID: '99999999-8888-7777-6666-555555555555',
  };

  it("never is the workers' managed identity, even when the passthrough names it", () => {
    const env = buildRunbookEnv({
      execution,
      workerName: 'Runbook',
      alert: null,
      alertFile: null,
      workerEnv: workerIdentity,
      extraInherited: ['IDENTITY_HEADER', 'MSI_SECRET', 'IDENTITY_ENDPOINT', 'MSI_ENDPOINT'],
    });
    for (const name of [
      'IDENTITY_ENDPOINT',
      'IDENTITY_HEADER',
      'MSI_ENDPOINT',
      'MSI_SECRET',
      'AZURE_CLIENT_ID',
      'AZURE_FEDERATED_TOKEN_FILE',
      'AZURE_AUTHORITY_HOST',
    ]) {
      expect(env[name], name).toBeUndefined();
    }
    // the tenant stays a default for tools that read it
    expect(env.AZURE_TENANT_ID).toBe('99999999-8888-7777-6666-555555555555');
  });

  it("is the workload-identity variables of the run's own token answer", () => {
    const env = buildRunbookEnv({
      execution,
      workerName: 'Runbook',
      alert: null,
      alertFile: null,
      workerEnv: workerIdentity,
      identity: {
        tokenFile: '/tmp/cloudo-identity-x/azure-identity-token',
        clientId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
        tenantId: 'ffffffff-0000-4111-8222-333333333333',
        authorityHost: 'https://login.microsoftonline.com/',
      },
    });
    expect(env).toMatchObject({
      AZURE_FEDERATED_TOKEN_FILE: '/tmp/cloudo-identity-x/azure-identity-token',
      AZURE_CLIENT_ID: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
      AZURE_TENANT_ID: 'ffffffff-0000-4111-8222-333333333333',
      AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.com/',
    });
    expect(env.IDENTITY_HEADER).toBeUndefined();
  });
});

describe('alertEnv', () => {
  it('drops NUL, which no environment can carry, and keeps everything else as sent', () => {
    const env = alertEnv({
      format: 'alertmanager',
      monitorCondition: 'Resolved',
      alertRule: 'a\0b $(x)\n',
      alertId: null,
      severity: null,
      firedAt: null,
      resourceId: null,
      subscriptionId: null,
      resourceGroup: null,
      resourceName: null,
      kubernetes: { cluster: null, namespace: 'n\0s', pod: null, deployment: null, job: null, hpa: null },
      labels: {},
    });
    expect(env.CLOUDO_ALERT_RULE).toBe('ab $(x)\n');
    expect(env.AKS_NAMESPACE).toBe('ns');
    expect(env.MONITOR_CONDITION).toBe('Resolved');
  });
});

describe('planRun', () => {
  it('takes the team from the request, else from the schema', () => {
    const owned = testSchema({ team: 'payments' });
    expect(planRun(owned, HTTP_TRIGGER).execution.trigger.team).toBe('payments');
    expect(planRun(owned, { ...HTTP_TRIGGER, team: 'sre' }).execution.trigger.team).toBe('sre');
    expect(planRun(testSchema(), HTTP_TRIGGER).execution.trigger.team).toBeNull();
  });
});
