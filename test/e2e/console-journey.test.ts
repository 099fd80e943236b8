import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from '../support/chromium.js';
import { cloudo } from '../support/cli.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/wait.js';
import { makeRunbooks } from '../support/worker.js';

/** CI keeps this folder as the run's artefacts. */
const RESULTS = 'test-results';

const SCHEMAS = [
  {
    id: 'deploy',
    name: 'Deploy a service',
    description: 'rolls a service out, step by step',
    runbook: 'deploy.sh',
    worker: 'Runbook',
    parameters: [
      { name: 'service', type: 'string', required: true, pattern: '[a-z-]+', description: 'which service' },
      { name: 'replicas', type: 'number', default: 2, description: 'how many' },
    ],
  },
  { id: 'long', name: 'Long task', description: 'takes its time', runbook: 'long.sh', worker: 'Runbook' },
  {
    id: 'gated',
    name: 'Gated change',
    description: 'needs a second person',
    runbook: 'deploy.sh',
    worker: 'Runbook',
    require_approval: true,
    parameters: [{ name: 'service', type: 'string', default: 'billing' }],
  },
];

/**
 * One operator's day on the local stack as `npm start` runs it (access control on, real workers, real
 * Azurite): find a runbook, run it from its form and watch the log live, cancel and re-run from the run
 * page, have a gated run approved by a second person, see the audit rows and the dashboard move, run from
 * the CLI, and keep a screenshot of every page.
 */
describe.skipIf(!hasChromium)('the console on the local stack, end to end', () => {
  let child: ChildProcess;
  let base = '';
  let stateDir = '';
  let adminToken = '';
  let browser: Browser;
  let ada: Page;
  let bob: Page;
  let bobToken = '';
  const execIds: string[] = [];

  beforeAll(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-journey-'));
    const runbooks = await makeRunbooks({
      'deploy.sh':
        '#!/bin/bash\nfor i in 1 2 3; do echo "step $i of $CLOUDO_PARAM_SERVICE"; sleep 0.4; done\necho "deployed $CLOUDO_PARAM_SERVICE x$CLOUDO_PARAM_REPLICAS"\n',
      'long.sh': '#!/bin/bash\necho started\nsleep 120\n',
    });
    const schemasFile = path.join(stateDir, 'schemas.json');
    await writeFile(schemasFile, JSON.stringify([{ partition_key: 'journey', entity: SCHEMAS }]));
    const port = await freePort();
    let output = '';
    child = spawn('npm', ['start', '--', '--secure', '--in-memory'], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: {
        ...process.env,
        PORT: String(port),
        CLOUDO_STATE_DIR: stateDir,
        CLOUDO_SCHEMAS_FILE: schemasFile,
        RUNBOOKS_DIR: runbooks,
        CLOUDO_KILL_GRACE_MS: '200',
        CLOUDO_SHUTDOWN_GRACE_MS: '500',
      },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout, child.stderr]) stream?.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor('ClouDO to be up', () => (output.includes('ClouDO is up') ? true : undefined), 90_000).catch(
      (err) => {
        throw new Error(`${(err as Error).message}\n${output}`);
      },
    );
    base = `http://127.0.0.1:${port}`;
    adminToken = (JSON.parse(await readFile(path.join(stateDir, 'keys.json'), 'utf8')) as { adminToken: string })
      .adminToken;
    // a second person, as an admin makes one: the CLI finds the running stack in its state folder
    const issued = await cloudo(['tokens', 'create', '--role', 'operator', '--owner', 'bob'], {
      CLOUDO_STATE_DIR: stateDir,
    });
    bobToken = /cloudo_\S+/.exec(issued.stdout)?.[0] ?? '';
    expect(bobToken, issued.stdout + issued.stderr).not.toBe('');
    browser = await launchChromium();
    const as = async (token: string) =>
      (await browser.newContext({ extraHTTPHeaders: { authorization: `Bearer ${token}` } })).newPage();
    ada = await as(adminToken);
    bob = await as(bobToken);
    await mkdir(RESULTS, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    // Ctrl-C, as a terminal sends it to the process group
    if (child?.pid) process.kill(-child.pid, 'SIGINT');
    if (child && child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
  }, 60_000);

  const url = (p: string) => `${base}${p}`;
  const badge = (page: Page) => page.locator('#status .badge').textContent();
  const landedRun = async (page: Page) => {
    await page.waitForURL(/\/api\/logs\/[0-9a-f-]{36}$/);
    const execId = page.url().split('/').pop() ?? '';
    execIds.push(execId);
    return execId;
  };

  it('finds a runbook, runs it with parameters from its form, and shows the log as it is written', async () => {
    await ada.goto(url('/api/console/runbooks'));
    await ada.fill('#filter-q', 'deploy');
    await ada.press('#filter-q', 'Enter');
    await ada.click('#runbooks a:text("Deploy a service")');
    await ada.fill('#param-service', 'payments');
    await ada.fill('#param-replicas', '3');
    await ada.click('button.run');
    await landedRun(ada);
    // the first step shows while the run still runs: the log is live, not read at the end
    await expect.poll(() => ada.locator('#log').textContent(), { timeout: 15_000 }).toContain('step 1 of payments');
    expect(await badge(ada)).toMatch(/accepted|running/);
    await expect.poll(() => badge(ada), { timeout: 15_000 }).toBe('succeeded');
    expect(await ada.locator('#log').textContent()).toContain('deployed payments x3');
  });

  it('cancels a running run from its page, then re-runs it, the two linked', async () => {
    await ada.goto(url('/api/console/runbooks/long'));
    await ada.click('button.run');
    const first = await landedRun(ada);
    await expect.poll(() => ada.locator('#log').textContent(), { timeout: 15_000 }).toContain('started');
    await ada.click('button.cancel');
    await expect.poll(() => badge(ada), { timeout: 15_000 }).toBe('cancelled');
    await ada.click('button.rerun');
    const rerun = await landedRun(ada);
    expect(rerun).not.toBe(first);
    expect(await ada.locator('#rerun-of a').getAttribute('href')).toBe(`/api/logs/${first}`);
    await expect.poll(() => ada.locator('#log').textContent(), { timeout: 15_000 }).toContain('started');
    await ada.click('button.cancel');
    await expect.poll(() => badge(ada), { timeout: 15_000 }).toBe('cancelled');
  });

  it('holds a gated run until a second person approves it from the approvals inbox', async () => {
    await ada.goto(url('/api/console/runbooks/gated'));
    await ada.click('button.run');
    const execId = await landedRun(ada);
    expect(await badge(ada)).toBe('pending approval');
    expect(await ada.locator('button.approve').count()).toBe(0);
    await bob.goto(url('/api/console/approvals'));
    await bob.click(`a[href="/api/logs/${execId}#approval"] >> nth=0`);
    await bob.click('button.approve');
    await expect.poll(() => badge(bob), { timeout: 20_000 }).toBe('succeeded');
    expect(await bob.locator('#log').textContent()).toContain('deployed billing');
  });

  it('records every action in the audit log and counts the runs on the dashboard', async () => {
    await ada.goto(url('/api/console/audit'));
    const actions = await ada.locator('#audit tr.audit-entry td:nth-child(2)').allTextContents();
    for (const action of ['trigger', 'cancel', 'rerun', 'approve']) expect(actions, action).toContain(action);
    await ada.goto(url('/api/console/dashboard'));
    expect(Number(await ada.locator('#total-runs').textContent())).toBeGreaterThanOrEqual(execIds.length);
  });

  it('runs from the CLI against the running stack, following the log to the outcome', async () => {
    const res = await cloudo(['run', 'deploy', '--param', 'service=api', '--follow'], {
      CLOUDO_URL: base,
      CLOUDO_TOKEN: bobToken,
    });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('step 3 of api\ndeployed api x2\n');
  });

  it('keeps a screenshot of every page, each readable on a phone and in dark mode', async () => {
    const pages = {
      runs: '/api/logs',
      run: `/api/logs/${execIds[0]}`,
      runbooks: '/api/console/runbooks',
      runbook: '/api/console/runbooks/deploy',
      dashboard: '/api/console/dashboard',
      approvals: '/api/console/approvals',
      workers: '/api/console/workers',
      audit: '/api/console/audit',
      settings: '/api/console/settings',
    };
    for (const [name, pagePath] of Object.entries(pages)) {
      const res = await ada.goto(url(pagePath));
      expect(res?.status(), name).toBe(200);
      await ada.screenshot({ path: `${RESULTS}/journey-${name}.png`, fullPage: true });
    }
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      colorScheme: 'dark',
      extraHTTPHeaders: { authorization: `Bearer ${adminToken}` },
    });
    const small = await phone.newPage();
    for (const [name, pagePath] of Object.entries(pages)) {
      await small.goto(url(pagePath));
      // only a table may be wider than the screen, and it scrolls inside itself
      const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      // what sticks out, to say where to look
      const wide = await small.evaluate(() =>
        [...document.querySelectorAll('main *')]
          .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('table'))
          .slice(0, 3)
          .map((e) => `${e.tagName.toLowerCase()}.${e.className}: ${(e.textContent ?? '').slice(0, 40)}`),
      );
      expect(overflow, `${name}: ${wide.join(' | ')}`).toBeLessThanOrEqual(1);
      await small.screenshot({ path: `${RESULTS}/journey-${name}-phone-dark.png`, fullPage: true });
    }
    await phone.close();
  });
});
