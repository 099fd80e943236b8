import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeEntra } from '../support/fake-entra.js';
import { ACTION_GROUPS_APP_ID, startFakeEntra, webhookSettingsFor } from '../support/fake-entra.js';
import { bearerFor } from '../support/functions.js';
import { testSchema } from '../support/schemas.js';
import type { SecuredApp } from '../support/secured-app.js';
import { FUNCTION_KEY, startSecuredApp } from '../support/secured-app.js';
import type { TestStorage } from '../support/storage.js';
import { createTestStorage } from '../support/storage.js';

const principal = (claims: { typ: string; val: string }[], extra: Record<string, unknown> = {}) =>
  Buffer.from(JSON.stringify({ auth_typ: 'aad', name_typ: 'preferred_username', claims, ...extra })).toString('base64');

/** Behind App Service Authentication (CLOUDO_TRUST_EASY_AUTH=true): people and their Entra app roles. */
describe('people signed in through App Service Authentication', () => {
  let t: TestStorage;
  let app: SecuredApp;
  beforeAll(async () => {
    t = await createTestStorage();
    app = await startSecuredApp(t, { trustEasyAuth: true });
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });
  const as = (header: string, path: string) => app.fetch(path, { headers: { 'x-ms-client-principal': header } });

  it('maps app roles to ClouDO roles, with or without the ClouDO. prefix', async () => {
    const alice = principal([
      { typ: 'preferred_username', val: 'alice@example.com' },
      { typ: 'roles', val: 'ClouDO.Admin' },
    ]);
    expect((await as(alice, '/api/settings')).status).toBe(200);
    const bob = principal([
      { typ: 'preferred_username', val: 'bob@example.com' },
      { typ: 'roles', val: 'viewer' },
    ]);
    expect((await as(bob, '/api/executions')).status).toBe(200);
    const denied = await as(bob, '/api/audit');
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ error: 'this needs the admin role; bob@example.com has viewer' });
  });

  it('refuses a signed-in person without any ClouDO role (403), and a malformed header (401)', async () => {
    const nobody = principal([
      { typ: 'preferred_username', val: 'carol@example.com' },
      { typ: 'roles', val: 'Some.Other.Role' },
    ]);
    expect(await (await as(nobody, '/api/executions')).json()).toEqual({
      error: 'this needs the viewer role; carol@example.com has no ClouDO role',
    });
    const garbage = await as('not base64 json', '/api/executions');
    expect(garbage.status).toBe(401);
    const nameless = await as(principal([{ typ: 'roles', val: 'admin' }]), '/api/executions');
    expect(await nameless.json()).toEqual({ error: 'x-ms-client-principal names nobody' });
  });
});

/**
 * A person's browser carries their Easy Auth session cookie to every request, whoever's page makes it:
 * a session may change state only by a POST that the browser says comes from ClouDO's own pages.
 */
describe('a signed-in browser session and requests other sites make', () => {
  let t: TestStorage;
  let app: SecuredApp;
  const alice = principal([
    { typ: 'preferred_username', val: 'alice@example.com' },
    { typ: 'roles', val: 'ClouDO.Operator' },
  ]);
  beforeAll(async () => {
    t = await createTestStorage();
    await t.storage.schemas.importSchemas([testSchema({ id: 'hello' })]);
    // anonymous Trigger (Secure Webhook set-ups): no key stands between a victim's browser and a run
    app = await startSecuredApp(t, { trustEasyAuth: true }, { triggerAuthLevel: 'anonymous' });
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });
  const runs = async () => (await t.storage.executions.list({ limit: 50 })).executions;

  it('refuses GET Trigger from a session (a link or an <img> on any site would start a run)', async () => {
    const before = (await runs()).length;
    for (const site of ['cross-site', 'none', null]) {
      const headers: Record<string, string> = { 'x-ms-client-principal': alice };
      if (site) headers['sec-fetch-site'] = site;
      const res = await app.fetch('/api/Trigger?id=hello', { headers });
      expect(res.status, String(site)).toBe(403);
      expect(((await res.json()) as { error: string }).error).toBe(
        'a signed-in browser session starts runs with POST from ClouDO’s own pages; GET Trigger is for keys, API tokens and webhooks',
      );
    }
    expect((await runs()).length).toBe(before);
  });

  it('refuses a POST from a session that does not show it comes from ClouDO’s own pages', async () => {
    const before = (await runs()).length;
    const res = await app.fetch('/api/Trigger?id=hello', {
      method: 'POST',
      headers: { 'x-ms-client-principal': alice, 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toMatch(
      /^a signed-in browser session may change state only from ClouDO’s own pages/,
    );
    expect((await runs()).length).toBe(before);
    const own = await app.fetch('/api/Trigger?id=hello', {
      method: 'POST',
      headers: { 'x-ms-client-principal': alice, 'sec-fetch-site': 'same-origin' },
    });
    expect(own.status).toBe(202);
  });

  it('still lets API tokens GET Trigger, as the original curl …/api/Trigger?id=test does', async () => {
    const token = await bearerFor(t, 'operator', 'ci');
    expect((await app.fetch('/api/Trigger?id=hello', { headers: { authorization: token } })).status).toBe(202);
  });
});

/** Approvers named by Entra group or app role: what a signed-in person's claims carry decides. */
describe('deciding on gated runs as a signed-in person', () => {
  const GROUP = '6f1c0a52-93d4-4b8e-9e2a-0c7d5b1e4f30';
  let t: TestStorage;
  let app: SecuredApp;
  beforeAll(async () => {
    t = await createTestStorage();
    await t.storage.schemas.importSchemas([
      testSchema({ id: 'by-group', requireApproval: true, approvers: [`group:${GROUP}`, 'role:cloudo.approver.db'] }),
    ]);
    app = await startSecuredApp(t, { trustEasyAuth: true });
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });
  const person = (name: string, claims: { typ: string; val: string }[]) =>
    principal([{ typ: 'preferred_username', val: name }, { typ: 'roles', val: 'ClouDO.Operator' }, ...claims]);
  const request = async () => {
    const token = await bearerFor(t, 'operator', 'requester@example.com');
    const res = await app.fetch('/api/Trigger?id=by-group', {
      headers: { authorization: token, 'x-functions-key': FUNCTION_KEY },
    });
    return ((await res.json()) as { exec_id: string }).exec_id;
  };
  const decide = (header: string, execId: string) =>
    app.fetch(`/api/approvals/${execId}`, {
      method: 'POST',
      // as the run page's form posts it
      headers: { 'x-ms-client-principal': header, 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
      body: JSON.stringify({ decision: 'approve' }),
    });

  it('lets in a member of the named group, or a holder of the named app role, and no other operator', async () => {
    const outsider = await decide(
      person('olga@example.com', [{ typ: 'groups', val: 'another-group' }]),
      await request(),
    );
    expect(outsider.status).toBe(403);
    const member = person('gina@example.com', [
      { typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups', val: GROUP.toUpperCase() },
    ]);
    const byGroup = await decide(member, await request());
    expect(byGroup.status).toBe(200);
    expect(await byGroup.json()).toMatchObject({ status: 'accepted' });
    const dba = person('dora@example.com', [{ typ: 'roles', val: 'ClouDO.Approver.DB' }]);
    expect((await decide(dba, await request())).status).toBe(200);
  });
});

/**
 * App Service Authentication in front (the Terraform module's easy_auth) and Secure Webhooks at once: Easy
 * Auth accepts the action group's token (the module adds its audience) and hands over a principal that has
 * no ClouDO role. The token ClouDO checks itself must still decide, or no alert would ever run a runbook.
 */
describe('Easy Auth in front, with tokens ClouDO checks itself', () => {
  let t: TestStorage;
  let entra: FakeEntra;
  let app: SecuredApp;
  const roleless = principal([{ typ: 'preferred_username', val: 'action-group-sp' }]);

  beforeAll(async () => {
    t = await createTestStorage();
    await t.storage.schemas.importSchemas([testSchema({ id: 'hello', runbook: 'h.sh' })]);
    entra = await startFakeEntra();
    app = await startSecuredApp(
      t,
      {
        trustEasyAuth: true,
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
  const call = (path: string, headers: Record<string, string>, method = 'GET') =>
    app.fetch(path, { method, headers: { 'x-ms-client-principal': roleless, ...headers } });

  it('runs an alert whose Secure Webhook token Easy Auth let through, as the action group', async () => {
    const res = await call('/api/Trigger?id=hello', { authorization: `Bearer ${await entra.sign()}` }, 'POST');
    expect(res.status).toBe(202);
    const { exec_id: execId } = (await res.json()) as { exec_id: string };
    expect((await t.storage.executions.get(execId))?.execution.trigger.actor).toBe(`app ${ACTION_GROUPS_APP_ID}`);
  });

  it('takes an API token over the principal, and falls back to the principal for any other token', async () => {
    expect((await call('/api/executions', { authorization: await bearerFor(t, 'viewer') })).status).toBe(200);
    const other = await call('/api/executions', { authorization: `Bearer ${await entra.sign({ aud: 'other' })}` });
    expect(await other.json()).toEqual({ error: 'this needs the viewer role; action-group-sp has no ClouDO role' });
  });
});
