import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertmanagerParser, prometheusAlertParser } from '../../../src/alerts/alertmanager.js';
import { AlertContext } from '../../../src/core/alert-context.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/alerts');
const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));

const NO_K8S = { cluster: null, namespace: null, pod: null, deployment: null, job: null, hpa: null };
const NO_RESOURCE = { resourceId: null, subscriptionId: null, resourceGroup: null, resourceName: null };
const ARM_ID =
  '/subscriptions/0000-1111/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-prod';

/** A webhook group as Alertmanager sends it (version "4"), with `alerts` as given. */
function group(alerts: unknown[], extra: Record<string, unknown> = {}) {
  return {
    version: '4',
    groupKey: '{}:{alertname="KubeDeploymentReplicasMismatch"}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'cloudo',
    groupLabels: { alertname: 'KubeDeploymentReplicasMismatch' },
    commonLabels: { alertname: 'KubeDeploymentReplicasMismatch' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts,
    ...extra,
  };
}

function member(
  status: string,
  fingerprint: string,
  labels: Record<string, string>,
  startsAt = '2026-01-05T10:00:00Z',
) {
  return {
    status,
    labels,
    annotations: { summary: 's' },
    startsAt,
    endsAt: status === 'resolved' ? '2026-01-05T10:20:00Z' : '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph',
    fingerprint,
  };
}

describe('alertmanagerParser', () => {
  it('reads the KubePodCrashLooping fixture into one full AlertContext', () => {
    const alerts = alertmanagerParser.parse(fixture('alertmanager_webhook_kubepodcrashlooping_firing.json'));
    expect(alerts).toEqual([
      {
        format: 'alertmanager',
        monitorCondition: 'Fired',
        alertRule: 'KubePodCrashLooping',
        alertId: 'a4c6c4f7a49ca0ae',
        severity: 'critical',
        firedAt: '2020-02-26T07:05:04.989876849Z',
        resourceId: null,
        subscriptionId: null,
        resourceGroup: null,
        resourceName: null,
        // job=kube-state-metrics, but pod/namespace are the subject here (scraped with honor_labels):
        // the message says "Pod pp1/dd1-0 (busybox-3jb7u6)"; the scrape job is not a Kubernetes Job
        kubernetes: { cluster: null, namespace: 'pp1', pod: 'dd1-0', deployment: null, job: null, hpa: null },
        labels: {
          alertname: 'KubePodCrashLooping',
          container: 'busybox-3jb7u6',
          instance: '10.233.71.230:8080',
          job: 'kube-state-metrics',
          namespace: 'pp1',
          pod: 'dd1-0',
          prometheus: 'kubesphere-monitoring-system/k8s',
          severity: 'critical',
        },
      },
    ]);
    for (const alert of alerts ?? []) expect(AlertContext.parse(alert)).toEqual(alert);
  });

  it('reads a resolved group as Resolved', () => {
    const payload = group(
      [
        member('resolved', 'f1', {
          alertname: 'KubeDeploymentReplicasMismatch',
          namespace: 'web',
          deployment: 'api',
          severity: 'warning',
        }),
      ],
      { status: 'resolved' },
    );
    expect(alertmanagerParser.parse(payload)).toEqual([
      {
        format: 'alertmanager',
        monitorCondition: 'Resolved',
        alertRule: 'KubeDeploymentReplicasMismatch',
        alertId: 'f1',
        severity: 'warning',
        firedAt: '2026-01-05T10:00:00Z',
        ...NO_RESOURCE,
        kubernetes: { ...NO_K8S, namespace: 'web', deployment: 'api' },
        labels: {
          alertname: 'KubeDeploymentReplicasMismatch',
          namespace: 'web',
          deployment: 'api',
          severity: 'warning',
        },
      },
    ]);
  });

  it('returns one alert per member, each with its own status, fingerprint and subject', () => {
    const payload = group([
      member('firing', 'aaa', { alertname: 'KubeJobFailed', namespace: 'batch', job_name: 'etl-1', severity: '3' }),
      member('resolved', 'bbb', {
        alertname: 'KubeJobFailed',
        namespace: 'batch',
        job_name: 'etl-2',
        severity: 'Sev1',
      }),
      member('firing', 'ccc', { alertname: 'KubeHpaMaxedOut', namespace: 'web', horizontalpodautoscaler: 'api' }),
    ]);
    const alerts = alertmanagerParser.parse(payload) ?? [];
    expect(alerts.map((a) => [a.alertId, a.monitorCondition, a.severity, a.kubernetes])).toEqual([
      ['aaa', 'Fired', 'Sev3', { ...NO_K8S, namespace: 'batch', job: 'etl-1' }],
      ['bbb', 'Resolved', 'Sev1', { ...NO_K8S, namespace: 'batch', job: 'etl-2' }],
      ['ccc', 'Fired', null, { ...NO_K8S, namespace: 'web', hpa: 'api' }],
    ]);
  });

  it('falls back to the group status for a member without one', () => {
    const payload = group([{ labels: { alertname: 'X' }, fingerprint: 'f' }], { status: 'resolved' });
    expect(alertmanagerParser.parse(payload)?.[0]?.monitorCondition).toBe('Resolved');
  });

  it('skips members that are not alert objects', () => {
    const payload = group([null, 'x', 3, [], { no: 'labels' }, member('firing', 'ok', { alertname: 'A' })]);
    expect(alertmanagerParser.parse(payload)?.map((a) => a.alertId)).toEqual(['ok']);
  });

  it('takes the resource from a resource_id label or annotation only when it is an ARM id', () => {
    const labelled = group([member('firing', 'f', { alertname: 'A', azure_resource_id: ARM_ID })]);
    expect(alertmanagerParser.parse(labelled)?.[0]).toMatchObject({
      resourceId: ARM_ID,
      subscriptionId: '0000-1111',
      resourceGroup: 'rg-aks',
      resourceName: 'aks-prod',
    });
    const annotated = group([{ ...member('firing', 'f', { alertname: 'A' }), annotations: { resourceId: ARM_ID } }]);
    expect(alertmanagerParser.parse(annotated)?.[0]?.resourceId).toBe(ARM_ID);
    const notArm = group([member('firing', 'f', { alertname: 'A', resource_id: 'vm-1' })]);
    expect(alertmanagerParser.parse(notArm)?.[0]).toMatchObject(NO_RESOURCE);
  });

  it('does not report the kube-state-metrics pod as the subject (exporter-label trap)', () => {
    const payload = group([
      member('firing', 'k', {
        alertname: 'KubePodNotReady',
        job: 'kube-state-metrics',
        namespace: 'monitoring',
        pod: 'kube-state-metrics-6d4f5b7c9-abcde',
        container: 'kube-state-metrics',
        service: 'kube-state-metrics',
        endpoint: 'http',
        instance: '10.0.0.7:8080',
        exported_namespace: 'payments',
        exported_pod: 'api-7d4b9c8f5-x2x9q',
      }),
    ]);
    expect(alertmanagerParser.parse(payload)?.[0]?.kubernetes).toEqual({
      ...NO_K8S,
      namespace: 'payments',
      pod: 'api-7d4b9c8f5-x2x9q',
    });
  });

  it('does not take the scrape job for a Kubernetes Job (scrape-job trap)', () => {
    const payload = group([
      member('firing', 'n', { alertname: 'NodeFilesystemAlmostFull', job: 'node-exporter', instance: '10.0.0.4:9100' }),
      member('firing', 'm', { alertname: 'TargetDown', job: 'monitoring/web', namespace: 'web' }),
      member('firing', 'j', { alertname: 'CronFailed', job: 'nightly-report', namespace: 'batch' }),
    ]);
    expect(alertmanagerParser.parse(payload)?.map((a) => a.kubernetes.job)).toEqual([null, null, 'nightly-report']);
  });

  it('is null for what is not a webhook group', () => {
    expect(alertmanagerParser.parse(null)).toBeNull();
    expect(alertmanagerParser.parse([])).toBeNull();
    expect(alertmanagerParser.parse({ alerts: [member('firing', 'f', { alertname: 'A' })] })).toBeNull();
    expect(alertmanagerParser.parse({ receiver: 'x', alerts: {} })).toBeNull();
    // Alertmanager never sends an empty group; one names nothing to run
    expect(alertmanagerParser.parse(group([]))).toBeNull();
    expect(alertmanagerParser.parse(group([{ status: 'firing' }]))).toBeNull();
  });
});

describe('prometheusAlertParser', () => {
  it('reads an Alertmanager API v2 GettableAlert', () => {
    const gettable = {
      labels: { alertname: 'KubeHpaMaxedOut', namespace: 'web', horizontalpodautoscaler: 'api', severity: 'warning' },
      annotations: { description: 'HPA web/api has been running at max replicas' },
      startsAt: '2026-01-05T09:00:00.000Z',
      endsAt: '2026-01-05T10:04:00.000Z',
      updatedAt: '2026-01-05T10:00:00.000Z',
      generatorURL: 'http://prometheus:9090/graph',
      fingerprint: '3c1f0e2d9b8a7f65',
      receivers: [{ name: 'cloudo' }],
      status: { state: 'suppressed', silencedBy: ['a5f3'], inhibitedBy: [], mutedBy: [] },
    };
    expect(prometheusAlertParser.parse(gettable)).toEqual([
      {
        format: 'prometheus-alert',
        monitorCondition: 'Fired',
        alertRule: 'KubeHpaMaxedOut',
        alertId: '3c1f0e2d9b8a7f65',
        severity: 'warning',
        firedAt: '2026-01-05T09:00:00.000Z',
        ...NO_RESOURCE,
        kubernetes: { ...NO_K8S, namespace: 'web', hpa: 'api' },
        labels: gettable.labels,
      },
    ]);
  });

  it('reads a Prometheus /api/v1/alerts alert (no fingerprint)', () => {
    const v1 = {
      labels: {
        alertname: 'KubeJobFailed',
        namespace: 'batch',
        job_name: 'etl-28462995',
        severity: '2',
        cluster: 'aks-prod',
      },
      annotations: { summary: 'Job failed' },
      state: 'firing',
      activeAt: '2026-01-05T08:00:00.123Z',
      value: '1e+00',
    };
    expect(prometheusAlertParser.parse(v1)).toEqual([
      {
        format: 'prometheus-alert',
        monitorCondition: 'Fired',
        alertRule: 'KubeJobFailed',
        alertId: null,
        severity: 'Sev2',
        firedAt: '2026-01-05T08:00:00.123Z',
        ...NO_RESOURCE,
        kubernetes: { ...NO_K8S, cluster: 'aks-prod', namespace: 'batch', job: 'etl-28462995' },
        labels: v1.labels,
      },
    ]);
  });

  it('reads one member of a webhook group, resolved', () => {
    const alerts = prometheusAlertParser.parse(member('resolved', 'f9', { alertname: 'A', pod: 'web-0' }));
    expect(alerts?.[0]).toMatchObject({ monitorCondition: 'Resolved', alertId: 'f9', kubernetes: { pod: 'web-0' } });
  });

  it('is null without labels.alertname or a state', () => {
    expect(prometheusAlertParser.parse({ labels: { alertname: 'A' } })).toBeNull();
    expect(prometheusAlertParser.parse({ labels: {}, state: 'firing' })).toBeNull();
    expect(prometheusAlertParser.parse({ labels: { alertname: 7 }, state: 'firing' })).toBeNull();
    expect(prometheusAlertParser.parse([{ labels: { alertname: 'A' }, state: 'firing' }])).toBeNull();
    expect(prometheusAlertParser.parse('labels')).toBeNull();
  });
});
