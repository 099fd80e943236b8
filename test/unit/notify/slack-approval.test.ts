import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Notification } from '../../../src/core/notification.js';
import { SlackNotifier } from '../../../src/notify/index.js';
import type { FakeSlack, FakeSlackMessage, SlackBlockJson } from '../../support/fake-slack.js';
import { renderedText, startFakeSlack } from '../../support/fake-slack.js';
import { makeApprovalNotification } from './contract.js';

const CHANNEL = '#cloudo-alerts';

const header = (m: FakeSlackMessage | undefined) => m?.blocks?.find((b) => b.type === 'header')?.text?.text ?? '';
const buttons = (m: FakeSlackMessage | undefined) =>
  (m?.blocks ?? []).filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
/** Every text a block carries, raw (before Slack renders it). */
const rawTexts = (blocks: readonly SlackBlockJson[]) =>
  blocks.flatMap((b) => [
    ...(b.text ? [b.text.text] : []),
    ...(b.fields ?? []).map((f) => f.text),
    ...(b.elements ?? []).flatMap((e) =>
      e.text === undefined ? [] : [typeof e.text === 'string' ? e.text : e.text.text],
    ),
  ]);

describe('SlackNotifier approval messages', () => {
  let fake: FakeSlack;
  const make = (interactive: boolean) =>
    new SlackNotifier({
      token: fake.token,
      apiUrl: fake.apiUrl,
      defaultChannel: CHANNEL,
      timeoutMs: 2000,
      interactive,
    });
  beforeEach(async () => {
    fake = await startFakeSlack({ channels: [CHANNEL] });
  });
  afterEach(async () => {
    await fake.close();
  });

  const send = async (slack: SlackNotifier, n: Notification) => {
    const delivery = await slack.send(n);
    if (!delivery.ok) throw new Error(`expected ok, got ${delivery.reason}`);
    return delivery;
  };

  it('posts the request with what would run, who asked, the decisions so far and a link to decide', async () => {
    const n = makeApprovalNotification();

    const delivery = await send(make(false), n);

    const message = fake.messages.at(-1);
    expect(delivery).toEqual({ ok: true, ref: message?.ts, channel: fake.channelId(CHANNEL) });
    expect(header(message)).toBe(':hourglass_flowing_sand: Approval needed · Restart VM');
    const shown = message ? renderedText(message) : '';
    for (const fact of [
      '*Runbook*\nrestart-vm.sh',
      '*Arguments*\n--force vm-01',
      `*Resource*\n${n.resourceId}`,
      '*Alert*\nvm-unresponsive (Sev1)',
      '*Requested by*\nalice@contoso.com',
      '*Decide before*\n2026-12-06 04:00 UTC',
      '*Approvals*\n1 of 2',
      '*Decisions*\napproved by bob@contoso.com at 2026-12-06 03:10 UTC',
    ])
      expect(shown).toContain(fact);
    // the decision happens on the run page, where people sign in: the link carries nothing else
    expect(buttons(message)).toEqual([
      {
        type: 'button',
        action_id: 'cloudo-review',
        text: { type: 'plain_text', text: 'Review and decide' },
        url: n.link,
      },
    ]);
    expect(message?.text).toBe(`Approval needed: Restart VM (run ${n.execId})`);
  });

  it('adds confirmed Approve and Reject buttons to a pending request when interactive, and only then', async () => {
    const n = makeApprovalNotification();
    await send(make(true), n);

    const [review, approve, reject] = buttons(fake.messages.at(-1));
    expect(review?.action_id).toBe('cloudo-review');
    expect(approve).toMatchObject({ action_id: 'cloudo-approve', value: n.execId, style: 'primary' });
    expect(reject).toMatchObject({ action_id: 'cloudo-reject', value: n.execId, style: 'danger' });
    expect(approve).toHaveProperty('confirm.confirm.text', 'Approve');
    expect(approve).not.toHaveProperty('url');

    const approved = makeApprovalNotification({
      approval: { ...approvalOf(n), state: 'approved', outcome: 'approved by bob' },
    });
    await send(make(true), approved);
    expect(buttons(fake.messages.at(-1)).map((b) => b.action_id)).toEqual(['cloudo-review']);
    expect(buttons(fake.messages.at(-1))[0]?.text).toMatchObject({ text: 'Open run' });
  });

  it('updates the message in place with chat.update, by channel ID and ts, showing the outcome', async () => {
    const n = makeApprovalNotification();
    const posted = await send(make(true), n);
    const decided = {
      ...approvalOf(n),
      state: 'rejected' as const,
      decisions: [
        ...approvalOf(n).decisions,
        {
          by: 'carol@contoso.com',
          decision: 'reject' as const,
          reason: 'change freeze',
          at: '2026-12-06T03:20:00.000Z',
        },
      ],
      outcome: 'rejected by carol@contoso.com: change freeze',
    };

    const updated = await send(make(true), {
      ...n,
      channel: posted.channel ?? '',
      updateTs: posted.ref,
      approval: decided,
    });

    expect(updated).toEqual(posted);
    expect(fake.messages).toHaveLength(1);
    expect(fake.updates).toHaveLength(1);
    const message = fake.messages[0];
    expect(message?.edits).toBe(1);
    expect(header(message)).toBe(':no_entry: Rejected · Restart VM');
    const shown = message ? renderedText(message) : '';
    expect(shown).toContain('*Outcome*\nrejected by carol@contoso.com: change freeze');
    expect(shown).toContain('rejected by carol@contoso.com at 2026-12-06 03:20 UTC: change freeze');
    expect(shown).not.toContain('Decide before');
    expect(buttons(message).map((b) => b.action_id)).toEqual(['cloudo-review']);
  });

  it('gives up on an update Slack cannot apply, naming why', async () => {
    const n = makeApprovalNotification();
    const posted = await send(make(false), n);

    const gone = await make(false).send({ ...n, channel: posted.channel ?? '', updateTs: '1.000001' });
    const byName = await make(false).send({ ...n, channel: CHANNEL, updateTs: posted.ref });

    expect(gone).toEqual({ ok: false, retryable: false, reason: 'slack: message_not_found' });
    expect(byName).toMatchObject({
      ok: false,
      retryable: false,
      reason: `slack: channel_not_found (channel ${CHANNEL})`,
    });
    expect(fake.updates).toHaveLength(0);
  });

  it('escapes every value of the request, decisions and reasons included', async () => {
    const hostile = '<!channel> & <https://evil.example|click>';
    const n = makeApprovalNotification({ schemaName: `Restart ${hostile}` });
    const approval = {
      ...approvalOf(n),
      requestedBy: `user:${hostile}`,
      runArgs: `--x '${hostile}'`,
      decisions: [{ by: hostile, decision: 'reject' as const, reason: hostile, at: '2026-12-06T03:20:00.000Z' }],
    };

    await send(make(true), { ...n, approval });

    const message = fake.messages.at(-1);
    for (const text of [...rawTexts(message?.blocks ?? []), message?.text ?? '']) expect(text).not.toMatch(/[<>]/);
    expect(message ? renderedText(message) : '').toContain(
      `rejected by ${hostile} at 2026-12-06 03:20 UTC: ${hostile}`,
    );
  });
});

function approvalOf(n: Notification) {
  if (!n.approval) throw new Error('not an approval notification');
  return n.approval;
}
