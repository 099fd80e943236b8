import { describe, expect, it } from 'vitest';
import type { Run } from '../../../src/core/execution.js';
import {
  abandon,
  cancel,
  endUnserved,
  failDispatch,
  isServing,
  markRequeued,
  staleReason,
} from '../../../src/core/run-lifecycle.js';
import { planRun } from '../../../src/core/run-plan.js';
import { testSchema } from '../../support/schemas.js';

const T0 = new Date('2026-12-01T10:00:00.000Z');
const later = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function run(overrides: Partial<Run> = {}): Run {
  const { execution } = planRun(
    testSchema({ id: 'restart' }),
    { source: 'http', actor: 'alice', team: null, principal: null },
    T0,
  );
  return { ...execution, ...overrides };
}

describe('cancel', () => {
  it('ends a queued run at once, saying who cancelled it', () => {
    const step = cancel(run(), 'bob', later(1));
    expect(step.write).toMatchObject({
      status: 'cancelled',
      cancelRequestedBy: 'bob',
      error: 'cancelled by bob before it started',
    });
    expect(step.result).toEqual({ kind: 'cancelled', execution: step.write });
  });

  it('asks a running run once, and answers a second request without writing', () => {
    const first = cancel(run({ status: 'running' }), 'bob', later(1));
    expect(first.write).toMatchObject({ status: 'running', cancelRequestedBy: 'bob' });
    const again = cancel(first.write ?? null, 'carol', later(2));
    expect(again).toEqual({ result: { kind: 'cancelling', execution: first.write } });
  });

  it('writes nothing for a finished or missing run', () => {
    expect(cancel(run({ status: 'succeeded' }), 'bob', later(1))).toEqual({
      result: { kind: 'finished', status: 'succeeded' },
    });
    expect(cancel(null, 'bob', later(1))).toEqual({ result: { kind: 'missing' } });
  });
});

describe('housekeeping decisions', () => {
  const running = run({ status: 'running', startedAt: T0.toISOString(), workerId: 'w1' });

  it('finds a worker stale only once its silence outlasts the limit', () => {
    expect(staleReason(running, { lastSeen: later(1).toISOString() }, 60_000, later(2))).toBeNull();
    expect(staleReason(running, { lastSeen: T0.toISOString() }, 60_000, later(2))).toBe(
      `its worker w1 stopped heartbeating (last seen ${T0.toISOString()})`,
    );
    expect(staleReason(running, null, 60_000, later(2))).toBe('its worker w1 is no longer registered');
  });

  it('abandons only a run still running: an outcome that landed first stands', () => {
    expect(abandon(running, 'gone', later(5)).write).toMatchObject({ status: 'abandoned', error: 'gone' });
    expect(abandon({ ...running, status: 'succeeded' }, 'gone', later(5))).toEqual({ result: null });
  });

  it('ends an unserved run only while it waits, naming the capability and the wait', () => {
    expect(isServing({ lastSeen: T0.toISOString() }, 60_000, later(2))).toBe(false);
    expect(endUnserved(run(), 'gpu', later(30)).write).toMatchObject({
      status: 'error',
      error: 'no worker served capability gpu: queued 30 min without a live worker of it',
    });
    expect(endUnserved(running, 'gpu', later(30))).toEqual({ result: null });
  });

  it('re-queues an accepted run once', () => {
    const marked = markRequeued(run(), later(10)).write;
    expect(marked?.requeuedAt).toBe(later(10).toISOString());
    expect(markRequeued(marked ?? null, later(20))).toEqual({ result: null });
  });

  it('ends a run that could not be dispatched with the reason', () => {
    expect(failDispatch(run(), 'could not be queued: down', later(1))).toMatchObject({
      status: 'error',
      finishedAt: later(1).toISOString(),
      error: 'could not be queued: down',
    });
  });
});
