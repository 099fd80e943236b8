import { readdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireOverdueRuns } from '../../../src/approvals/index.js';
import type { Execution } from '../../../src/core/execution.js';
import { decodeMessage } from '../../../src/storage/job-queue.js';
import type { QueueWorker } from '../../../workers/queue-worker.js';
import { bearerFor } from '../../support/functions.js';
import { testSchema } from '../../support/schemas.js';
import type { SecuredApp } from '../../support/secured-app.js';
import { FUNCTION_KEY, startSecuredApp } from '../../support/secured-app.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import { waitFor } from '../../support/wait.js';
import { makeRunbooks, startTestWorker } from '../../support/worker.js';

type Json = Record<string, unknown>;

/** Decisions over HTTP, as production serves them: keys, tokens, roles and the schema's policy. */
describe('approving and rejecting gated runs', () => {
  let t: TestStorage;
  let app: SecuredApp;
  let worker: QueueWorker;
  let dir: string;
  /** Authorization headers by person; alice requests, the others decide. */
  const as: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestStorage();
    // every run leaves one file named after its execution: how many times a script ran is countable
    dir = await makeRunbooks({
      'gated.sh': '#!/usr/bin/env bash\nmktemp "$(dirname "$0")/ran-$CLOUDO_EXEC_ID.XXXX"\n',
    });
    await t.storage.schemas.importSchemas([
      testSchema({ id: 'gated', runbook: 'gated.sh', requireApproval: true }),
      testSchema({
        id: 'two-of-three',
        runbook: 'gated.sh',
        requireApproval: true,
        minApprovals: 2,
        approvers: ['user:bob', 'user:carol', 'user:dan'],
      }),
      testSchema({ id: 'short', runbook: 'gated.sh', requireApproval: true, approvalTimeoutMinutes: 1 }),
    ]);
    app = await startSecuredApp(t);
    for (const name of ['alice', 'bob', 'carol', 'dan', 'erin']) as[name] = await bearerFor(t, 'operator', name);
    as.viewer = await bearerFor(t, 'viewer', 'vera');
    worker = startTestWorker(t, dir);
  });
  afterAll(async () => {
    await worker.close({ force: true });
    await app.close();
    await t.cleanup();
  });

  const trigger = async (schemaId: string, who = 'alice') => {
    const res = await app.fetch(`/api/Trigger?id=${schemaId}`, {
      headers: { authorization: as[who] ?? '', 'x-functions-key': FUNCTION_KEY },
    });
    expect(res.status).toBe(202);
    return ((await res.json()) as { exec_id: string }).exec_id;
  };
  const decideAs = (who: string, execId: string, body: Json, headers: Record<string, string> = {}) =>
    app.fetch(`/api/approvals/${execId}`, {
      method: 'POST',
      headers: { authorization: as[who] ?? '', 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const row = async (execId: string) => (await t.storage.executions.get(execId))?.execution as Execution;
  const runsOf = async (execId: string) => (await readdir(dir)).filter((f) => f.startsWith(`ran-${execId}`)).length;
  const finished = (execId: string) =>
    waitFor(`run ${execId} to finish`, async () => {
      const e = await row(execId);
      return e.status === 'succeeded' || e.status === 'failed' ? e : undefined;
    });

  it('runs an approved run once, recording who approved, and audits it', async () => {
    const execId = await trigger('gated');
    const res = await decideAs('bob', execId, { decision: 'approve' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ exec_id: execId, status: 'accepted', approvals_so_far: 1 });
    expect((await finished(execId)).status).toBe('succeeded');
    expect(await runsOf(execId)).toBe(1);
    expect((await row(execId)).approvals).toEqual([
      {
        by: expect.stringMatching(/^bob \(token \w+\)$/),
        principal: 'user:bob',
        at: expect.any(String),
        decision: 'approve',
        reason: null,
      },
    ]);
    const audit = await t.storage.audit.list({ action: 'approve', limit: 10 });
    expect(audit.entries.map((e) => [e.target, e.details.outcome])).toContainEqual([execId, 'approved']);
  });

  it('starts the runbook once when two approvers race, and tells the loser the status it lost to', async () => {
    const execId = await trigger('gated');
    const answers = await Promise.all([
      decideAs('bob', execId, { decision: 'approve' }),
      decideAs('carol', execId, { decision: 'approve' }),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    const loser = answers.find((r) => r.status === 409);
    if (!loser) throw new Error('no approver lost the race');
    expect(((await loser.json()) as { error: string }).error).toMatch(
      new RegExp(`^execution ${execId} is (accepted|running|succeeded); it is not waiting for approval$`),
    );
    await finished(execId);
    // a replayed approval after the run finished changes nothing either
    expect((await decideAs('dan', execId, { decision: 'approve' })).status).toBe(409);
    await sleep(300);
    expect(await runsOf(execId)).toBe(1);
  });

  it('needs two of its three approvers, each once', async () => {
    const execId = await trigger('two-of-three');
    const first = await decideAs('bob', execId, { decision: 'approve' });
    expect(await first.json()).toMatchObject({ status: 'pending_approval', approvals_so_far: 1, min_approvals: 2 });
    expect((await decideAs('bob', execId, { decision: 'approve' })).status).toBe(409);
    expect(await runsOf(execId)).toBe(0);
    expect((await decideAs('carol', execId, { decision: 'approve' })).status).toBe(200);
    await finished(execId);
    expect(await runsOf(execId)).toBe(1);
  });

  it('refuses the requester, a viewer and a token owner outside the approvers, and writes nothing', async () => {
    const own = await trigger('gated');
    const self = await decideAs('alice', own, { decision: 'approve' });
    expect(self.status).toBe(403);
    expect(await self.json()).toEqual({ error: 'you requested this run: someone else must approve it' });
    const viewer = await decideAs('viewer', own, { decision: 'approve' });
    expect(viewer.status).toBe(403);
    expect(((await viewer.json()) as { error: string }).error).toMatch('needs the operator role');

    const restricted = await trigger('two-of-three');
    const outsider = await decideAs('erin', restricted, { decision: 'approve' });
    expect(outsider.status).toBe(403);
    expect(await outsider.json()).toEqual({
      error: "only this run's approvers may decide: user:bob, user:carol, user:dan",
    });
    for (const execId of [own, restricted]) {
      expect(await row(execId)).toMatchObject({ status: 'pending_approval', approvals: [] });
    }
  });

  it('rejects only with a reason, ends the run rejected, and never queues it', async () => {
    const execId = await trigger('gated');
    const bare = await decideAs('bob', execId, { decision: 'reject' });
    expect(bare.status).toBe(400);
    expect(await bare.json()).toEqual({ error: 'reason: a rejection needs a reason (the schema requires one)' });
    const junk = await decideAs('bob', execId, { decision: 'maybe' });
    expect(junk.status).toBe(400);
    expect(((await junk.json()) as { error: string }).error).toMatch(/^decision: /);

    const res = await decideAs('bob', execId, { decision: 'reject', reason: 'change freeze until Monday' });
    expect(res.status).toBe(200);
    expect(await row(execId)).toMatchObject({
      status: 'rejected',
      error: expect.stringMatching(/^rejected by bob \(token \w+\): change freeze until Monday$/),
    });
    await sleep(300);
    expect(await runsOf(execId)).toBe(0);
  });

  it('lists the runs a caller may decide, and all of them on request', async () => {
    const mine = await trigger('gated', 'alice');
    const list = async (who: string, query = '') => {
      const res = await app.fetch(`/api/approvals${query}`, { headers: { authorization: as[who] ?? '' } });
      expect(res.status).toBe(200);
      return ((await res.json()) as { approvals: Json[] }).approvals;
    };
    const forBob = await list('bob');
    expect(forBob.map((a) => a.exec_id)).toContain(mine);
    expect(forBob.find((a) => a.exec_id === mine)).toMatchObject({
      requested_by: 'user:alice',
      can_approve: true,
      time_left_ms: expect.any(Number),
    });
    expect((await list('alice')).map((a) => a.exec_id)).not.toContain(mine);
    const all = await list('alice', '?scope=all');
    expect(all.find((a) => a.exec_id === mine)).toMatchObject({
      can_approve: false,
      can_reject: true,
      cannot_decide_because: null,
    });
    expect(await list('viewer')).toEqual([]);
    const pending = await app.fetch('/api/executions?status=pending_approval', {
      headers: { authorization: as.viewer ?? '' },
    });
    const executions = ((await pending.json()) as { executions: Json[] }).executions;
    expect(executions.find((e) => e.exec_id === mine)).toMatchObject({
      approval: { requested_by: 'user:alice', min_approvals: 1 },
      approvals: [],
    });
  });

  it('changes nothing on a GET of any approval URL', async () => {
    const execId = await trigger('gated');
    const before = await t.storage.executions.get(execId);
    for (const path of [
      `/api/approvals/${execId}`,
      `/api/approvals/${execId}?decision=approve`,
      `/api/logs/${execId}/decision?decision=approve`,
      `/api/approvals?decision=approve`,
    ]) {
      const res = await app.fetch(path, { headers: { authorization: as.bob ?? '' } });
      expect([200, 405], path).toContain(res.status);
      await res.body?.cancel();
    }
    expect((await t.storage.executions.get(execId))?.etag).toBe(before?.etag);
  });

  it('refuses a decision a page of another site makes the browser send', async () => {
    const execId = await trigger('gated');
    const forged = await decideAs(
      'bob',
      execId,
      { decision: 'approve' },
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    );
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { error: string }).error).toMatch(/^refused a POST from another site/);
    const originOnly = await decideAs('bob', execId, { decision: 'approve' }, { origin: 'https://evil.example' });
    expect(originOnly.status).toBe(403);
    expect((await row(execId)).status).toBe('pending_approval');
    // the same person from ClouDO's own origin is let through
    const own = await decideAs(
      'bob',
      execId,
      { decision: 'approve' },
      { origin: app.host.url, 'sec-fetch-site': 'same-origin' },
    );
    expect(own.status).toBe(200);
  });

  it('expires a run nobody decided on, announces it, and refuses a late decision', async () => {
    const execId = await trigger('short');
    const results = t.storage.clients.queue(t.storage.names.resultsQueue);
    await results.clearMessages().catch(() => undefined);
    const expired = await expireOverdueRuns(
      { storage: t.storage, onError: (m, e) => console.error(m, e) },
      new Date(Date.now() + 2 * 60_000),
    );
    expect(expired.map((e) => e.execId)).toEqual([execId]);
    expect(await row(execId)).toMatchObject({
      status: 'expired',
      error: 'no decision within 1 min (0 of 1 approval): it never ran',
    });
    const { receivedMessageItems } = await results.receiveMessages({ numberOfMessages: 32 });
    expect(receivedMessageItems.map((m) => decodeMessage(m.messageText))).toContainEqual(
      expect.objectContaining({ execId, status: 'expired' }),
    );
    const late = await decideAs('bob', execId, { decision: 'approve' });
    expect(late.status).toBe(409);
    expect(await runsOf(execId)).toBe(0);
  });

  it('cancels a waiting run: it never starts', async () => {
    const execId = await trigger('gated');
    const res = await app.fetch(`/api/executions/${execId}/cancel`, {
      method: 'POST',
      headers: { authorization: as.bob ?? '' },
    });
    expect(res.status).toBe(200);
    expect((await row(execId)).status).toBe('cancelled');
    expect((await decideAs('carol', execId, { decision: 'approve' })).status).toBe(409);
    expect(await runsOf(execId)).toBe(0);
  });

  it('keeps no key or token in the stored run or its links', async () => {
    const execId = await trigger('gated');
    await decideAs('bob', execId, { decision: 'approve' });
    await finished(execId);
    const rows: unknown[] = [];
    for await (const entity of t.storage.clients.table(t.storage.names.executionsTable).listEntities())
      rows.push(entity);
    const stored = JSON.stringify(rows);
    expect(stored).toContain(execId);
    const answer = await (
      await app.fetch(`/api/approvals/${execId}`, { headers: { authorization: as.bob ?? '' } })
    ).text();
    for (const secret of [FUNCTION_KEY, ...Object.values(as).map((h) => h.replace('Bearer ', ''))]) {
      expect(stored).not.toContain(secret);
      expect(answer).not.toContain(secret);
    }
  });
});
