import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formToken } from '../../../src/core/form-token.js';
import { ScheduleEntry } from '../../../src/core/schedule.js';
import { bearerFor } from '../../support/functions.js';
import { testSchema } from '../../support/schemas.js';
import type { SecuredApp } from '../../support/secured-app.js';
import { startSecuredApp } from '../../support/secured-app.js';
import { seededRun } from '../../support/seeded-runs.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

const SAME_ORIGIN = { 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' };
const XSS = '<script>document.title="pwned"</script>';

const declared = (id: string, schemaId: string, fields: Record<string, unknown> = {}) => ({
  schemaId,
  entry: ScheduleEntry.parse({ id, cron: '0 3 * * *', timezone: 'Europe/Rome', ...fields }),
});

/** The Schedules page and its admin switch, through the whole app with access control on. */
describe('console schedules', () => {
  let t: TestStorage;
  let app: SecuredApp;
  const as: Record<string, string> = {};
  let lastRunId = '';

  beforeAll(async () => {
    t = await createTestStorage();
    await t.storage.schemas.importSchemas([testSchema({ id: 'backup' }), testSchema({ id: 'disk' })]);
    await t.storage.schedules.importFromFile([
      declared('nightly', 'backup', { description: `nightly ${XSS}`, missed: 'run-once' }),
    ]);
    await t.storage.schedules.put(declared('hourly', 'disk', { cron: '@hourly', timezone: 'UTC' }));
    // the scheduler fired a tick after an outage: its run failed, three ticks were missed
    const run = seededRun(Date.now() - 3_600_000, 'failed', { schemaId: 'backup' });
    await t.storage.executions.create(run);
    lastRunId = run.execId;
    await t.storage.schedules.update('nightly', (s) => ({
      ...s,
      lastTick: run.requestedAt,
      lastExecId: run.execId,
      missedTicks: { count: 3, first: '2026-12-03T02:00:00.000Z', last: '2026-12-05T02:00:00.000Z' },
    }));
    app = await startSecuredApp(t);
    as.ada = await bearerFor(t, 'admin', 'ada');
    as.olga = await bearerFor(t, 'operator', 'olga');
    as.vera = await bearerFor(t, 'viewer', 'vera');
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  const get = async (who: string, path: string) => {
    const res = await app.fetch(path, { headers: { authorization: as[who] ?? '' } });
    return { status: res.status, text: await res.text() };
  };
  const tokenIn = (html: string, action: string) =>
    new RegExp(`action="${action}" class="schedule-switch">\\n<input type="hidden" name="token" value="([^"]+)">`).exec(
      html,
    )?.[1];
  const post = (who: string, path: string, token: string | null, headers: Record<string, string> = SAME_ORIGIN) =>
    app.fetch(path, {
      method: 'POST',
      redirect: 'manual',
      headers: { authorization: as[who] ?? '', ...headers },
      body: token === null ? '' : new URLSearchParams({ token }).toString(),
    });
  const callerId = async (owner: string) =>
    `${owner} (token ${(await t.storage.tokens.list()).find((r) => r.owner === owner)?.id})`;
  const isOn = async (id: string) => {
    const s = await t.storage.schedules.get(id);
    return s?.enabledOverride?.enabled ?? s?.enabled;
  };

  it('lists file and API schedules with next fires, the last run and its outcome, and missed ticks', async () => {
    const { status, text } = await get('vera', '/api/console/schedules');
    expect(status).toBe(200);
    expect(text).toContain('<tr id="schedule-hourly">');
    expect(text).toContain('<td class="origin">API</td>');
    expect(text).toContain('<tr id="schedule-nightly">');
    expect(text).toContain('<td class="origin">schemas file</td>');
    expect(text).toContain(`nightly ${XSS.replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;')}`);
    expect(text).not.toContain(XSS);
    expect(text).toContain(
      `<a href="/api/logs/${lastRunId}" class="last-run"><span class="badge badge-failed">failed</span>`,
    );
    expect(text).toContain('<p class="missed">3 missed (caught up once)');
    // three upcoming 03:00 Rome ticks, each named in its zone
    expect(text.match(/03:00 Europe\/Rome/g)).toHaveLength(3);
    expect(text).toContain('<a href="/api/console/schedules" aria-current="page">Schedules</a>');
    // nobody below admin gets a switch
    for (const who of ['vera', 'olga']) expect((await get(who, '/api/console/schedules')).text).not.toContain('<form');
  });

  it("shows a runbook's schedules on its page", async () => {
    const { text } = await get('vera', '/api/console/runbooks/backup');
    expect(text).toContain('<a href="/api/console/schedules#schedule-nightly"><code>nightly</code></a>');
    expect(text).toContain('<td><code class="cron">0 3 * * *</code></td><td>Europe/Rome</td>');
    expect(text).not.toContain('schedule-hourly');
  });

  it('lets an admin disable and enable again from the page: 303 back, the override and the audit row say who', async () => {
    const page = (await get('ada', '/api/console/schedules')).text;
    const token = tokenIn(page, '/api/console/schedules/hourly/disable') ?? '';
    expect(token).not.toBe('');
    const res = await post('ada', '/api/console/schedules/hourly/disable', token);
    expect(res.status).toBe(303);
    const location = res.headers.get('location') ?? '';
    expect(location).toBe('/api/console/schedules?done=disable&schedule=hourly#schedule-hourly');
    const adaId = await callerId('ada');
    expect((await t.storage.schedules.get('hourly'))?.enabledOverride).toMatchObject({ enabled: false, by: adaId });

    const after = (await get('ada', location.split('#')[0] ?? '')).text;
    expect(after).toContain('<p class="notice" role="status"><code>hourly</code> is disabled.</p>');
    expect(after).toContain(`disabled by ${adaId} at <time`);
    const enableToken = tokenIn(after, '/api/console/schedules/hourly/enable') ?? '';
    expect(tokenIn(after, '/api/console/schedules/hourly/disable')).toBeUndefined();
    const audit = await t.storage.audit.list({ limit: 20 });
    expect(audit.entries.find((e) => e.target === 'hourly')).toMatchObject({
      action: 'schedule.disable',
      actorId: adaId,
      details: { schema: 'disk', via: 'console' },
    });

    expect((await post('ada', '/api/console/schedules/hourly/enable', enableToken)).status).toBe(303);
    expect(await isOn('hourly')).toBe(true);
    expect((await get('ada', '/api/console/schedules?done=enable&schedule=hourly')).text).toContain(
      '<code>hourly</code> is enabled.',
    );
  });

  it('refuses an operator, a missing or wrong token and another site, and changes nothing', async () => {
    const key = app.services.formKey;
    const adaId = await callerId('ada');
    const good = formToken(key, adaId, 'nightly', 'schedule-disable-form');
    const operator = await post('olga', '/api/console/schedules/nightly/disable', good);
    expect(operator.status).toBe(403);
    expect(operator.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await operator.text()).toContain('needs the admin role');
    for (const token of [
      null,
      '',
      formToken(key, adaId, 'nightly', 'schedule-enable-form'),
      formToken(key, adaId, 'hourly', 'schedule-disable-form'),
      formToken(key, await callerId('olga'), 'nightly', 'schedule-disable-form'),
    ]) {
      const res = await post('ada', '/api/console/schedules/nightly/disable', token);
      expect(res.status, String(token)).toBe(403);
      expect(await res.text()).toContain('this form was not issued to you for this schedule');
    }
    const crossSite = await post('ada', '/api/console/schedules/nightly/disable', good, {
      ...SAME_ORIGIN,
      'sec-fetch-site': 'cross-site',
    });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.text()).toContain('refused a POST from another site');
    const foreign = await post('ada', '/api/console/schedules/nightly/disable', good, {
      'content-type': 'application/x-www-form-urlencoded',
      origin: 'https://evil.example',
    });
    expect(foreign.status).toBe(403);
    expect(await isOn('nightly')).toBe(true);
    expect((await t.storage.schedules.get('nightly'))?.enabledOverride).toBeNull();
    const audit = await t.storage.audit.list({ limit: 50 });
    expect(audit.entries.filter((e) => e.target === 'nightly')).toEqual([]);
  });

  it('answers a switch of a schedule that is gone with a readable 404 page', async () => {
    const token = formToken(app.services.formKey, await callerId('ada'), 'gone', 'schedule-disable-form');
    const res = await post('ada', '/api/console/schedules/gone/disable', token);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('<p class="error-message">no schedule with id &quot;gone&quot;</p>');
  });
});
