import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlackUserDirectory } from '../../../src/notify/index.js';
import type { FakeSlack } from '../../support/fake-slack.js';
import { newToken, startFakeSlack } from '../../support/fake-slack.js';

describe('SlackUserDirectory', () => {
  let fake: FakeSlack;
  beforeEach(async () => {
    fake = await startFakeSlack();
    fake.users.set('U0BOB', 'bob@contoso.com');
    fake.users.set('U0NOMAIL', null);
  });
  afterEach(async () => {
    await fake.close();
  });
  const directory = (token = fake.token, timeoutMs = 1000) =>
    new SlackUserDirectory({ token, apiUrl: fake.apiUrl, timeoutMs });

  it('reads a user’s e-mail with users.info, and says when Slack shares none', async () => {
    expect(await directory().emailOf('U0BOB')).toEqual({ ok: true, email: 'bob@contoso.com' });
    expect(await directory().emailOf('U0NOMAIL')).toEqual({ ok: true, email: null });
    expect(fake.requests.at(-1)).toMatchObject({ path: '/api/users.info', args: { user: 'U0NOMAIL' } });
  });

  it('names why it could not look someone up, never with the token', async () => {
    const bad = newToken();
    expect(await directory().emailOf('U0NOBODY')).toEqual({ ok: false, reason: 'slack: user_not_found' });
    expect(await directory(bad).emailOf('U0BOB')).toEqual({ ok: false, reason: 'slack: invalid_auth' });
    fake.hangNext(1);
    const slow = await directory(fake.token, 200).emailOf('U0BOB');
    expect(slow).toEqual({ ok: false, reason: 'slack: no answer within 200 ms' });
    fake.failNext(1);
    const down = await directory().emailOf('U0BOB');
    expect(JSON.stringify([down, slow])).not.toContain(fake.token);
  });
});
