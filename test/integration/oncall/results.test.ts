import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Run } from '../../../src/core/execution.js';
import { RESULT_MAX_ROUNDS } from '../../../src/core/result-message.js';
import { DEFAULT_ROUTING } from '../../../src/core/routing-rules.js';
import type { QueueFunctionDefinition } from '../../../src/functions/index.js';
import { RESULTS_MAX_DEQUEUE_COUNT, resultsFunction } from '../../../src/functions/results.js';
import type { FakeOpsgenie } from '../../support/fake-opsgenie.js';
import { startFakeOpsgenie } from '../../support/fake-opsgenie.js';
import type { FakeSlack } from '../../support/fake-slack.js';
import { startFakeSlack } from '../../support/fake-slack.js';
import { finishedRunMessage } from '../../support/finished-run.js';
import { deliverMessage, testServices } from '../../support/functions.js';
import { HTTP_TRIGGER, testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

/**
 * The results function with real Slack and Opsgenie fakes: pages on on-call failures, exactly once per
 * (run, target, action), closed by a later success, retried through the queue, given up visibly.
 */
describe('on-call notifications from results', () => {
  let t: TestStorage;
  let slack: FakeSlack;
  let opsgenie: FakeOpsgenie;
  let results: QueueFunctionDefinition;

  beforeAll(async () => {
    t = await createTestStorage();
    slack = await startFakeSlack({ channels: ['#cloudo'] });
    opsgenie = await startFakeOpsgenie();
    results = resultsFunction(
      testServices(t, {
        notify: {
          slack: { token: slack.token, apiUrl: slack.apiUrl, defaultChannel: '#cloudo', signingSecret: null },
          opsgenie: { apiKey: opsgenie.apiKey, apiUrl: opsgenie.apiUrl },
          pagerduty: null,
          publicUrl: 'https://cloudo.example',
          routing: DEFAULT_ROUTING,
          teams: new Map(),
          warnings: [],
        },
      }),
      t.settings.namespace,
    );
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
    schemaResource = `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-${resource}`;
  });

  /** A finished run as a worker leaves it, and the ResultMessage it published. */
  const finish = (status: Run['status'], oncall = true): Promise<unknown> =>
    finishedRunMessage(t.storage, status, {
      schema: testSchema({ id: 'disk', oncall }),
      trigger: HTTP_TRIGGER,
      resourceId: schemaResource,
      log: 'checking\n<b>disk full</b>\n',
    });
  const deliver = (message: unknown, dequeueCount = 1) => deliverMessage(results, message, dequeueCount);
  const execIdOf = (message: unknown) => (message as { execId: string }).execId;

  it('pages once on an on-call failure, even when the result is delivered three times', async () => {
    const message = await finish('failed');
    const slackBefore = slack.messages.length;
    for (let i = 1; i <= 3; i++) await deliver(message, i);
    const posted = slack.messages.slice(slackBefore);
    expect(posted).toHaveLength(1);
    expect(posted[0]?.channel).toBe(slack.channelId('#cloudo'));
    const alias = opsgenie.alerts.at(-1)?.alias ?? '';
    expect(opsgenie.alertsByAlias(alias)).toHaveLength(1);
    expect(opsgenie.alertsByAlias(alias)[0]).toMatchObject({ status: 'open', count: 1 });
    const ledger = await t.storage.notifications.list(execIdOf(message));
    expect(ledger.map((e) => [e.key, e.status]).sort()).toEqual([
      ['opsgenie.open', 'sent'],
      ['slack.open', 'sent'],
    ]);
  });

  it('closes the page and replies in its thread when a later run of the same schema and resource succeeds', async () => {
    const failed = await finish('failed');
    await deliver(failed);
    const thread = slack.messages.at(-1);
    const alias = opsgenie.alerts.at(-1)?.alias ?? '';
    const succeeded = await finish('succeeded');
    await deliver(succeeded);
    expect(opsgenie.alertsByAlias(alias)[0]?.status).toBe('closed');
    expect(slack.messages.at(-1)).toMatchObject({ threadTs: thread?.ts });
  });

  it('does not page for a failure of a run that is not on-call', async () => {
    const alertsBefore = opsgenie.alerts.length;
    await deliver(await finish('failed', false));
    expect(opsgenie.alerts.length).toBe(alertsBefore);
  });

  /** Results messages waiting on the queue, visible or not (a later round is out of sight for a while). */
  const waiting = async () =>
    (await t.storage.clients.queue(t.storage.names.resultsQueue).getProperties()).approximateMessagesCount ?? 0;

  it('retries in later rounds of its own while Slack is down, and delivers once it is back', async () => {
    const message = (await finish('failed')) as object;
    const before = slack.messages.length;
    slack.failNext(2, 500);
    const queued = await waiting();
    // each failed round puts the result back as the next one, and ends without an error for the queue
    await deliver(message, 1);
    await deliver({ ...message, round: 2 }, 1);
    expect(await waiting()).toBe(queued + 2);
    await deliver({ ...message, round: 3 }, 1);
    expect(slack.messages.length).toBe(before + 1);
    // Opsgenie was sent in the first round and not again
    const alias = opsgenie.alerts.at(-1)?.alias ?? '';
    expect(opsgenie.alertsByAlias(alias)[0]?.count).toBe(1);
  });

  it('keeps trying past the queue’s own five deliveries, so a long outage loses no page', async () => {
    const message = (await finish('failed')) as object;
    slack.failNext(1, 500);
    const queued = await waiting();
    await deliver({ ...message, round: 7 }, 1);
    expect(await waiting()).toBe(queued + 1);
    expect((await t.storage.executions.get(execIdOf(message)))?.execution.notifyError).toBeNull();
    slack.failNext(0);
  });

  it('gives up in the last round (or on the queue’s last delivery) and shows why on the execution', async () => {
    for (const [round, dequeueCount] of [
      [RESULT_MAX_ROUNDS, 1],
      [1, RESULTS_MAX_DEQUEUE_COUNT],
    ] as const) {
      const message = (await finish('failed')) as object;
      slack.failNext(10, 500);
      const queued = await waiting();
      await deliver({ ...message, round }, dequeueCount);
      expect(await waiting()).toBe(queued);
      const row = (await t.storage.executions.get(execIdOf(message)))?.execution;
      expect(row?.notifyError).toMatch(/^slack open: /);
      const ledger = await t.storage.notifications.list(execIdOf(message));
      expect(ledger.find((e) => e.key === 'slack.open')?.status).toBe('failed');
      slack.failNext(0);
    }
  });
});
