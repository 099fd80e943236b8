import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Run } from '../../../src/core/execution.js';
import { loadAppSettings } from '../../../src/core/settings.js';
import type { QueueFunctionDefinition } from '../../../src/functions/index.js';
import { resultsFunction } from '../../../src/functions/results.js';
import type { FakeOpsgenie } from '../../support/fake-opsgenie.js';
import { startFakeOpsgenie } from '../../support/fake-opsgenie.js';
import type { FakeSlack } from '../../support/fake-slack.js';
import { newToken, startFakeSlack } from '../../support/fake-slack.js';
import { finishedRunMessage } from '../../support/finished-run.js';
import { deliverMessage, testServices } from '../../support/functions.js';
import { HTTP_TRIGGER, testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

/**
 * Teams of the original ClouDO with their own Slack workspace token and Opsgenie key
 * (`SLACK_TOKEN_<TEAM>`, `OPSGENIE_API_KEY_<TEAM>`, `SLACK_CHANNEL_<TEAM>`), read from the environment as
 * production reads it, and delivered over real HTTP to the fakes: which credential reached them is what
 * a user would notice (a message in the wrong workspace, an alert in the wrong Opsgenie team).
 */
describe('per-team Slack tokens and Opsgenie keys', () => {
  let t: TestStorage;
  let slack: FakeSlack;
  let opsgenie: FakeOpsgenie;
  let results: QueueFunctionDefinition;
  /** The results function of an app with `extra` app settings besides the test's. */
  let resultsWith: (extra: Record<string, string>) => QueueFunctionDefinition;
  /** Team payments' own workspace token and Opsgenie key; the fakes accept them next to the defaults. */
  const paymentsToken = newToken();
  const paymentsKey = randomUUID();

  beforeAll(async () => {
    t = await createTestStorage();
    slack = await startFakeSlack({ channels: ['#cloudo', '#payments'] });
    slack.validTokens.add(paymentsToken);
    opsgenie = await startFakeOpsgenie();
    opsgenie.validKeys.add(paymentsKey);
    const env = {
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      CLOUDO_SIGNING_KEY: 'test-signing-key-0123456789abcdefghijklmnopqrstuvwxyz',
      CLOUDO_PUBLIC_URL: 'https://cloudo.example',
      SLACK_API_URL: slack.apiUrl,
      OPSGENIE_API_URL: opsgenie.apiUrl,
      // the original's names for the defaults, as a migrated app's settings hold them
      SLACK_TOKEN_DEFAULT: slack.token,
      OPSGENIE_API_KEY_DEFAULT: opsgenie.apiKey,
      SLACK_TOKEN_PAYMENTS: paymentsToken,
      OPSGENIE_API_KEY_PAYMENTS: paymentsKey,
      SLACK_CHANNEL_PAYMENTS: '#payments',
    };
    resultsWith = (extra) =>
      resultsFunction(testServices(t, { notify: loadAppSettings({ ...env, ...extra }).notify }), t.settings.namespace);
    results = resultsWith({});
  });
  afterAll(async () => {
    await slack.close();
    await opsgenie.close();
    await t.cleanup();
  });

  let resource = 0;
  let schemaResource = '';
  beforeEach(() => {
    resource++;
    schemaResource = `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/team-vm-${resource}`;
  });

  /** A finished on-call run of `team` (from `/api/Trigger/{team}`), handed to the results function. */
  const finishAndDeliver = async (status: Run['status'], team: string | null, to = results): Promise<void> => {
    const message = await finishedRunMessage(t.storage, status, {
      schema: testSchema({ id: 'disk', oncall: true }),
      trigger: { ...HTTP_TRIGGER, team },
      resourceId: schemaResource,
    });
    await deliverMessage(to, message, 1);
  };

  /** The Slack calls and Opsgenie requests `act` made. */
  const sent = async (act: () => Promise<void>) => {
    const slackBefore = slack.requests.length;
    const opsgenieBefore = opsgenie.requests.length;
    await act();
    return { slack: slack.requests.slice(slackBefore), opsgenie: opsgenie.requests.slice(opsgenieBefore) };
  };

  it('posts a team’s run to its channel with its own token, and pages with its own key', async () => {
    const { slack: posts, opsgenie: pages } = await sent(() => finishAndDeliver('failed', 'payments'));
    expect(posts.map((r) => [r.path, r.authorization, r.args.channel])).toEqual([
      ['/api/chat.postMessage', `Bearer ${paymentsToken}`, '#payments'],
    ]);
    expect(pages.map((r) => [r.method, r.status, r.authorization])).toEqual([['POST', 202, `GenieKey ${paymentsKey}`]]);
  });

  it('posts a run without a team with the default token to the default channel, and pages with the default key', async () => {
    const { slack: posts, opsgenie: pages } = await sent(() => finishAndDeliver('failed', null));
    expect(posts.map((r) => [r.authorization, r.args.channel])).toEqual([[`Bearer ${slack.token}`, '#cloudo']]);
    expect(pages.map((r) => [r.status, r.authorization])).toEqual([[202, `GenieKey ${opsgenie.apiKey}`]]);
  });

  it('falls back to the default token and key for a team that has none of its own', async () => {
    const { slack: posts, opsgenie: pages } = await sent(() => finishAndDeliver('failed', 'search'));
    expect(posts.map((r) => [r.authorization, r.args.channel])).toEqual([[`Bearer ${slack.token}`, '#cloudo']]);
    expect(pages.map((r) => [r.status, r.authorization])).toEqual([[202, `GenieKey ${opsgenie.apiKey}`]]);
  });

  it('closes a team’s page with the key and token that opened it, whoever’s run recovers it', async () => {
    await finishAndDeliver('failed', 'payments');
    const thread = slack.messages.at(-1);
    const { slack: replies, opsgenie: closes } = await sent(() => finishAndDeliver('succeeded', null));
    expect(replies.map((r) => [r.authorization, r.args.thread_ts])).toEqual([[`Bearer ${paymentsToken}`, thread?.ts]]);
    expect(closes.map((r) => [r.url.includes('/close'), r.status, r.authorization])).toEqual([
      [true, 202, `GenieKey ${paymentsKey}`],
    ]);
    expect(opsgenie.alerts.at(-1)?.status).toBe('closed');
  });

  it('sends as the team a rule names, whatever the run’s team', async () => {
    const rules = {
      rules: [{ name: 'to-payments', notify: { slack: { team: 'payments' }, opsgenie: { team: 'payments' } } }],
    };
    const routed = resultsWith({ CLOUDO_ROUTING_RULES: JSON.stringify(rules) });
    const { slack: posts, opsgenie: pages } = await sent(() => finishAndDeliver('failed', null, routed));
    expect(posts.map((r) => [r.authorization, r.args.channel])).toEqual([[`Bearer ${paymentsToken}`, '#payments']]);
    expect(pages.map((r) => [r.status, r.authorization])).toEqual([[202, `GenieKey ${paymentsKey}`]]);
  });
});
