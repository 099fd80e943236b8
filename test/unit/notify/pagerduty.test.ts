import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PagerDutyNotifier } from '../../../src/notify/index.js';
import type { FakePagerDuty, FakePagerDutyEvent } from '../../support/fake-pagerduty.js';
import { newRoutingKey, startFakePagerDuty } from '../../support/fake-pagerduty.js';
import { freePort } from '../../support/ports.js';
import type { NotifierFixture } from './contract.js';
import { makeNotification, runNotifierContract } from './contract.js';

runNotifierContract('PagerDuty', async ({ timeoutMs }): Promise<NotifierFixture> => {
  const fake = await startFakePagerDuty();
  const bad = newRoutingKey();
  const make = (routingKey: string, eventsUrl = fake.eventsUrl) =>
    new PagerDutyNotifier({ routingKey, eventsUrl, timeoutMs });
  const unreachable = make(fake.routingKey, `http://127.0.0.1:${await freePort()}`);
  return {
    notifier: make(fake.routingKey),
    withBadCredential: make(bad),
    unreachable,
    credentials: { good: fake.routingKey, bad },
    rateLimitNext: fake.rateLimitNext,
    failNext: (count) => fake.failNext(count),
    hangNext: fake.hangNext,
    requestCount: () => fake.requests.length,
    stateOf: (n) => {
      const status = fake.incidentsFor(n.dedupKey).at(-1)?.status;
      return status === undefined ? 'absent' : status === 'resolved' ? 'closed' : 'open';
    },
    renderedText: () => fake.incidents.flatMap((i) => i.events.map(shown)).join('\n'),
    showsApprovals: false,
    close: fake.close,
  };
});

/** What a responder reads on the alert: summary, source, details, links. */
function shown(event: FakePagerDutyEvent): string {
  const details = event.payload?.custom_details;
  return [
    event.payload?.summary ?? '',
    event.payload?.source ?? '',
    event.payload?.group ?? '',
    ...(details && typeof details === 'object' ? Object.values(details).map(String) : []),
    ...(event.links ?? []).map((l) => `${l.text ?? ''} ${l.href}`),
  ].join('\n');
}

describe('PagerDutyNotifier', () => {
  let fake: FakePagerDuty;
  let pagerduty: PagerDutyNotifier;
  beforeEach(async () => {
    fake = await startFakePagerDuty();
    pagerduty = new PagerDutyNotifier({ routingKey: fake.routingKey, eventsUrl: fake.eventsUrl, timeoutMs: 2000 });
  });
  afterEach(async () => {
    await fake.close();
  });

  it('triggers with the dedup key, summary, source, severity, details and a link to the run', async () => {
    const n = makeNotification();

    const delivery = await pagerduty.send(n);

    expect(delivery).toEqual({ ok: true, ref: n.dedupKey });
    expect(fake.requests[0]).toMatchObject({ method: 'POST', url: '/v2/enqueue' });
    expect(fake.requests[0]?.body).toEqual({
      routing_key: fake.routingKey,
      event_action: 'trigger',
      dedup_key: n.dedupKey,
      payload: {
        summary: 'Restart VM failed on vm-01: runbook exited with code 2',
        source: n.resourceId,
        severity: 'critical',
        component: 'restart-vm.sh',
        class: 'restart-vm',
        group: 'platform',
        custom_details: {
          execId: n.execId,
          schemaId: 'restart-vm',
          schemaName: 'Restart VM',
          runbook: 'restart-vm.sh',
          status: 'failed',
          resourceId: n.resourceId,
          alertRule: 'vm-unresponsive',
          severity: 'Sev1',
          team: 'platform',
          exitCode: 2,
          durationMs: 83_000,
          error: 'runbook exited with code 2',
          logTail: n.logTail,
          link: n.link,
        },
      },
      client: 'ClouDO',
      client_url: n.link,
      links: [{ href: n.link, text: `ClouDO run ${n.execId}` }],
    });
    expect(fake.incidentsFor(n.dedupKey)).toEqual([expect.objectContaining({ status: 'triggered' })]);
  });

  it.each([
    ['Sev0', 'critical'],
    ['Sev1', 'critical'],
    ['Sev2', 'error'],
    ['Sev3', 'warning'],
    ['Sev4', 'info'],
    [null, 'error'],
    ['warning', 'warning'],
    ['High', 'error'],
  ])('maps severity %s to %s', async (severity, expected) => {
    const n = makeNotification({ severity });

    await pagerduty.send(n);

    expect(fake.incidentsFor(n.dedupKey)[0]?.severity).toBe(expected);
  });

  it('resolves by dedup key, leaving one incident, resolved', async () => {
    const n = makeNotification();
    await pagerduty.send(n);

    const delivery = await pagerduty.send({ ...n, action: 'close', status: 'succeeded' });

    expect(delivery).toEqual({ ok: true, ref: n.dedupKey });
    expect(fake.requests.at(-1)?.body).toEqual({
      routing_key: fake.routingKey,
      event_action: 'resolve',
      dedup_key: n.dedupKey,
    });
    expect(fake.incidentsFor(n.dedupKey)).toEqual([expect.objectContaining({ status: 'resolved' })]);
  });

  it('sends a repeat failure as a trigger on the same incident, without paging again', async () => {
    const n = makeNotification();
    await pagerduty.send(n);

    await pagerduty.send({ ...n, execId: randomUUID(), error: 'still down' });

    const incidents = fake.incidentsFor(n.dedupKey);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]?.status).toBe('triggered');
    expect(incidents[0]?.events.map((e) => e.payload?.summary)).toEqual([
      'Restart VM failed on vm-01: runbook exited with code 2',
      'Restart VM failed on vm-01: still down',
    ]);
  });

  it('sends nothing for an informational post', async () => {
    expect(await pagerduty.send(makeNotification({ action: 'post' }))).toEqual({ ok: true, ref: null });
    expect(fake.requests).toHaveLength(0);
  });

  it('keeps summary and dedup key within the API limits, the same key for trigger and resolve', async () => {
    const n = makeNotification({ error: 'E'.repeat(5000), dedupKey: 'k'.repeat(300) });

    await pagerduty.send(n);
    await pagerduty.send({ ...n, action: 'close' });

    const sent = fake.requests.map((r) => r.body as { dedup_key: string; payload?: { summary: string } });
    expect(sent[0]?.payload?.summary.length).toBe(1024);
    expect(sent[0]?.dedup_key).toMatch(/^[0-9a-f]{64}$/);
    expect(sent[1]?.dedup_key).toBe(sent[0]?.dedup_key);
    expect(fake.incidents).toEqual([expect.objectContaining({ status: 'resolved' })]);
  });

  it.each([
    ['an unknown routing key', newRoutingKey, 'Invalid routing key'],
    ['a key of the wrong length', () => 'short-key', "Length of 'routing_key' is incorrect (should be 32 characters)"],
  ])('gives up on %s with the API errors, not the key', async (_what, key, error) => {
    const notifier = new PagerDutyNotifier({ routingKey: key(), eventsUrl: fake.eventsUrl });

    const delivery = await notifier.send(makeNotification());

    expect(delivery).toEqual({
      ok: false,
      retryable: false,
      reason: `pagerduty trigger: HTTP 400 Event object is invalid (${error})`,
    });
    expect(fake.incidents).toHaveLength(0);
  });

  it('refuses an eventsUrl that is not https off loopback', () => {
    expect(() => new PagerDutyNotifier({ routingKey: 'k', eventsUrl: 'http://events.pagerduty.com' })).toThrow(
      /must use https/,
    );
  });
});
