import { describe, expect, it } from 'vitest';
import { Run } from '../../../src/core/execution.js';
import { planRun } from '../../../src/core/run-plan.js';
import { toExecutionResource } from '../../../src/functions/http/resources.js';
import { HTTP_TRIGGER, testSchema } from '../../support/schemas.js';

describe('the API view of a run', () => {
  it('shows every field of the run contract in snake_case, but the internal ones, with duration and links', () => {
    const run = { ...planRun(testSchema(), HTTP_TRIGGER).execution, workerId: 'host-1-abc', exclusiveKey: null };
    const resource = toExecutionResource(run, new Date(run.requestedAt));
    const expected = Object.keys(Run.shape)
      .filter((name) => !['workerId', 'aksCredentials', 'aksCluster', 'exclusiveKey'].includes(name))
      .map((name) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
    expect(Object.keys(resource).sort()).toEqual([...expected, 'duration_ms', 'links', 'ran_on'].sort());
    expect(resource).toMatchObject({ exec_id: run.execId, schema_id: run.schemaId, requested_at: run.requestedAt });
    expect(JSON.stringify(resource)).not.toContain('host-1-abc');
  });

  it('says where a run ran: its container group and its size, or its worker host, or nowhere yet', () => {
    const schema = { ...testSchema(), isolation: 'container' as const, resources: { cpu: 2, memoryGb: 4 } };
    const planned = planRun(schema, HTTP_TRIGGER).execution;
    expect(toExecutionResource(planned)).toMatchObject({ isolation: 'container', ran_on: null });
    expect(toExecutionResource(planned).resources).toEqual({ cpu: 2, memory_gb: 4 });
    const ran = { ...planned, workerHost: 'worker-7', containerGroup: `cloudo-run-${planned.execId}` };
    expect(toExecutionResource(ran).ran_on).toEqual({
      kind: 'container',
      container_group: `cloudo-run-${planned.execId}`,
      cpu: 2,
      memory_gb: 4,
    });
    const shared = { ...planRun(testSchema(), HTTP_TRIGGER).execution, workerHost: 'worker-7' };
    expect(toExecutionResource(shared)).toMatchObject({ resources: null, ran_on: { kind: 'host', host: 'worker-7' } });
  });
});
