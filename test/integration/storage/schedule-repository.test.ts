import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScheduleDeclaration } from '../../../src/core/schedule.js';
import { ScheduleEntry } from '../../../src/core/schedule.js';
import { formatScheduleImport } from '../../../src/storage/index.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

const declared = (id: string, fields: Record<string, unknown> = {}, schemaId = 'disk'): ScheduleDeclaration => ({
  schemaId,
  entry: ScheduleEntry.parse({ id, cron: '0 3 * * *', ...fields }),
});

const t0 = new Date('2026-01-01T10:00:00Z');
const t1 = new Date('2026-01-01T11:00:00Z');

/** Table Schedules: what the imports of the schemas file and the admin API leave in it. */
describe('ScheduleRepository', () => {
  let t: TestStorage;
  beforeAll(async () => {
    t = await createTestStorage();
  });
  afterAll(() => t.cleanup());

  it('imports a file idempotently and reports created, updated, unchanged and removed', async () => {
    const { schedules } = t.storage;
    const first = await schedules.importFromFile([declared('a'), declared('b'), declared('c')], { now: t0 });
    expect(first).toMatchObject({ created: ['a', 'b', 'c'], updated: [], unchanged: [], notInFile: [] });
    const again = await schedules.importFromFile([declared('a'), declared('b'), declared('c')], { now: t1 });
    expect(again).toMatchObject({ created: [], updated: [], unchanged: ['a', 'b', 'c'] });

    const changed = await schedules.importFromFile([declared('a', { cron: '0 4 * * *' }), declared('b')], {
      now: t1,
    });
    expect(changed).toMatchObject({ updated: ['a'], unchanged: ['b'], notInFile: ['c'], pruned: false });
    expect(await schedules.get('c')).not.toBeNull();
    expect(formatScheduleImport(changed)).toEqual([
      'schedules: 0 created, 1 updated (a), 1 unchanged, 1 kept not in the file (c)',
    ]);

    const pruned = await schedules.importFromFile([declared('a', { cron: '0 4 * * *' }), declared('b')], {
      prune: true,
      now: t1,
    });
    expect(pruned).toMatchObject({ notInFile: ['c'], pruned: true });
    expect(await schedules.get('c')).toBeNull();
    const a = await schedules.get('a');
    expect(a).toMatchObject({ cron: '0 4 * * *', origin: 'file', activeSince: t1.toISOString() });
    expect(a?.nextTick).toBe('2026-01-02T04:00:00.000Z');
  });

  it("keeps an admin's disable across a re-import of the file (an incident outlives a restart)", async () => {
    const { schedules } = t.storage;
    await schedules.importFromFile([declared('incident')], { now: t0 });
    const off = await schedules.setEnabled('incident', false, 'user:alice@contoso.com', t1);
    expect(off?.enabledOverride).toEqual({ enabled: false, by: 'user:alice@contoso.com', at: t1.toISOString() });
    const again = await schedules.importFromFile([declared('incident', { enabled: true, description: 'new' })], {
      now: t1,
    });
    expect(again.updated).toEqual(['incident']);
    expect(again.overridden).toEqual([
      { id: 'incident', override: { enabled: false, by: 'user:alice@contoso.com', at: t1.toISOString() } },
    ]);
    expect(formatScheduleImport(again)).toContain(
      `schedule incident: kept disabled by user:alice@contoso.com (since ${t1.toISOString()})`,
    );
    expect(await schedules.get('incident')).toMatchObject({ description: 'new', enabled: true });
    expect((await schedules.get('incident'))?.enabledOverride?.enabled).toBe(false);

    // the admin hands it back to the file: it fires again, counting from then
    const later = new Date('2026-01-01T12:00:00Z');
    const cleared = await schedules.clearOverride('incident', later);
    expect(cleared).toMatchObject({ enabledOverride: null, enabled: true, activeSince: later.toISOString() });
    const again2 = await schedules.importFromFile([declared('incident', { enabled: true, description: 'new' })], {
      now: later,
    });
    expect(again2).toMatchObject({ unchanged: ['incident'], overridden: [] });
  });

  it('never touches a schedule made through the API, and refuses to take over one of the file', async () => {
    const { schedules } = t.storage;
    const made = await schedules.put(declared('adhoc', { cron: '*/5 * * * *' }), t0);
    expect(made).toMatchObject({ ok: true, created: true, schedule: { origin: 'api' } });
    const imported = await schedules.importFromFile([declared('adhoc')], { prune: true, now: t1 });
    expect(imported.heldByApi).toEqual(['adhoc']);
    expect(imported.notInFile).not.toContain('adhoc');
    expect(await schedules.get('adhoc')).toMatchObject({ cron: '*/5 * * * *', origin: 'api' });

    const replaced = await schedules.put(declared('adhoc', { cron: '*/10 * * * *' }), t1);
    expect(replaced).toMatchObject({ ok: true, created: false, schedule: { cron: '*/10 * * * *' } });

    await schedules.importFromFile([declared('from-file')], { now: t0 });
    const refused = await schedules.put(declared('from-file', { cron: '* * * * *' }), t1);
    expect(refused).toMatchObject({ ok: false, reason: 'file-origin' });
    expect(await schedules.get('from-file')).toMatchObject({ cron: '0 3 * * *' });

    expect((await schedules.delete('adhoc'))?.id).toBe('adhoc');
    expect(await schedules.delete('adhoc')).toBeNull();
  });

  it('reads back every field it stores, state included', async () => {
    const { schedules } = t.storage;
    await schedules.importFromFile([declared('state', { params: { namespace: 'x', replicas: 2, dry: true } })], {
      now: t0,
    });
    const updated = await schedules.update('state', (s) => ({
      ...s,
      lastTick: '2026-01-02T03:00:00.000Z',
      lastExecId: '019b7d3a-6c00-7000-8000-000000000000',
      missedTicks: { count: 3, first: '2026-01-02T01:00:00.000Z', last: '2026-01-02T03:00:00.000Z' },
      lastError: null,
    }));
    expect(await schedules.get('state')).toEqual(updated);
    expect(updated?.params).toEqual({ namespace: 'x', replicas: 2, dry: true });
    expect((await schedules.list()).map((s) => s.id)).toContain('state');
  });
});
