import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScheduleEntry } from '../../../src/core/schedule.js';
import { tickExecId } from '../../../src/core/schedule-ticks.js';
import { Scheduler } from '../../../src/intake/index.js';
import { cloudo } from '../../support/cli.js';
import { bearerFor } from '../../support/functions.js';
import { testSchema } from '../../support/schemas.js';
import type { SecuredApp } from '../../support/secured-app.js';
import { startSecuredApp } from '../../support/secured-app.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

/** `cloudo schedules` against the whole app over HTTP, roles enforced. */
describe('cloudo schedules', () => {
  let t: TestStorage;
  let app: SecuredApp;
  const tokens: Record<string, string> = {};
  const hourlyRun = tickExecId('hourly', new Date('2026-01-01T10:00:00Z'));

  beforeAll(async () => {
    t = await createTestStorage();
    await t.storage.schemas.importSchemas([testSchema({ id: 'disk-clean' }), testSchema({ id: 'report' })]);
    await t.storage.schedules.importFromFile(
      [
        { schemaId: 'disk-clean', entry: ScheduleEntry.parse({ id: 'hourly', cron: '0 * * * *' }) },
        {
          schemaId: 'report',
          entry: ScheduleEntry.parse({ id: 'rome-nightly', cron: '30 2 * * *', timezone: 'Europe/Rome' }),
        },
      ],
      { now: new Date('2026-01-01T09:30:00Z') },
    );
    // one tick of `hourly` has fired: its run is the list's last run
    await new Scheduler({ storage: t.storage, from: 'test', now: () => new Date('2026-01-01T10:00:05Z') }).runDue();
    app = await startSecuredApp(t);
    for (const role of ['admin', 'viewer'] as const) {
      tokens[role] = (await bearerFor(t, role, role === 'admin' ? 'ada' : 'vera')).replace(/^Bearer /, '');
    }
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  const cli = (args: string[], role = 'admin') =>
    cloudo(['schedules', ...args], { CLOUDO_URL: app.host.url, CLOUDO_TOKEN: tokens[role] ?? '' });

  it('lists every schedule: cron, zone, whether and by whom enabled, next fire, last run', async () => {
    const res = await cli(['list'], 'viewer');
    expect(res).toMatchObject({ code: 0, stderr: '' });
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^ID\s+SCHEMA\s+CRON\s+ZONE\s+ENABLED\s+NEXT FIRE \(UTC\)\s+LAST RUN$/),
      expect.stringMatching(
        new RegExp(
          `^hourly\\s+disk-clean\\s+0 \\* \\* \\* \\*\\s+UTC\\s+yes\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:00:00Z\\s+` +
            `2026-01-01 10:00:00Z accepted ${hourlyRun}$`,
        ),
      ),
      expect.stringMatching(
        /^rome-nightly\s+report\s+30 2 \* \* \*\s+Europe\/Rome\s+yes\s+\d{4}-\d\d-\d\d 0[01]:30:00Z\s+-$/,
      ),
    ]);
  });

  it('disables and enables a schedule of the schemas file as an admin, saying by whom', async () => {
    const off = await cli(['disable', 'rome-nightly']);
    expect(off).toMatchObject({ code: 0, stderr: '' });
    expect(off.stdout).toMatch(/^schedule rome-nightly disabled \(by user:ada at \d{4}-\d\d-\d\dT[\d:.]+Z\)\n$/);
    // idempotent: a second disable changes nothing
    expect((await cli(['disable', 'rome-nightly'])).stdout).toBe(off.stdout);
    const list = await cli(['list']);
    expect(list.stdout).toMatch(/^rome-nightly\s+report\s+30 2 \* \* \*\s+Europe\/Rome\s+no \(by user:ada\)\s+-\s+-$/m);
    expect(await t.storage.schedules.get('rome-nightly')).toMatchObject({ enabledOverride: { enabled: false } });

    const on = await cli(['enable', 'rome-nightly']);
    expect(on).toMatchObject({ code: 0, stderr: '' });
    expect(on.stdout).toMatch(
      /^schedule rome-nightly enabled \(by user:ada at .+\); next fire \d{4}-\d\d-\d\d 0[01]:30:00Z\n$/,
    );
  });

  it('hands a schedule back to what its file declares with reset', async () => {
    await cli(['disable', 'rome-nightly']);
    const reset = await cli(['reset', 'rome-nightly']);
    expect(reset).toMatchObject({ code: 0, stderr: '' });
    expect(reset.stdout).toMatch(/^schedule rome-nightly follows its declaration again: enabled; next fire .+Z\n$/);
    expect(await t.storage.schedules.get('rome-nightly')).toMatchObject({ enabledOverride: null });
  });

  it('refuses a viewer’s change and an unknown schedule with the server’s reason, and a bad id before sending', async () => {
    const viewer = await cli(['disable', 'hourly'], 'viewer');
    expect(viewer).toMatchObject({ code: 1, stdout: '' });
    expect(viewer.stderr).toMatch(/needs the admin role.*\(HTTP 403\)\n$/);
    expect(await t.storage.schedules.get('hourly')).toMatchObject({ enabledOverride: null });
    expect(await cli(['enable', 'ghost'])).toMatchObject({
      code: 1,
      stderr: 'no schedule with id "ghost" (HTTP 404)\n',
    });
    expect(await cli(['enable', 'no spaces'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/not a schedule id/),
    });
    expect((await cli(['enable'])).code).toBe(2);
  });

  it('prints the next fire times in the schedule’s zone and in UTC', async () => {
    const res = await cli(['next', 'rome-nightly', '--count', '4'], 'viewer');
    expect(res).toMatchObject({ code: 0, stderr: '' });
    const [header, ...rows] = res.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^LOCAL \(Europe\/Rome\)\s+UTC$/);
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      // 02:30 wall-clock in Rome, an hour (winter) or two (summer) earlier in UTC
      const m = /^(\d{4}-\d\d-\d\d) 02:30:00 GMT\+([12])\s+(\d{4}-\d\d-\d\d) 0([01]):30:00Z$/.exec(row);
      expect(m, row).not.toBeNull();
      expect(Number(m?.[4])).toBe(2 - Number(m?.[2]));
      expect(m?.[3]).toBe(m?.[1]);
    }
    expect((await cli(['next', 'hourly'])).stdout.trimEnd().split('\n')).toHaveLength(6);
    expect(await cli(['next', 'hourly', '--count', '0'])).toMatchObject({
      code: 2,
      stderr: '--count must be a whole number from 1 to 100\n',
    });
    expect(await cli(['next', 'ghost'])).toMatchObject({ code: 1, stderr: 'no schedule with id "ghost" (HTTP 404)\n' });
  });

  it('says when there are no schedules, and what to do without a token', async () => {
    await t.storage.schedules.delete('hourly');
    await t.storage.schedules.delete('rome-nightly');
    expect(await cli(['list'])).toMatchObject({ code: 0, stdout: 'no schedules\n' });
    const none = await cloudo(['schedules', 'list'], { CLOUDO_URL: app.host.url });
    expect(none).toMatchObject({ code: 1, stderr: expect.stringContaining('needs an API token') });
  });
});
