import { mkdir } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueWorker } from '../../workers/queue-worker.js';
import { RunbookPublisher, servedFolderOf } from '../../workers/source/index.js';
import { hasChromium, launchChromium } from '../support/chromium.js';
import { bearerFor } from '../support/functions.js';
import { testSchema } from '../support/schemas.js';
import type { SecuredApp } from '../support/secured-app.js';
import { startSecuredApp } from '../support/secured-app.js';
import type { TestStorage } from '../support/storage.js';
import { createTestStorage } from '../support/storage.js';
import { waitFor } from '../support/wait.js';
import { makeRunbooks, startTestWorker } from '../support/worker.js';

/** CI keeps this folder as the run's artefacts. */
const RESULTS = 'test-results';
const XSS = '<img src=x onerror="document.title=\'pwned\'">';
const SCRIPT = '<script>document.title="pwned"</script>';

describe.skipIf(!hasChromium)('finding and running a runbook in a real browser', () => {
  let t: TestStorage;
  let app: SecuredApp;
  let worker: QueueWorker;
  let browser: Browser;
  const as: Record<string, string> = {};
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    t = await createTestStorage();
    const dir = await makeRunbooks({
      'echo-params.sh':
        '#!/usr/bin/env bash\n# says what it was given\necho "target=$CLOUDO_PARAM_TARGET count=$CLOUDO_PARAM_COUNT dry=$CLOUDO_PARAM_DRY mode=$CLOUDO_PARAM_MODE"\n',
      'evil.sh': `#!/usr/bin/env bash\n# ${SCRIPT}\necho '${XSS}'\n`,
    });
    await t.storage.schemas.importSchemas([
      testSchema({
        id: 'echo-params',
        name: 'Echo parameters',
        description: 'prints its parameters',
        runbook: 'echo-params.sh',
        team: 'platform',
        parameters: [
          { name: 'target', type: 'string', required: true, pattern: '[a-z]+', description: 'service name' },
          { name: 'count', type: 'number', required: false, default: 1, description: 'how many' },
          { name: 'dry', type: 'boolean', required: false, default: true, description: 'only pretend' },
          { name: 'mode', type: 'enum', required: false, values: ['fast', 'safe'], description: 'how' },
        ],
      }),
      testSchema({
        id: 'evil',
        name: `Evil ${XSS}`,
        description: `Desc ${SCRIPT}`,
        runbook: 'evil.sh',
        parameters: [{ name: 'x', type: 'string', required: false, description: `Hint ${XSS}` }],
      }),
    ]);
    // what the worker publishes when it starts (workers/main.ts): the app shows that source
    const publisher = new RunbookPublisher({
      worker: 'Runbook',
      store: t.storage.runbookSources,
      servedFolder: servedFolderOf({ github: null, runbooksDir: dir }, null),
      intervalMs: 60_000,
      log: () => undefined,
    });
    await publisher.start();
    await publisher.close();
    app = await startSecuredApp(t);
    as.alice = await bearerFor(t, 'operator', 'alice');
    as.vera = await bearerFor(t, 'viewer', 'vera');
    worker = startTestWorker(t, dir);
    browser = await launchChromium();
    await mkdir(RESULTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await worker?.close({ force: true });
    await app?.close();
    await t?.cleanup();
  });

  /** A browser session of one person: their credential goes with every request, as a cookie would. */
  async function pageAs(who: string): Promise<Page> {
    const context = await browser.newContext({ extraHTTPHeaders: { authorization: as[who] ?? '' } });
    contexts.push(context);
    return context.newPage();
  }

  it('finds a runbook by searching, runs it with parameters from the form, and lands on the succeeded run', async () => {
    const page = await pageAs('alice');
    await page.goto(`${app.host.url}/api/console/runbooks`);
    expect(await page.locator('#runbooks tbody tr').count()).toBe(2);

    await page.fill('#filter-q', 'echo');
    await page.press('#filter-q', 'Enter');
    await page.waitForURL(/\/api\/console\/runbooks\?q=echo/);
    expect(await page.locator('#runbooks tbody tr').count()).toBe(1);
    await page.click('#runbooks a:text("Echo parameters")');
    await page.waitForURL(`${app.host.url}/api/console/runbooks/echo-params`);
    expect(await page.locator('pre.source .tok-comment').first().textContent()).toBe('#!/usr/bin/env bash');
    expect(await page.inputValue('#param-count')).toBe('1');
    expect(await page.isChecked('#param-dry')).toBe(true);

    // the browser checks the pattern before anything is sent
    await page.fill('#param-target', 'Web 1');
    await page.click('button.run');
    expect(page.url()).toBe(`${app.host.url}/api/console/runbooks/echo-params`);
    expect(
      await page.locator('#param-target').evaluate((el) => (el as HTMLInputElement).validity.patternMismatch),
    ).toBe(true);

    await page.fill('#param-target', 'web');
    await page.fill('#param-count', '3');
    await page.uncheck('#param-dry');
    await page.selectOption('#param-mode', 'safe');
    await page.click('button.run');
    await page.waitForURL(/\/api\/logs\/[0-9a-f-]{36}$/);
    const execId = page.url().split('/').pop() ?? '';
    await waitFor('the run to succeed', async () =>
      (await t.storage.executions.get(execId))?.execution.status === 'succeeded' ? true : undefined,
    );
    await page.reload();
    expect(await page.locator('#status .badge').textContent()).toBe('succeeded');
    expect(await page.locator('pre.log').textContent()).toContain('target=web count=3 dry=false mode=safe');
    expect((await t.storage.executions.get(execId))?.execution.trigger.source).toBe('console');

    // the catalogue and the runbook page with the run just made, kept for people to look at
    await page.goto(`${app.host.url}/api/console/runbooks`);
    expect(await page.locator('#runbooks tbody tr:first-child .badge').textContent()).toBe('succeeded');
    await page.screenshot({ path: `${RESULTS}/console-runbooks.png`, fullPage: true });
    await page.goto(`${app.host.url}/api/console/runbooks/echo-params`);
    expect(await page.locator('#recent-runs tbody tr').count()).toBe(1);
    await page.screenshot({ path: `${RESULTS}/console-runbook.png`, fullPage: true });
  });

  it('shows hostile names, descriptions, hints and source as text, running nothing of them', async () => {
    const page = await pageAs('alice');
    for (const path of ['/api/console/runbooks', '/api/console/runbooks/evil']) {
      await page.goto(`${app.host.url}${path}`);
      expect(await page.title(), path).not.toBe('pwned');
      expect(await page.locator('main img, main script').count(), path).toBe(0);
    }
    const body = (await page.locator('main').textContent()) ?? '';
    for (const text of [`Evil ${XSS}`, `Desc ${SCRIPT}`, `Hint ${XSS}`, `# ${SCRIPT}`, `'${XSS}'`]) {
      expect(body, text).toContain(text);
    }
  });

  it('shows a viewer the runbook but no Run form', async () => {
    const page = await pageAs('vera');
    await page.goto(`${app.host.url}/api/console/runbooks/echo-params`);
    expect(await page.locator('h1').textContent()).toBe('Echo parameters');
    expect(await page.locator('form.run-form, button.run').count()).toBe(0);
  });

  it('reaches every control with Tab, each with a label', async () => {
    const page = await pageAs('alice');
    for (const path of ['/api/console/runbooks', '/api/console/runbooks/echo-params']) {
      await page.goto(`${app.host.url}${path}`);
      const controls = await page
        .locator('main input:not([type="hidden"]), main select, main button')
        .evaluateAll((els) =>
          els.map((el) => ({
            key: el.id || el.className,
            labelled: ((el as HTMLInputElement).labels?.length ?? 0) > 0 || (el.textContent ?? '').trim() !== '',
          })),
        );
      expect(controls.length, path).toBeGreaterThan(0);
      expect(
        controls.filter((c) => !c.labelled),
        path,
      ).toEqual([]);
      const reached = new Set<string>();
      for (let i = 0; i < 80 && !controls.every((c) => reached.has(c.key)); i++) {
        await page.keyboard.press('Tab');
        reached.add(await page.evaluate(() => document.activeElement?.id || document.activeElement?.className || ''));
      }
      for (const { key } of controls) expect(reached.has(key), `${path}: ${key}`).toBe(true);
    }
  });
});
