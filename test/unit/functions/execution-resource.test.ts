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
    expect(Object.keys(resource).sort()).toEqual([...expected, 'duration_ms', 'links'].sort());
    expect(resource).toMatchObject({ exec_id: run.execId, schema_id: run.schemaId, requested_at: run.requestedAt });
    expect(JSON.stringify(resource)).not.toContain('host-1-abc');
  });
});
