import { describe, expect, it } from 'vitest';
import { resourceNames, workerQueueSuffix } from '../../../src/core/resource-names.js';

describe('resource names', () => {
  it.each([
    ['Runbook', 'runbook'],
    ['aks_weu', 'aks-weu'],
    ['A.B__c', 'a-b-c'],
    ['x-', 'x'],
  ])('maps worker %s to a valid queue suffix %s', (worker, suffix) => {
    expect(workerQueueSuffix(worker)).toBe(suffix);
  });

  it('builds valid names with and without a namespace', () => {
    expect(resourceNames().jobQueue('Runbook')).toBe('cloudo-jobs-runbook');
    const ns = resourceNames('t1');
    expect([
      ns.schemasTable,
      ns.executionsTable,
      ns.logsContainer,
      ns.jobQueue('Runbook'),
      ns.poisonQueue('Runbook'),
    ]).toEqual([
      't1RunbookSchemas',
      't1Executions',
      't1-execution-logs',
      't1-cloudo-jobs-runbook',
      't1-cloudo-jobs-runbook-poison',
    ]);
  });

  it('refuses names that cannot become queue names', () => {
    expect(() => workerQueueSuffix('../x')).toThrow(/must match/);
    expect(() => resourceNames('Bad-NS')).toThrow(/must match/);
  });
});
