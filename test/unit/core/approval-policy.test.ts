import { describe, expect, it } from 'vitest';
import type { Caller } from '../../../src/core/access.js';
import type { DecisionRequest } from '../../../src/core/approval-gate.js';
import { decide, mayDecide, timeLeftMs } from '../../../src/core/approval-policy.js';
import type { Execution, RunTrigger } from '../../../src/core/execution.js';
import { planRun } from '../../../src/core/run-plan.js';
import type { RunbookSchema } from '../../../src/core/runbook-schema.js';
import { parseSchemasFile } from '../../../src/core/runbook-schema.js';
import { testAlert } from '../../support/alerts.js';
import { testSchema } from '../../support/schemas.js';

const T0 = new Date('2026-12-01T10:00:00.000Z');
const later = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

const person = (name: string, roles: Caller['roles'] = ['operator'], memberships: string[] = []): Caller => ({
  kind: 'user',
  id: name,
  roles,
  principal: `user:${name.toLowerCase()}`,
  memberships,
});
const ALICE = person('alice@contoso.com');
const BOB = person('bob@contoso.com');
const CAROL = person('carol@contoso.com');

/** A pending run of a gated schema, requested by alice through an API token in her name. */
function pending(overrides: Partial<RunbookSchema> = {}): Execution {
  const schema = testSchema({ id: 'restart', requireApproval: true, ...overrides });
  const trigger: RunTrigger = {
    source: 'http',
    actor: 'alice@contoso.com (token 1a2b)',
    team: null,
    principal: ALICE.principal,
  };
  return planRun(schema, trigger, T0).execution;
}

const approve: DecisionRequest = { decision: 'approve' };
const reject = (reason?: string): DecisionRequest => ({ decision: 'reject', ...(reason ? { reason } : {}) });

describe('decide', () => {
  it('lets another operator approve: the run is accepted, with who and when', () => {
    const verdict = decide(pending(), BOB, approve, later(5));
    expect(verdict.kind).toBe('approved');
    if (verdict.kind !== 'approved') return;
    expect(verdict.next.status).toBe('accepted');
    expect(verdict.next.approvals).toEqual([
      {
        by: 'bob@contoso.com',
        principal: 'user:bob@contoso.com',
        at: later(5).toISOString(),
        decision: 'approve',
        reason: null,
      },
    ]);
  });

  it('refuses the requester approving their own run, whichever way they sign in', () => {
    expect(decide(pending(), ALICE, approve, later(1))).toMatchObject({
      kind: 'refused',
      status: 403,
      error: 'you requested this run: someone else must approve it',
    });
    const aliceByToken: Caller = { ...ALICE, kind: 'token', id: 'alice@contoso.com (token 9f)' };
    expect(decide(pending(), aliceByToken, approve, later(1))).toMatchObject({ kind: 'refused', status: 403 });
    expect(decide(pending({ allowSelfApproval: true }), ALICE, approve, later(1)).kind).toBe('approved');
  });

  it('never counts an alert-triggered run as anybody’s own', () => {
    const schema = testSchema({ id: 'disk', requireApproval: true });
    const run = planRun(
      schema,
      { source: 'alert', actor: 'functions key default', team: null, principal: 'key:default' },
      T0,
      undefined,
      testAlert(),
    ).execution;
    expect(run.approval?.requestedBy).toBe('alert:disk-full');
    expect(decide(run, ALICE, approve, later(1)).kind).toBe('approved');
  });

  it('refuses viewers, webhooks and Functions keys: people with the operator role decide', () => {
    expect(decide(pending(), person('vic@contoso.com', ['viewer']), approve, later(1))).toMatchObject({ status: 403 });
    const webhook: Caller = { kind: 'webhook', id: 'app x', roles: ['operator'], principal: 'app:x', memberships: [] };
    expect(decide(pending(), webhook, approve, later(1))).toMatchObject({ status: 403, error: /decided by people/ });
    const key: Caller = {
      kind: 'function-key',
      id: 'functions key default',
      roles: ['operator'],
      principal: 'key:default',
      memberships: [],
    };
    expect(decide(pending(), key, approve, later(1))).toMatchObject({ status: 403 });
  });

  it('with approvers, lets in only the people, app roles and groups it names', () => {
    const group = '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
    const run = pending({ approvers: ['user:carol@contoso.com', 'role:cloudo.approver', `group:${group}`] });
    expect(decide(run, BOB, approve, later(1))).toMatchObject({
      status: 403,
      error: `only this run's approvers may decide: user:carol@contoso.com, role:cloudo.approver, group:${group}`,
    });
    expect(decide(run, CAROL, approve, later(1)).kind).toBe('approved');
    expect(decide(run, person('dan@contoso.com', ['operator'], ['role:cloudo.approver']), approve, later(1)).kind).toBe(
      'approved',
    );
    expect(decide(run, person('eve@contoso.com', ['operator'], [`group:${group}`]), approve, later(1)).kind).toBe(
      'approved',
    );
    // a token owner named as a user
    const carolToken: Caller = {
      kind: 'token',
      id: 'carol@contoso.com (token 77)',
      roles: ['operator'],
      principal: 'user:carol@contoso.com',
      memberships: [],
    };
    expect(decide(run, carolToken, approve, later(1)).kind).toBe('approved');
  });

  it('needs N approvals from N different people, and refuses a second approval from the same one', () => {
    const run = pending({ minApprovals: 2 });
    const first = decide(run, BOB, approve, later(1));
    expect(first.kind).toBe('recorded');
    if (first.kind !== 'recorded') return;
    expect(first.next.status).toBe('pending_approval');
    expect(decide(first.next, BOB, approve, later(2))).toMatchObject({
      kind: 'refused',
      status: 409,
      error: 'you have already approved this run; it needs 1 more approval from others',
    });
    const second = decide(first.next, CAROL, approve, later(2));
    expect(second.kind).toBe('approved');
    expect(second.kind === 'approved' && second.next.approvals.map((a) => a.by)).toEqual([
      'bob@contoso.com',
      'carol@contoso.com',
    ]);
  });

  it('rejects with a reason (one rejection ends the run), and refuses a rejection without one when required', () => {
    expect(decide(pending(), BOB, reject(), later(1))).toMatchObject({
      kind: 'refused',
      status: 400,
      error: 'reason: a rejection needs a reason (the schema requires one)',
    });
    const verdict = decide(pending(), BOB, reject('not during the freeze'), later(1));
    expect(verdict.kind).toBe('rejected');
    expect(verdict.kind === 'rejected' && verdict.next).toMatchObject({
      status: 'rejected',
      finishedAt: later(1).toISOString(),
      error: 'rejected by bob@contoso.com: not during the freeze',
    });
    expect(decide(pending({ rejectReasonRequired: false }), BOB, reject(), later(1)).kind).toBe('rejected');
    // the requester may withdraw their own request
    expect(decide(pending(), ALICE, reject('wrong pod'), later(1)).kind).toBe('rejected');
  });

  it('answers a decision after the window closed by expiring the run instead', () => {
    const run = pending({ approvalTimeoutMinutes: 30 });
    expect(timeLeftMs(run, later(10))).toBe(20 * 60_000);
    const verdict = decide(run, BOB, approve, later(30));
    expect(verdict.kind).toBe('expired');
    expect(verdict.kind === 'expired' && verdict.next).toMatchObject({
      status: 'expired',
      error: 'no decision within 30 min (0 of 1 approval): it never ran',
    });
  });

  it('refuses any decision on a run that no longer waits, naming its status', () => {
    const approved = decide(pending(), BOB, approve, later(1));
    if (approved.kind !== 'approved') throw new Error('expected approval');
    expect(decide(approved.next, CAROL, approve, later(2))).toMatchObject({
      kind: 'refused',
      status: 409,
      error: `execution ${approved.next.execId} is accepted; it is not waiting for approval`,
    });
  });

  it('lets anyone decide on the local stack with access control off, every click counting', () => {
    const local: Caller = {
      kind: 'local',
      id: 'local (auth off)',
      roles: ['admin'],
      principal: 'local',
      memberships: [],
    };
    const run = { ...pending({ minApprovals: 2, approvers: ['user:carol@contoso.com'] }) };
    const once = decide(run, local, approve, later(1));
    expect(once.kind).toBe('recorded');
    expect(once.kind === 'recorded' && decide(once.next, local, approve, later(1)).kind).toBe('approved');
  });

  it('explains why someone may not decide, for the page and the inbox', () => {
    expect(mayDecide(pending(), ALICE, 'approve')?.error).toBe('you requested this run: someone else must approve it');
    expect(mayDecide(pending(), BOB, 'approve')).toBeNull();
  });
});

describe('approval policy in a schemas file', () => {
  const file = (entry: Record<string, unknown>) =>
    JSON.stringify([
      {
        partition_key: 'p',
        entity: [{ id: 'a', name: 'a', runbook: 'a.sh', worker: 'Runbook', require_approval: true, ...entry }],
      },
    ]);

  it('reads the policy fields with their defaults', () => {
    const parsed = parseSchemasFile(file({}));
    expect(parsed.ok && parsed.schemas[0]).toMatchObject({
      requireApproval: true,
      approvers: [],
      minApprovals: 1,
      allowSelfApproval: false,
      rejectReasonRequired: true,
      approvalTimeoutMinutes: 60,
    });
    const custom = parseSchemasFile(
      file({
        approvers: ['role:ClouDO.Approver', 'User:Bob@Contoso.com'],
        min_approvals: 2,
        allow_self_approval: 'true',
        reject_reason_required: false,
        approval_timeout_minutes: 15,
      }),
    );
    expect(custom.ok && custom.schemas[0]).toMatchObject({
      approvers: ['role:cloudo.approver', 'user:bob@contoso.com'],
      minApprovals: 2,
      allowSelfApproval: true,
      rejectReasonRequired: false,
      approvalTimeoutMinutes: 15,
    });
  });

  it('refuses an approver without a kind, and a quorum the named people cannot reach, at their JSON path', () => {
    expect(parseSchemasFile(file({ approvers: ['ops-leads'] }))).toEqual({
      ok: false,
      problems: [
        {
          path: '[0].entity[0].approvers[0]',
          message: 'must be role:<app role value>, group:<Entra group object id> or user:<sign-in name or token owner>',
        },
      ],
    });
    expect(parseSchemasFile(file({ approvers: ['user:a', 'user:b'], min_approvals: 3 }))).toEqual({
      ok: false,
      problems: [
        {
          path: '[0].entity[0].min_approvals',
          message: 'is 3 but approvers names only 2 people: no run could ever be approved',
        },
      ],
    });
    expect(parseSchemasFile(file({ approval_timeout_minutes: 0 })).ok).toBe(false);
  });
});
