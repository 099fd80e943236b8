import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Execution } from '../../../src/core/execution.js';
import { slackSignature } from '../../../src/core/slack-signature.js';
import type { ApprovalHarness } from '../../support/approval-harness.js';
import { PUBLIC_URL, startApprovalHarness } from '../../support/approval-harness.js';
import { renderedText } from '../../support/fake-slack.js';
import { startSecuredApp } from '../../support/secured-app.js';

const SECRET = randomBytes(16).toString('hex');
type Json = Record<string, unknown>;
/** Where Slack would take the note for the clicker: the fake Slack stands in for hooks.slack.com. */
let responseUrl = 'https://hooks.slack.com/actions/T0CLOUDO/1/abc';

/** A Slack user's click on one of a message's buttons, as Slack posts it (form-encoded `payload`). */
function click(user: string, actionId: string, value: string, over: Json = {}): string {
  const payload = {
    type: 'block_actions',
    user: { id: user, username: user.toLowerCase(), team_id: 'T0CLOUDO' },
    api_app_id: 'A0CLOUDO',
    team: { id: 'T0CLOUDO', domain: 'contoso' },
    container: { type: 'message', message_ts: '1700000001.000001', channel_id: 'C0CLOUDO01' },
    trigger_id: '1.2.abc',
    response_url: responseUrl,
    actions: [{ type: 'button', action_id: actionId, block_id: 'b1', value, action_ts: '1700000002.000001' }],
    ...over,
  };
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/** The headers Slack signs a request with; `at` in Unix seconds. */
function signed(body: string, at = Math.floor(Date.now() / 1000), secret = SECRET): Record<string, string> {
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(at),
    'x-slack-signature': slackSignature(secret, String(at), body),
  };
}

/**
 * Approve / Reject from Slack: Slack's signature is the only credential, every replay within the window is
 * harmless because a person decides once and a decided run takes no decision, and a click decides only for
 * an approver the run names by e-mail.
 */
describe('deciding from Slack buttons', () => {
  let h: ApprovalHarness;
  beforeAll(async () => {
    h = await startApprovalHarness({ signingSecret: SECRET });
    h.slack.users.set('UBOB', 'Bob@Contoso.com');
    h.slack.users.set('UCAROL', 'carol@contoso.com');
    h.slack.users.set('UERIN', 'erin@contoso.com');
    h.slack.users.set('UNOMAIL', null);
    responseUrl = `${new URL(h.slack.apiUrl).origin}/actions/T0CLOUDO/1/abc`;
  });
  afterAll(async () => {
    await h.close();
  });

  const send = (body: string, headers: Record<string, string>) =>
    h.app.fetch('/api/slack/interactions', { method: 'POST', headers, body });
  /** A signed click; the answer Slack gets: status and body. */
  const press = async (body: string, headers = signed(body)) => {
    const res = await send(body, headers);
    return { status: res.status, json: (await res.json().catch(() => null)) as Json | null };
  };
  const row = async (execId: string) => (await h.t.storage.executions.get(execId))?.execution as Execution;
  const jobsQueued = async () => {
    const jobs = h.t.storage.clients.queue(h.t.storage.names.jobQueue('Runbook'));
    // the queue is made by the first job sent to it
    return (await jobs.exists()) ? ((await jobs.getProperties()).approximateMessagesCount ?? 0) : 0;
  };
  const slackAudit = async () =>
    (await h.t.storage.audit.list({ limit: 100 })).entries.filter((e) => e.details.via === 'slack');
  const ephemeral = (text: string | RegExp) => ({
    status: 200,
    json: { response_type: 'ephemeral', replace_original: false, text: expect.stringMatching(text) },
  });

  it('puts confirmed Approve and Reject buttons on the pending request', async () => {
    const execId = await h.trigger('two-of-three');
    await h.deliverResults();

    const message = h.slack.messages.find((m) => renderedText(m).includes(execId));
    const buttons = (message?.blocks ?? []).flatMap((b) => b.elements ?? []).filter((e) => e.type === 'button');
    expect(buttons.map((b) => [b.action_id, b.value ?? b.url])).toEqual([
      ['cloudo-review', `${PUBLIC_URL}/api/logs/${execId}`],
      ['cloudo-approve', execId],
      ['cloudo-reject', execId],
    ]);
  });

  it('decides once per person: a replayed approval changes nothing, before or after the quorum', async () => {
    const execId = await h.trigger('two-of-three');
    await h.deliverResults();
    const jobsBefore = await jobsQueued();
    const bob = click('UBOB', 'cloudo-approve', execId);
    const bobHeaders = signed(bob);

    expect(await press(bob, bobHeaders)).toEqual(
      ephemeral(/^Your approval is recorded \(1 of 2\): the run of two-of-three runbook waits for 1 more\.$/),
    );
    expect(await press(bob, bobHeaders)).toEqual(
      ephemeral(/^Not recorded: you have already approved this run; it needs 1 more approval from others\.$/),
    );
    expect((await row(execId)).approvals).toHaveLength(1);

    const carol = click('UCAROL', 'cloudo-approve', execId);
    const carolHeaders = signed(carol);
    expect(await press(carol, carolHeaders)).toEqual(
      ephemeral(/^Approved: the run of two-of-three runbook is queued \(2 of 2\)\.$/),
    );
    for (const [body, headers] of [
      [carol, carolHeaders],
      [bob, bobHeaders],
    ] as const) {
      expect(await press(body, headers)).toEqual(
        ephemeral(`Not recorded: execution ${execId} is accepted; it is not waiting for approval.`),
      );
    }

    const decided = await row(execId);
    expect(decided.status).toBe('accepted');
    expect(decided.approvals).toEqual([
      expect.objectContaining({ by: 'Bob@Contoso.com (Slack)', principal: 'user:bob@contoso.com', reason: null }),
      expect.objectContaining({ by: 'carol@contoso.com (Slack)', principal: 'user:carol@contoso.com' }),
    ]);
    expect(await jobsQueued()).toBe(jobsBefore + 1);
    const audit = (await slackAudit()).filter((e) => e.target === execId);
    expect(audit.map((e) => [e.action, e.actorKind, e.actorId, e.details.outcome]).sort()).toEqual([
      ['approve', 'user', 'Bob@Contoso.com (Slack)', 'recorded'],
      ['approve', 'user', 'carol@contoso.com (Slack)', 'approved'],
    ]);

    // the message itself is updated by the results flow, without the buttons
    await h.deliverResults();
    const message = h.slack.messages.find((m) => renderedText(m).includes(execId));
    expect(message && renderedText(message)).toContain(
      '*Outcome*\napproved by Bob@Contoso.com (Slack), carol@contoso.com (Slack)',
    );
    expect((message?.blocks ?? []).flatMap((b) => b.elements ?? []).map((e) => e.action_id)).not.toContain(
      'cloudo-approve',
    );
  });

  it('refuses what Slack did not sign as sent, 401, and decides nothing', async () => {
    const execId = await h.trigger('two-of-three');
    const body = click('UBOB', 'cloudo-approve', execId);
    const now = Math.floor(Date.now() / 1000);
    const tampered = click('UCAROL', 'cloudo-approve', execId);
    const cases: [string, string, Record<string, string>, RegExp][] = [
      ['tampered body', tampered, signed(body), /^x-slack-signature does not match: the body was changed/],
      ['wrong secret', body, signed(body, now, `${SECRET}x`), /or SLACK_SIGNING_SECRET is not this Slack app's/],
      ['stale', body, signed(body, now - 301), /^stale request: .* outside the 300 s window/],
      ['from the future', body, signed(body, now + 400), /^stale request: .* outside the 300 s window/],
      [
        'unsigned',
        body,
        { 'content-type': 'application/x-www-form-urlencoded' },
        /missing: this route takes requests signed by Slack$/,
      ],
    ];
    for (const [what, sent, headers, error] of cases) {
      const res = await send(sent, headers);
      expect(res.status, what).toBe(401);
      expect(await res.json(), what).toEqual({ error: expect.stringMatching(error) });
    }
    expect((await row(execId)).approvals).toEqual([]);
    expect((await slackAudit()).filter((e) => e.target === execId)).toEqual([]);
  });

  it('tells the clicker through the click’s response_url, and never posts one that is not Slack’s', async () => {
    const execId = await h.trigger('two-of-three');
    const before = h.slack.responses.length;
    await press(click('UBOB', 'cloudo-approve', execId));
    await press(click('UERIN', 'cloudo-approve', execId));
    expect(h.slack.responses.slice(before).map((r) => r.body)).toEqual([
      {
        response_type: 'ephemeral',
        replace_original: false,
        text: expect.stringMatching(/^Your approval is recorded \(1 of 2\)/),
      },
      { response_type: 'ephemeral', replace_original: false, text: expect.stringMatching(/^Not recorded: /) },
    ]);
    // a payload pointing its response_url anywhere else gets its answer, and nothing is sent there
    const elsewhere = click('UCAROL', 'cloudo-approve', execId, { response_url: 'http://127.0.0.1:9/actions/x' });
    expect((await press(elsewhere)).status).toBe(200);
    expect(h.slack.responses).toHaveLength(before + 2);
  });

  it('refuses people it cannot tie to an approver the run names, and writes nothing', async () => {
    const named = await h.trigger('two-of-three');
    const anyOperator = await h.trigger('gated');
    const runPage = (execId: string) => `<${PUBLIC_URL}/api/logs/${execId}|run page>`;

    expect(await press(click('UERIN', 'cloudo-approve', named))).toEqual(
      ephemeral(
        /^Not recorded: from Slack, only the approvers this run names one by one \(user:<e-mail>\) can decide, and erin@contoso\.com is not one of them\./,
      ),
    );
    // "any operator" cannot be checked from Slack either: the run page signs people in
    const operatorOnly = await press(click('UBOB', 'cloudo-approve', anyOperator));
    expect(operatorOnly).toEqual(
      ephemeral(/is not one of them\. Approval by group, by role or by any operator is checked when you sign in/),
    );
    expect(String(operatorOnly.json?.text)).toContain(`decide on the ${runPage(anyOperator)}.`);
    expect(await press(click('UNOMAIL', 'cloudo-approve', named))).toEqual(
      ephemeral(
        /^Not recorded: Slack shares no e-mail address for you with ClouDO \(its app needs users:read\.email\)/,
      ),
    );
    expect(await press(click('UNKNOWN1', 'cloudo-approve', named))).toEqual(
      ephemeral(/^Not recorded: ClouDO could not look you up in Slack \(slack: user_not_found\)\. Decide on the /),
    );
    for (const execId of [named, anyOperator]) {
      expect((await row(execId)).approvals).toEqual([]);
      expect((await row(execId)).status).toBe('pending_approval');
    }
    expect((await slackAudit()).filter((e) => e.target === named || e.target === anyOperator)).toEqual([]);
  });

  it('rejects from Slack only where the schema needs no reason', async () => {
    const needsReason = await h.trigger('two-of-three');
    const noReason = await h.trigger('named');

    expect(await press(click('UBOB', 'cloudo-reject', needsReason))).toEqual(
      ephemeral(
        `Not recorded: rejecting this run needs a reason, which a button cannot give. Reject it on the <${PUBLIC_URL}/api/logs/${needsReason}|run page>.`,
      ),
    );
    expect((await row(needsReason)).status).toBe('pending_approval');

    expect(await press(click('UCAROL', 'cloudo-reject', noReason))).toEqual(
      ephemeral('Rejected: the run of named runbook will not run.'),
    );
    expect(await row(noReason)).toMatchObject({
      status: 'rejected',
      approvals: [expect.objectContaining({ by: 'carol@contoso.com (Slack)', decision: 'reject', reason: null })],
    });
  });

  it('acknowledges the link button, and refuses payloads it does not handle with 400', async () => {
    const execId = await h.trigger('two-of-three');
    const link = await send(click('UBOB', 'cloudo-review', execId), signed(click('UBOB', 'cloudo-review', execId)));
    expect(link.status).toBe(200);
    expect(await link.text()).toBe('');

    const bad: [string, string, string][] = [
      [
        'not a click',
        click('UBOB', 'cloudo-approve', execId, { type: 'view_submission' }),
        'type: only block_actions (button clicks) are handled here',
      ],
      ['no payload', 'token=abc', 'payload: the body must be form-encoded payload=<JSON>, as Slack sends it'],
      ['not JSON', 'payload=%7Bnope', 'payload: not JSON'],
      ['not a run', click('UBOB', 'cloudo-approve', 'restart-vm'), 'value: must be an execution id (UUIDv7)'],
    ];
    for (const [what, body, error] of bad) {
      const res = await send(body, signed(body));
      expect(res.status, what).toBe(400);
      expect(await res.json(), what).toEqual({ error });
    }
    expect((await row(execId)).approvals).toEqual([]);
  });

  it('keeps the signing secret and the signatures out of everything stored or sent', async () => {
    const execId = await h.trigger('named');
    const body = click('UBOB', 'cloudo-approve', execId);
    const headers = signed(body);
    await press(body, headers);
    await h.deliverResults();

    const everything = JSON.stringify([
      await row(execId),
      await h.t.storage.notifications.list(execId),
      (await h.t.storage.audit.list({ limit: 100 })).entries,
      h.slack.requests.map((r) => r.args),
    ]);
    expect(everything).toContain(execId);
    for (const secret of [SECRET, headers['x-slack-signature']?.slice(3) ?? 'missing', h.slack.token]) {
      expect(everything.includes(secret)).toBe(false);
    }
  });

  it('is not there while interactivity is off', async () => {
    const plain = await startSecuredApp(h.t);
    try {
      const body = click('UBOB', 'cloudo-approve', await h.trigger('named'));
      const res = await plain.fetch('/api/slack/interactions', { method: 'POST', headers: signed(body), body });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: 'Slack interactivity is not enabled (SLACK_SIGNING_SECRET)' });
    } finally {
      await plain.close();
    }
  });
});
