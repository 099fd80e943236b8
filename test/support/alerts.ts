import type { AlertContext } from '../../src/core/alert-context.js';

/** A parsed alert for tests; override what the test is about. */
export function testAlert(overrides: Partial<AlertContext> = {}): AlertContext {
  return {
    format: 'azure-common',
    monitorCondition: 'Fired',
    alertRule: 'disk-full',
    alertId: '/subscriptions/s1/providers/Microsoft.AlertsManagement/alerts/0001',
    severity: 'Sev2',
    firedAt: '2026-11-27T08:00:00.000Z',
    resourceId: '/subscriptions/s1/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/vm-1',
    subscriptionId: 's1',
    resourceGroup: 'rg-app',
    resourceName: 'vm-1',
    kubernetes: { cluster: null, namespace: null, pod: null, deployment: null, job: null, hpa: null },
    labels: {},
    ...overrides,
  };
}
