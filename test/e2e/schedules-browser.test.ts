import { mkdir } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScheduleEntry } from '../../src/core/schedule.js';
import { wallClock } from '../../src/core/wall-clock.js';
import { hasChromium, launchChromium } from '../support/chromium.js';
import { bearerFor } from '../support/functions.js';
import { testSchema } from '../support/schemas.js';
import type { SecuredApp } from '../support/secured-app.js';
import { startSecuredApp } from '../support/secured-app.js';
import type { TestStorage } from '../support/storage.js';
import { createTestStorage } from '../support/storage.js';

/** CI keeps this folder as the run's artefacts. */
const RESULTS = 'test-results';
/** The reader's zone: neither UTC nor the schedule's, so a time right in it cannot be right by accident. */
const READER_ZONE = 'Asia/Tokyo';

/** What the local-times script (browser code) should make of an instant in `zone`, computed here by Node. */
const inZone = (iso: string, zone: string) => wallClock(iso, zone, { seconds: true, zoneName: 'short' });

describe.skipIf(!hasChromium)('the Schedules page in a real browser', () => {
  let t: TestStorage;
  let app: SecuredApp;
  let browser: Browser;
  let admin = '';

  beforeAll(async () => {
    t = await createTestStorage();
    await t.storage.schemas.importSchemas([testSchema({ id: 'backup', name: 'Nightly backup' })]);
    await t.storage.schedules.importFromFile([
      {
        schemaId: 'backup',
        entry: ScheduleEntry.parse({ id: 'nightly', cron: '30 2 * * *', timezone: 'Europe/Rome' }),
      },
    ]);
    app = await startSecuredApp(t);
    admin = await bearerFor(t, 'admin', 'ada');
    browser = await launchChromium();
    await mkdir(RESULTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.cleanup();
  });

  it("shows next fire times in the reader's zone, and an admin disables the schedule with its button", async () => {
    const context = await browser.newContext({
      timezoneId: READER_ZONE,
      extraHTTPHeaders: { authorization: admin },
    });
    const page = await context.newPage();
    await page.goto(`${app.host.url}/api/console/schedules`);

    const first = page.locator('#schedule-nightly td.next time').first();
    const iso = (await first.getAttribute('datetime')) ?? '';
    // 02:30 in Rome is 10:30 in Tokyo (9:30 in summer; 03:00 on the spring-forward day, when 02:30 does not
    // exist): the browser's zone, not the server's UTC text
    expect(await first.textContent()).toBe(inZone(iso, READER_ZONE));
    expect(await first.textContent()).toMatch(/ (09:30|10:30|10:00):00 GMT\+9$/);
    expect(await first.getAttribute('title')).toMatch(/ UTC$/);
    expect(await page.locator('#schedule-nightly td.next .zone-time').first().textContent()).toMatch(
      /(02:30|03:00) Europe\/Rome\)$/,
    );
    expect(await page.locator('[data-viewer-zone]').textContent()).toBe(READER_ZONE);
    await page.screenshot({ path: `${RESULTS}/console-schedules.png`, fullPage: true });

    await page.click('#schedule-nightly button.disable');
    await page.waitForURL(/\/api\/console\/schedules\?done=disable&schedule=nightly/);
    expect(await page.locator('p.notice').textContent()).toBe('nightly is disabled.');
    expect(await page.locator('#schedule-nightly .badge-disabled').textContent()).toBe('disabled');
    expect(await page.locator('#schedule-nightly .override').textContent()).toMatch(/^disabled by ada \(token /);
    expect(await page.locator('#schedule-nightly td.next').textContent()).toBe('none while disabled');
    expect(await page.locator('#schedule-nightly button.enable').count()).toBe(1);
    expect((await t.storage.schedules.get('nightly'))?.enabledOverride?.enabled).toBe(false);
    await page.screenshot({ path: `${RESULTS}/console-schedules-disabled.png`, fullPage: true });

    // and the runbook page says so too
    await page.goto(`${app.host.url}/api/console/runbooks/backup`);
    expect(await page.locator('#runbook-schedules .badge-disabled').count()).toBe(1);
    await context.close();
  });
});
