import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Notification } from '../../../src/core/notification.js';
import { SlackNotifier } from '../../../src/notify/index.js';
import type { FakeSlack, FakeSlackMessage, SlackBlockJson } from '../../support/fake-slack.js';
import { newToken, renderedText, startFakeSlack } from '../../support/fake-slack.js';
import { freePort } from '../../support/ports.js';
import type { NotifierFixture } from './contract.js';
import { hostileValues, makeNotification, runNotifierContract } from './contract.js';

const CHANNEL = '#cloudo-alerts';
const TEAM_CHANNEL = '#team-platform';

runNotifierContract('Slack', async ({ timeoutMs }): Promise<NotifierFixture> => {
  const fake = await startFakeSlack();
  const bad = newToken();
  const make = (token: string, apiUrl = fake.apiUrl) =>
    new SlackNotifier({ token, apiUrl, defaultChannel: CHANNEL, timeoutMs });
  const unreachable = make(fake.token, `http://127.0.0.1:${await freePort()}/api/`);
  return {
    notifier: make(fake.token),
    withBadCredential: make(bad),
    unreachable,
    credentials: { good: fake.token, bad },
    rateLimitNext: fake.rateLimitNext,
    failNext: (count) => fake.failNext(count),
    hangNext: fake.hangNext,
    requestCount: () => fake.requests.length,
    stateOf: (n) => {
      const thread = fake.messages.filter(
        (m) => n.threadTs === null || m.ts === n.threadTs || m.threadTs === n.threadTs,
      );
      if (thread.length === 0) return 'absent';
      // a person sees the page as over when a green recovery reply is in its thread
      return thread.some((m) => header(m).startsWith(':large_green_circle:')) ? 'closed' : 'open';
    },
    renderedText: () => fake.messages.map(renderedText).join('\n'),
    showsApprovals: true,
    close: fake.close,
  };
});

function header(message: FakeSlackMessage): string {
  return message.blocks?.find((b) => b.type === 'header')?.text?.text ?? '';
}

/** Every text a block carries, raw (before Slack renders it). */
function rawTexts(blocks: readonly SlackBlockJson[]): string[] {
  return blocks.flatMap((b) => [
    ...(b.text ? [b.text.text] : []),
    ...(b.fields ?? []).map((f) => f.text),
    ...(b.elements ?? []).flatMap((e) =>
      e.text === undefined ? [] : [typeof e.text === 'string' ? e.text : e.text.text],
    ),
  ]);
}

describe('SlackNotifier', () => {
  let fake: FakeSlack;
  let slack: SlackNotifier;
  beforeEach(async () => {
    fake = await startFakeSlack({ channels: [CHANNEL, TEAM_CHANNEL] });
    slack = new SlackNotifier({ token: fake.token, apiUrl: fake.apiUrl, defaultChannel: CHANNEL, timeoutMs: 2000 });
  });
  afterEach(async () => {
    await fake.close();
  });

  const post = async (n: Notification) => {
    const delivery = await slack.send(n);
    if (!delivery.ok) throw new Error(`expected ok, got ${delivery.reason}`);
    const message = fake.messages.at(-1);
    if (!message) throw new Error('nothing was posted');
    return { ref: delivery.ref, message, blocks: message.blocks ?? [] };
  };

  it('posts one Block Kit message with the run facts, error, log tail and a button to the run', async () => {
    const n = makeNotification({ severity: 'Sev1', durationMs: 83_000, exitCode: 2 });

    const { ref, message, blocks } = await post(n);

    expect(ref).toBe(message.ts);
    expect(message).toMatchObject({ channel: fake.channelId(CHANNEL), threadTs: null });
    expect(blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'section', 'context', 'actions']);
    expect(header(message)).toBe(':red_circle: failed · Restart VM');
    expect(blocks[1]?.fields?.map((f) => f.text)).toEqual([
      '*Runbook*\nrestart-vm.sh',
      `*Resource*\n${n.resourceId}`,
      '*Alert*\nvm-unresponsive (Sev1)',
      '*Duration*\n1m 23s',
      '*Exit code*\n2',
      '*Team*\nplatform',
    ]);
    expect(blocks[2]?.text?.text).toBe('*Error*\nrunbook exited with code 2');
    expect(blocks[3]?.text?.text).toBe('```stopping vm-01\nvm-01 did not stop within 60s\n```');
    expect(blocks[4]?.elements?.[0]).toMatchObject({ type: 'mrkdwn', text: expect.stringContaining(n.execId) });
    expect(blocks[5]?.elements?.[0]).toMatchObject({ type: 'button', url: n.link });
    // verbatim: data that looks like a link, #channel or @name is not turned into one
    expect(blocks[1]?.fields?.every((f) => f.verbatim === true)).toBe(true);
    expect(message.text).toContain('failed: Restart VM');
  });

  it('sends form-encoded with the token as a bearer header, as the SDK does', async () => {
    await post(makeNotification());

    expect(fake.requests[0]).toMatchObject({
      contentType: 'application/x-www-form-urlencoded',
      authorization: `Bearer ${fake.token}`,
    });
    expect(fake.requests[0]?.args.token).toBeUndefined();
  });

  it('escapes &, < and > in every value, so nothing becomes a mention, link or tag', async () => {
    const values = hostileValues('/tmp/never');

    const { message, blocks } = await post(makeNotification(values));

    for (const text of [...rawTexts(blocks), message.text ?? '']) {
      expect(text).not.toMatch(/[<>]/);
      expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/);
    }
    expect(blocks[1]?.fields?.[2]?.text).toBe(
      '*Alert*\n&lt;!channel&gt; CPU &gt; 90% &amp; &lt;https://evil.example|click&gt; (Sev1)',
    );
    expect(renderedText(message)).toContain('<!channel> CPU > 90% & <https://evil.example|click>');
    expect(header(message)).toBe(':red_circle: failed · Restart &lt;b&gt;VM&lt;/b&gt; &amp; co');
  });

  it.each([
    ['a fence inside the log', 'before\n```\n*not bold*\n```\nafter\n'],
    ['a backtick at either end of the log', '`start\nend``'],
  ])('keeps %s from closing the code block early', async (_what, logTail) => {
    const { blocks } = await post(makeNotification({ logTail }));

    const text = blocks[3]?.text?.text ?? '';
    expect(text.startsWith('```')).toBe(true);
    expect(text.endsWith('```')).toBe(true);
    const inside = text.slice(3, -3);
    expect(inside).not.toMatch(/^`|``|`$/);
    // only zero-width spaces were added: what a person reads is the log
    expect(inside.replaceAll('\u200b', '')).toBe(logTail);
  });

  it('cuts long values to Block Kit limits, keeping the end of the log', async () => {
    const logTail = `${'x'.repeat(4000)}\nthe last line & why`;
    const { blocks } = await post(
      makeNotification({ schemaName: 'S'.repeat(400), error: 'E'.repeat(10_000), runbook: 'r'.repeat(5000), logTail }),
    );

    expect(header({ blocks } as FakeSlackMessage).length).toBeLessThanOrEqual(150);
    expect(blocks[1]?.fields?.[0]?.text.length).toBeLessThanOrEqual(2000);
    expect(blocks[2]?.text?.text.length).toBeLessThanOrEqual(3000);
    const log = blocks[3]?.text?.text ?? '';
    expect(log.length).toBeLessThanOrEqual(3000);
    expect(log.endsWith('the last line &amp; why```')).toBe(true);
  });

  it('posts to the routed channel, or the default when routing chose none', async () => {
    await post(makeNotification({ channel: TEAM_CHANNEL }));
    await post(makeNotification({ channel: null }));

    expect(fake.messages.map((m) => m.channel)).toEqual([fake.channelId(TEAM_CHANNEL), fake.channelId(CHANNEL)]);
  });

  it('replies in the thread for close, and opens in a thread when routing has one', async () => {
    const open = makeNotification();
    const { ref: rootTs } = await post(open);

    const { message: close } = await post({ ...open, action: 'close', status: 'succeeded', threadTs: rootTs });
    const { message: reopened } = await post({ ...open, action: 'open', threadTs: rootTs });

    expect([close.threadTs, reopened.threadTs]).toEqual([rootTs, rootTs]);
    expect(header(close)).toBe(':large_green_circle: succeeded · Restart VM');
  });

  it('starts a new message for a close with no thread to reply in', async () => {
    const { message } = await post(makeNotification({ action: 'close', status: 'succeeded', threadTs: null }));

    expect(message.threadTs).toBeNull();
  });

  it('leaves out the button when the link is not http(s), and Slack still accepts the message', async () => {
    const { blocks } = await post(makeNotification({ link: 'javascript:alert(1)' }));

    expect(blocks.map((b) => b.type)).not.toContain('actions');
  });

  it('gives up on an unknown channel, naming the error and the channel', async () => {
    const delivery = await slack.send(makeNotification({ channel: '#nowhere' }));

    expect(delivery).toEqual({
      ok: false,
      retryable: false,
      reason: 'slack: channel_not_found (channel #nowhere)',
    });
    expect(fake.messages).toHaveLength(0);
  });

  it('names the auth error Slack gave', async () => {
    const bad = new SlackNotifier({ token: newToken(), apiUrl: fake.apiUrl, defaultChannel: CHANNEL });

    expect(await bad.send(makeNotification())).toMatchObject({
      ok: false,
      retryable: false,
      reason: 'slack: invalid_auth',
    });
  });

  it('refuses options that would leak the token or never time out', () => {
    const make = (apiUrl: string, timeoutMs: number) => () =>
      new SlackNotifier({ token: 'xoxb-secret-token', apiUrl, defaultChannel: CHANNEL, timeoutMs });

    expect(make('http://slack.example.com/api/', 1000)).toThrow(/apiUrl .* must use https/);
    expect(make('https://slack.com/api/', 0)).toThrow(/timeoutMs must be > 0/);
    expect(make('nope', 1000)).toThrow(/apiUrl "nope" is not a URL/);
    expect(make('nope', 0)).toThrow(expect.objectContaining({ message: expect.not.stringContaining('xoxb-secret') }));
  });
});
