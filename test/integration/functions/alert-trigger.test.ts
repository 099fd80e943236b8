import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerFor } from '../../support/functions.js';
import { testSchema } from '../../support/schemas.js';
import type { SecuredApp } from '../../support/secured-app.js';
import { FUNCTION_KEY, startSecuredApp } from '../../support/secured-app.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/alerts/${name}`, import.meta.url), 'utf8');
const METRIC = fixture('cs_metric_static_resolved_vm_docs.json');
const ALERTMANAGER = fixture('alertmanager_webhook_kubepodcrashlooping_firing.json');
/** Managed Prometheus through an action group: the target is a Monitor workspace, the cluster a label. */
const PROMETHEUS_AKS = fixture('cs_prometheus_aks_node_cpu_fired_blog.json');
const LISTED_CLUSTER =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks0001';

interface Answer {
  status: string;
  alerts: number;
  exec_id?: string | null;
  deduplicated?: boolean;
  runs: { exec_id: string | null; schema_id: string | null; status: string; deduplicated: boolean }[];
}

/** Alert payloads posted to Trigger as an action group or Alertmanager posts them. */
describe('Trigger with alert payloads', () => {
  let t: TestStorage;
  let app: SecuredApp;
  let operator: string;

  beforeAll(async () => {
    t = await createTestStorage();
    const metricRule = (JSON.parse(METRIC) as { data: { essentials: { alertRule: string } } }).data.essentials
      .alertRule;
    await t.storage.schemas.importSchemas([
      testSchema({ id: 'vm-runbook' }),
      testSchema({ id: 'by-rule', alertRules: [metricRule] }),
      testSchema({ id: 'KubePodCrashLooping' }),
      testSchema({ id: 'kube-auto' }),
      testSchema({ id: 'kube-never', aksCredentials: false }),
    ]);
    app = await startSecuredApp(t, {}, {}, undefined, { aksClusters: [LISTED_CLUSTER] });
    operator = await bearerFor(t, 'operator');
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  const post = async (query: string, body: string) => {
    const res = await app.fetch(`/api/Trigger${query}`, {
      method: 'POST',
      body,
      headers: { 'x-functions-key': FUNCTION_KEY, 'content-type': 'application/json' },
    });
    return { status: res.status, body: (await res.json()) as Answer & { error?: string } };
  };
  const runCount = async () => (await t.storage.executions.list({ limit: 200 })).executions.length;

  it('runs the schema ?id= names for an Azure Monitor alert, once, and dedupes a retry', async () => {
    const first = await post('?id=vm-runbook', METRIC);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ status: 'accepted', alerts: 1, deduplicated: false });
    const retry = await post('?id=vm-runbook', METRIC);
    expect(retry.body).toMatchObject({ exec_id: first.body.exec_id, deduplicated: true });
    const row = await t.storage.executions.get(first.body.exec_id ?? '');
    expect(row?.execution).toMatchObject({ trigger: { source: 'alert' }, monitorCondition: 'Resolved' });
  });

  it('without ?id= runs the schemas that handle the rule; unknown rules are recorded as unmatched', async () => {
    const routed = await post('', METRIC);
    expect(routed.body.runs.map((r) => [r.schema_id, r.status])).toEqual([['by-rule', 'started']]);
    const am = await post('', ALERTMANAGER);
    expect(am.status).toBe(202);
    expect(am.body.runs.length).toBeGreaterThan(0);
    expect(am.body.runs.every((r) => r.schema_id === 'KubePodCrashLooping' || r.status === 'unmatched')).toBe(true);
  });

  it('records that a run of an auto schema gets AKS credentials when its alert is about a listed cluster', async () => {
    const runOf = async (query: string, body: string) => {
      const answer = await post(query, body);
      expect(answer.status).toBe(202);
      return (await t.storage.executions.get(answer.body.exec_id ?? ''))?.execution;
    };
    expect(await runOf('?id=kube-auto', PROMETHEUS_AKS)).toMatchObject({
      aksCredentials: true,
      aksCluster: LISTED_CLUSTER,
    });
    expect(await runOf('?id=kube-never', PROMETHEUS_AKS)).toMatchObject({ aksCredentials: false, aksCluster: null });
    // a VM's alert is about no cluster
    expect(await runOf('?id=kube-auto', METRIC)).toMatchObject({ aksCredentials: false, aksCluster: null });
  });

  it('answers 400 to invalid JSON, 422 naming what was checked to an unknown payload, and runs nothing', async () => {
    const before = await runCount();
    const invalid = await post('?id=vm-runbook', '{"schemaId": ');
    expect(invalid.status).toBe(400);
    expect(invalid.body.error).toMatch(/not valid JSON/);
    const unknown = await post('', JSON.stringify({ hello: 'world' }));
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatch(/checked: .*azure-common.*alertmanager/);
    expect(await runCount()).toBe(before);
  });

  it('takes a body that is no alert as a plain manual run when a schema is named, as the original console sent', async () => {
    const before = await runCount();
    const manual = await post('?id=vm-runbook', JSON.stringify({ source: 'console' }));
    expect(manual.status).toBe(202);
    expect(manual.body).toMatchObject({ status: 'accepted', schema: { id: 'vm-runbook' } });
    expect(await runCount()).toBe(before + 1);
  });

  it('starts exactly one run for a storm of 100 concurrent deliveries of one alert', async () => {
    const storm = JSON.parse(METRIC) as { data: { essentials: { alertId: string } } };
    storm.data.essentials.alertId = '/subscriptions/s/providers/Microsoft.AlertsManagement/alerts/storm';
    const body = JSON.stringify(storm);
    const answers = await Promise.all(Array.from({ length: 100 }, () => post('?id=vm-runbook', body)));
    expect(answers.every((a) => a.status === 202)).toBe(true);
    const started = answers.filter((a) => a.body.runs[0]?.status === 'started');
    expect(started).toHaveLength(1);
    expect(new Set(answers.map((a) => a.body.exec_id))).toEqual(new Set([started[0]?.body.exec_id]));
  });

  it('lets an operator token post alerts too (the key is what the host checks first)', async () => {
    const res = await app.fetch('/api/Trigger?id=vm-runbook', {
      method: 'POST',
      body: METRIC,
      headers: { 'x-functions-key': FUNCTION_KEY, authorization: operator },
    });
    expect(res.status).toBe(202);
  });
});
