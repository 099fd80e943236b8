import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Execution, Run, RunTrigger } from '../../src/core/execution.js';
import { newExecId } from '../../src/core/execution.js';
import { planRun } from '../../src/core/run-plan.js';
import { createFunctionDefinitions } from '../../src/functions/index.js';
import type { RunningHttpHost } from '../../src/local/http-host.js';
import { startHttpHost } from '../../src/local/http-host.js';
import { RunDispatcher } from '../../src/runs/index.js';
import { hasChromium, launchChromium } from '../support/chromium.js';
import { bearerFor, testServices } from '../support/functions.js';
import { asRun } from '../support/runs.js';
import { testSchema } from '../support/schemas.js';
import type { TestStorage } from '../support/storage.js';
import { createTestStorage } from '../support/storage.js';

const EVIL_LOG =
  'checking disk\n<script>window.__pwned=1</script>\n<img src=x onerror="window.__pwned=2;alert(1)">\nexit 1\n';

const schema = (id: string) => testSchema({ id });

describe.skipIf(!hasChromium)('web console in a real browser', () => {
  let t: TestStorage;
  let host: RunningHttpHost;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];
  /** Seeded runs, oldest first. */
  const runs: { execId: string; schemaId: string; status: Execution['status'] }[] = [];
  let evilRun = '';

  /** Records a run requested `agoMs` ago, writes its log, and walks it through `steps` as a worker would. */
  async function seed(schemaId: string, agoMs: number, steps: Partial<Run>[], log?: string): Promise<string> {
    const at = new Date(Date.now() - agoMs);
    const trigger: RunTrigger = { source: 'http', actor: 'e2e', team: null, principal: null };
    const plan = planRun(schema(schemaId), trigger, at);
    const { execution } = plan;
    await new RunDispatcher(t.storage).dispatch(plan);
    if (log !== undefined) {
      await t.storage.logs.create(execution.execId);
      await t.storage.logs.append(execution.execId, Buffer.from(log));
    }
    for (const step of steps) {
      const current = await t.storage.executions.get(execution.execId);
      if (!current) throw new Error('seeded run vanished');
      await t.storage.executions.transition(current, { ...asRun(current.execution), ...step });
    }
    runs.push({ execId: execution.execId, schemaId, status: steps.at(-1)?.status ?? 'accepted' });
    return execution.execId;
  }

  beforeAll(async () => {
    t = await createTestStorage();
    const startedAt = new Date(Date.now() - 15_000).toISOString();
    const finishedAt = new Date(Date.now() - 10_000).toISOString();
    const running = { status: 'running' as const, startedAt, workerHost: 'e2e-host' };
    const end = (status: Run['status'], exitCode: number, logBytes = 0) => ({
      status,
      finishedAt,
      exitCode,
      logBytes,
    });
    await seed('test', 60_000, [running, end('failed', 2)]);
    await seed('test', 50_000, [running, end('succeeded', 0)]);
    evilRun = await seed('disk', 40_000, [running, end('failed', 1, Buffer.byteLength(EVIL_LOG))], EVIL_LOG);
    await seed('disk', 30_000, [running]);
    await seed('test', 20_000, []);

    const definitions = createFunctionDefinitions(testServices(t));
    const viewer = await bearerFor(t, 'viewer');
    host = await startHttpHost({ definitions, port: 0, log: () => undefined });
    browser = await launchChromium();
    // the console is for viewers: the browser sends a viewer's API token on every request
    page = await browser.newPage({ extraHTTPHeaders: { authorization: viewer } });
    page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await t?.cleanup();
  });

  const rowLinks = () =>
    page.locator('tbody a[href^="/api/logs/"]').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
  const badges = () => page.locator('tbody .badge').allTextContents();

  it('lists the runs newest first with their statuses', async () => {
    const response = await page.goto(`${host.url}/api/logs`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
    const newestFirst = [...runs].reverse();
    expect(await rowLinks()).toEqual(newestFirst.map((r) => `/api/logs/${r.execId}`));
    expect(await badges()).toEqual(newestFirst.map((r) => r.status));
    // the refresh script keeps the list current; a browser without script reloads it
    expect(await page.content()).toContain('<noscript><meta http-equiv="refresh" content="5; url=/api/logs">');
  });

  it('opens a run from the list and shows its log as text, running none of it', async () => {
    await page.goto(`${host.url}/api/logs`);
    await page.click(`a[href="/api/logs/${evilRun}"]`);
    await page.waitForURL(`${host.url}/api/logs/${evilRun}`);
    expect(await page.locator('h1 .badge').textContent()).toBe('failed');
    expect(await page.locator('pre.log').textContent()).toBe(EVIL_LOG);
    await expect(page.locator('pre.log script, pre.log img').count()).resolves.toBe(0);
    expect(await page.evaluate(() => '__pwned' in globalThis)).toBe(false);
    expect(dialogs).toEqual([]);
    // a finished run's page stays put
    await expect(page.locator('meta[http-equiv="refresh"]').count()).resolves.toBe(0);
    const links = await page.locator('p.links a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links).toEqual(['/api/logs', `/api/executions/${evilRun}/log`, `/api/executions/${evilRun}`]);
  });

  it('follows a running run live: new output and the final status appear without a reload', async () => {
    const running = runs.find((r) => r.status === 'running');
    const execId = running?.execId ?? '';
    await page.goto(`${host.url}/api/logs/${execId}`);
    expect(await page.locator('p.no-log').textContent()).toBe('No output yet.');
    // browsers without JavaScript still reload the page
    expect(await page.content()).toContain(
      `<noscript><meta http-equiv="refresh" content="2; url=/api/logs/${execId}">`,
    );

    await t.storage.logs.create(execId);
    await t.storage.logs.append(execId, Buffer.from('step 1 <b>not bold</b>\n'));
    // polled from here: the page's CSP rightly refuses code evaluated from a string
    await expect.poll(() => page.locator('#log').textContent(), { timeout: 5_000 }).toContain('step 1');
    await t.storage.logs.append(execId, Buffer.from('step 2 done\n'));
    const current = await t.storage.executions.get(execId);
    if (!current) throw new Error('seeded run missing');
    await t.storage.executions.transition(current, {
      ...asRun(current.execution),
      status: 'succeeded',
      finishedAt: new Date().toISOString(),
      exitCode: 0,
    });
    await expect.poll(() => page.locator('#status .badge').textContent(), { timeout: 5_000 }).toBe('succeeded');
    expect(await page.locator('#log').textContent()).toBe('step 1 <b>not bold</b>\nstep 2 done\n');
    expect(await page.locator('#log b').count()).toBe(0);
  });

  it('filters by status through the form, and keeps the filter on reload', async () => {
    await page.goto(`${host.url}/api/logs`);
    await page.selectOption('select[name="status"]', 'failed');
    await page.click('button[type="submit"]');
    await page.waitForURL(/status=failed/);
    const failed = [...runs].reverse().filter((r) => r.status === 'failed');
    expect(failed).toHaveLength(2);
    expect(await rowLinks()).toEqual(failed.map((r) => `/api/logs/${r.execId}`));
    expect(await badges()).toEqual(['failed', 'failed']);
    expect(await page.content()).toContain(
      '<noscript><meta http-equiv="refresh" content="5; url=/api/logs?status=failed">',
    );
  });

  it('filters by status and schema from the query string', async () => {
    await page.goto(`${host.url}/api/logs?status=failed&schema=test`);
    const expected = [...runs].reverse().filter((r) => r.status === 'failed' && r.schemaId === 'test');
    expect(expected).toHaveLength(1);
    expect(await rowLinks()).toEqual(expected.map((r) => `/api/logs/${r.execId}`));
  });

  it('pages with the continuation token', async () => {
    await page.goto(`${host.url}/api/logs?limit=3`);
    expect(await rowLinks()).toHaveLength(3);
    await page.click('a[rel="next"]');
    await page.waitForURL(/continuation=/);
    const oldest = runs.slice(0, 2).reverse();
    expect(await rowLinks()).toEqual(oldest.map((r) => `/api/logs/${r.execId}`));
  });

  it('answers a bad or unknown id with an HTML error page and its status', async () => {
    const bad = await page.goto(`${host.url}/api/logs/not-an-id`);
    expect(bad?.status()).toBe(400);
    expect(bad?.headers()['content-type']).toBe('text/html; charset=utf-8');
    expect(await page.locator('.error-message').textContent()).toContain('must be an execution id');

    const unknown = newExecId();
    const missing = await page.goto(`${host.url}/api/logs/${unknown}`);
    expect(missing?.status()).toBe(404);
    expect(await page.locator('.error-message').textContent()).toBe(`no execution with id "${unknown}"`);

    const badFilter = await page.goto(`${host.url}/api/logs?status=%3Cscript%3E`);
    expect(badFilter?.status()).toBe(400);
    expect(await page.locator('.error-message').textContent()).toMatch(/^status: /);

    const badToken = await page.goto(`${host.url}/api/logs?continuation=not-a-token`);
    expect(badToken?.status()).toBe(400);
    expect(await page.locator('.error-message').textContent()).toBe('continuation: not a token from a previous page');
  });

  it('shows a live run’s colours as classes and none of its terminal escapes', async () => {
    const plan = planRun(schema('colours'), { source: 'http', actor: 'e2e', team: null, principal: null });
    await new RunDispatcher(t.storage).dispatch(plan);
    const current = await t.storage.executions.get(plan.execution.execId);
    if (!current) throw new Error('seeded run missing');
    await t.storage.executions.transition(current, {
      ...asRun(current.execution),
      status: 'running',
      startedAt: new Date().toISOString(),
    });
    await page.goto(`${host.url}/api/logs/${plan.execution.execId}`);
    await t.storage.logs.create(plan.execution.execId);
    await t.storage.logs.append(
      plan.execution.execId,
      Buffer.from('\x1b]0;owned\x07\x1b[2Jchecking \x1b[1;31mFAILED\x1b[0m done\n'),
    );
    await expect.poll(() => page.locator('#log').textContent(), { timeout: 5_000 }).toBe('checking FAILED done\n');
    expect(await page.locator('#log span.ansi-bold.ansi-fg-1').textContent()).toBe('FAILED');
  });
});
