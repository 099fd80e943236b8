import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  azureActivityLogLegacyParser,
  azureClassicMetricParser,
  azureLogLegacyParser,
  azureMetricLegacyParser,
} from '../../../src/alerts/azure-legacy.js';
import type { FormatParser } from '../../../src/alerts/format-parser.js';
import { AlertContext } from '../../../src/core/alert-context.js';
import { ALERT_FIXTURES as FIXTURES, loadFixture, mutants } from '../../support/alert-fixtures.js';

/** Parses and checks the result against the AlertContext contract, as the webhook does on the way out. */
function parseOne(parser: FormatParser, payload: unknown): AlertContext {
  const alerts = parser.parse(payload);
  expect(alerts).toHaveLength(1);
  const [alert] = alerts ?? [];
  expect(AlertContext.parse(alert)).toEqual(alert);
  return AlertContext.parse(alert);
}

const NO_K8S = { cluster: null, namespace: null, pod: null, deployment: null, job: null, hpa: null };
const SUB = 'aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e';
const STORAGE = `/subscriptions/${SUB}/resourceGroups/test-RG/providers/Microsoft.Storage/storageAccounts/test-storageAccount`;
const WORKSPACE = `/subscriptions/${SUB}/resourceGroups/test-RG/providers/Microsoft.OperationalInsights/workspaces/test-logAnalyticsWorkspace`;
const VM = `/subscriptions/${SUB}/resourceGroups/test-RG/providers/Microsoft.Compute/virtualMachines/test-VM`;

/** A non-common metric alert around the docs' context (alerts-non-common-schema-definitions). */
function metricAlert(status: string, context: Record<string, unknown>): unknown {
  return {
    schemaId: 'AzureMonitorMetricAlert',
    data: {
      version: '2.0',
      properties: { customKey1: 'value1', customKey2: 'value2' },
      status,
      context: {
        subscriptionId: SUB,
        resourceGroupName: 'test-RG',
        resourceName: 'test-storageAccount',
        resourceType: 'Microsoft.Storage/storageAccounts',
        resourceId: STORAGE,
        ...context,
      },
    },
  };
}

function activityLogAlert(activityLog: Record<string, unknown>): unknown {
  return {
    schemaId: 'Microsoft.Insights/activityLogs',
    data: { status: 'Activated', context: { activityLog }, properties: {} },
  };
}

describe('azureMetricLegacyParser (schemaId AzureMonitorMetricAlert)', () => {
  it('static threshold, Activated (fixture, non-common "Metric alerts: Static threshold")', () => {
    expect(
      parseOne(azureMetricLegacyParser, loadFixture('legacy_metricalert_v2_static_activated_storage.json')),
    ).toEqual({
      format: 'azure-metric-legacy',
      monitorCondition: 'Fired',
      alertRule: 'test-metricAlertRule',
      alertId: `/subscriptions/${SUB}/resourceGroups/test-RG/providers/microsoft.insights/metricAlerts/test-metricAlertRule`,
      severity: 'Sev3',
      firedAt: '2021-11-15T09:35:12.9703687Z',
      resourceId: STORAGE,
      subscriptionId: SUB,
      resourceGroup: 'test-RG',
      resourceName: 'test-storageAccount',
      kubernetes: NO_K8S,
      labels: { ApiName: 'GetBlob' },
    });
  });

  it('dynamic threshold (non-common "Metric alerts: Dynamic threshold"): no dimensions', () => {
    const payload = metricAlert('Activated', {
      timestamp: '2021-11-15T09:35:24.3468506Z',
      id: `/subscriptions/${SUB}/resourcegroups/test-RG/providers/microsoft.insights/metricalerts/test-metricAlertRule`,
      name: 'test-metricAlertRule',
      description: 'Alert rule description',
      conditionType: 'DynamicThresholdCriteria',
      severity: '3',
      condition: {
        windowSize: 'PT15M',
        allOf: [
          {
            alertSensitivity: 'Low',
            failingPeriods: { numberOfEvaluationPeriods: 3, minFailingPeriodsToAlert: 3 },
            ignoreDataBefore: null,
            metricName: 'Transactions',
            metricNamespace: 'Microsoft.Storage/storageAccounts',
            operator: 'GreaterThan',
            threshold: '0.3',
            timeAggregation: 'Average',
            dimensions: [],
            metricValue: 78.09,
            webTestName: null,
          },
        ],
      },
    });
    expect(parseOne(azureMetricLegacyParser, payload)).toEqual({
      format: 'azure-metric-legacy',
      monitorCondition: 'Fired',
      alertRule: 'test-metricAlertRule',
      alertId: `/subscriptions/${SUB}/resourcegroups/test-RG/providers/microsoft.insights/metricalerts/test-metricAlertRule`,
      severity: 'Sev3',
      firedAt: '2021-11-15T09:35:24.3468506Z',
      resourceId: STORAGE,
      subscriptionId: SUB,
      resourceGroup: 'test-RG',
      resourceName: 'test-storageAccount',
      kubernetes: NO_K8S,
      labels: {},
    });
  });

  it('"Deactivated" resolves; without a resourceId the context fields still give the resource parts', () => {
    const payload = metricAlert('Deactivated', {
      timestamp: '2019-02-27T14:10:35.0816694Z',
      id: `/subscriptions/${SUB}/resourceGroups/test-RG/providers/microsoft.insights/metricAlerts/CpuUtilHigh`,
      name: 'CpuUtilHigh',
      conditionType: 'MultipleResourceMultipleMetricCriteria',
      severity: '3',
      condition: { windowSize: 'PT5M', allOf: [{ metricName: 'Percentage CPU', dimensions: [] }] },
      resourceId: null,
    });
    expect(parseOne(azureMetricLegacyParser, payload)).toEqual({
      format: 'azure-metric-legacy',
      monitorCondition: 'Resolved',
      alertRule: 'CpuUtilHigh',
      alertId: `/subscriptions/${SUB}/resourceGroups/test-RG/providers/microsoft.insights/metricAlerts/CpuUtilHigh`,
      severity: 'Sev3',
      firedAt: '2019-02-27T14:10:35.0816694Z',
      resourceId: null,
      subscriptionId: SUB,
      resourceGroup: 'test-RG',
      resourceName: 'test-storageAccount',
      kubernetes: NO_K8S,
      labels: {},
    });
  });
});

describe('azureLogLegacyParser (Microsoft.Insights/LogAlert, and flat Log Analytics)', () => {
  it('Application Insights up to 2018-04-16 (fixture): Dimensions and the first row as labels, "$table" skipped', () => {
    expect(parseOne(azureLogLegacyParser, loadFixture('legacy_log_appinsights_2018_logalert_schema.json'))).toEqual({
      format: 'azure-log-legacy',
      monitorCondition: 'Fired',
      alertRule: 'AcmeRule',
      alertId: null,
      severity: 'Sev3',
      // end of the search interval (start: 2018-03-26T08:10:40Z)
      firedAt: '2018-03-26T09:10:40Z',
      resourceId: null,
      subscriptionId: '12345a-1234b-123c-123d-12345678e',
      resourceGroup: null,
      resourceName: null,
      kubernetes: NO_K8S,
      labels: { IP: '1.1.1.1', Id: '33446677a', Timestamp: '2018-02-02T15:03:12.18Z' },
    });
  });

  it('Log Analytics up to 2018-04-16 (alerts-log-webhook, flat, no schemaId): word severity kept, Dimensions beat the row', () => {
    const payload = {
      SubscriptionId: '12345a-1234b-123c-123d-12345678e',
      AlertRuleName: 'AcmeRule',
      SearchQuery:
        'Perf | where ObjectName == "Processor" and CounterName == "% Processor Time" | summarize AggregatedValue = avg(CounterValue) by bin(TimeGenerated, 5m), Computer',
      SearchIntervalStartTimeUtc: '2018-03-26T08:10:40Z',
      SearchIntervalEndtimeUtc: '2018-03-26T09:10:40Z',
      AlertThresholdOperator: 'Greater Than',
      AlertThresholdValue: 0,
      ResultCount: 2,
      SearchIntervalInSeconds: 3600,
      Description: 'log alert rule',
      Severity: 'Warning',
      AffectedConfigurationItems: ['INC-Gen2Alert'],
      Dimensions: [{ name: 'Computer', value: 'INC-Gen2Alert' }],
      SearchResult: {
        tables: [
          {
            name: 'PrimaryResult',
            columns: [
              { name: '$table', type: 'string' },
              { name: 'Computer', type: 'string' },
              { name: 'TimeGenerated', type: 'datetime' },
            ],
            rows: [
              ['Fabrikam', '33446677a', '2018-02-02T15:03:12.18Z'],
              ['Contoso', '33445566b', '2018-02-02T15:16:53.932Z'],
            ],
          },
        ],
      },
      WorkspaceId: '12345a-1234b-123c-123d-12345678e',
      AlertType: 'Metric measurement',
    };
    expect(parseOne(azureLogLegacyParser, payload)).toEqual({
      format: 'azure-log-legacy',
      monitorCondition: 'Fired',
      alertRule: 'AcmeRule',
      alertId: null,
      severity: 'Warning',
      firedAt: '2018-03-26T09:10:40Z',
      resourceId: null,
      subscriptionId: '12345a-1234b-123c-123d-12345678e',
      resourceGroup: null,
      resourceName: null,
      kubernetes: NO_K8S,
      labels: { Computer: 'INC-Gen2Alert', TimeGenerated: '2018-02-02T15:03:12.18Z' },
    });
  });

  it('"Log Alerts V1 – Metric" (non-common definitions): ResourceId is the resource, numbers become text', () => {
    const payload = {
      SubscriptionId: SUB,
      AlertRuleName: 'test-logAlertRule-v1-metricMeasurement',
      SearchQuery: 'Heartbeat | summarize AggregatedValue=count() by bin(TimeGenerated, 5m)',
      SearchIntervalStartTimeUtc: '2021-11-15T15:16:49Z',
      SearchIntervalEndtimeUtc: '2021-11-16T15:16:49Z',
      AlertThresholdOperator: 'Greater Than',
      AlertThresholdValue: 0,
      ResultCount: 2,
      SearchIntervalInSeconds: 86400,
      Description: 'Alert rule description',
      Severity: '3',
      SearchResult: {
        tables: [
          {
            name: 'PrimaryResult',
            columns: [
              { name: 'TimeGenerated', type: 'datetime' },
              { name: 'AggregatedValue', type: 'long' },
            ],
            rows: [
              ['2021-11-16T10:56:49Z', 11],
              ['2021-11-16T11:56:49Z', 11],
            ],
          },
        ],
        dataSources: [
          {
            resourceId: `/subscriptions/${SUB}/resourcegroups/test-RG/providers/microsoft.operationalinsights/workspaces/test-logAnalyticsWorkspace`,
            region: 'eastus',
            tables: ['Heartbeat'],
          },
        ],
      },
      WorkspaceId: 'bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb',
      ResourceId: WORKSPACE,
      AlertType: 'Metric measurement',
      Dimensions: [],
    };
    expect(parseOne(azureLogLegacyParser, payload)).toEqual({
      format: 'azure-log-legacy',
      monitorCondition: 'Fired',
      alertRule: 'test-logAlertRule-v1-metricMeasurement',
      alertId: null,
      severity: 'Sev3',
      firedAt: '2021-11-16T15:16:49Z',
      resourceId: WORKSPACE,
      subscriptionId: SUB,
      resourceGroup: 'test-RG',
      resourceName: 'test-logAnalyticsWorkspace',
      kubernetes: NO_K8S,
      labels: { TimeGenerated: '2021-11-16T10:56:49Z', AggregatedValue: '11' },
    });
  });

  it('without ResourceId, the first data source is the resource; KubePodInventory columns name the pod', () => {
    const source = `/subscriptions/${SUB}/resourcegroups/aks-rg/providers/microsoft.operationalinsights/workspaces/aks-logs`;
    const payload = {
      schemaId: 'Microsoft.Insights/LogAlert',
      data: {
        SubscriptionId: SUB,
        AlertRuleName: 'failed-pods',
        SearchQuery: 'KubePodInventory | where PodStatus == "Failed"',
        SearchIntervalStartTimeUtc: '2021-11-15T15:15:24Z',
        Severity: 1,
        SearchResult: {
          tables: [
            {
              name: 'PrimaryResult',
              columns: [
                { name: 'ClusterName', type: 'string' },
                { name: 'Namespace', type: 'string' },
                { name: 'PodName', type: 'string' },
                { name: 'ControllerName', type: 'string' },
                { name: 'ControllerKind', type: 'string' },
              ],
              rows: [['aks-prod', 'shop', 'checkout-7d9f8b6c5d-x2x7k', 'checkout-7d9f8b6c5d', 'ReplicaSet']],
            },
          ],
          dataSources: [{ resourceId: source, region: 'eastus', tables: ['KubePodInventory'] }],
        },
      },
    };
    expect(parseOne(azureLogLegacyParser, payload)).toEqual({
      format: 'azure-log-legacy',
      monitorCondition: 'Fired',
      alertRule: 'failed-pods',
      alertId: null,
      severity: 'Sev1',
      // no end time in this body: the start is the best timestamp left
      firedAt: '2021-11-15T15:15:24Z',
      resourceId: source,
      subscriptionId: SUB,
      resourceGroup: 'aks-rg',
      resourceName: 'aks-logs',
      kubernetes: {
        cluster: 'aks-prod',
        namespace: 'shop',
        pod: 'checkout-7d9f8b6c5d-x2x7k',
        deployment: 'checkout',
        job: null,
        hpa: null,
      },
      labels: {
        ClusterName: 'aks-prod',
        Namespace: 'shop',
        PodName: 'checkout-7d9f8b6c5d-x2x7k',
        ControllerName: 'checkout-7d9f8b6c5d',
        ControllerKind: 'ReplicaSet',
      },
    });
  });

  it.each([
    ['AlertRuleName without any search field', { AlertRuleName: 'x' }],
    ['SearchQuery without AlertRuleName', { SearchQuery: 'Heartbeat' }],
    ['a flat body carrying some other schemaId', { schemaId: 'other', AlertRuleName: 'x', SearchQuery: 'Heartbeat' }],
    ['the LogAlert schemaId with an empty data', { schemaId: 'Microsoft.Insights/LogAlert', data: {} }],
    ['the LogAlert schemaId with data an array', { schemaId: 'Microsoft.Insights/LogAlert', data: [] }],
  ])('is null for %s', (_label, payload) => {
    expect(azureLogLegacyParser.parse(payload)).toBeNull();
  });
});

describe('azureActivityLogLegacyParser (schemaId Microsoft.Insights/activityLogs)', () => {
  it('Administrative (fixture): activityLog.resourceId, eventTimestamp, eventDataId as the instance id', () => {
    expect(
      parseOne(azureActivityLogLegacyParser, loadFixture('legacy_activitylog_administrative_vm_restart.json')),
    ).toEqual({
      format: 'azure-activitylog-legacy',
      monitorCondition: 'Fired',
      alertRule: null,
      alertId: 'bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb',
      severity: null,
      firedAt: '2021-11-16T08:27:36.1836909+00:00',
      resourceId: VM,
      subscriptionId: SUB,
      resourceGroup: 'test-RG',
      resourceName: 'test-VM',
      kubernetes: NO_K8S,
      labels: {
        eventSource: 'Administrative',
        operationName: 'Microsoft.Compute/virtualMachines/restart/action',
        status: 'Succeeded',
        caller: 'user-email@domain.com',
        level: 'Informational',
      },
    });
  });

  it('Service Health (non-common definitions): no resource, the subscription from the event; an event "Resolved" still fires', () => {
    const payload = activityLogAlert({
      channels: 'Admin',
      correlationId: 'aaaa0000-bb11-2222-33cc-444444dddddd',
      description:
        'This alert rule will trigger when there are updates to a service issue impacting subscription <name>.',
      eventSource: 'ServiceHealth',
      eventTimestamp: '2021-11-17T05:34:44.5778226+00:00',
      eventDataId: '12345678-1234-1234-1234-1234567890ab',
      level: 'Warning',
      operationName: 'Microsoft.ServiceHealth/incident/action',
      operationId: '12345678-abcd-efgh-ijkl-abcd12345678',
      properties: {
        title: 'Test Action Group - Test Service Health Alert',
        service: 'Azure Service Name',
        region: 'Global',
        incidentType: 'Incident',
        trackingId: 'ABC1-DEF',
        stage: 'Resolved',
      },
      status: 'Resolved',
      subscriptionId: SUB,
      submissionTimestamp: '2021-11-17T01:23:45.0623172+00:00',
    });
    expect(parseOne(azureActivityLogLegacyParser, payload)).toEqual({
      format: 'azure-activitylog-legacy',
      monitorCondition: 'Fired',
      alertRule: null,
      alertId: '12345678-1234-1234-1234-1234567890ab',
      severity: null,
      firedAt: '2021-11-17T05:34:44.5778226+00:00',
      resourceId: null,
      subscriptionId: SUB,
      resourceGroup: null,
      resourceName: null,
      kubernetes: NO_K8S,
      labels: {
        eventSource: 'ServiceHealth',
        operationName: 'Microsoft.ServiceHealth/incident/action',
        status: 'Resolved',
        level: 'Warning',
      },
    });
  });

  it('Resource Health (non-common definitions): the VM', () => {
    const payload = activityLogAlert({
      channels: 'Admin, Operation',
      correlationId: 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa',
      eventSource: 'ResourceHealth',
      eventTimestamp: '2021-11-16T09:50:20.406+00:00',
      eventDataId: 'bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb',
      level: 'Informational',
      operationName: 'Microsoft.Resourcehealth/healthevent/Activated/action',
      operationId: 'bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb',
      properties: {
        title: 'Rebooted by user',
        details: null,
        currentHealthStatus: 'Unavailable',
        previousHealthStatus: 'Available',
        type: 'Downtime',
        cause: 'UserInitiated',
      },
      resourceId: VM,
      resourceGroupName: 'test-RG',
      resourceProviderName: 'Microsoft.Resourcehealth/healthevent/action',
      status: 'Active',
      subscriptionId: SUB,
      submissionTimestamp: '2021-11-16T09:54:08.5303319+00:00',
      resourceType: 'MICROSOFT.COMPUTE/VIRTUALMACHINES',
    });
    expect(parseOne(azureActivityLogLegacyParser, payload)).toEqual({
      format: 'azure-activitylog-legacy',
      monitorCondition: 'Fired',
      alertRule: null,
      alertId: 'bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb',
      severity: null,
      firedAt: '2021-11-16T09:50:20.406+00:00',
      resourceId: VM,
      subscriptionId: SUB,
      resourceGroup: 'test-RG',
      resourceName: 'test-VM',
      kubernetes: NO_K8S,
      labels: {
        eventSource: 'ResourceHealth',
        operationName: 'Microsoft.Resourcehealth/healthevent/Activated/action',
        status: 'Active',
        level: 'Informational',
      },
    });
  });

  it('Recommendation (activity-log-alerts-webhook): the Advisor target resource', () => {
    const store =
      '/subscriptions/12345-5645-123a-9867-123b45a6789/resourceGroups/contoso/providers/microsoft.storage/storageaccounts/contosoStore';
    const payload = activityLogAlert({
      channels: 'Operation',
      caller: 'Microsoft.Advisor',
      correlationId: 'bbbb1111-cc22-3333-44dd-555555eeeeee',
      description: 'A new recommendation is available.',
      eventSource: 'Recommendation',
      eventTimestamp: '2017-06-29T13:52:33.2742943+00:00',
      eventDataId: '1bf234ef-e45f-4567-8bba-fb9b0ee1dbcb',
      level: 'Informational',
      operationName: 'Microsoft.Advisor/recommendations/available/action',
      properties: {
        recommendationCategory: 'HighAvailability',
        recommendationImpact: 'Medium',
        recommendationName: 'Enable Soft Delete to protect your blob data',
      },
      resourceId: store,
      resourceGroupName: 'CONTOSO',
      resourceProviderName: 'MICROSOFT.STORAGE',
      status: 'Active',
      subStatus: '',
      subscriptionId: '12345-5645-123a-9867-123b45a6789',
      submissionTimestamp: '2017-06-29T13:52:33.2742943+00:00',
      resourceType: 'MICROSOFT.STORAGE/STORAGEACCOUNTS',
    });
    expect(parseOne(azureActivityLogLegacyParser, payload)).toEqual({
      format: 'azure-activitylog-legacy',
      monitorCondition: 'Fired',
      alertRule: null,
      alertId: '1bf234ef-e45f-4567-8bba-fb9b0ee1dbcb',
      severity: null,
      firedAt: '2017-06-29T13:52:33.2742943+00:00',
      resourceId: store,
      subscriptionId: '12345-5645-123a-9867-123b45a6789',
      // the id's spelling, not resourceGroupName's upper-cased CONTOSO
      resourceGroup: 'contoso',
      resourceName: 'contosoStore',
      kubernetes: NO_K8S,
      labels: {
        eventSource: 'Recommendation',
        operationName: 'Microsoft.Advisor/recommendations/available/action',
        status: 'Active',
        caller: 'Microsoft.Advisor',
        level: 'Informational',
      },
    });
  });
});

describe('azureClassicMetricParser (classic metric alerts, no schemaId)', () => {
  it('Activated (fixture, alerts-webhooks "Payload schema"): no severity, no dimensions', () => {
    expect(parseOne(azureClassicMetricParser, loadFixture('classic_metric_alert_docs_site.json'))).toEqual({
      format: 'azure-classic-metric',
      monitorCondition: 'Fired',
      alertRule: 'ruleName1',
      alertId: '/subscriptions/s1/resourceGroups/useast/providers/microsoft.insights/alertrules/ruleName1',
      severity: null,
      firedAt: '2015-08-14T22:26:41.9975398Z',
      resourceId: '/subscriptions/s1/resourceGroups/useast/providers/microsoft.foo/sites/mysite1',
      subscriptionId: 's1',
      resourceGroup: 'useast',
      resourceName: 'mysite1',
      kubernetes: NO_K8S,
      labels: {},
    });
  });

  it('Resolved', () => {
    const fixture = loadFixture('classic_metric_alert_docs_site.json');
    const payload = typeof fixture === 'object' && fixture !== null ? { ...fixture, status: 'Resolved' } : fixture;
    expect(parseOne(azureClassicMetricParser, payload).monitorCondition).toBe('Resolved');
  });

  it.each([
    ['an Alertmanager notification', { status: 'firing', alerts: [] }],
    ['a context without id or name', { status: 'Activated', context: { resourceId: '/subscriptions/s1' } }],
    ['a non-string status', { status: 1, context: { id: 'x', name: 'y' } }],
    ['a context that is a string', { status: 'Activated', context: 'x' }],
  ])('is null for %s', (_label, payload) => {
    expect(azureClassicMetricParser.parse(payload)).toBeNull();
  });
});

const PARSERS: [string, FormatParser, string][] = [
  ['azureMetricLegacyParser', azureMetricLegacyParser, 'legacy_metricalert_'],
  ['azureLogLegacyParser', azureLogLegacyParser, 'legacy_log_'],
  ['azureActivityLogLegacyParser', azureActivityLogLegacyParser, 'legacy_activitylog_'],
  ['azureClassicMetricParser', azureClassicMetricParser, 'classic_metric_'],
];

describe.each(PARSERS)('%s: what it refuses and what it survives', (_name, parser, ownPrefix) => {
  const fixtureNames = readdirSync(FIXTURES).filter((n) => n.endsWith('.json'));

  it.each(fixtureNames.filter((n) => !n.startsWith(ownPrefix)))('is null for another format: %s', (name) => {
    expect(parser.parse(loadFixture(name))).toBeNull();
  });

  it.each([
    ['null', null],
    ['an array', []],
    ['a number', 3],
    ['a string', 'Activated'],
    ['an empty object', {}],
    ['a schemaId alone', { schemaId: 'Microsoft.Insights/activityLogs' }],
  ])('is null for %s', (_label, payload) => {
    expect(parser.parse(payload)).toBeNull();
  });

  it('never throws when any node of its fixture is replaced by an odd value', () => {
    let parsed = 0;
    for (const name of fixtureNames.filter((n) => n.startsWith(ownPrefix))) {
      for (const mutant of mutants(loadFixture(name))) {
        for (const alert of parser.parse(mutant) ?? []) AlertContext.parse(alert);
        parsed += 1;
      }
    }
    expect(parsed).toBeGreaterThan(100);
  });
});

describe('odd values in an otherwise recognised payload', () => {
  it('metric legacy: numbers for strings become nulls', () => {
    const payload = metricAlert('Activated', { name: 5, id: ['x'], severity: '12', timestamp: 0, resourceId: 7 });
    expect(parseOne(azureMetricLegacyParser, payload)).toEqual({
      format: 'azure-metric-legacy',
      monitorCondition: 'Fired',
      alertRule: null,
      alertId: null,
      // "12" is not a 0-4 level: kept as sent
      severity: '12',
      firedAt: null,
      resourceId: null,
      subscriptionId: SUB,
      resourceGroup: 'test-RG',
      resourceName: 'test-storageAccount',
      kubernetes: NO_K8S,
      labels: {},
    });
  });

  it('log legacy: mismatched rows and columns give what lines up', () => {
    const payload = {
      AlertRuleName: 'r',
      SearchQuery: 'q',
      Severity: null,
      SearchResult: { tables: [{ columns: [{ name: 'A' }, { name: 7 }, null], rows: [['a', 'b', 'c', 'd']] }] },
      Dimensions: 'not-a-list',
    };
    expect(parseOne(azureLogLegacyParser, payload).labels).toEqual({ A: 'a' });
  });

  it('activity log legacy: a numeric resourceId falls back to the deepest id the event names', () => {
    const payload = activityLogAlert({
      eventDataId: 'e1',
      resourceId: 12,
      authorization: { scope: VM },
      properties: { entity: `/subscriptions/${SUB}/resourceGroups/test-RG` },
    });
    expect(parseOne(azureActivityLogLegacyParser, payload)).toMatchObject({
      resourceId: VM,
      resourceGroup: 'test-RG',
      resourceName: 'test-VM',
      labels: {},
    });
  });
});
