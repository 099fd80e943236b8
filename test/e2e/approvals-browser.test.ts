import { readdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueWorker } from '../../workers/queue-worker.js';
import { hasChromium, launchChromium } from '../support/chromium.js';
import { listenOnLoopback } from '../support/fake-server.js';
import { bearerFor } from '../support/functions.js';
import { testSchema } from '../support/schemas.js';
import type { SecuredApp } from '../support/secured-app.js';
import { FUNCTION_KEY, startSecuredApp } from '../support/secured-app.js';
import type { TestStorage } from '../support/storage.js';
import { createTestStorage } from '../support/storage.js';
import { waitFor } from '../support/wait.js';
import { makeRunbooks, startTestWorker } from '../support/worker.js';

describe.skipIf(!hasChromium)('deciding on a gated run in a real browser', () => {
  let t: TestStorage;
  let app: SecuredApp;
  let worker: QueueWorker;
  let browser: Browser;
  let dir: string;
  const as: Record<string, string> = {};
  const contexts: BrowserContext[] = [];
  let evil: { url: string; close: () => Promise<void> };
  /** What the attacker's page posts: set per test. */
  let evilForm = '';

  beforeAll(async () => {
    t = await createTestStorage();
    dir = await makeRunbooks({
      'gated.sh': '#!/usr/bin/env bash\nmktemp "$(dirname "$0")/ran-$CLOUDO_EXEC_ID.XXXX"\n',
    });
    await t.storage.schemas.importSchemas([testSchema({ id: 'gated', runbook: 'gated.sh', requireApproval: true })]);
    app = await startSecuredApp(t);
    for (const name of ['alice', 'bob']) as[name] = await bearerFor(t, 'operator', name);
    as.vera = await bearerFor(t, 'viewer', 'vera');
    worker = startTestWorker(t, dir);
    browser = await launchChromium();
    // another site: a page that submits a form to ClouDO as soon as it loads
    const server = createServer((_req, res) => {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(`<!doctype html><body onload="document.forms[0].submit()">${evilForm}</body>`);
    });
    const listening = await listenOnLoopback(server);
    evil = { url: `http://localhost:${listening.port}/`, close: listening.close };
  });
  afterAll(async () => {
    await browser?.close();
    await evil?.close();
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
  const trigger = async () => {
    const res = await app.fetch('/api/Trigger?id=gated', {
      headers: { authorization: as.alice ?? '', 'x-functions-key': FUNCTION_KEY },
    });
    return ((await res.json()) as { exec_id: string }).exec_id;
  };
  const status = async (execId: string) => (await t.storage.executions.get(execId))?.execution.status;
  const runs = async (execId: string) => (await readdir(dir)).filter((f) => f.startsWith(`ran-${execId}`)).length;

  it('lists the waiting run on top of the console, then approves it with one click: it runs once', async () => {
    const execId = await trigger();
    const page = await pageAs('bob');
    await page.goto(`${app.host.url}/api/logs`);
    expect(await page.locator('#waiting h2').textContent()).toBe('Waiting for approval (1)');
    expect(await page.locator('#waiting td.time-left').textContent()).toMatch(/^(59 min \d\d s|1 h 00 min) left$/);
    await page.click(`#waiting a[href="/api/logs/${execId}"]`);
    await page.waitForURL(`${app.host.url}/api/logs/${execId}`);
    expect(await page.locator('#approval h2').textContent()).toBe('Waiting for approval');
    expect(await page.locator('#approval dd').first().textContent()).toBe('user:alice');

    const decided = page.waitForResponse((r) => r.url().endsWith('/decision'));
    await page.click('button.approve');
    expect((await decided).status()).toBe(303);
    await waitFor('the approved run to finish', async () =>
      (await status(execId)) === 'succeeded' ? true : undefined,
    );
    expect(await runs(execId)).toBe(1);
    await page.reload();
    expect(await page.locator('#approval h2').textContent()).toBe('Approval');
    expect(await page.locator('ol.decisions li').textContent()).toMatch(/^bob \(token \w+\) approved /);
    expect(await page.locator('button.approve').count()).toBe(0);
  });

  it('rejects with the reason typed in the form, and the reason shows as text', async () => {
    const execId = await trigger();
    const page = await pageAs('bob');
    await page.goto(`${app.host.url}/api/logs/${execId}`);
    // the browser itself refuses a rejection without a reason: the field is required
    await page.click('button.reject');
    expect(page.url()).toBe(`${app.host.url}/api/logs/${execId}`);
    expect(await status(execId)).toBe('pending_approval');
    await page.fill('textarea[name="reason"]', 'freeze <b>until</b> Monday');
    const decided = page.waitForResponse((r) => r.url().endsWith('/decision'));
    await page.click('button.reject');
    expect((await decided).status()).toBe(303);
    await page.waitForLoadState();
    expect(await status(execId)).toBe('rejected');
    expect(await page.locator('ol.decisions q').textContent()).toBe('freeze <b>until</b> Monday');
    expect(await page.locator('ol.decisions b').count()).toBe(0);
    expect(await runs(execId)).toBe(0);
  });

  it('shows the requester and a viewer why they cannot approve, with no Approve button', async () => {
    const execId = await trigger();
    const alice = await pageAs('alice');
    await alice.goto(`${app.host.url}/api/logs/${execId}`);
    expect(await alice.locator('button.approve').count()).toBe(0);
    expect(await alice.locator('button.reject').count()).toBe(1);
    expect(await alice.locator('.cannot-decide').textContent()).toBe(
      'you requested this run: someone else must approve it',
    );

    const vera = await pageAs('vera');
    await vera.goto(`${app.host.url}/api/logs/${execId}`);
    expect(await vera.locator('form.decide').count()).toBe(0);
    expect(await vera.locator('.cannot-decide').textContent()).toMatch(/needs the operator role/);
  });

  it('refuses a form another site submits through a signed-in browser, even with a leaked form token', async () => {
    const execId = await trigger();
    const bob = await pageAs('bob');
    await bob.goto(`${app.host.url}/api/logs/${execId}`);
    const token = await bob.locator('form.decide input[name="token"]').first().getAttribute('value');
    evilForm = `<form method="post" action="${app.host.url}/api/logs/${execId}/decision">
<input name="token" value="${token}"><input name="decision" value="approve"></form>`;

    const response = bob.waitForResponse((r) => r.url().endsWith(`/api/logs/${execId}/decision`));
    await bob.goto(evil.url);
    expect((await response).status()).toBe(403);
    expect(await bob.locator('.error-message').textContent()).toMatch(/^refused a POST from another site/);
    expect(await status(execId)).toBe('pending_approval');
  });

  it('refuses a form without the token the page issued to this person', async () => {
    const execId = await trigger();
    const bob = await pageAs('bob');
    await bob.goto(`${app.host.url}/api/logs/${execId}`);
    // a token issued to alice's session is no good in bob's
    const alice = await pageAs('alice');
    await alice.goto(`${app.host.url}/api/logs/${execId}`);
    const alicesToken = await alice.locator('form.decide input[name="token"]').first().getAttribute('value');
    await bob
      .locator('form.decide input[name="token"]')
      .first()
      .evaluate((input, value) => {
        (input as HTMLInputElement).value = value ?? '';
      }, alicesToken);
    await bob.click('button.approve');
    expect(await bob.locator('.error-message').textContent()).toBe(
      'this form was not issued to you for this run: reload the run page and decide again',
    );
    expect(await status(execId)).toBe('pending_approval');
  });
});
