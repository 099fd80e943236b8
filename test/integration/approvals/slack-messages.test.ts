import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireOverdueRuns } from '../../../src/approvals/index.js';
import type { ApprovalHarness } from '../../support/approval-harness.js';
import { PUBLIC_URL, startApprovalHarness } from '../../support/approval-harness.js';
import type { FakeSlackMessage } from '../../support/fake-slack.js';
import { renderedText } from '../../support/fake-slack.js';
import { SECURED } from '../../support/functions.js';
import { FUNCTION_KEY, MASTER_KEY } from '../../support/secured-app.js';

const header = (m: FakeSlackMessage | undefined) => m?.blocks?.find((b) => b.type === 'header')?.text?.text ?? '';
const links = (m: FakeSlackMessage | undefined) =>
  (m?.blocks ?? []).flatMap((b) => b.elements ?? []).flatMap((e) => (e.url ? [e.url] : []));
const execIdOf = (message: unknown) => (message as { execId: string }).execId;

/**
 * A gated run's Slack approval message through the results flow: posted once to the routed channel,
 * updated in place as people decide or the window closes, whatever order and however often the results
 * arrive; no secret in it or in anything stored about it.
 */
describe('the Slack approval message of a gated run', () => {
  let h: ApprovalHarness;
  beforeAll(async () => {
    h = await startApprovalHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  /** The one message about a run (that `also` holds); fails the test when there are none or several. */
  const messageOf = (execId: string, also: (m: FakeSlackMessage) => boolean = () => true): FakeSlackMessage => {
    const found = h.slack.messages.filter((m) => renderedText(m).includes(execId) && also(m));
    expect(found, `messages about ${execId}`).toHaveLength(1);
    const [message] = found;
    if (!message) throw new Error(`no message about ${execId}`);
    return message;
  };
  const ledgerKeys = async (execId: string) =>
    (await h.t.storage.notifications.list(execId)).map((e) => `${e.key}:${e.status}`).sort();

  it('posts one request to the routed channel with the context and a link, and pages nobody', async () => {
    const alertsBefore = h.opsgenie.alerts.length;
    const execId = await h.trigger('gated', 'payments');

    const delivered = await h.deliverResults();
    await h.deliver(delivered[0], 2);

    expect(delivered).toEqual([expect.objectContaining({ execId, status: 'pending_approval' })]);
    const message = messageOf(execId);
    expect(message?.channel).toBe(h.slack.channelId('#team-payments'));
    expect(header(message)).toBe(':hourglass_flowing_sand: Approval needed · gated runbook');
    const shown = message ? renderedText(message) : '';
    expect(shown).toContain('*Runbook*\ngated.sh');
    expect(shown).toContain('*Requested by*\nalice@contoso.com');
    expect(shown).toContain('*Approvals*\n0 of 1');
    expect(links(message)).toEqual([`${PUBLIC_URL}/api/logs/${execId}`]);
    expect(h.opsgenie.alerts.length).toBe(alertsBefore);
    expect(await ledgerKeys(execId)).toEqual(['slack.approval.pending.0:sent', 'slack.approval:sent']);
  });

  it('keeps every key and token out of the message, its links, the stored row and the ledger', async () => {
    const execId = await h.trigger('gated', 'payments');
    await h.deliverResults();
    expect((await h.decide('bob', execId, { decision: 'approve' })).status).toBe(200);
    await h.deliverResults();

    const row = await h.t.storage.executions.get(execId);
    const stored = JSON.stringify([row, await h.t.storage.notifications.list(execId)]);
    const sent = JSON.stringify(h.slack.requests.map((r) => r.args));
    const message = messageOf(execId);
    const accountKey = /AccountKey=([^;]+)/.exec(h.t.env.AzureWebJobsStorage ?? '')?.[1] ?? '';
    const secrets = [
      h.slack.token,
      FUNCTION_KEY,
      MASTER_KEY,
      SECURED.signingKey ?? '',
      accountKey,
      ...Object.values(h.as).map((bearer) => bearer.replace(/^Bearer /, '')),
    ];
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(10);
      const places = { stored, 'sent to Slack': sent, links: links(message).join(' ') };
      for (const [where, text] of Object.entries(places)) {
        expect(text.includes(secret), `${where} holds a secret`).toBe(false);
      }
    }
    for (const link of links(message)) expect(new URL(link).search).toBe('');
  });

  it('updates the same message in place as people approve, one state at a time, showing who', async () => {
    const execId = await h.trigger('two-of-three');
    await h.deliverResults();
    const posted = messageOf(execId);

    await h.decide('bob', execId, { decision: 'approve' });
    const firstResults = await h.deliverResults();
    expect(header(messageOf(execId))).toMatch(/^:hourglass_flowing_sand: Approval needed/);
    expect(renderedText(messageOf(execId))).toContain('*Approvals*\n1 of 2');

    await h.decide('carol', execId, { decision: 'approve' });
    await h.deliverResults();
    // a result handled again later changes nothing
    for (const message of firstResults) await h.deliver(message, 2);

    const message = messageOf(execId);
    expect(message.ts).toBe(posted.ts);
    expect(message?.edits).toBe(2);
    expect(header(message)).toBe(':white_check_mark: Approved · two-of-three runbook');
    expect(renderedText(message)).toContain('approved by bob@contoso.com (token');
    expect(renderedText(message)).toContain('*Outcome*\napproved by bob@contoso.com');
    expect(await ledgerKeys(execId)).toEqual([
      'slack.approval.approved.2:sent',
      'slack.approval.pending.0:sent',
      'slack.approval.pending.1:sent',
      'slack.approval:sent',
    ]);
  });

  it('shows a rejection with who rejected and why', async () => {
    const execId = await h.trigger('gated');
    await h.deliverResults();

    await h.decide('carol', execId, { decision: 'reject', reason: 'change freeze <until friday>' });
    await h.deliverResults();

    const message = messageOf(execId);
    expect(message?.channel).toBe(h.slack.channelId('#cloudo'));
    expect(header(message)).toBe(':no_entry: Rejected · gated runbook');
    expect(renderedText(message)).toMatch(
      /\*Outcome\*\nrejected by carol@contoso\.com \(token \w+\): change freeze <until friday>/,
    );
  });

  it('shows a request cancelled while it waited', async () => {
    const execId = await h.trigger('gated');
    await h.deliverResults();

    const res = await h.app.fetch(`/api/executions/${execId}/cancel`, {
      method: 'POST',
      headers: { authorization: h.as.alice ?? '' },
    });
    expect(res.status).toBe(200);
    await h.deliverResults();

    const message = messageOf(execId);
    expect(header(message)).toBe(':heavy_multiplication_x: Cancelled · gated runbook');
    expect(renderedText(message)).toMatch(
      /\*Outcome\*\ncancelled by alice@contoso\.com \(token \w+\) before it started/,
    );
  });

  it('posts once, already decided, when the results arrive late, out of order and twice', async () => {
    const execId = await h.trigger('gated');
    await h.decide('bob', execId, { decision: 'approve' });
    const [pending, accepted] = await h.drainResults();
    expect([pending, accepted].map(execIdOf)).toEqual([execId, execId]);
    const updatesBefore = h.slack.updates.length;

    for (const message of [accepted, pending, accepted, pending]) await h.deliver(message);

    expect(header(messageOf(execId))).toBe(':white_check_mark: Approved · gated runbook');
    expect(messageOf(execId)?.edits).toBe(0);
    expect(h.slack.updates.length).toBe(updatesBefore);
  });

  it('posts once when two results of the run are handled at the same time', async () => {
    const execId = await h.trigger('gated');
    await h.decide('bob', execId, { decision: 'approve' });
    const results = await h.drainResults();

    const settled = await Promise.allSettled(results.map((m) => h.deliver(m)));
    // the one that found the message being posted asks to come back, and then has nothing left to do
    for (const [i, outcome] of settled.entries()) {
      if (outcome.status === 'fulfilled') continue;
      expect(String(outcome.reason)).toMatch(/will retry: slack: the approval message is being posted/);
      await h.deliver(results[i], 2);
    }

    expect(header(messageOf(execId))).toBe(':white_check_mark: Approved · gated runbook');
  });

  it('shows an expired request as such, and the expiry reaches on-call like a failure', async () => {
    const execId = await h.trigger('oncall-gated', 'payments');
    await h.deliverResults();
    const alertsBefore = h.opsgenie.alerts.length;

    const expired = await expireOverdueRuns(
      { storage: h.t.storage, onError: (message) => expect.fail(message) },
      new Date(Date.now() + 2 * 3600_000),
    );
    expect(expired.map((e) => e.execId)).toContain(execId);
    await h.deliverResults();

    const request = messageOf(execId, (m) => header(m).startsWith(':alarm_clock:'));
    expect(request.edits).toBe(1);
    expect(renderedText(request)).toMatch(/\*Outcome\*\nno decision within 60 min \(0 of 1 approval\): it never ran/);
    // the outcome, posted per routing: an on-call failure opens a page in the team channel and Opsgenie
    const page = h.slack.messages.filter((m) => m !== request && renderedText(m).includes(execId));
    expect(page.map((m) => [m.channel, header(m)])).toEqual([
      [h.slack.channelId('#team-payments'), ':red_circle: expired · oncall-gated runbook'],
    ]);
    expect(h.opsgenie.alerts.length).toBe(alertsBefore + 1);
  });
});
