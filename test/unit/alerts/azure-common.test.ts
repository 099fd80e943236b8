import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { azureCommonParser } from '../../../src/alerts/azure-common.js';
import { AlertContext } from '../../../src/core/alert-context.js';
import { ALERT_FIXTURES as FIXTURES, loadFixture, mutants } from '../../support/alert-fixtures.js';

/** Parses and checks the result against the AlertContext contract, as the webhook does on the way out. */
function parseOne(payload: unknown): AlertContext {
  const alerts = azureCommonParser.parse(payload);
  expect(alerts).toHaveLength(1);
  const [alert] = alerts ?? [];
  expect(AlertContext.parse(alert)).toEqual(alert);
  return AlertContext.parse(alert);
}

/** A common-schema payload around the docs' per-service alertContext samples (which omit the envelope). */
function common(essentials: Record<string, unknown>, alertContext: unknown): unknown {
  return {
    schemaId: 'azureMonitorCommonAlertSchema',
    data: { essentials: { essentialsVersion: '1.0', alertContextVersion: '1.0', ...essentials }, alertContext },
  };
}

const NO_K8S = { cluster: null, namespace: null, pod: null, deployment: null, job: null, hpa: null };
const SUB = 'aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e';
const TEST_ALERT_ID = `/subscriptions/${SUB}/providers/Microsoft.AlertsManagement/alerts/eeeeeeee-4444-5555-6666-ffffffffffff`;

describe('azureCommonParser: fixtures (learn.microsoft.com samples)', () => {
  it('metric alert, static threshold, resolved (alerts-common-schema "Sample alert payload")', () => {
    expect(parseOne(loadFixture('cs_metric_static_resolved_vm_docs.json'))).toEqual({
      format: 'azure-common',
      monitorCondition: 'Resolved',
      alertRule: 'WCUS-R2-Gen2',
      alertId:
        '/subscriptions/<subscription ID>/providers/Microsoft.AlertsManagement/alerts/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e',
      severity: 'Sev3',
      // the firing time, not resolvedDateTime (2019-03-22T14:03:16.2246313Z)
      firedAt: '2019-03-22T13:58:24.3713213Z',
      resourceId:
        '/subscriptions/<subscription ID>/resourcegroups/pipelinealertrg/providers/microsoft.compute/virtualmachines/wcus-r2-gen2',
      subscriptionId: '<subscription ID>',
      resourceGroup: 'pipelinealertrg',
      resourceName: 'wcus-r2-gen2',
      kubernetes: NO_K8S,
      labels: { ResourceId: 'a0a0a0a0-bbbb-cccc-dddd-e1e1e1e1e1e1' },
    });
  });

  it('Log Alerts V2 on a workspace: labels are allOf[].dimensions (test action "Log alert V2")', () => {
    expect(parseOne(loadFixture('cs_testaction_log_v2_workspace.json'))).toEqual({
      format: 'azure-common',
      monitorCondition: 'Fired',
      alertRule: 'test-logAlertRule-v2',
      alertId: TEST_ALERT_ID,
      severity: 'Sev4',
      firedAt: '2025-04-15T18:08:03.626Z',
      resourceId: `/subscriptions/${SUB}/resourcegroups/test-RG/providers/microsoft.operationalinsights/workspaces/test-logAnalyticsWorkspace`,
      subscriptionId: SUB,
      resourceGroup: 'test-RG',
      resourceName: 'test-logAnalyticsWorkspace',
      kubernetes: NO_K8S,
      labels: { Computer: 'test-computer' },
    });
  });

  it('Activity Log - Administrative: the target names a resource, so it is kept as sent (lower-cased provider)', () => {
    expect(parseOne(loadFixture('cs_testaction_activitylog_administrative_vm_restart.json'))).toEqual({
      format: 'azure-common',
      monitorCondition: 'Fired',
      alertRule: 'test-activityLogAlertRule',
      alertId: `/subscriptions/${SUB}/resourceGroups/test-RG/providers/microsoft.insights/activityLogAlerts/Test_Alert`,
      severity: 'Sev4',
      firedAt: '2025-04-15T11:26:21.386Z',
      resourceId: `/subscriptions/${SUB}/resourcegroups/test-RG/providers/microsoft.compute/virtualmachines/test-VM`,
      subscriptionId: SUB,
      resourceGroup: 'test-RG',
      resourceName: 'test-VM',
      kubernetes: NO_K8S,
      labels: {
        eventSource: 'Administrative',
        operationName: 'Microsoft.Compute/virtualMachines/restart/action',
        status: 'Succeeded',
        caller: 'user@contoso.com',
        level: 'Informational',
      },
    });
  });

  it('CostAlerts budget: null rule, severity and targets; the budget scope is the resource', () => {
    expect(parseOne(loadFixture('cs_testaction_cost_budget_nulls.json'))).toEqual({
      format: 'azure-common',
      monitorCondition: 'Fired',
      alertRule: null,
      alertId: `/subscriptions/${SUB}/providers/Microsoft.CostManagement/alerts/Test_Alert`,
      severity: null,
      firedAt: '2025-04-15T17:53:32.996Z',
      resourceId: `/subscriptions/${SUB}/`,
      subscriptionId: SUB,
      resourceGroup: null,
      resourceName: null,
      kubernetes: NO_K8S,
      labels: {
        AlertCategory: 'budgets',
        Scope: `/subscriptions/${SUB}/`,
        ThresholdType: 'Actual',
        BudgetType: 'Cost',
        BudgetThreshold: '$50.00',
        NotificationThresholdAmount: '$25.00',
        BudgetName: 'Test_actual_cost_budget',
        BudgetId: `/subscriptions/${SUB}/providers/Microsoft.Consumption/budgets/Test_actual_cost_budget`,
        BudgetStartDate: '2022-11-01',
        BudgetCreator: 'test@sample.test',
        Unit: 'USD',
        SpentAmount: '$11,111.00',
      },
    });
  });

  it('Prometheus rule group on AKS: target is the Azure Monitor workspace, cluster from the label, job "node" is a scrape job', () => {
    expect(parseOne(loadFixture('cs_prometheus_aks_node_cpu_fired_blog.json'))).toEqual({
      format: 'azure-common',
      monitorCondition: 'Fired',
      alertRule: 'RecommendedCIAlerts-aks0001/Average node CPU utilization is greater than 80%',
      alertId:
        '/subscriptions/<subscription id>/providers/Microsoft.AlertsManagement/alerts/2e0b05ad-6367-db4d-efed-f1cd039d5592',
      severity: 'Sev4',
      firedAt: '2022-11-08T08:01:02.3929824Z',
      resourceId: '/subscriptions/<subscription id>/resourcegroups/mon/providers/microsoft.monitor/accounts/prom007',
      subscriptionId: '<subscription id>',
      resourceGroup: 'mon',
      resourceName: 'prom007',
      kubernetes: { ...NO_K8S, cluster: 'aks0001' },
      labels: {
        alertname: 'Average node CPU utilization is greater than 80%',
        cluster: 'aks0001',
        cpu: '0',
        instance: 'aks-agentpool-27465642-vmss000000',
        job: 'node',
        metrics_path: '/metrics',
        mode: 'idle',
      },
    });
  });
});

describe('azureCommonParser: Platform metric alerts (alerts-payload-samples)', () => {
  it('dynamic threshold (test action "Metric alert - Dynamic threshold"): no dimensions, target case kept', () => {
    const payload = common(
      {
        alertId: TEST_ALERT_ID,
        alertRule: 'test-dynamicMetricAlertRule',
        severity: 'Sev4',
        signalType: 'Metric',
        monitorCondition: 'Fired',
        monitoringService: 'Platform',
        alertTargetIDs: [
          `/subscriptions/${SUB}/resourcegroups/test-RG/providers/Microsoft.Storage/storageAccounts/test-storageAccount`,
        ],
        configurationItems: ['test-storageAccount'],
        firedDateTime: '2025-04-15T18:15:16.104Z',
      },
      {
        properties: { customKey1: 'value1', customKey2: 'value2' },
        conditionType: 'DynamicThresholdCriteria',
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
          windowStartTime: '2025-04-15T18:15:16.104Z',
          windowEndTime: '2025-04-15T18:15:16.104Z',
        },
      },
    );
    expect(parseOne(payload)).toEqual({
      format: 'azure-common',
      monitorCondition: 'Fired',
      alertRule: 'test-dynamicMetricAlertRule',
      alertId: TEST_ALERT_ID,
      severity: 'Sev4',
      firedAt: '2025-04-15T18:15:16.104Z',
      resourceId: `/subscriptions/${SUB}/resourcegroups/test-RG/providers/Microsoft.Storage/storageAccounts/test-storageAccount`,
      subscriptionId: SUB,
      resourceGroup: 'test-RG',
      resourceName: 'test-storageAccount',
      kubernetes: NO_K8S,
      labels: {},
    });
  });

  it('multi-resource rule: each alert targets one resource; dimensions of every criterion, the first winning', () => {
    const vm = `/subscriptions/${SUB}/resourcegroups/test-RG/providers/microsoft.compute/virtualmachines/vm-02`;
    const payload = common(
      {
        alertId: TEST_ALERT_ID,
        alertRule: 'cpu-all-vms',
        severity: 'Sev2',
        signalType: 'Metric',
        monitorCondition: 'Fired',
        monitoringService: 'Platform',
        alertTargetIDs: [vm],
        configurationItems: ['vm-02'],
        firedDateTime: '2025-04-15T18:17:12.851Z',
      },
      {
        properties: null,
        conditionType: 'MultipleResourceMultipleMetricCriteria',
        condition: {
          windowSize: 'PT5M',
          allOf: [
            {
              metricName: 'Percentage CPU',
              metricNamespace: 'Microsoft.Compute/virtualMachines',
              operator: 'GreaterThan',
              threshold: '90',
              timeAggregation: 'Maximum',
              dimensions: [{ name: 'ResourceId', value: 'b1b1b1b1-cccc-dddd-eeee-f2f2f2f2f2f2' }],
              metricValue: 97.5,
              webTestName: null,
            },
            {
              metricName: 'Disk Read Operations/Sec',
              metricNamespace: 'Microsoft.Compute/virtualMachines',
              operator: 'GreaterThan',
              threshold: '500',
              timeAggregation: 'Average',
              dimensions: [
                { name: 'ResourceId', value: 'ignored-second-value' },
                { name: 'LUN', value: 0 },
              ],
              metricValue: 812,
              webTestName: null,
            },
          ],
          staticThresholdFailingPeriods: { numberOfEvaluationPeriods: 0, minFailingPeriodsToAlert: 0 },
        },
      },
    );
    expect(parseOne(payload)).toEqual({
      format: 'azure-common',
      monitorCondition: 'Fired',
      alertRule: 'cpu-all-vms',
      alertId: TEST_ALERT_ID,
      severity: 'Sev2',
      firedAt: '2025-04-15T18:17:12.851Z',
      resourceId: vm,
      subscriptionId: SUB,
      resourceGroup: 'test-RG',
      resourceName: 'vm-02',
      kubernetes: NO_K8S,
      labels: { ResourceId: 'b1b1b1b1-cccc-dddd-eeee-f2f2f2f2f2f2', LUN: '0' },
    });
  });

  it('web test availability (test action "Availability test alert"): the App Insights component is the resource', () => {
    const component = `/subscriptions/${SUB}/resourcegroups/test-RG/providers/microsoft.insights/components/test-applicationInsights`;
    const payload = common(
      {
        alertId: TEST_ALERT_ID,
        alertRule: 'test-availabilityTest-test-applicationInsights',
        severity: 'Sev4',
        signalType: 'Metric',
        monitorCondition: 'Fired',
        monitoringService: 'Platform',
        alertTargetIDs: [component],
        configurationItems: ['test-applicationInsights'],
        firedDateTime: '2025-04-15T17:42:34.824Z',
      },
      {
        properties: null,
        conditionType: 'WebtestLocationAvailabilityCriteria',
        condition: {
          windowSize: 'PT5M',
          allOf: [
            {
              metricName: 'FailedLocation',
              metricNamespace: null,
              operator: 'GreaterThan',
              threshold: '2',
              timeAggregation: 'Sum',
              dimensions: [],
              metricValue: 5.0,
              webTestName: 'test-availabilityTest-test-applicationInsights',
            },
          ],
          windowStartTime: '2025-04-15T17:42:34.824Z',
          windowEndTime: '2025-04-15T17:42:34.824Z',
        },
      },
    );
    expect(parseOne(payload)).toEqual({
      format: 'azure-common',
      monitorCondition: 'Fired',
      alertRule: 'test-availabilityTest-test-applicationInsights',
      alertId: TEST_ALERT_ID,
      severity: 'Sev4',
      firedAt: '2025-04-15T17:42:34.824Z',
      resourceId: component,
      subscriptionId: SUB,
      resourceGroup: 'test-RG',
      resourceName: 'test-applicationInsights',
      kubernetes: NO_K8S,
      labels: {},
    });
  });
});

describe('azureCommonParser: log search V1', () => {
  const workspace = `/subscriptions/${SUB}/resourcegroups/test-RG/providers/microsoft.operationalinsights/workspaces/test-logAnalyticsWorkspace`;

  it('Log Analytics, number of results (test action "Log alert V1 - Number of results"): labels from the first row', () => {
    const payload = common(
      {
        alertId: TEST_ALERT_ID,
        alertRule: 'test-logAlertRule-v1-numResults',
        severity: 'Sev4',
        signalType: 'Log',
        monitorCondition: 'Fired',
        monitoringService: 'Log Analytics',
        alertTargetIDs: [workspace],
        configurationItems: ['test-computer'],
        firedDateTime: '2025-04-15T18:04:40.852Z',
        alertContextVersion: '1.1',
      },
      {
        SearchQuery: 'Heartbeat',
        SearchIntervalStartTimeUtc: '2025-04-15T18:04:40.852Z',
        SearchIntervalEndtimeUtc: '2025-04-15T18:04:40.852Z',
        ResultCount: 1,
        SeverityDescription: 'Informational',
        WorkspaceId: 'dddd3333-ee44-5555-66ff-777777aaaaaa',
        SearchIntervalDurationMin: '1440',
        AffectedConfigurationItems: ['test-computer'],
        AlertType: 'Number of results',
        IncludeSearchResults: true,
        SearchIntervalInMinutes: '1440',
        SearchResults: {
          tables: [
            {
              name: 'PrimaryResult',
              columns: [
                { name: 'TenantId', type: 'string' },
                { name: 'Computer', type: 'string' },
                { name: 'TimeGenerated', type: 'datetime' },
              ],
              rows: [['dddd3333-ee44-5555-66ff-777777aaaaaa', 'test-computer', '2025-04-15T18:04:40.852Z']],
            },
          ],
          dataSources: [{ resourceId: workspace, region: 'eastus', tables: ['Heartbeat'] }],
        },
        Threshold: 0,
        Operator: 'Greater Than',
        IncludedSearchResults: 'True',
      },
    );
    expect(parseOne(payload)).toEqual({
      format: 'azure-common',
      monitorCondition: 'Fired',
      alertRule: 'test-logAlertRule-v1-numResults',
      alertId: TEST_ALERT_ID,
      severity: 'Sev4',
      firedAt: '2025-04-15T18:04:40.852Z',
      resourceId: workspace,
      subscriptionId: SUB,
      resourceGroup: 'test-RG',
      resourceName: 'test-logAnalyticsWorkspace',
      kubernetes: NO_K8S,
      labels: {
        TenantId: 'dddd3333-ee44-5555-66ff-777777aaaaaa',
        Computer: 'test-computer',
        TimeGenerated: '2025-04-15T18:04:40.852Z',
      },
    });
  });

  it('Application Insights, metric measurement: Dimensions win over the row, "$table" is skipped', () => {
    const component = `/subscriptions/${SUB}/resourcegroups/test-RG/providers/microsoft.insights/components/acme-app`;
    const payload = common(
      {
        alertId: TEST_ALERT_ID,
        alertRule: 'AcmeRule',
        severity: 'Sev3',
        signalType: 'Log',
        monitorCondition: 'Fired',
        monitoringService: 'Application Insights',
        alertTargetIDs: [component],
        firedDateTime: '2019-03-22T13:51:33.0000000Z',
      },
      {
        SearchQuery:
          'requests | where resultCode == "500" | summarize AggregatedValue = Count by bin(Timestamp, 5m), IP',
        SearchIntervalStartTimeUtc: '3/22/2019 1:36:33 PM',
        SearchIntervalEndtimeUtc: '3/22/2019 1:51:33 PM',
        ResultCount: 2,
        SearchIntervalDurationMin: '15',
        SearchIntervalInMinutes: '15',
        Threshold: 10000.0,
        Operator: 'Less Than',
        ApplicationId: '00001111-aaaa-2222-bbbb-3333cccc4444',
        Dimensions: [
          { name: 'IP', value: '1.1.1.1' },
          { name: 'Id', value: 'from-dimensions' },
        ],
        SearchResults: {
          tables: [
            {
              name: 'PrimaryResult',
              columns: [
                { name: '$table', type: 'string' },
                { name: 'Id', type: 'string' },
                { name: 'Timestamp', type: 'datetime' },
              ],
              rows: [
                ['Fabrikam', '33446677a', '2018-02-02T15:03:12.18Z'],
                ['Contoso', '33445566b', '2018-02-02T15:16:53.932Z'],
              ],
            },
          ],
        },
        IncludedSearchResults: 'True',
        AlertType: 'Metric measurement',
      },
    );
    expect(parseOne(payload)).toEqual({
      format: 'azure-common',
      monitorCondition: 'Fired',
      alertRule: 'AcmeRule',
      alertId: TEST_ALERT_ID,
      severity: 'Sev3',
      firedAt: '2019-03-22T13:51:33.0000000Z',
      resourceId: component,
      subscriptionId: SUB,
      resourceGroup: 'test-RG',
      resourceName: 'acme-app',
      kubernetes: NO_K8S,
      labels: { IP: '1.1.1.1', Id: 'from-dimensions', Timestamp: '2018-02-02T15:03:12.18Z' },
    });
  });
});

describe('azureCommonParser: activity log, health, Advisor and Smart Detector', () => {
  it('Resource Health (test action "Resource health alert"): no caller, the VM target kept', () => {
    const vm = `/subscriptions/${SUB}/resourcegroups/test-RG/providers/microsoft.compute/virtualmachines/test-VM`;
    const payload = common(
      {
        alertId: TEST_ALERT_ID,
        alertRule: 'test-ResourceHealthAlertRule',
        severity: 'Sev4',
        signalType: 'Activity Log',
        monitorCondition: 'Fired',
        monitoringService: 'Resource Health',
        alertTargetIDs: [vm],
        configurationItems: ['test-VM'],
        firedDateTime: '2025-04-15T18:19:45.304Z',
      },
      {
        channels: 'Admin, Operation',
        correlationId: 'cccc2222-dd33-4444-55ee-666666ffffff',
        eventSource: 'ResourceHealth',
        eventTimestamp: '2025-04-15T18:19:45.304Z',
        eventDataId: 'dddd3333-ee44-5555-66ff-777777aaaaaa',
        level: 'Informational',
        operationName: 'Microsoft.Resourcehealth/healthevent/Activated/action',
        operationId: 'dddd3333-ee44-5555-66ff-777777aaaaaa',
        properties: {
          title: 'Rebooted by user',
          details: null,
          currentHealthStatus: 'Unavailable',
          previousHealthStatus: 'Available',
          type: 'Downtime',
          cause: 'UserInitiated',
        },
        status: 'Active',
        submissionTimestamp: '2025-04-15T18:19:45.304Z',
        'Activity Log Event Description': null,
      },
    );
    expect(parseOne(payload)).toEqual({
      format: 'azure-common',
      monitorCondition: 'Fired',
      alertRule: 'test-ResourceHealthAlertRule',
      alertId: TEST_ALERT_ID,
      severity: 'Sev4',
      firedAt: '2025-04-15T18:19:45.304Z',
      resourceId: vm,
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

  it('ServiceHealth (test action "Service health alert"): subscription target, numeric fields as text, event "Resolved" does not resolve the alert', () => {
    const payload = common(
      {
        alertId: `/subscriptions/${SUB}/providers/Microsoft.AlertsManagement/alerts/1234abcd5678efgh1234abcd5678efgh1234abcd5678efgh1234abcd5678efgh`,
        alertRule: 'test-ServiceHealthAlertRule',
        severity: 'Sev4',
        signalType: 'ActivityLog',
        monitorCondition: 'Fired',
        monitoringService: 'ServiceHealth',
        alertTargetIDs: [`/subscriptions/${SUB}`],
        originAlertId: 'eeeeeeee-4444-5555-6666-ffffffffffff',
        firedDateTime: '2025-04-15T18:20:36.256Z',
      },
      {
        authorization: null,
        channels: 1,
        claims: null,
        caller: null,
        correlationId: '12345678-abcd-efgh-ijkl-abcd12345678',
        eventSource: 2,
        eventTimestamp: '2025-04-15T18:20:36.256Z',
        httpRequest: null,
        eventDataId: 'eeeeeeee-4444-5555-6666-ffffffffffff',
        level: 3,
        operationName: 'Microsoft.ServiceHealth/incident/action',
        operationId: '12345678-abcd-efgh-ijkl-abcd12345678',
        properties: {
          title: 'TestActionGroup-TestServiceHealthAlert',
          service: 'AzureServiceName',
          region: 'Global',
          incidentType: 'Incident',
          trackingId: 'TEST-TTT',
          impactedServices: [{ ImpactedRegions: [{ RegionName: 'Global' }], ServiceName: 'AzureServiceName' }],
          stage: 'Resolved',
          IsSynthetic: 'True',
          impactType: 'SubscriptionList',
          version: '0.1.1',
        },
        status: 'Resolved',
        subStatus: null,
        submissionTimestamp: '2025-04-15T18:20:36.256Z',
        ResourceType: null,
      },
    );
    expect(parseOne(payload)).toEqual({
      format: 'azure-common',
      monitorCondition: 'Fired',
      alertRule: 'test-ServiceHealthAlertRule',
      alertId: `/subscriptions/${SUB}/providers/Microsoft.AlertsManagement/alerts/1234abcd5678efgh1234abcd5678efgh1234abcd5678efgh1234abcd5678efgh`,
      severity: 'Sev4',
      firedAt: '2025-04-15T18:20:36.256Z',
      resourceId: `/subscriptions/${SUB}`,
      subscriptionId: SUB,
      resourceGroup: null,
      resourceName: null,
      kubernetes: NO_K8S,
      labels: {
        eventSource: '2',
        operationName: 'Microsoft.ServiceHealth/incident/action',
        status: 'Resolved',
        level: '3',
      },
    });
  });

  it('Activity Log - Administrative on a subscription-scoped rule: the resource the event names wins', () => {
    const payload = common(
      {
        alertId: TEST_ALERT_ID,
        alertRule: 'vm-restarts',
        severity: 'Sev3',
        signalType: 'Activity Log',
        monitorCondition: 'Fired',
        monitoringService: 'Activity Log - Administrative',
        alertTargetIDs: [`/subscriptions/${SUB}`],
        firedDateTime: '2019-03-22T13:56:31.2917159Z',
      },
      {
        authorization: {
          action: 'Microsoft.Compute/virtualMachines/restart/action',
          scope: `/subscriptions/${SUB}/resourceGroups/PipeLineAlertRG/providers/Microsoft.Compute/virtualMachines/WCUS-R2-ActLog`,
        },
        channels: 'Operation',
        caller: '22223333-cccc-4444-dddd-5555eeee6666',
        correlationId: 'aaaa0000-bb11-2222-33cc-444444dddddd',
        eventSource: 'Administrative',
        eventTimestamp: '2019-03-22T13:56:31.2917159+00:00',
        eventDataId: 'bbbbcccc-1111-dddd-2222-eeee3333ffff',
        level: 'Informational',
        operationName: 'Microsoft.Compute/virtualMachines/restart/action',
        operationId: 'aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb',
        status: 'Succeeded',
        subStatus: '',
        submissionTimestamp: '2019-03-22T13:56:54.067593+00:00',
      },
    );
    expect(parseOne(payload)).toEqual({
      format: 'azure-common',
      monitorCondition: 'Fired',
      alertRule: 'vm-restarts',
      alertId: TEST_ALERT_ID,
      severity: 'Sev3',
      firedAt: '2019-03-22T13:56:31.2917159Z',
      resourceId: `/subscriptions/${SUB}/resourceGroups/PipeLineAlertRG/providers/Microsoft.Compute/virtualMachines/WCUS-R2-ActLog`,
      subscriptionId: SUB,
      resourceGroup: 'PipeLineAlertRG',
      resourceName: 'WCUS-R2-ActLog',
      kubernetes: NO_K8S,
      labels: {
        eventSource: 'Administrative',
        operationName: 'Microsoft.Compute/virtualMachines/restart/action',
        status: 'Succeeded',
        caller: '22223333-cccc-4444-dddd-5555eeee6666',
        level: 'Informational',
      },
    });
  });

  it('Activity Log - Policy: a subscription-level compliance event stays on the subscription', () => {
    const payload = common(
      {
        alertId: TEST_ALERT_ID,
        alertRule: 'policy-audit',
        severity: 'Sev2',
        signalType: 'Activity Log',
        monitorCondition: 'Fired',
        monitoringService: 'Activity Log - Policy',
        alertTargetIDs: ['/subscriptions/<GUID>'],
        firedDateTime: '2019-08-25T11:12:46.1557298Z',
      },
      {
        authorization: { action: 'Microsoft.Resources/checkPolicyCompliance/read', scope: '/subscriptions/<GUID>' },
        channels: 'Operation',
        caller: '<GUID>',
        correlationId: '<GUID>',
        eventSource: 'Policy',
        eventTimestamp: '2019-08-25T11:11:34.2269098+00:00',
        eventDataId: '<GUID>',
        level: 'Warning',
        operationName: 'Microsoft.Authorization/policies/audit/action',
        operationId: '<GUID>',
        properties: {
          isComplianceCheck: 'True',
          resourceLocation: 'eastus2',
          ancestors: '<GUID>',
          policies: '[{"policyDefinitionEffect":"AuditIfNotExists","policyAssignmentName":"SecurityCenterBuiltIn"}]',
        },
        status: 'Succeeded',
        subStatus: '',
        submissionTimestamp: '2019-08-25T11:12:46.1557298+00:00',
      },
    );
    expect(parseOne(payload)).toEqual({
      format: 'azure-common',
      monitorCondition: 'Fired',
      alertRule: 'policy-audit',
      alertId: TEST_ALERT_ID,
      severity: 'Sev2',
      firedAt: '2019-08-25T11:12:46.1557298Z',
      resourceId: '/subscriptions/<GUID>',
      subscriptionId: '<GUID>',
      resourceGroup: null,
      resourceName: null,
      kubernetes: NO_K8S,
      labels: {
        eventSource: 'Policy',
        operationName: 'Microsoft.Authorization/policies/audit/action',
        status: 'Succeeded',
        caller: '<GUID>',
        level: 'Warning',
      },
    });
  });

  it('Activity Log - Autoscale: the scaled resource (properties.resourceName, a full id) replaces a subscription target', () => {
    const vmss =
      '/subscriptions/<GUID>/resourceGroups/voiceassistancedemo/providers/Microsoft.Compute/virtualMachineScaleSets/alexademo';
    const payload = common(
      {
        alertId: TEST_ALERT_ID,
        alertRule: 'scale-events',
        severity: 'Sev4',
        signalType: 'Activity Log',
        monitorCondition: 'Fired',
        monitoringService: 'Activity Log - Autoscale',
        alertTargetIDs: ['/subscriptions/<GUID>'],
        firedDateTime: '2019-08-21T16:17:47.2410185Z',
      },
      {
        channels: 'Admin, Operation',
        claims: '{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/spn":"Microsoft.Insights/autoscaleSettings"}',
        caller: 'Microsoft.Insights/autoscaleSettings',
        correlationId: '<GUID>',
        eventSource: 'Autoscale',
        eventTimestamp: '2019-08-21T16:17:47.1551167+00:00',
        eventDataId: '<GUID>',
        level: 'Informational',
        operationName: 'Microsoft.Insights/AutoscaleSettings/Scaleup/Action',
        operationId: '<GUID>',
        properties: {
          description:
            "The autoscale engine attempting to scale resource '/subscriptions/d<GUID>/resourceGroups/testRG/providers/Microsoft.Compute/virtualMachineScaleSets/testVMSS' from 9 instances count to 10 instances count.",
          resourceName: vmss,
          oldInstancesCount: '9',
          newInstancesCount: '10',
          lastScaleActionTime: 'Wed, 21 Aug 2019 16:17:47 GMT',
        },
        status: 'Succeeded',
        submissionTimestamp: '2019-08-21T16:17:47.2410185+00:00',
      },
    );
    expect(parseOne(payload)).toEqual({
      format: 'azure-common',
      monitorCondition: 'Fired',
      alertRule: 'scale-events',
      alertId: TEST_ALERT_ID,
      severity: 'Sev4',
      firedAt: '2019-08-21T16:17:47.2410185Z',
      resourceId: vmss,
      subscriptionId: '<GUID>',
      resourceGroup: 'voiceassistancedemo',
      resourceName: 'alexademo',
      kubernetes: NO_K8S,
      labels: {
        eventSource: 'Autoscale',
        operationName: 'Microsoft.Insights/AutoscaleSettings/Scaleup/Action',
        status: 'Succeeded',
        caller: 'Microsoft.Insights/autoscaleSettings',
        level: 'Informational',
      },
    });
  });

  it('Activity Log - Security: the event names no ARM id (compromisedEntity is a bare name), the target stays', () => {
    const payload = common(
      {
        alertId: TEST_ALERT_ID,
        alertRule: 'defender-alerts',
        severity: 'Sev1',
        signalType: 'Activity Log',
        monitorCondition: 'Fired',
        monitoringService: 'Activity Log - Security',
        alertTargetIDs: ['/subscriptions/<GUID>'],
        firedDateTime: '2019-08-26T09:28:58.3019107Z',
      },
      {
        channels: 'Operation',
        correlationId: '<GUID>',
        eventSource: 'Security',
        eventTimestamp: '2019-08-26T08:34:14+00:00',
        eventDataId: '<GUID>',
        level: 'Informational',
        operationName: 'Microsoft.Security/locations/alerts/activate/action',
        operationId: '<GUID>',
        properties: {
          threatStatus: 'Quarantined',
          category: 'Virus',
          threatID: '2147519003',
          filePath: 'C:\\AlertGeneration\\test.eicar',
          protectionType: 'Windows Defender',
          actionTaken: 'Blocked',
          resourceType: 'Virtual Machine',
          severity: 'Low',
          compromisedEntity: 'testVM',
          remediationSteps: '["No user action is necessary"]',
          attackedResourceType: 'Virtual Machine',
        },
        status: 'Active',
        submissionTimestamp: '2019-08-26T09:28:58.3019107+00:00',
      },
    );
    expect(parseOne(payload)).toEqual({
      format: 'azure-common',
      monitorCondition: 'Fired',
      alertRule: 'defender-alerts',
      alertId: TEST_ALERT_ID,
      severity: 'Sev1',
      firedAt: '2019-08-26T09:28:58.3019107Z',
      resourceId: '/subscriptions/<GUID>',
      subscriptionId: '<GUID>',
      resourceGroup: null,
      resourceName: null,
      kubernetes: NO_K8S,
      labels: {
        eventSource: 'Security',
        operationName: 'Microsoft.Security/locations/alerts/activate/action',
        status: 'Active',
        level: 'Informational',
      },
    });
  });

  it('Advisor recommendation (advisor-alerts common-schema sample, "Activity Log - Recommendation")', () => {
    const server =
      '/subscriptions/<subid>/resourcegroups/<resource group name>/providers/microsoft.dbformariadb/servers/<resource name>';
    const payload = common(
      {
        alertId: '/subscriptions/<subid>/providers/Microsoft.AlertsManagement/alerts/<alerted>',
        alertRule: 'Webhhook-test',
        severity: 'Sev4',
        signalType: 'Activity Log',
        monitorCondition: 'Fired',
        monitoringService: 'Activity Log - Recommendation',
        alertTargetIDs: [server],
        originAlertId: '001d8b40-5d41-4310-afd7-d65c9d4428ed',
        firedDateTime: '2019-07-17T23:00:57.3858656Z',
        description: 'A new recommendation is available.',
      },
      {
        channels: 'Operation',
        claims: '{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress":"Microsoft.Advisor"}',
        caller: 'Microsoft.Advisor',
        correlationId: '8554b847-2a72-48ef-9776-600aca3c3aab',
        eventSource: 'Recommendation',
        eventTimestamp: '2019-07-17T22:28:54.1566942+00:00',
        httpRequest: '{"clientIpAddress":"0.0.0.0"}',
        eventDataId: '001d8b40-5d41-4310-afd7-d65c9d4428ed',
        level: 'Informational',
        operationName: 'Microsoft.Advisor/recommendations/available/action',
        properties: {
          recommendationSchemaVersion: '1.0',
          recommendationCategory: 'Performance',
          recommendationImpact: 'Medium',
          recommendationName: 'Increase the MariaDB server vCores',
          recommendationType: 'a5f888e3-8cf4-4491-b2ba-b120e14eb7ce',
        },
        status: 'Active',
        subStatus: '',
        submissionTimestamp: '2019-07-17T22:28:54.1566942+00:00',
      },
    );
    expect(parseOne(payload)).toEqual({
      format: 'azure-common',
      monitorCondition: 'Fired',
      alertRule: 'Webhhook-test',
      alertId: '/subscriptions/<subid>/providers/Microsoft.AlertsManagement/alerts/<alerted>',
      severity: 'Sev4',
      firedAt: '2019-07-17T23:00:57.3858656Z',
      resourceId: server,
      subscriptionId: '<subid>',
      resourceGroup: '<resource group name>',
      resourceName: '<resource name>',
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

  it('Smart Detector (test action "Smart alert", monitoringService "SmartDetector"): detector id and name as labels', () => {
    const component = `/subscriptions/${SUB}/resourcegroups/test-RG/providers/microsoft.insights/components/test-applicationInsights`;
    const payload = common(
      {
        alertId: TEST_ALERT_ID,
        alertRule: 'test-SmartAlertRule',
        severity: 'Sev4',
        signalType: 'Log',
        monitorCondition: 'Fired',
        monitoringService: 'SmartDetector',
        alertTargetIDs: [component],
        configurationItems: ['test-applicationInsights'],
        firedDateTime: '2021-10-28T19:09:09.1115084Z',
      },
      {
        DetectionSummary: 'A degradation in the dependency duration over the last 24 hours',
        FormattedOccurrenceTime: '2025-04-15T18:23:16.577Z',
        DetectedValue: '0.45 sec',
        NormalValue: '0.27 sec (over the last 7 days)',
        SmartDetectorId: 'DependencyPerformanceDegradationDetector',
        SmartDetectorName: 'Dependency Performance Degradation Detector',
        AnalysisTimestamp: '2025-04-15T18:23:16.577Z',
      },
    );
    expect(parseOne(payload)).toEqual({
      format: 'azure-common',
      monitorCondition: 'Fired',
      alertRule: 'test-SmartAlertRule',
      alertId: TEST_ALERT_ID,
      severity: 'Sev4',
      firedAt: '2021-10-28T19:09:09.1115084Z',
      resourceId: component,
      subscriptionId: SUB,
      resourceGroup: 'test-RG',
      resourceName: 'test-applicationInsights',
      kubernetes: NO_K8S,
      labels: {
        SmartDetectorId: 'DependencyPerformanceDegradationDetector',
        SmartDetectorName: 'Dependency Performance Degradation Detector',
      },
    });
  });
});

describe('azureCommonParser: AKS (Prometheus and Container Insights)', () => {
  const aks = `/subscriptions/${SUB}/resourceGroups/aks-rg/providers/Microsoft.ContainerService/managedClusters/aks-prod`;
  const base = {
    alertId: TEST_ALERT_ID,
    severity: 'Sev1',
    monitorCondition: 'Fired',
    firedDateTime: '2025-04-15T18:30:00.000Z',
  };

  it('Prometheus docs sample (sql_up): labels as sent, cluster from the "cluster" label', () => {
    const ws = `/subscriptions/${SUB}/resourcegroups/myResourceGroup/providers/microsoft.monitor/accounts/myWorkspace`;
    const payload = common(
      {
        ...base,
        alertRule: 'myRuleGroup/sql_up',
        signalType: 'Metric',
        monitoringService: 'Prometheus',
        alertTargetIDs: [ws],
      },
      {
        interval: 'PT1M',
        expression: 'sql_up > 0',
        expressionValue: '0',
        for: 'PT2M',
        labels: { Environment: 'Prod', cluster: 'myCluster1' },
        annotations: { summary: 'alert on SQL availability' },
        ruleGroup: `/subscriptions/${SUB}/resourceGroups/myResourceGroup/providers/Microsoft.AlertsManagement/prometheusRuleGroups/myRuleGroup`,
      },
    );
    expect(parseOne(payload)).toEqual({
      format: 'azure-common',
      monitorCondition: 'Fired',
      alertRule: 'myRuleGroup/sql_up',
      alertId: TEST_ALERT_ID,
      severity: 'Sev1',
      firedAt: '2025-04-15T18:30:00.000Z',
      resourceId: ws,
      subscriptionId: SUB,
      resourceGroup: 'myResourceGroup',
      resourceName: 'myWorkspace',
      kubernetes: { ...NO_K8S, cluster: 'myCluster1' },
      labels: { Environment: 'Prod', cluster: 'myCluster1' },
    });
  });

  it('Prometheus kube-state-metrics HPA alert without a cluster label: cluster from configurationItems', () => {
    const ws = `/subscriptions/${SUB}/resourcegroups/mon/providers/microsoft.monitor/accounts/prom007`;
    const labels = {
      alertname: 'KubeHpaMaxedOut',
      horizontalpodautoscaler: 'web-hpa',
      namespace: 'shop',
      job: 'kube-state-metrics',
      instance: '10.244.1.7:8080',
    };
    const payload = common(
      {
        ...base,
        alertRule: 'KubernetesAlerts/KubeHpaMaxedOut',
        monitoringService: 'Prometheus',
        alertTargetIDs: [ws],
        configurationItems: ['aks-prod'],
      },
      { interval: 'PT1M', expression: 'kube_hpa_status_current_replicas == kube_hpa_spec_max_replicas', labels },
    );
    expect(parseOne(payload)).toEqual({
      format: 'azure-common',
      monitorCondition: 'Fired',
      alertRule: 'KubernetesAlerts/KubeHpaMaxedOut',
      alertId: TEST_ALERT_ID,
      severity: 'Sev1',
      firedAt: '2025-04-15T18:30:00.000Z',
      resourceId: ws,
      subscriptionId: SUB,
      resourceGroup: 'mon',
      resourceName: 'prom007',
      // job is the scrape job, not a Kubernetes Job
      kubernetes: { ...NO_K8S, cluster: 'aks-prod', namespace: 'shop', hpa: 'web-hpa' },
      labels,
    });
  });

  it('Container Insights metric on the cluster: "Kubernetes namespace" and controllerName dimensions, cluster from the target', () => {
    const payload = common(
      {
        ...base,
        alertRule: 'pods-not-ready',
        signalType: 'Metric',
        monitoringService: 'Platform',
        alertTargetIDs: [aks],
      },
      {
        properties: null,
        conditionType: 'SingleResourceMultipleMetricCriteria',
        condition: {
          windowSize: 'PT5M',
          allOf: [
            {
              metricName: 'podCount',
              metricNamespace: 'Insights.Container/pods',
              operator: 'GreaterThan',
              threshold: '0',
              timeAggregation: 'Average',
              dimensions: [
                { name: 'controllerName', value: 'checkout-7d9f8b6c5d' },
                { name: 'Kubernetes namespace', value: 'shop' },
                { name: 'phase', value: 'Pending' },
              ],
              metricValue: 2,
            },
          ],
        },
      },
    );
    expect(parseOne(payload)).toEqual({
      format: 'azure-common',
      monitorCondition: 'Fired',
      alertRule: 'pods-not-ready',
      alertId: TEST_ALERT_ID,
      severity: 'Sev1',
      firedAt: '2025-04-15T18:30:00.000Z',
      resourceId: aks,
      subscriptionId: SUB,
      resourceGroup: 'aks-rg',
      resourceName: 'aks-prod',
      kubernetes: { ...NO_K8S, cluster: 'aks-prod', namespace: 'shop', deployment: 'checkout' },
      labels: { controllerName: 'checkout-7d9f8b6c5d', 'Kubernetes namespace': 'shop', phase: 'Pending' },
    });
  });

  it('Container Insights log V2 (KubePodInventory dimensions): ReplicaSet owner → deployment, pod', () => {
    const payload = common(
      { ...base, alertRule: 'crashloop', signalType: 'Log', monitoringService: 'Log Alerts V2', alertTargetIDs: [aks] },
      {
        conditionType: 'LogQueryCriteria',
        condition: {
          windowSize: 'PT15M',
          allOf: [
            {
              searchQuery: 'KubePodInventory | where PodStatus == "Failed"',
              dimensions: [
                { name: 'Namespace', value: 'shop' },
                { name: 'PodName', value: 'checkout-7d9f8b6c5d-x2x7k' },
                { name: 'ControllerName', value: 'checkout-7d9f8b6c5d' },
                { name: 'ControllerKind', value: 'ReplicaSet' },
              ],
              metricValue: 4,
            },
          ],
        },
      },
    );
    expect(parseOne(payload)).toMatchObject({
      resourceId: aks,
      kubernetes: {
        cluster: 'aks-prod',
        namespace: 'shop',
        pod: 'checkout-7d9f8b6c5d-x2x7k',
        deployment: 'checkout',
        job: null,
        hpa: null,
      },
    });
  });

  it('Container Insights log V2 with a Job owner → job; ClusterName dimension wins over the target', () => {
    const payload = common(
      {
        ...base,
        alertRule: 'job-failed',
        signalType: 'Log',
        monitoringService: 'Log Alerts V2',
        alertTargetIDs: [aks],
      },
      {
        conditionType: 'LogQueryCriteria',
        condition: {
          allOf: [
            {
              dimensions: [
                { name: 'ClusterName', value: 'aks-prod-blue' },
                { name: 'Namespace', value: 'batch' },
                { name: 'podName', value: 'nightly-backup-28934-abcde' },
                { name: 'ControllerName', value: 'nightly-backup-28934' },
                { name: 'ControllerKind', value: 'Job' },
              ],
            },
          ],
        },
      },
    );
    expect(parseOne(payload).kubernetes).toEqual({
      cluster: 'aks-prod-blue',
      namespace: 'batch',
      pod: 'nightly-backup-28934-abcde',
      deployment: null,
      job: 'nightly-backup-28934',
      hpa: null,
    });
  });
});

describe('azureCommonParser: what it refuses and what it survives', () => {
  const fixtureNames = readdirSync(FIXTURES).filter((n) => n.endsWith('.json'));

  it.each(fixtureNames.filter((n) => !n.startsWith('cs_')))('is null for another format: %s', (name) => {
    expect(azureCommonParser.parse(loadFixture(name))).toBeNull();
  });

  it.each([
    ['null', null],
    ['an array', [{ schemaId: 'azureMonitorCommonAlertSchema' }]],
    ['a number', 42],
    ['a string', 'azureMonitorCommonAlertSchema'],
    ['an empty object', {}],
    ['the schemaId without data', { schemaId: 'azureMonitorCommonAlertSchema' }],
    ['essentials missing', { schemaId: 'azureMonitorCommonAlertSchema', data: { alertContext: {} } }],
    ['essentials an array', { schemaId: 'azureMonitorCommonAlertSchema', data: { essentials: [] } }],
    ['a non-string schemaId', { schemaId: 7, data: { essentials: {} } }],
  ])('is null for %s', (_label, payload) => {
    expect(azureCommonParser.parse(payload)).toBeNull();
  });

  it('reads the essentials-only payload a runbook author sends by hand: nulls, Fired', () => {
    const db =
      '/subscriptions/<subId>/resourceGroups/<rgName>/providers/Microsoft.Sql/servers/<sqlServerName>/databases/<sqlServerDb>';
    const payload = {
      schemaId: 'azureMonitorCommonAlertSchema',
      data: { essentials: { monitorCondition: 'Fired', alertTargetIDs: [db] } },
    };
    expect(parseOne(payload)).toEqual({
      format: 'azure-common',
      monitorCondition: 'Fired',
      alertRule: null,
      alertId: null,
      severity: null,
      firedAt: null,
      resourceId: db,
      subscriptionId: '<subId>',
      resourceGroup: '<rgName>',
      resourceName: '<sqlServerDb>',
      kubernetes: NO_K8S,
      labels: {},
    });
  });

  it('turns odd values into nulls rather than failing: numbers for strings, junk criteria', () => {
    const payload = common(
      {
        alertRule: 42,
        alertId: { id: 'x' },
        severity: 9,
        monitorCondition: 1,
        firedDateTime: 1700000000,
        alertTargetIDs: [5, '', '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Web/sites/app'],
      },
      {
        condition: {
          allOf: [null, 5, { dimensions: 'x' }, { dimensions: [{ name: 'ok', value: true }, { name: 3 }] }],
        },
      },
    );
    expect(parseOne(payload)).toEqual({
      format: 'azure-common',
      monitorCondition: 'Fired',
      alertRule: null,
      alertId: null,
      severity: null,
      firedAt: null,
      resourceId: '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Web/sites/app',
      subscriptionId: 's1',
      resourceGroup: 'rg',
      resourceName: 'app',
      kubernetes: NO_K8S,
      labels: { ok: 'true' },
    });
  });

  it('never throws when any node of any common-schema fixture is replaced by an odd value', () => {
    let parsed = 0;
    for (const name of fixtureNames.filter((n) => n.startsWith('cs_'))) {
      for (const mutant of mutants(loadFixture(name))) {
        const alerts = azureCommonParser.parse(mutant);
        for (const alert of alerts ?? []) AlertContext.parse(alert);
        parsed += 1;
      }
    }
    expect(parsed).toBeGreaterThan(1000);
  });
});
