import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoutingRules } from '../../../src/core/routing-rules.js';
import { DEFAULT_ROUTING, parseRoutingRules } from '../../../src/core/routing-rules.js';
import { getExecutionFunction } from '../../../src/functions/executions.js';
import { resultsFunction } from '../../../src/functions/results.js';
import { triggerFunction } from '../../../src/functions/trigger.js';
import { decodeMessage } from '../../../src/storage/job-queue.js';
import { loadFixture } from '../../support/alert-fixtures.js';
import type { FakeOpsgenie } from '../../support/fake-opsgenie.js';
import { startFakeOpsgenie } from '../../support/fake-opsgenie.js';
import type { FakeSlack } from '../../support/fake-slack.js';
import { startFakeSlack } from '../../support/fake-slack.js';
import { bearerFor, callHttp, deliverMessage, testServices } from '../../support/functions.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

interface Answer {
  runs: { exec_id: string | null; status: string; deduplicated: boolean }[];
}

/** The Alertmanager fixture as one alert in `status`, under its own fingerprint. */
function alertmanager(fingerprint: string, status: 'firing' | 'resolved' = 'firing'): string {
  const payload = loadFixture('alertmanager_webhook_kubepodcrashlooping_firing.json') as {
    status: string;
    alerts: { status: string; fingerprint: string; endsAt?: string }[];
  };
  const [first] = payload.alerts;
  if (!first) throw new Error('fixture has no alert');
  const alert = {
    ...first,
    status,
    fingerprint,
    ...(status === 'resolved' ? { endsAt: new Date().toISOString() } : {}),
  };
  return JSON.stringify({ ...payload, status, alerts: [alert] });
}

function routing(config: unknown): RoutingRules {
  const parsed = parseRoutingRules(JSON.stringify(config));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.rules;
}
/** Every unmatched alert to the default channel. */
const ANNOUNCE_UNMATCHED = routing({ rules: [{ name: 'nobody', when: { status: 'unmatched' }, notify: {} }] });

/**
 * Alerts no schema handles, as Alertmanager repeats them: one `unmatched` row per alert and condition
 * within the dedupe window, counting its deliveries; announced once per row when a routing rule asks.
 */
describe('unmatched alerts', () => {
  let t: TestStorage;
  let slack: FakeSlack;
  let opsgenie: FakeOpsgenie;
  let trigger: ReturnType<typeof triggerFunction>;
  let getExecution: ReturnType<typeof getExecutionFunction>;
  let viewer: string;

  beforeAll(async () => {
    t = await createTestStorage();
    slack = await startFakeSlack({ channels: ['#cloudo'] });
    opsgenie = await startFakeOpsgenie();
    trigger = triggerFunction(testServices(t));
    getExecution = getExecutionFunction(testServices(t));
    viewer = await bearerFor(t, 'viewer');
  });
  afterAll(async () => {
    await slack.close();
    await opsgenie.close();
    await t.cleanup();
  });

  const post = async (body: string): Promise<Answer> => {
    const res = await callHttp(trigger, {
      url: 'http://localhost/api/Trigger',
      method: 'POST',
      body: { string: body },
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(202);
    return res.json as Answer;
  };
  const unmatchedRows = async () =>
    (await t.storage.executions.list({ status: 'unmatched', limit: 200 })).executions.filter(
      (e) => e.alertRule === 'KubePodCrashLooping',
    );
  const resource = async (execId: string) => {
    const res = await callHttp(getExecution, {
      url: `http://localhost/api/executions/${execId}`,
      params: { execId },
      headers: { authorization: viewer },
    });
    expect(res.status).toBe(200);
    return res.json as { status: string; deliveries: number | null; monitor_condition: string };
  };
  /** Hands every result waiting on the queue to a results function routing with `routing`. */
  const drainResults = async (routing: RoutingRules) => {
    const results = resultsFunction(
      testServices(t, {
        notify: {
          slack: { token: slack.token, apiUrl: slack.apiUrl, defaultChannel: '#cloudo', signingSecret: null },
          opsgenie: { apiKey: opsgenie.apiKey, apiUrl: opsgenie.apiUrl },
          pagerduty: null,
          publicUrl: 'https://cloudo.example',
          routing,
          teams: new Map(),
          warnings: [],
        },
      }),
      t.settings.namespace,
    );
    const queue = t.storage.clients.queue(t.storage.names.resultsQueue);
    await queue.createIfNotExists();
    const delivered: string[] = [];
    for (;;) {
      const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32 });
      if (receivedMessageItems.length === 0) return delivered;
      for (const item of receivedMessageItems) {
        const message = decodeMessage(item.messageText);
        // each result twice: a redelivery must not announce the row again
        await deliverMessage(results, message, 1);
        await deliverMessage(results, message, 2);
        delivered.push((message as { execId: string }).execId);
        await queue.deleteMessage(item.messageId, item.popReceipt);
      }
    }
  };

  it('records one row per alert and condition, counting repeated and concurrent deliveries', async () => {
    const firing = alertmanager('repeat-1');
    const first = await post(firing);
    expect(first.runs).toMatchObject([{ status: 'unmatched' }]);
    const execId = first.runs[0]?.exec_id ?? '';
    for (let i = 0; i < 2; i++)
      expect((await post(firing)).runs[0]).toMatchObject({ exec_id: execId, deduplicated: true });
    const storm = await Promise.all(Array.from({ length: 20 }, () => post(firing)));
    expect(new Set(storm.map((a) => a.runs[0]?.exec_id))).toEqual(new Set([execId]));

    const rows = (await unmatchedRows()).filter((e) => e.monitorCondition === 'Fired');
    expect(rows.map((e) => e.execId)).toEqual([execId]);
    expect(await resource(execId)).toMatchObject({ status: 'unmatched', deliveries: 23 });

    // the same alert resolving is another condition: its own row, counted from one
    const resolved = alertmanager('repeat-1', 'resolved');
    const closed = await post(resolved);
    await post(resolved);
    const resolvedId = closed.runs[0]?.exec_id ?? '';
    expect(resolvedId).not.toBe(execId);
    expect(await resource(resolvedId)).toMatchObject({ monitor_condition: 'Resolved', deliveries: 2 });
    expect(await unmatchedRows()).toHaveLength(2);
  });

  it('says nothing about unmatched alerts by default', async () => {
    await drainResults(DEFAULT_ROUTING);
    const before = slack.messages.length;
    await post(alertmanager('quiet-1'));
    await post(alertmanager('quiet-1'));
    await drainResults(DEFAULT_ROUTING);
    expect(slack.messages.length).toBe(before);
  });

  it('posts once per unmatched row to the default channel when a rule asks for unmatched alerts', async () => {
    await drainResults(DEFAULT_ROUTING);
    const before = slack.messages.length;
    const firing = alertmanager('announced-1');
    await Promise.all(Array.from({ length: 5 }, () => post(firing)));
    await post(alertmanager('announced-1', 'resolved'));
    await post(alertmanager('announced-2'));
    await drainResults(ANNOUNCE_UNMATCHED);
    const posted = slack.messages.slice(before);
    expect(posted).toHaveLength(3);
    expect(posted.every((m) => m.channel === slack.channelId('#cloudo'))).toBe(true);
    expect(posted.map((m) => m.text).join('\n')).toMatch(/KubePodCrashLooping \(no schema handles it\)/);
  });

  it('pages Opsgenie once for a critical unmatched alert when a rule asks, and closes it when it resolves', async () => {
    await drainResults(DEFAULT_ROUTING);
    const alertsBefore = opsgenie.alerts.length;
    const pageCritical = routing({
      rules: [{ when: { status: 'unmatched', severity: 'critical' }, notify: { slack: false, opsgenie: true } }],
    });
    const firing = alertmanager('paged-1');
    await Promise.all(Array.from({ length: 3 }, () => post(firing)));
    await drainResults(pageCritical);
    const opened = opsgenie.alerts.slice(alertsBefore);
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ status: 'open', count: 1 });
    expect(opened[0]?.message).toMatch(/KubePodCrashLooping/);

    await post(alertmanager('paged-1', 'resolved'));
    await drainResults(pageCritical);
    expect(opsgenie.alertsByAlias(opened[0]?.alias ?? '')[0]?.status).toBe('closed');
    expect(opsgenie.alerts.length).toBe(alertsBefore + 1);
  });
});
