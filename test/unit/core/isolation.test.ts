import { describe, expect, it } from 'vitest';
import { containerGroupName } from '../../../src/core/isolation.js';
import { planRun } from '../../../src/core/run-plan.js';
import type { RunbookSchema } from '../../../src/core/runbook-schema.js';
import { formatSchemaProblems, parseSchemasFile } from '../../../src/core/runbook-schema.js';
import { testAlert } from '../../support/alerts.js';
import { HTTP_TRIGGER } from '../../support/schemas.js';

const SUB = '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';

const file = (entry: Record<string, unknown>) =>
  JSON.stringify([
    {
      partition_key: 'ops',
      entity: [{ id: 'a', name: 'a', description: 'd', runbook: 'a.sh', worker: 'Runbook', ...entry }],
    },
  ]);

function parsed(entry: Record<string, unknown>) {
  const result = parseSchemasFile(file(entry));
  if (!result.ok) throw new Error(formatSchemaProblems(result.problems).join('\n'));
  const [schema] = result.schemas;
  if (!schema) throw new Error('no schema');
  return schema;
}

function problems(entry: Record<string, unknown>): string[] {
  const result = parseSchemasFile(file(entry));
  return result.ok ? [] : formatSchemaProblems(result.problems);
}

describe('a schema’s isolation', () => {
  it('runs shared unless it says container; a container run gets 1 CPU and 1.5 GB unless it says more', () => {
    expect(parsed({})).toMatchObject({ isolation: 'shared', resources: null });
    const container = parsed({ isolation: 'container' });
    expect(planRun(container, HTTP_TRIGGER).execution).toMatchObject({
      isolation: 'container',
      resources: { cpu: 1, memoryGb: 1.5 },
    });
    const big = parsed({ isolation: 'container', resources: { cpu: 2.5, memory_gb: 8 } });
    expect(planRun(big, HTTP_TRIGGER).execution.resources).toEqual({ cpu: 2.5, memoryGb: 8 });
    expect(planRun(parsed({}), HTTP_TRIGGER).execution).toMatchObject({ isolation: 'shared', resources: null });
  });

  it('refuses sizes ACI cannot give, naming the field and the limit', () => {
    expect(problems({ isolation: 'container', resources: { cpu: 5 } })).toEqual([
      "[0].entity[0].resources.cpu: cpu must be at most 4 (an ACI container group's limit)",
    ]);
    expect(problems({ isolation: 'container', resources: { memory_gb: 0.25 } })).toEqual([
      '[0].entity[0].resources.memory_gb: memory_gb must be a multiple of 0.1',
    ]);
    expect(problems({ isolation: 'container', resources: { gpu: 1 } })[0]).toMatch(/resources.*gpu/);
    expect(problems({ isolation: 'vm' })[0]).toMatch(/^\[0\]\.entity\[0\]\.isolation: /);
  });

  it('refuses resources on a shared schema, and AKS credentials a container run has no worker to fetch', () => {
    expect(problems({ resources: { cpu: 2 } })[0]).toMatch(
      /^\[0\]\.entity\[0\]\.resources: applies only to `isolation: container`/,
    );
    expect(problems({ isolation: 'container', aks_credentials: true })[0]).toMatch(
      /^\[0\]\.entity\[0\]\.aks_credentials: is not available with `isolation: container`/,
    );
  });

  it('never gives a container run AKS credentials under auto, even for an alert of a listed cluster', () => {
    const cluster = `/subscriptions/${SUB}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-prod`;
    const alert = testAlert({ resourceId: cluster });
    const plan = (schema: RunbookSchema) =>
      planRun(schema, HTTP_TRIGGER, new Date(), undefined, alert, { aksClusters: [cluster] }).execution;
    // the same alert gives a shared run credentials: the listed cluster is what auto looks for
    expect(plan(parsed({}))).toMatchObject({ aksCredentials: true, aksCluster: cluster });
    expect(plan(parsed({ isolation: 'container' }))).toMatchObject({ aksCredentials: false, aksCluster: null });
  });

  it('names a run’s group after its exec id, within ACI’s 63 characters', () => {
    const name = containerGroupName('0195F3C2-7B4A-7C3D-8E9F-0123456789AB');
    expect(name).toBe('cloudo-run-0195f3c2-7b4a-7c3d-8e9f-0123456789ab');
    expect(name.length).toBeLessThanOrEqual(63);
  });
});
