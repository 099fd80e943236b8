import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpsgenieNotifier } from '../../../src/notify/index.js';
import type { FakeOpsgenie, FakeOpsgenieAlert } from '../../support/fake-opsgenie.js';
import { startFakeOpsgenie } from '../../support/fake-opsgenie.js';
import { freePort } from '../../support/ports.js';
import type { NotifierFixture } from './contract.js';
import { makeNotification, runNotifierContract } from './contract.js';

runNotifierContract('Opsgenie', async ({ timeoutMs }): Promise<NotifierFixture> => {
  const fake = await startFakeOpsgenie();
  const bad = randomUUID();
  const make = (apiKey: string, apiUrl = fake.apiUrl) => new OpsgenieNotifier({ apiKey, apiUrl, timeoutMs });
  const unreachable = make(fake.apiKey, `http://127.0.0.1:${await freePort()}`);
  return {
    notifier: make(fake.apiKey),
    withBadCredential: make(bad),
    unreachable,
    credentials: { good: fake.apiKey, bad },
    rateLimitNext: fake.rateLimitNext,
    failNext: (count) => fake.failNext(count),
    hangNext: fake.hangNext,
    requestCount: () => fake.requests.length,
    stateOf: (n) => fake.alertsByAlias(n.dedupKey).at(-1)?.status ?? 'absent',
    renderedText: () => fake.alerts.map(shown).join('\n'),
    showsApprovals: false,
    close: fake.close,
  };
});

/** What a responder reads on the alert page. */
function shown(alert: FakeOpsgenieAlert): string {
  return [
    alert.message,
    alert.description ?? '',
    alert.entity ?? '',
    ...alert.tags,
    ...Object.values(alert.details),
    ...alert.notes.map((n) => n.note),
  ].join('\n');
}

describe('OpsgenieNotifier', () => {
  let fake: FakeOpsgenie;
  let opsgenie: OpsgenieNotifier;
  beforeEach(async () => {
    fake = await startFakeOpsgenie();
    opsgenie = new OpsgenieNotifier({ apiKey: fake.apiKey, apiUrl: fake.apiUrl, timeoutMs: 2000 });
  });
  afterEach(async () => {
    await fake.close();
  });

  it('creates an alert aliased by the dedup key, with priority, tags, details and source', async () => {
    const n = makeNotification({ severity: 'Sev1' });

    const delivery = await opsgenie.send(n);

    expect(delivery).toEqual({ ok: true, ref: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(fake.requests[0]).toMatchObject({
      method: 'POST',
      url: '/v2/alerts',
      authorization: `GenieKey ${fake.apiKey}`,
    });
    expect(fake.alerts).toEqual([
      expect.objectContaining({
        alias: n.dedupKey,
        message: 'Restart VM failed on vm-01',
        priority: 'P2',
        tags: ['ClouDO', 'schema:restart-vm', 'team:platform', 'severity:Sev1'],
        entity: n.resourceId,
        source: 'ClouDO',
        status: 'open',
        details: expect.objectContaining({
          execId: n.execId,
          schemaId: 'restart-vm',
          resourceId: n.resourceId,
          alertRule: 'vm-unresponsive',
          exitCode: '2',
          link: n.link,
        }),
      }),
    ]);
    const description = fake.alerts[0]?.description ?? '';
    expect(description).toContain(n.link);
    expect(description).toContain('runbook exited with code 2');
    expect(description).toContain('vm-01 did not stop within 60s');
  });

  it.each([
    ['Sev0', 'P1'],
    ['Sev1', 'P2'],
    ['Sev2', 'P3'],
    ['Sev3', 'P4'],
    ['Sev4', 'P5'],
    [null, 'P3'],
    ['critical', 'P3'],
  ])('maps severity %s to priority %s', async (severity, priority) => {
    await opsgenie.send(makeNotification({ severity }));

    expect(fake.alerts[0]?.priority).toBe(priority);
  });

  it('adds repeats to the one open alert instead of opening another', async () => {
    const n = makeNotification();

    await opsgenie.send(n);
    await opsgenie.send({ ...n, execId: randomUUID() });

    expect(fake.alertsByAlias(n.dedupKey)).toEqual([expect.objectContaining({ status: 'open', count: 2 })]);
  });

  it('closes by alias, leaving one alert, closed, with the recovery as a note', async () => {
    const n = makeNotification();
    await opsgenie.send(n);

    const delivery = await opsgenie.send({ ...n, action: 'close', status: 'succeeded' });

    expect(delivery.ok).toBe(true);
    expect(fake.requests.at(-1)?.url).toBe(`/v2/alerts/${encodeURIComponent(n.dedupKey)}/close?identifierType=alias`);
    const alerts = fake.alertsByAlias(n.dedupKey);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.status).toBe('closed');
    expect(alerts[0]?.notes[0]?.note).toMatch(/^Recovered: run .* succeeded/);
  });

  it('counts closing an alert that is not there (404) as done', async () => {
    const delivery = await opsgenie.send(makeNotification({ action: 'close', status: 'succeeded' }));

    expect(delivery).toEqual({ ok: true, ref: null });
    expect(fake.requests).toHaveLength(1);
    expect(fake.alerts).toHaveLength(0);
  });

  it('sends nothing for an informational post', async () => {
    expect(await opsgenie.send(makeNotification({ action: 'post' }))).toEqual({ ok: true, ref: null });
    expect(fake.requests).toHaveLength(0);
  });

  it('talks to Jira Service Management with the same payloads under its path', async () => {
    const jsm = new OpsgenieNotifier({ apiKey: fake.apiKey, apiUrl: `${fake.apiUrl}/jsm/ops/integration/` });
    const n = makeNotification();

    await jsm.send(n);
    await jsm.send({ ...n, action: 'close' });

    expect(fake.requests.map((r) => r.url)).toEqual([
      '/jsm/ops/integration/v2/alerts',
      `/jsm/ops/integration/v2/alerts/${encodeURIComponent(n.dedupKey)}/close?identifierType=alias`,
    ]);
    expect(fake.alertsByAlias(n.dedupKey)[0]?.status).toBe('closed');
  });

  it('keeps message, description and alias within the API limits', async () => {
    const n = makeNotification({ schemaName: 'S'.repeat(300), error: 'E'.repeat(20_000), dedupKey: 'k'.repeat(600) });

    await opsgenie.send(n);
    await opsgenie.send({ ...n, action: 'close' });

    const sent = fake.requests[0]?.body as { message: string; description: string; alias: string };
    expect(sent.message.length).toBeLessThanOrEqual(130);
    expect(sent.description.length).toBeLessThanOrEqual(15_000);
    expect(sent.description).toContain(n.link);
    expect(sent.alias).toMatch(/^[0-9a-f]{64}$/);
    // the long key maps to the same alias every time, so the close finds the alert
    expect(fake.alertsByAlias(sent.alias)).toEqual([expect.objectContaining({ status: 'closed' })]);
  });

  it.each([
    ['an unknown key', () => randomUUID(), 'HTTP 401 Could not authenticate'],
    ['a malformed key', () => 'not-a-genie-key', 'HTTP 422 Key format is not valid!'],
  ])('gives up on %s with the API message, not the key', async (_what, key, reason) => {
    const apiKey = key();
    const notifier = new OpsgenieNotifier({ apiKey, apiUrl: fake.apiUrl });

    const delivery = await notifier.send(makeNotification());

    expect(delivery).toEqual({
      ok: false,
      retryable: false,
      reason: `opsgenie create alert: ${reason}`,
    });
    expect(fake.alerts).toHaveLength(0);
  });

  it('gives up on 403 and retries 503', async () => {
    fake.failNext(1, 403);
    expect(await opsgenie.send(makeNotification())).toMatchObject({ ok: false, retryable: false });

    fake.failNext(1, 503);
    expect(await opsgenie.send(makeNotification())).toMatchObject({ ok: false, retryable: true });
  });

  it('refuses an apiUrl that would send the key in clear', () => {
    expect(() => new OpsgenieNotifier({ apiKey: 'k', apiUrl: 'http://api.opsgenie.com' })).toThrow(/must use https/);
  });
});
