import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalHarness } from '../../support/approval-harness.js';
import { startApprovalHarness } from '../../support/approval-harness.js';
import { newToken } from '../../support/fake-slack.js';

/**
 * A gated run of a team with its own Slack workspace token (`SLACK_TOKEN_PAYMENTS`): its approval
 * message is posted and then edited with that token, or the edits would go to a workspace where the
 * message does not exist.
 */
describe('approval messages of a team with its own Slack token', () => {
  let h: ApprovalHarness;
  const paymentsToken = newToken();

  beforeAll(async () => {
    h = await startApprovalHarness({ teamSlackTokens: { PAYMENTS: paymentsToken } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('posts and updates the message with the team’s token; a run of no team uses the default one', async () => {
    const before = h.slack.requests.length;
    const execId = await h.trigger('gated', 'payments');
    await h.deliverResults();
    expect((await h.decide('bob', execId, { decision: 'approve' })).status).toBe(200);
    await h.deliverResults();
    const calls = h.slack.requests.slice(before).map((r) => [r.path, r.authorization]);
    expect(calls).toEqual([
      ['/api/chat.postMessage', `Bearer ${paymentsToken}`],
      ['/api/chat.update', `Bearer ${paymentsToken}`],
    ]);
    expect(h.slack.updates.at(-1)?.channel).toBe(h.slack.channelId('#team-payments'));

    const defaultBefore = h.slack.requests.length;
    await h.trigger('gated');
    await h.deliverResults();
    expect(h.slack.requests.slice(defaultBefore).map((r) => r.authorization)).toEqual([`Bearer ${h.slack.token}`]);
  });
});
