import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Execution } from '../../../src/core/execution.js';
import { DEFAULT_ROUTING } from '../../../src/core/routing-rules.js';
import { planRun } from '../../../src/core/run-plan.js';
import type { QueueFunctionDefinition } from '../../../src/functions/index.js';
import { resultsFunction } from '../../../src/functions/results.js';
import { decodeMessage } from '../../../src/storage/job-queue.js';
import type { FakeOpsgenie } from '../../support/fake-opsgenie.js';
import { startFakeOpsgenie } from '../../support/fake-opsgenie.js';
import type { FakeSlack } from '../../support/fake-slack.js';
import { startFakeSlack } from '../../support/fake-slack.js';
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
  const finish = async (status: Execution['status'], oncall = true): Promise<unknown> => {
    const plan = planRun(testSchema({ id: 'disk', oncall }), HTTP_TRIGGER);
    const execution: Execution = {
      ...plan.execution,
      status,
      startedAt: plan.execution.requestedAt,
      finishedAt: new Date().toISOString(),
      exitCode: status === 'failed' ? 3 : 0,
      error: status === 'failed' ? 'exited with code 3: disk full' : null,
      resourceId: schemaResource,
      monitorCondition: null,
    };
    await t.storage.executions.create(execution);
    await t.storage.logs.create(execution.execId);
    await t.storage.logs.append(execution.execId, Buffer.from('checking\n<b>disk full</b>\n'));
    await t.storage.results.publish({ ...execution, logBytes: 27 });
    const queue = t.storage.clients.queue(t.storage.names.resultsQueue);
    const [item] = (await queue.receiveMessages({ numberOfMessages: 1 })).receivedMessageItems;
    if (!item) throw new Error('no result published');
    await queue.deleteMessage(item.messageId, item.popReceipt);
    return decodeMessage(item.messageText);
  };
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

  it('retries through the queue while Slack is down, and delivers on the third attempt', async () => {
    const message = await finish('failed');
    const before = slack.messages.length;
    slack.failNext(2, 500);
    await expect(deliver(message, 1)).rejects.toThrow(/will retry: slack/);
    await expect(deliver(message, 2)).rejects.toThrow(/will retry: slack/);
    await deliver(message, 3);
    expect(slack.messages.length).toBe(before + 1);
    // Opsgenie was sent on the first attempt and not again
    const alias = opsgenie.alerts.at(-1)?.alias ?? '';
    expect(opsgenie.alertsByAlias(alias)[0]?.count).toBe(1);
  });

  it('gives up on the last attempt and shows why on the execution', async () => {
    const message = await finish('failed');
    slack.failNext(10, 500);
    await expect(deliver(message, 4)).rejects.toThrow(/will retry/);
    await deliver(message, 5);
    const row = (await t.storage.executions.get(execIdOf(message)))?.execution;
    expect(row?.notifyError).toMatch(/^slack open: /);
    const ledger = await t.storage.notifications.list(execIdOf(message));
    expect(ledger.find((e) => e.key === 'slack.open')?.status).toBe('failed');
    slack.failNext(0);
  });
});
