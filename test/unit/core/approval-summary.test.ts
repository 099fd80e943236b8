import { describe, expect, it } from 'vitest';
import type { Caller } from '../../../src/core/access.js';
import { decide, expire } from '../../../src/core/approval-policy.js';
import { approvalState, approvalVersion, summarizeApproval } from '../../../src/core/approval-summary.js';
import type { Run } from '../../../src/core/execution.js';
import { planRun } from '../../../src/core/run-plan.js';
import { HTTP_TRIGGER, testSchema } from '../../support/schemas.js';

const T0 = new Date('2026-12-01T10:00:00.000Z');
const later = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const person = (name: string): Caller => ({
  kind: 'user',
  id: name,
  roles: ['operator'],
  principal: `user:${name}`,
  memberships: [],
});

const pending = (minApprovals = 1): Run =>
  planRun(testSchema({ id: 'restart', requireApproval: true, minApprovals }), HTTP_TRIGGER, T0).execution;
const next = (e: Run, who: string, decision: 'approve' | 'reject', reason?: string) => {
  const verdict = decide(e, person(who), { decision, ...(reason ? { reason } : {}) }, later(1));
  if (!('next' in verdict)) throw new Error(`refused: ${JSON.stringify(verdict)}`);
  return verdict.next;
};

describe('approvalState', () => {
  it('reads the gate from the run: pending, then approved for as long as the run lives', () => {
    const run = pending();
    expect(approvalState(run)).toBe('pending');
    const accepted = next(run, 'bob', 'approve');
    for (const status of ['accepted', 'running', 'succeeded', 'failed', 'timed_out', 'error'] as const) {
      expect(approvalState({ ...accepted, status }), status).toBe('approved');
    }
    expect(approvalState(next(run, 'bob', 'reject', 'no'))).toBe('rejected');
    expect(approvalState(expire(run, later(90)))).toBe('expired');
  });

  it('tells a request cancelled while waiting from an approved run cancelled later', () => {
    const run = pending(2);
    expect(approvalState({ ...next(run, 'bob', 'approve'), status: 'cancelled' })).toBe('cancelled');
    const approved = next(next(run, 'bob', 'approve'), 'carol', 'approve');
    expect(approvalState({ ...approved, status: 'cancelled' })).toBe('approved');
  });

  it('has nothing to say about a run that never waited', () => {
    const run = planRun(testSchema({ id: 'plain' }), HTTP_TRIGGER, T0).execution;
    expect(approvalState(run)).toBeNull();
    expect(approvalVersion(run)).toBeNull();
    expect(summarizeApproval(run)).toBeNull();
  });
});

describe('approvalVersion', () => {
  it('changes with each decision and each state, and not with what the run does after approval', () => {
    const run = pending(2);
    const once = next(run, 'bob', 'approve');
    const twice = next(once, 'carol', 'approve');
    expect([run, once, twice].map(approvalVersion)).toEqual(['pending.0', 'pending.1', 'approved.2']);
    expect(approvalVersion({ ...twice, status: 'succeeded' })).toBe('approved.2');
  });
});

describe('summarizeApproval', () => {
  it('carries the request, the decisions and, once decided, the outcome in the run’s words', () => {
    const run = pending(2);
    expect(summarizeApproval(run)).toMatchObject({
      state: 'pending',
      requestedBy: run.approval?.requestedBy,
      expiresAt: run.approval?.expiresAt,
      minApprovals: 2,
      approvals: 0,
      decisions: [],
      outcome: null,
    });
    const rejected = next(next(run, 'bob', 'approve'), 'carol', 'reject', 'change freeze');
    expect(summarizeApproval(rejected)).toMatchObject({
      state: 'rejected',
      approvals: 1,
      decisions: [
        { by: 'bob', decision: 'approve', reason: null },
        { by: 'carol', decision: 'reject', reason: 'change freeze' },
      ],
      outcome: 'rejected by carol: change freeze',
    });
    const approved = next(next(run, 'bob', 'approve'), 'carol', 'approve');
    expect(summarizeApproval(approved)?.outcome).toBe('approved by bob, carol');
    expect(summarizeApproval(expire(run, later(90)))?.outcome).toMatch(/^no decision within 60 min/);
  });
});
