import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newExecId } from '../../../src/core/execution.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

const T0 = new Date('2026-12-06T03:00:00.000Z');
const plus = (ms: number) => new Date(T0.getTime() + ms);

describe('NotificationLedger', () => {
  let t: TestStorage;
  beforeAll(async () => {
    t = await createTestStorage();
  });
  afterAll(() => t.cleanup());

  it('keeps the channel of a send with its ref', async () => {
    const execId = newExecId();
    await t.storage.notifications.record(execId, 'slack.approval', {
      status: 'sent',
      ref: '1700000001.000001',
      channel: 'C0123456789',
      reason: null,
      at: T0.toISOString(),
    });
    expect(await t.storage.notifications.get(execId, 'slack.approval')).toMatchObject({
      status: 'sent',
      ref: '1700000001.000001',
      channel: 'C0123456789',
    });
  });

  it('gives a claim to one of two at once, until it is released or goes stale', async () => {
    const execId = newExecId();
    const ledger = t.storage.notifications;

    const first = await Promise.all([ledger.claim(execId, 'k', T0, 60_000), ledger.claim(execId, 'k', T0, 60_000)]);
    expect(first.sort()).toEqual([false, true]);
    expect(await ledger.claim(execId, 'k', plus(59_000), 60_000)).toBe(false);
    // its holder died: one of two late-comers takes it over
    const takeover = await Promise.all([
      ledger.claim(execId, 'k', plus(61_000), 60_000),
      ledger.claim(execId, 'k', plus(61_000), 60_000),
    ]);
    expect(takeover.sort()).toEqual([false, true]);

    await ledger.release(execId, 'k');
    await ledger.release(execId, 'k');
    expect(await ledger.claim(execId, 'k', plus(62_000), 60_000)).toBe(true);
    // a claim is not a send
    expect(await ledger.list(execId)).toEqual([]);
  });
});
