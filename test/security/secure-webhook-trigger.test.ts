import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeEntra } from '../support/fake-entra.js';
import { ACTION_GROUPS_APP_ID, startFakeEntra, webhookSettingsFor } from '../support/fake-entra.js';
import { testSchema } from '../support/schemas.js';
import type { SecuredApp } from '../support/secured-app.js';
import { startSecuredApp } from '../support/secured-app.js';
import type { TestStorage } from '../support/storage.js';
import { createTestStorage } from '../support/storage.js';

/**
 * CLOUDO_TRIGGER_AUTH_LEVEL=anonymous with a Secure Webhook configured: Azure Monitor calls Trigger with
 * an Entra-signed bearer token and no key in the URL; nothing else gets in.
 */
describe('Trigger behind an Azure Monitor Secure Webhook', () => {
  let t: TestStorage;
  let entra: FakeEntra;
  let app: SecuredApp;

  beforeAll(async () => {
    t = await createTestStorage();
    await t.storage.schemas.importSchemas([testSchema({ id: 'hello', runbook: 'h.sh' })]);
    entra = await startFakeEntra();
    app = await startSecuredApp(
      t,
      {
        webhook: webhookSettingsFor(entra),
      },
      { triggerAuthLevel: 'anonymous' },
    );
  });
  afterAll(async () => {
    await app?.close();
    await entra?.close();
    await t?.cleanup();
  });

  const runs = async () => (await t.storage.executions.list({ limit: 50 })).executions;
  const trigger = (authorization?: string) =>
    app.fetch('/api/Trigger?id=hello', { method: 'POST', headers: authorization ? { authorization } : {} });

  it('runs for a valid action-group token and records the calling app', async () => {
    const res = await trigger(`Bearer ${await entra.sign()}`);
    expect(res.status).toBe(202);
    const { exec_id: execId } = (await res.json()) as { exec_id: string };
    expect((await t.storage.executions.get(execId))?.execution.trigger.actor).toBe(`app ${ACTION_GROUPS_APP_ID}`);
  });

  it('refuses no token, an expired one and a forged one, and runs nothing for them', async () => {
    const before = (await runs()).length;
    expect((await trigger()).status).toBe(401);
    const expired = await entra.sign({ exp: Math.floor(Date.now() / 1000) - 3600 });
    expect(await (await trigger(`Bearer ${expired}`)).json()).toEqual({
      error: 'webhook token refused: token expired',
    });
    const wrongAudience = await entra.sign({ aud: 'https://management.azure.com' });
    expect(await (await trigger(`Bearer ${wrongAudience}`)).json()).toEqual({
      error: 'webhook token refused: wrong audience',
    });
    expect((await runs()).length).toBe(before);
  });

  it('lets a webhook token call Trigger and nothing else: it is not an operator of the API', async () => {
    const authorization = `Bearer ${await entra.sign()}`;
    const execId = ((await (await trigger(authorization)).json()) as { exec_id: string }).exec_id;
    for (const [method, path] of [
      ['GET', '/api/executions'],
      ['GET', `/api/executions/${execId}`],
      ['POST', `/api/executions/${execId}/cancel`],
      ['GET', '/api/approvals'],
      ['POST', `/api/approvals/${execId}`],
      ['GET', '/api/logs'],
    ] as const) {
      const res = await app.fetch(path, {
        method,
        headers: { authorization, 'content-type': 'application/json' },
        body: method === 'POST' ? '{"decision":"approve"}' : undefined,
      });
      expect(res.status, `${method} ${path}`).toBe(403);
      const text = await res.text();
      expect(text, `${method} ${path}`).toContain('a Secure Webhook token may only call Trigger');
    }
    expect((await t.storage.executions.get(execId))?.execution.status).toBe('accepted');
  });

  it('without allowed app ids, needs the action-group app role on the token', async () => {
    const open = await startSecuredApp(
      t,
      { webhook: { ...webhookSettingsFor(entra), allowedAppIds: [] } },
      { triggerAuthLevel: 'anonymous' },
    );
    try {
      const call = async (token: string) =>
        open.fetch('/api/Trigger?id=hello', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      // any service principal of the tenant can get a token for ClouDO's app; only the role says it is an action group
      const stranger = await call(
        await entra.sign({ appid: '3f1d2c4b-0000-4000-8000-0000000000aa', roles: undefined }),
      );
      expect(stranger.status).toBe(403);
      expect(await stranger.json()).toEqual({
        error:
          'webhook token refused: it lacks the app role ActionGroupsSecureWebhook (CLOUDO_WEBHOOK_APP_ROLE): assign that role to the action group’s service principal, or list its app in CLOUDO_WEBHOOK_ALLOWED_APP_IDS',
      });
      expect((await call(await entra.sign())).status).toBe(202);
    } finally {
      await open.close();
    }
  });

  it('answers 503 while Entra’s signing keys cannot be fetched, so the action group retries', async () => {
    const down = await startFakeEntra();
    down.failJwks(true);
    const webhook = webhookSettingsFor(down);
    const other = await startSecuredApp(t, { webhook }, { triggerAuthLevel: 'anonymous' });
    try {
      const res = await other.fetch('/api/Trigger?id=hello', {
        headers: { authorization: `Bearer ${await down.sign()}` },
      });
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ error: 'webhook token refused: signing keys unavailable' });
    } finally {
      await other.close();
      await down.close();
    }
  });
});
