import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run, RunTrigger } from '../../../src/core/execution.js';
import { formToken } from '../../../src/core/form-token.js';
import { planRun } from '../../../src/core/run-plan.js';
import { RunDispatcher } from '../../../src/runs/index.js';
import { bearerFor } from '../../support/functions.js';
import { asRun } from '../../support/runs.js';
import { testSchema } from '../../support/schemas.js';
import type { SecuredApp } from '../../support/secured-app.js';
import { startSecuredApp } from '../../support/secured-app.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

const SAME_ORIGIN = { 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' };

/** The run page's Cancel and Re-run forms: who sees them, what their tokens allow, where they lead. */
describe('run page actions', () => {
  let t: TestStorage;
  let app: SecuredApp;
  const as: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestStorage();
    await t.storage.schemas.importSchemas([testSchema({ id: 'show' })]);
    app = await startSecuredApp(t);
    as.olga = await bearerFor(t, 'operator', 'olga');
    as.otto = await bearerFor(t, 'operator', 'otto');
    as.vera = await bearerFor(t, 'viewer', 'vera');
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  /** Records a run of `show`, walked through `steps` as a worker would. */
  async function seed(steps: Partial<Run>[] = []): Promise<string> {
    const trigger: RunTrigger = { source: 'http', actor: 'test', team: null, principal: null };
    const plan = planRun(testSchema({ id: 'show' }), trigger);
    await new RunDispatcher(t.storage).dispatch(plan);
    for (const step of steps) {
      const current = await t.storage.executions.get(plan.execution.execId);
      if (!current) throw new Error('seeded run vanished');
      await t.storage.executions.transition(current, { ...asRun(current.execution), ...step });
    }
    return plan.execution.execId;
  }
  const finishedRun = () =>
    seed([
      { status: 'running', startedAt: new Date().toISOString() },
      { status: 'failed', finishedAt: new Date().toISOString(), exitCode: 1 },
    ]);
  const page = async (who: string, path: string) =>
    (await app.fetch(path, { headers: { authorization: as[who] ?? '' } })).text();
  const tokenIn = (html: string, action: string) =>
    new RegExp(`action="${action}" class="run-action">\\n<input type="hidden" name="token" value="([^"]+)">`).exec(
      html,
    )?.[1];
  const post = (who: string, path: string, token: string, headers: Record<string, string> = SAME_ORIGIN) =>
    app.fetch(path, {
      method: 'POST',
      redirect: 'manual',
      headers: { authorization: as[who] ?? '', ...headers },
      body: new URLSearchParams({ token }).toString(),
    });
  /** Who the app takes a token's bearer for (the id form tokens are bound to). */
  const callerId = async (owner: string) =>
    `${owner} (token ${(await t.storage.tokens.list()).find((r) => r.owner === owner)?.id})`;
  const statusOf = async (execId: string) => (await t.storage.executions.get(execId))?.execution.status;

  it('shows Cancel to an operator while the run may stop, and no button at all to a viewer', async () => {
    const execId = await seed();
    const olgas = await page('olga', `/api/logs/${execId}`);
    expect(tokenIn(olgas, `/api/logs/${execId}/cancel`)).toBeDefined();
    expect(olgas).not.toContain('button type="submit" class="rerun"');
    const veras = await page('vera', `/api/logs/${execId}`);
    expect(veras).not.toContain('class="run-action"');
    expect(veras).not.toContain('name="token"');
  });

  it('cancels from the form: 303 back to the run page, the run cancelled, the audit row says console', async () => {
    const execId = await seed();
    const token = tokenIn(await page('olga', `/api/logs/${execId}`), `/api/logs/${execId}/cancel`) ?? '';
    const res = await post('olga', `/api/logs/${execId}/cancel`, token);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/api/logs/${execId}`);
    expect(await statusOf(execId)).toBe('cancelled');
    const rows = await t.storage.audit.list({ limit: 20 });
    expect(rows.entries.find((r) => r.target === execId)).toMatchObject({
      action: 'cancel',
      details: { was: 'cancelled', via: 'console' },
    });
    // and the page now offers a re-run instead
    const after = await page('olga', `/api/logs/${execId}`);
    expect(tokenIn(after, `/api/logs/${execId}/cancel`)).toBeUndefined();
    expect(tokenIn(after, `/api/logs/${execId}/rerun`)).toBeDefined();
  });

  it('refuses a viewer who posts anyway, a token of another person, run or purpose, and another site', async () => {
    const execId = await seed();
    const other = await seed();
    const key = app.services.formKey;
    const olgaId = await callerId('olga');
    const good = formToken(key, olgaId, execId, 'cancel-form');
    expect(tokenIn(await page('olga', `/api/logs/${execId}`), `/api/logs/${execId}/cancel`)).toBe(good);

    const viewer = await post('vera', `/api/logs/${execId}/cancel`, good);
    expect(viewer.status).toBe(403);
    expect(viewer.headers.get('content-type')).toBe('text/html; charset=utf-8');
    for (const [who, token] of [
      ['otto', good],
      ['olga', formToken(key, olgaId, other, 'cancel-form')],
      ['olga', formToken(key, olgaId, execId, 'rerun-form')],
      ['olga', formToken(key, olgaId, execId, 'approval-form')],
      ['olga', ''],
    ] as const) {
      const res = await post(who, `/api/logs/${execId}/cancel`, token);
      expect(res.status, `${who} ${token}`).toBe(403);
      expect(await res.text()).toContain('this form was not issued to you for this run');
    }
    const crossSite = await post('olga', `/api/logs/${execId}/cancel`, good, {
      ...SAME_ORIGIN,
      'sec-fetch-site': 'cross-site',
    });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.text()).toContain('refused a POST from another site');
    const foreignOrigin = await post('olga', `/api/logs/${execId}/cancel`, good, {
      'content-type': 'application/x-www-form-urlencoded',
      origin: 'https://evil.example',
    });
    expect(foreignOrigin.status).toBe(403);
    expect(await statusOf(execId)).toBe('accepted');
  });

  it('answers a cancel of a run that already ended with a readable 409 page', async () => {
    const execId = await finishedRun();
    const token = formToken(app.services.formKey, await callerId('olga'), execId, 'cancel-form');
    const res = await post('olga', `/api/logs/${execId}/cancel`, token);
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toContain(
      `<p class="error-message">execution ${execId} has already finished (failed); there is nothing to cancel</p>`,
    );
    expect(await statusOf(execId)).toBe('failed');
  });

  it('re-runs from the form: 303 to the new run, linked both ways on the pages', async () => {
    const execId = await finishedRun();
    const original = await page('olga', `/api/logs/${execId}`);
    expect(tokenIn(original, `/api/logs/${execId}/cancel`)).toBeUndefined();
    const token = tokenIn(original, `/api/logs/${execId}/rerun`) ?? '';
    // otto's page issued a token to otto: no good in olga's hands
    const ottos = formToken(app.services.formKey, await callerId('otto'), execId, 'rerun-form');
    expect((await post('olga', `/api/logs/${execId}/rerun`, ottos)).status).toBe(403);
    const res = await post('olga', `/api/logs/${execId}/rerun`, token);
    expect(res.status).toBe(303);
    const location = res.headers.get('location') ?? '';
    const rerunId = /^\/api\/logs\/([0-9a-f-]{36})$/.exec(location)?.[1] ?? '';
    expect(rerunId).not.toBe('');
    expect(rerunId).not.toBe(execId);
    const rerun = (await t.storage.executions.get(rerunId))?.execution;
    expect(rerun).toMatchObject({ status: 'accepted', rerunOf: execId, trigger: { source: 'rerun' } });
    expect(await page('olga', location)).toContain(
      `<dt>Re-run of</dt><dd id="rerun-of"><a href="/api/logs/${execId}">`,
    );
    expect(await page('vera', `/api/logs/${execId}`)).toContain(
      `<li><a href="/api/logs/${rerunId}"><code>${rerunId}</code></a></li>`,
    );
    // a viewer may not re-run, even with an operator's token
    expect((await post('vera', `/api/logs/${execId}/rerun`, token)).status).toBe(403);
    expect((await t.storage.executions.get(execId))?.execution.reruns).toEqual([rerunId]);
  });
});
