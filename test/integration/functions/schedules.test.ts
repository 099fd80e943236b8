import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScheduleDeclaration } from '../../../src/core/schedule.js';
import { ScheduleEntry } from '../../../src/core/schedule.js';
import { bearerFor } from '../../support/functions.js';
import { testSchema } from '../../support/schemas.js';
import type { SecuredApp } from '../../support/secured-app.js';
import { startSecuredApp } from '../../support/secured-app.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** What the schemas file declares: one schedule of `nightly` (origin file). */
const FILE: ScheduleDeclaration[] = [
  {
    schemaId: 'nightly',
    entry: ScheduleEntry.parse({ id: 'file-nightly', cron: '30 2 * * *', timezone: 'Europe/Rome', missed: 'run-once' }),
  },
];

const principal = (name: string, role: string) =>
  Buffer.from(
    JSON.stringify({
      auth_typ: 'aad',
      name_typ: 'preferred_username',
      claims: [
        { typ: 'preferred_username', val: name },
        { typ: 'roles', val: role },
      ],
    }),
  ).toString('base64');

/** The admin API of schedules, over HTTP against the secured app and real Azurite. */
describe('/api/schedules', () => {
  let t: TestStorage;
  let app: SecuredApp;
  const as: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestStorage();
    await t.storage.schemas.importSchemas([
      testSchema({ id: 'nightly' }),
      testSchema({
        id: 'typed',
        parameters: [
          { name: 'namespace', type: 'string', required: true, description: '' },
          { name: 'replicas', type: 'number', required: false, description: '' },
        ],
      }),
    ]);
    await t.storage.schedules.importFromFile(FILE);
    app = await startSecuredApp(t, { trustEasyAuth: true });
    as.ada = await bearerFor(t, 'admin', 'ada');
    as.olga = await bearerFor(t, 'operator', 'olga');
    as.vera = await bearerFor(t, 'viewer', 'vera');
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  const call = (who: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    app.fetch(path, {
      method,
      headers: { authorization: as[who] ?? '', 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const json = async (res: Response) => (await res.json()) as Record<string, unknown>;
  const auditOf = async (target: string) =>
    (await t.storage.audit.list({ limit: 200 })).entries.filter((e) => e.target === target);

  it('lists the file’s and the API’s schedules with their next fire times, and shows one', async () => {
    const put = await call('ada', 'PUT', '/api/schedules/api-hourly', {
      schema_id: 'typed',
      cron: '0 * * * *',
      params: { namespace: 'payments' },
      description: 'hourly check',
    });
    expect(put.status).toBe(201);

    const res = await call('vera', 'GET', '/api/schedules');
    expect(res.status).toBe(200);
    const { schedules } = (await res.json()) as { schedules: Record<string, unknown>[] };
    expect(schedules.map((s) => [s.id, s.origin])).toEqual([
      ['api-hourly', 'api'],
      ['file-nightly', 'file'],
    ]);
    const [api, file] = schedules;
    expect(api).toMatchObject({
      schema_id: 'typed',
      cron: '0 * * * *',
      timezone: 'UTC',
      params: { namespace: 'payments' },
      enabled: true,
      enabled_override: null,
      missed: 'skip',
      description: 'hourly check',
      last_run: null,
      links: { schedule: '/api/schedules/api-hourly', schema: '/api/schemas/typed' },
    });
    const ticks = api?.next_ticks as string[];
    expect(ticks).toHaveLength(3);
    for (const tick of ticks) expect(tick).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00:00\.000Z$/);
    expect(Date.parse(ticks[1] ?? '') - Date.parse(ticks[0] ?? '')).toBe(3_600_000);
    // 02:30 in Rome is 00:30 or 01:30 UTC, depending on the season
    expect(file).toMatchObject({ timezone: 'Europe/Rome', missed: 'run-once', origin: 'file' });
    for (const tick of (file?.next_ticks ?? []) as string[]) expect(tick).toMatch(/T0[01]:30:00\.000Z$/);

    const one = await call('vera', 'GET', '/api/schedules/file-nightly?next=10');
    expect(one.status).toBe(200);
    expect(((await json(one)).next_ticks as string[]).length).toBe(10);

    const missing = await call('vera', 'GET', '/api/schedules/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'no schedule with id "nope"' });
  });

  it('creates, then replaces a schedule keeping its state, and audits both', async () => {
    const created = await call('ada', 'PUT', '/api/schedules/replaced', { schema_id: 'nightly', cron: '0 6 * * *' });
    expect(created.status).toBe(201);
    const first = await json(created);
    // the scheduler's state and an admin's override outlive a replace
    await t.storage.schedules.update('replaced', (s) => ({ ...s, lastTick: '2026-01-01T06:00:00.000Z' }));
    await call('ada', 'POST', '/api/schedules/replaced/disable');

    const replaced = await call('ada', 'PUT', '/api/schedules/replaced', {
      schema_id: 'nightly',
      cron: '0 7 * * 1-5',
      timezone: 'America/New_York',
      description: 'weekdays',
    });
    expect(replaced.status).toBe(200);
    const second = await json(replaced);
    expect(second).toMatchObject({
      cron: '0 7 * * 1-5',
      timezone: 'America/New_York',
      description: 'weekdays',
      created_at: first.created_at,
      last_tick: '2026-01-01T06:00:00.000Z',
      enabled: false,
      declared_enabled: true,
      enabled_override: { enabled: false, by: 'user:ada' },
    });
    expect((await auditOf('replaced')).map((e) => e.action).sort()).toEqual([
      'schedule.create',
      'schedule.disable',
      'schedule.update',
    ]);
    const [update] = (await auditOf('replaced')).filter((e) => e.action === 'schedule.update');
    expect(update).toMatchObject({
      actorKind: 'token',
      details: { schema: 'nightly', cron: '0 7 * * 1-5', timezone: 'America/New_York', enabled: 'true' },
    });
  });

  it('refuses a bad cron, zone, params, schema or field with 400 naming it, and writes nothing', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ schema_id: 'nightly', cron: '61 * * * *' }, /^cron: "61 \* \* \* \*" is not a valid cron expression/],
      [
        { schema_id: 'nightly', cron: '0 * * * *', timezone: 'Mars/Olympus' },
        /^timezone: "Mars\/Olympus" is not an IANA/,
      ],
      [{ schema_id: 'typed', cron: '0 * * * *' }, /^params\.namespace: is required/],
      [{ schema_id: 'typed', cron: '0 * * * *', params: { namespace: 'a', replicas: 'many' } }, /^params\.replicas: /],
      [{ schema_id: 'ghost', cron: '0 * * * *' }, /^schema_id: no runbook schema with id "ghost"/],
      [{ schema_id: 'nightly', cron: '0 * * * *', missed: 'all' }, /^missed: /],
      [{ schema_id: 'nightly', cron: '0 * * * *', id: 'other' }, /id/],
      [{ cron: '0 * * * *' }, /^schema_id: /],
    ];
    for (const [body, error] of cases) {
      const res = await call('ada', 'PUT', '/api/schedules/never-written', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: string }).error, JSON.stringify(body)).toMatch(error);
    }
    const badId = await call('ada', 'PUT', '/api/schedules/has%20space', { schema_id: 'nightly', cron: '0 * * * *' });
    expect(badId.status).toBe(400);
    expect(await json(badId)).toEqual({ error: expect.stringMatching(/^scheduleId: must be 1-128/) });
    expect(await t.storage.schedules.get('never-written')).toBeNull();
    expect(await auditOf('never-written')).toEqual([]);
  });

  it('refuses PUT and DELETE on a schedule of the schemas file with 409 saying where to change it', async () => {
    const before = await t.storage.schedules.get('file-nightly');
    const put = await call('ada', 'PUT', '/api/schedules/file-nightly', { schema_id: 'nightly', cron: '* * * * *' });
    expect(put.status).toBe(409);
    const { error } = (await put.json()) as { error: string };
    expect(error).toBe(
      'schedule "file-nightly" is declared in the schemas file: change it there, or POST /api/schedules/file-nightly/enable|disable',
    );
    const del = await call('ada', 'DELETE', '/api/schedules/file-nightly');
    expect(del.status).toBe(409);
    expect(await json(del)).toEqual({ error });
    expect(await t.storage.schedules.get('file-nightly')).toEqual(before);
    expect((await auditOf('file-nightly')).filter((e) => e.action !== 'schedule.enable')).toEqual([]);
  });

  it('deletes a schedule made through the API, once: 204 then 404', async () => {
    expect(
      (await call('ada', 'PUT', '/api/schedules/short-lived', { schema_id: 'nightly', cron: '@daily' })).status,
    ).toBe(201);
    const del = await call('ada', 'DELETE', '/api/schedules/short-lived');
    expect(del.status).toBe(204);
    expect(await t.storage.schedules.get('short-lived')).toBeNull();
    const again = await call('ada', 'DELETE', '/api/schedules/short-lived');
    expect(again.status).toBe(404);
    expect(await json(again)).toEqual({ error: 'no schedule with id "short-lived"' });
    expect((await auditOf('short-lived')).map((e) => e.action).sort()).toEqual(['schedule.create', 'schedule.delete']);
  });

  it('disables and enables a schedule of the file, idempotently, and a re-import keeps the admin’s choice', async () => {
    const off = await call('ada', 'POST', '/api/schedules/file-nightly/disable');
    expect(off.status).toBe(200);
    const disabled = await json(off);
    expect(disabled).toMatchObject({
      enabled: false,
      declared_enabled: true,
      enabled_override: { enabled: false, by: 'user:ada', at: expect.stringMatching(ISO) },
    });
    // again: nothing changes, not even who did it or when
    const again = await json(await call('ada', 'POST', '/api/schedules/file-nightly/disable'));
    expect(again.enabled_override).toEqual(disabled.enabled_override);

    // the next deployment imports the file again, even with a change to the schedule
    const changed = [
      { ...FILE[0], entry: { ...FILE[0]?.entry, description: 'still nightly' } },
    ] as ScheduleDeclaration[];
    const report = await t.storage.schedules.importFromFile(changed);
    expect(report.updated).toEqual(['file-nightly']);
    const afterImport = await json(await call('vera', 'GET', '/api/schedules/file-nightly'));
    expect(afterImport).toMatchObject({ description: 'still nightly', enabled: false, origin: 'file' });

    const on = await json(await call('ada', 'POST', '/api/schedules/file-nightly/enable'));
    expect(on).toMatchObject({ enabled: true, enabled_override: { enabled: true, by: 'user:ada' } });
    await t.storage.schedules.importFromFile(changed);
    expect(await t.storage.schedules.get('file-nightly')).toMatchObject({ enabledOverride: { enabled: true } });

    expect((await auditOf('file-nightly')).map((e) => [e.action, e.actorId, e.details])).toEqual([
      ['schedule.enable', expect.any(String), { schema: 'nightly', origin: 'file' }],
      ['schedule.disable', expect.any(String), { schema: 'nightly', origin: 'file' }],
    ]);
    const missing = await call('ada', 'POST', '/api/schedules/nope/enable');
    expect(missing.status).toBe(404);
  });

  it('hands a schedule back to its file: DELETE …/override clears the admin’s choice, once', async () => {
    await call('ada', 'POST', '/api/schedules/file-nightly/disable');
    const cleared = await call('ada', 'DELETE', '/api/schedules/file-nightly/override');
    expect(cleared.status).toBe(200);
    expect(await json(cleared)).toMatchObject({ enabled: true, declared_enabled: true, enabled_override: null });
    expect(await t.storage.schedules.get('file-nightly')).toMatchObject({ enabledOverride: null });
    // nothing left to clear: the same answer, and no second audit row
    const again = await call('ada', 'DELETE', '/api/schedules/file-nightly/override');
    expect(await json(again)).toMatchObject({ enabled: true, enabled_override: null });
    const clears = (await auditOf('file-nightly')).filter((e) => e.action === 'schedule.override.clear');
    expect(clears.map((e) => [e.actorId, e.details])).toEqual([
      [expect.any(String), { schema: 'nightly', was: 'disabled' }],
    ]);
    expect((await call('olga', 'DELETE', '/api/schedules/file-nightly/override')).status).toBe(403);
    expect((await call('ada', 'DELETE', '/api/schedules/nope/override')).status).toBe(404);
  });

  it('refuses a bad ?next= on every change with 400 before writing the schedule or an audit row', async () => {
    // a view's ?next= is only read for the answer, after the change: it must be checked before it
    await t.storage.schedules.put({
      schemaId: 'nightly',
      entry: ScheduleEntry.parse({ id: 'bad-view', cron: '@daily' }),
    });
    await t.storage.schedules.update('bad-view', (s) => ({
      ...s,
      enabledOverride: { enabled: false, by: 'user:x', at: s.updatedAt },
    }));
    const before = await t.storage.schedules.get('bad-view');
    const changes: [string, string, unknown?][] = [
      ['POST', '/api/schedules/bad-view/enable'],
      ['POST', '/api/schedules/bad-view/disable'],
      ['DELETE', '/api/schedules/bad-view/override'],
      ['PUT', '/api/schedules/bad-view', { schema_id: 'nightly', cron: '0 6 * * *' }],
      ['PUT', '/api/schedules/bad-view-new', { schema_id: 'nightly', cron: '0 6 * * *' }],
    ];
    for (const [method, path, body] of changes) {
      for (const next of ['', '0', '101', 'many']) {
        const res = await call('ada', method, `${path}?next=${next}`, body);
        expect(res.status, `${method} ${path}?next=${next}`).toBe(400);
        expect(await json(res), `${method} ${path}?next=${next}`).toEqual({ error: expect.stringMatching(/^next: /) });
      }
    }
    expect(await t.storage.schedules.get('bad-view')).toEqual(before);
    expect(await t.storage.schedules.get('bad-view-new')).toBeNull();
    expect(await auditOf('bad-view')).toEqual([]);
    expect(await auditOf('bad-view-new')).toEqual([]);
  });

  it('lets no operator change a schedule, and no signed-in browser from another site', async () => {
    const res = await call('olga', 'POST', '/api/schedules/api-hourly/disable');
    expect(res.status).toBe(403);
    const session = principal('root@example.com', 'ClouDO.Admin');
    const crossSite = await app.fetch('/api/schedules/api-hourly/disable', {
      method: 'POST',
      headers: { 'x-ms-client-principal': session, origin: 'https://evil.example' },
    });
    expect(crossSite.status).toBe(403);
    const noOrigin = await app.fetch('/api/schedules/api-hourly', {
      method: 'DELETE',
      headers: { 'x-ms-client-principal': session },
    });
    expect(noOrigin.status).toBe(403);
    expect(await json(noOrigin)).toEqual({ error: expect.stringContaining('signed-in browser session') });
    expect(await t.storage.schedules.get('api-hourly')).toMatchObject({ enabledOverride: null });
    const sameOrigin = await app.fetch('/api/schedules/api-hourly/disable', {
      method: 'POST',
      headers: { 'x-ms-client-principal': session, 'sec-fetch-site': 'same-origin' },
    });
    expect(sameOrigin.status).toBe(200);
    expect(await json(sameOrigin)).toMatchObject({ enabled_override: { by: 'user:root@example.com' } });
  });
});
