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
    // what the original's `az login --identity --client-id "$AZURE_CLIENT_ID"` runbooks need
    expect(env.AZURE_CLIENT_ID).toBe('11111111-2222-3333-4444-555555555555');
    expect(env.AZURE_SUBSCRIPTION_ID).toBe('00000000-0000-0000-0000-000000000000');
    expect(env.AZURE_TENANT_ID).toBe('99999999-8888-7777-6666-555555555555');
    expect(env.AzureWebJobsStorage).toBeUndefined();
    for (const name of ['GITHUB_TOKEN', 'CLOUDO_SECRET_KEY', 'QUEUE_NAME']) expect(env[name], name).toBeUndefined();
    expect(env.SLACK_TOKEN).toBeUndefined();
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
