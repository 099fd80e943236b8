import { mkdir } from 'node:fs/promises';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueWorker } from '../../workers/queue-worker.js';
import { hasChromium, launchChromium } from '../support/chromium.js';
import { bearerFor } from '../support/functions.js';
import { testSchema } from '../support/schemas.js';
import type { SecuredApp } from '../support/secured-app.js';
import { FUNCTION_KEY, startSecuredApp } from '../support/secured-app.js';
import { seededRun } from '../support/seeded-runs.js';
import type { TestStorage } from '../support/storage.js';
import { createTestStorage } from '../support/storage.js';
import { waitFor } from '../support/wait.js';
import { makeRunbooks, startTestWorker } from '../support/worker.js';

const PAGES = ['dashboard', 'workers', 'approvals', 'audit', 'settings'] as const;
const HOSTILE = '<img src=x onerror="window.__pwned=1">';

/** How each page is looked at: the ordinary desktop, dark, 200 % zoom (a 1280 px screen), a phone. */
const VIEWS: Record<string, BrowserContextOptions> = {
  desktop: { viewport: { width: 1280, height: 800 } },
  dark: { viewport: { width: 1280, height: 800 }, colorScheme: 'dark' },
  zoom200: { viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 },
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true },
};

describe.skipIf(!hasChromium)('console pages in a real browser', () => {
  let t: TestStorage;
  let app: SecuredApp;
  let worker: QueueWorker;
  let browser: Browser;
  const as: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestStorage();
    const dir = await makeRunbooks({ 'quick.sh': '#!/usr/bin/env bash\necho done\n' });
    await t.storage.schemas.importSchemas([
      testSchema({ id: 'quick', runbook: 'quick.sh' }),
      testSchema({ id: 'gated', runbook: 'quick.sh', requireApproval: true }),
    ]);
    // the seeded set: 6 disk successes, 3 disk failures on one VM, a backup timeout, in the last hours
    const now = Date.now();
    const seeded = [
      ...Array.from({ length: 6 }, (_, i) => seededRun(now - (i + 1) * 600_000, 'succeeded', { durationMs: 2000 })),
      ...Array.from({ length: 3 }, (_, i) =>
        seededRun(now - (i + 7) * 600_000, 'failed', { durationMs: 4000, resourceId: `/vm/${HOSTILE}` }),
      ),
      seededRun(now - 3 * 3_600_000, 'timed_out', { schemaId: 'backup', durationMs: 60_000 }),
    ];
    for (const run of seeded) await t.storage.executions.create(run);
    app = await startSecuredApp(t);
    as.viewer = await bearerFor(t, 'viewer', 'vera');
    as.operator = await bearerFor(t, 'operator', 'olga');
    as.admin = await bearerFor(t, 'admin', 'ada');
    worker = startTestWorker(t, dir);
    browser = await launchChromium();
    await mkdir('test-results', { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await worker?.close({ force: true });
    await app?.close();
    await t?.cleanup();
  });

  async function pageAs(who: string, view: BrowserContextOptions = VIEWS.desktop ?? {}): Promise<Page> {
    const context = await browser.newContext({ ...view, extraHTTPHeaders: { authorization: as[who] ?? '' } });
    return context.newPage();
  }
  const trigger = async (id: string) => {
    const res = await app.fetch(`/api/Trigger?id=${id}`, {
      headers: { authorization: as.operator ?? '', 'x-functions-key': FUNCTION_KEY },
    });
    expect(res.status).toBe(202);
    return ((await res.json()) as { exec_id: string }).exec_id;
  };
  const text = async (page: Page, selector: string) => (await page.locator(selector).textContent())?.trim();

  it('shows the seeded runs on the dashboard, then a run that finishes moves it', async () => {
    const page = await pageAs('viewer');
    await page.goto(`${app.host.url}/api/console/dashboard`);
    expect(await text(page, '#total-runs')).toBe('10');
    expect(await text(page, '#total-succeeded')).toBe('6');
    expect(await text(page, '#total-failures')).toBe('4');
    expect(await text(page, '#success-rate')).toBe('60.0 %');
    // the chart's table holds the same numbers, hour by hour
    const totals = await page.locator('#runs-over-time-table tbody tr td:nth-child(2)').allTextContents();
    expect(totals.map(Number).reduce((a, b) => a + b, 0)).toBe(10);
    expect(await page.locator('#runs-over-time rect[fill^="url(#fill-"]').count()).toBeGreaterThanOrEqual(3);
    expect(await text(page, '#schema-stats tbody tr:first-child td:nth-child(2)')).toBe('9');
    expect(await text(page, '#failing-resources tbody tr:first-child th')).toBe(`/vm/${HOSTILE}`);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();

    const execId = await trigger('quick');
    await waitFor('the run to finish', async () =>
      (await t.storage.executions.get(execId))?.execution.status === 'succeeded' ? true : undefined,
    );
    // the page's answer is kept 10 s: reload until it shows the new run
    await waitFor(
      'the dashboard to count the new run',
      async () => {
        await page.reload();
        return (await text(page, '#total-runs')) === '11' ? true : undefined;
      },
      25_000,
    );
    expect(await text(page, '#total-succeeded')).toBe('7');
    expect(await text(page, '#schema-stats')).toContain('quick');
  }, 60_000);

  it('lists the worker and a run waiting for approval, with what each person may do', async () => {
    const execId = await trigger('gated');
    const workers = await pageAs('viewer');
    await workers.goto(`${app.host.url}/api/console/workers`);
    expect(await text(workers, '#workers-summary')).toMatch(/^1 of 1 worker alive\./);
    expect(await text(workers, '#capabilities tbody tr th')).toBe('Runbook');

    const olga = await pageAs('operator');
    await olga.goto(`${app.host.url}/api/console/approvals`);
    // olga asked for it: she may only withdraw (reject) it
    expect(await text(olga, '#approvals-yours tbody tr .you-may')).toBe('You may reject');
    const vera = await pageAs('viewer');
    await vera.goto(`${app.host.url}/api/console/approvals`);
    expect(await text(vera, '#approvals-others tbody tr td:last-child .muted')).toMatch(/operator role/);
    await vera.click(`#approvals-others a[href="/api/logs/${execId}#approval"] >> nth=0`);
    await vera.waitForURL(`${app.host.url}/api/logs/${execId}#approval`);
    expect(await text(vera, '#approval h2')).toBe('Waiting for approval');
  });

  it('shows a trigger and a cancel in the audit log, filterable, and refuses it to a viewer', async () => {
    const execId = await trigger('gated');
    const cancelled = await app.fetch(`/api/executions/${execId}/cancel`, {
      method: 'POST',
      headers: { authorization: as.operator ?? '' },
    });
    expect(cancelled.status).toBeLessThan(300);
    const ada = await pageAs('admin');
    await ada.goto(`${app.host.url}/api/console/audit`);
    const rows = ada.locator(`#audit tr.audit-entry:has(a[href="/api/logs/${execId}"])`);
    expect(await rows.count()).toBe(2);
    expect(await rows.locator('td:nth-child(2)').allTextContents()).toEqual(['cancel', 'trigger']);
    await ada.selectOption('select[name="action"]', 'cancel');
    await ada.click('form.filters button');
    expect(await ada.locator('#audit tr.audit-entry td:nth-child(2)').allTextContents()).toEqual(['cancel']);

    const vera = await pageAs('viewer');
    for (const name of ['audit', 'settings']) {
      const res = await vera.goto(`${app.host.url}/api/console/${name}`);
      expect(res?.status()).toBe(403);
      expect(await text(vera, '.error-message')).toMatch(/admin/);
      expect(await vera.locator('table, dl.settings').count()).toBe(0);
    }
  });

  it.each(PAGES)(
    'lays out %s without sideways scrolling: light, dark, zoomed to 200 percent and on a phone',
    async (name) => {
      for (const [view, options] of Object.entries(VIEWS)) {
        const page = await pageAs('admin', options);
        const res = await page.goto(`${app.host.url}/api/console/${name}`);
        expect(res?.status(), `${name} ${view}`).toBe(200);
        const overflow = await page.evaluate(() => {
          const width = document.documentElement.clientWidth;
          // tables may scroll inside their own box; nothing else may stick out of the page
          const sticking = [...document.querySelectorAll('body *')].filter((el) => {
            if (el.closest('.table-scroll, table, svg.defs')) return false;
            return el.getBoundingClientRect().right > width + 1;
          });
          return {
            page: document.documentElement.scrollWidth - width,
            elements: sticking.slice(0, 5).map((el) => `${el.tagName}.${el.className}`),
          };
        });
        expect(overflow, `${name} ${view}`).toEqual({ page: 0, elements: [] });
        if (view === 'dark') {
          // light text on a dark page: the browser's dark scheme, which the stylesheet asks for
          const color = await page.evaluate(() => getComputedStyle(document.body).color);
          const [r = 0, g = 0, b = 0] = (color.match(/\d+/g) ?? []).map(Number);
          expect(r + g + b, `${name} text colour in dark mode: ${color}`).toBeGreaterThan(600);
        }
        if (view === 'desktop') await page.screenshot({ path: `test-results/console-${name}.png`, fullPage: true });
        await page.context().close();
      }
    },
  );
});
