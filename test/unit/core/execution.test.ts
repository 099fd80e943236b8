import { describe, expect, it } from 'vitest';
import type { ExecutionStatus } from '../../../src/core/execution.js';
import {
  canTransition,
  Execution,
  execIdTimeMs,
  executionKeys,
  isRun,
  isTerminal,
  newExecId,
} from '../../../src/core/execution.js';
import { planRun, planUnmatched } from '../../../src/core/run-plan.js';
import { testAlert } from '../../support/alerts.js';
import { testSchema } from '../../support/schemas.js';

describe('execution state machine', () => {
  it.each<[ExecutionStatus, ExecutionStatus, boolean]>([
    ['accepted', 'running', true],
    ['accepted', 'cancelled', true],
    ['accepted', 'error', true],
    ['accepted', 'succeeded', false],
    ['running', 'succeeded', true],
    ['running', 'failed', true],
    ['running', 'timed_out', true],
    ['running', 'abandoned', true],
    ['running', 'accepted', false],
    ['succeeded', 'failed', false],
    ['failed', 'running', false],
    ['cancelled', 'running', false],
  ])('%s -> %s allowed: %s', (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
  });

  it('knows which states are final', () => {
    expect(isTerminal('accepted')).toBe(false);
    expect(isTerminal('running')).toBe(false);
    for (const s of ['succeeded', 'failed', 'timed_out', 'cancelled', 'error', 'abandoned'] as const) {
      expect(isTerminal(s)).toBe(true);
    }
  });
});

describe('execution ids and keys', () => {
  it('encodes the request time in the id', () => {
    const at = Date.parse('2026-11-27T10:11:12.345Z');
    expect(execIdTimeMs(newExecId(at))).toBe(at);
  });

  it('orders keys newest first across days', () => {
    const ids = ['2026-01-01T00:00:00Z', '2026-01-01T23:59:59Z', '2026-01-02T00:00:01Z'].map((t) =>
      newExecId(Date.parse(t)),
    );
    const keys = ids.map(executionKeys).map((k) => `${k.partitionKey}|${k.rowKey}`);
    expect([...keys].sort()).toEqual([keys[2], keys[1], keys[0]]);
  });
});

describe('an unmatched alert record', () => {
  const alert = testAlert({ alertRule: 'nobody-handles-this' });
  const trigger = { source: 'alert', actor: null, team: null, principal: null } as const;

  it('has no schema, runbook, worker or time limit, and is no run', () => {
    const unmatched = planUnmatched(alert, trigger, new Date('2026-05-01T12:00:00Z'));
    expect(unmatched).toMatchObject({
      status: 'unmatched',
      schemaId: null,
      schemaName: null,
      runbook: null,
      worker: null,
      timeoutMs: null,
      deliveries: 1,
    });
    expect(isRun(unmatched)).toBe(false);
  });

  it('refuses run fields on an unmatched row, and an unmatched status on a run', () => {
    const unmatched = planUnmatched(alert, trigger);
    expect(Execution.safeParse({ ...unmatched, runbook: 'x.sh', worker: 'Runbook', timeoutMs: 1 }).success).toBe(false);
    const { execution } = planRun(testSchema(), trigger);
    expect(Execution.safeParse({ ...execution, status: 'unmatched' }).success).toBe(false);
    expect(isRun(execution)).toBe(true);
  });
});
