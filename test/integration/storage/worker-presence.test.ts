import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerPresence } from '../../../src/storage/worker-presence.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import { workerBeat } from '../../support/worker-beat.js';

const beat = (workerId: string, wakeUrl: string) => workerBeat({ workerId, wakeUrl });

/** Issue 19.1: where the app finds the workers it nudges (Table Workers, read at most once per ttl). */
describe('WorkerPresence', () => {
  let t: TestStorage;
  beforeAll(async () => {
    t = await createTestStorage();
  });
  afterAll(() => t.cleanup());

  it('looks again, before its ttl, when it knows no worker to nudge: one that just joined is woken', async () => {
    // a long ttl: a worker known only from the next regular read would miss every nudge until then
    const presence = new WorkerPresence(t.storage.workers, 60_000, 60_000, { lookAgainAfterMs: 0 });
    expect(await presence.wakeUrls('Runbook')).toEqual([]);
    await t.storage.workers.beat(beat('w-1', 'http://127.0.0.1:7072/wake'));
    expect(await presence.wakeUrls('Runbook')).toEqual(['http://127.0.0.1:7072/wake']);
  });

  it('serves a known list without a read until its ttl, however often it is asked', async () => {
    const presence = new WorkerPresence(t.storage.workers, 60_000, 60_000, { lookAgainAfterMs: 0 });
    const first = await presence.wakeUrls('Runbook');
    expect(first.length).toBeGreaterThan(0);
    await t.storage.workers.beat(beat('w-2', 'http://127.0.0.1:7073/wake'));
    expect(await presence.wakeUrls('Runbook')).toEqual(first);
  });
});
