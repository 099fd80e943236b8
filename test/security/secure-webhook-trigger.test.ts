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
