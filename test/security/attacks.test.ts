import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiToken } from '../../src/core/api-token.js';
import { parseSchemasFile } from '../../src/core/runbook-schema.js';
import { loadAppSettings } from '../../src/core/settings.js';
import { bearerFor } from '../support/functions.js';
import type { SecuredApp } from '../support/secured-app.js';
import { FUNCTION_KEY, startSecuredApp } from '../support/secured-app.js';
import type { TestStorage } from '../support/storage.js';
import { createTestStorage } from '../support/storage.js';

const INJECTION = "' or role eq 'admin";
const principal = (claims: { typ: string; val: string }[]) =>
  Buffer.from(JSON.stringify({ auth_typ: 'aad', claims })).toString('base64');

/** Every attack gets a clear 4xx and writes nothing. */
describe('attacks on the API', () => {
  let t: TestStorage;
  let app: SecuredApp;
  let admin: string;
  let operator: string;
  let viewer: string;

  beforeAll(async () => {
    t = await createTestStorage();
    const parsed = parseSchemasFile(
      JSON.stringify([
        {
          partition_key: 'p',
          entity: [{ id: 'hello', name: 'hello', runbook: 'hello.sh', worker: 'Runbook', oncall: false }],
        },
      ]),
    );
    if (!parsed.ok) throw new Error('fixture');
    await t.storage.schemas.importSchemas(parsed.schemas);
    app = await startSecuredApp(t);
    [admin, operator, viewer] = await Promise.all([
      bearerFor(t, 'admin'),
      bearerFor(t, 'operator'),
      bearerFor(t, 'viewer'),
    ]);
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  const runsCount = async () => (await t.storage.executions.list({ limit: 200 })).executions.length;
  const expectError = async (res: Response, status: number, message: RegExp) => {
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: string }).error).toMatch(message);
  };
  const trigger = (query: string, headers: Record<string, string> = {}, init: RequestInit = {}) =>
    app.fetch(`/api/Trigger${query}`, { ...init, headers: { 'x-functions-key': FUNCTION_KEY, ...headers } });

  describe('OData injection into every value that reaches a table filter', () => {
    it.each([
      ['/api/Trigger?id=', 'id'],
      ['/api/executions?schema=', 'schema'],
      ['/api/executions?status=', 'status'],
    ])('%s<injection> is refused before any query (400 naming %s)', async (prefix, param) => {
      const before = await runsCount();
      const headers: Record<string, string> = { authorization: admin, 'x-functions-key': FUNCTION_KEY };
      const res = await app.fetch(`${prefix}${encodeURIComponent(INJECTION)}`, { headers });
      await expectError(res, 400, new RegExp(`^${param}: `));
      expect(await runsCount()).toBe(before);
    });

    it('treats an injection in a free-text filter (audit actor) as a literal value', async () => {
      await trigger('?id=hello', { authorization: operator });
      const all = await app.fetch('/api/audit', { headers: { authorization: admin } });
      expect(((await all.json()) as { entries: unknown[] }).entries.length).toBeGreaterThan(0);
      for (const actor of [INJECTION, "x' or actorId ne 'x", "') or (1 eq 1"]) {
        const res = await app.fetch(`/api/audit?actor=${encodeURIComponent(actor)}`, {
          headers: { authorization: admin },
        });
        expect(res.status).toBe(200);
        expect(((await res.json()) as { entries: unknown[] }).entries).toEqual([]);
      }
    });

    it('never puts a token id into a filter: a forged token id is refused as malformed', async () => {
      const forged = `Bearer cloudo_'or(RowKey)ne('_${'a'.repeat(43)}`;
      const res = await app.fetch('/api/executions', { headers: { authorization: forged } });
      await expectError(res, 401, /API token refused: malformed/);
    });
  });

  describe('identity forgery', () => {
    it('ignores a client-sent x-ms-client-principal when App Service Authentication is not trusted', async () => {
      const forged = principal([
        { typ: 'preferred_username', val: 'mallory@example.com' },
        { typ: 'roles', val: 'admin' },
      ]);
      const res = await app.fetch('/api/settings', { headers: { 'x-ms-client-principal': forged } });
      await expectError(res, 401, /x-ms-client-principal is ignored/);
    });

    it('refuses tampered, revoked, expired and unknown API tokens', async () => {
      const tampered = `${admin.slice(0, -1)}${admin.endsWith('A') ? 'B' : 'A'}`;
      await expectError(
        await app.fetch('/api/executions', { headers: { authorization: tampered } }),
        401,
        /refused: unknown/,
      );

      const revoked = issueApiToken({ role: 'admin', owner: 'gone', expiresAt: null });
      await t.storage.tokens.create(revoked.record);
      await t.storage.tokens.revoke(revoked.record.id);
      const auth = { authorization: `Bearer ${revoked.token}` };
      await expectError(await app.fetch('/api/executions', { headers: auth }), 401, /refused: revoked/);

      const expired = issueApiToken({ role: 'admin', owner: 'old', expiresAt: new Date(Date.now() - 1000) });
      await t.storage.tokens.create(expired.record);
      const old = { authorization: `Bearer ${expired.token}` };
      await expectError(await app.fetch('/api/executions', { headers: old }), 401, /refused: expired/);

      const never = issueApiToken({ role: 'admin', owner: 'never-stored', expiresAt: null }).token;
      const unknown = { authorization: `Bearer ${never}` };
      await expectError(await app.fetch('/api/executions', { headers: unknown }), 401, /refused: unknown/);
    });

    it.each([
      ['Basic YWRtaW46YWRtaW4=', /must be "Bearer <token>"/],
      ['Bearer', /must be "Bearer <token>"/],
      ['Bearer eyJhbGciOiJub25lIn0.eyJyb2xlcyI6WyJhZG1pbiJdfQ.', /not a ClouDO API token/],
    ])('refuses Authorization %s', async (authorization, message) => {
      await expectError(await app.fetch('/api/executions', { headers: { authorization } }), 401, message);
    });

    it('lets a viewer try no mutating route: triggering is 403 and runs nothing', async () => {
      const before = await runsCount();
      await expectError(await trigger('?id=hello', { authorization: viewer }), 403, /needs the operator role/);
      await expectError(await trigger('?id=hello', { authorization: viewer }, { method: 'POST' }), 403, /operator/);
      expect(await runsCount()).toBe(before);
    });
  });

  describe('bodies', () => {
    it('refuses an oversized body with 413 and runs nothing', async () => {
      const before = await runsCount();
      const res = await trigger('?id=hello', {}, { method: 'POST', body: 'x'.repeat(5000) });
      await expectError(res, 413, /larger than 4096 bytes/);
      expect(await runsCount()).toBe(before);
    });
  });

  describe('what the API gives away', () => {
    it('never returns a secret: the settings show the storage key and signing key masked', async () => {
      const res = await app.fetch('/api/settings', { headers: { authorization: admin } });
      const text = await res.text();
      expect(res.status).toBe(200);
      expect(text).toContain('AccountKey=***');
      expect(text).not.toMatch(/Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/);
      expect(text).not.toContain('test-signing-key');
    });

    it('keeps tokens out of the audit log and of the token table', async () => {
      const audit = await (await app.fetch('/api/audit', { headers: { authorization: admin } })).text();
      expect(audit).not.toMatch(/cloudo_[0-9a-f]{12}_/);
      const stored = JSON.stringify(await t.storage.tokens.list());
      const secrets = [admin, operator, viewer].map((header) => header.slice('Bearer cloudo_'.length + 13));
      for (const secret of secrets) expect(stored).not.toContain(secret);
    });

    it('records who triggered, from where', async () => {
      const res = await trigger('?id=hello', { authorization: operator, 'x-forwarded-for': '203.0.113.9' });
      const { exec_id: execId } = (await res.json()) as { exec_id: string };
      const audit = (await (
        await app.fetch('/api/audit?action=trigger', { headers: { authorization: admin } })
      ).json()) as {
        entries: { target: string; actorKind: string; actorId: string; from: string }[];
      };
      const entry = audit.entries.find((e) => e.target === execId);
      // the address the client claimed comes first; the one the host saw is last and is the one kept
      expect(entry).toMatchObject({
        actorKind: 'token',
        actorId: `operator-tester (token ${operator.slice(14, 26)})`,
      });
      expect(entry?.from).not.toBe('203.0.113.9');
    });
  });

  describe('browser-facing headers and CORS', () => {
    it('serves HTML with a CSP that allows no inline script, no sniffing and no framing', async () => {
      const res = await app.fetch('/api/logs', { headers: { authorization: viewer } });
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
      expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self';/);
      expect(res.headers.get('content-security-policy')).not.toMatch(
        /unsafe-inline'[^;]*; *(?=connect)|script-src[^;]*unsafe/,
      );
      expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
    });

    it('is closed to other origins by default', async () => {
      const preflight = await app.fetch('/api/executions', {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
      });
      expect(preflight.status).toBe(403);
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      const res = await app.fetch('/api/executions', {
        headers: { authorization: viewer, origin: 'https://evil.example' },
      });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    });
  });
});

describe('CORS when configured', () => {
  let t: TestStorage;
  let app: SecuredApp;
  beforeAll(async () => {
    t = await createTestStorage();
    app = await startSecuredApp(t, { corsOrigins: ['https://ops.example.com'] });
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  it('answers the preflight of an allowed origin and only that origin', async () => {
    const ok = await app.fetch('/api/executions', {
      method: 'OPTIONS',
      headers: { origin: 'https://ops.example.com' },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://ops.example.com');
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const other = await app.fetch('/api/executions', {
      method: 'OPTIONS',
      headers: { origin: 'https://ops.example.com.evil' },
    });
    expect(other.status).toBe(403);
  });
});

describe('production start-up', () => {
  const base = { AzureWebJobsStorage: 'UseDevelopmentStorage=true' };
  it.each([
    [{}, /CLOUDO_SIGNING_KEY is missing/],
    [{ CLOUDO_SIGNING_KEY: '' }, /CLOUDO_SIGNING_KEY is missing/],
    [{ CLOUDO_SIGNING_KEY: 'default' }, /CLOUDO_SIGNING_KEY is 7 characters long/],
    [{ CLOUDO_SIGNING_KEY: 'a'.repeat(64) }, /CLOUDO_SIGNING_KEY is not random enough/],
    [
      { CLOUDO_SIGNING_KEY: 'x'.repeat(40), CLOUDO_LOCAL_AUTH: 'off' },
      /CLOUDO_LOCAL_AUTH=off is refused in production/,
    ],
    [{ CLOUDO_ENV: 'prod' }, /CLOUDO_ENV="prod" is invalid/],
    [{ CLOUDO_CORS_ORIGINS: '*' }, /CLOUDO_CORS_ORIGINS: "\*" is not an origin/],
    [{ CLOUDO_WEBHOOK_TENANT_ID: 'contoso.com', CLOUDO_WEBHOOK_AUDIENCES: 'api://x' }, /is not a tenant id/],
    [{ CLOUDO_WEBHOOK_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47' }, /needs both CLOUDO_WEBHOOK_TENANT_ID and/],
  ])('refuses %j', (env, message) => {
    expect(() => loadAppSettings({ ...base, ...env })).toThrow(message);
  });

  it('starts with a strong key, and in development without one', () => {
    expect(loadAppSettings({ ...base, CLOUDO_SIGNING_KEY: 'Zq3v9Lr2Xw8Tn5Kb1Mc7Pd4Hf6Jg0Sa2' }).auth.enforce).toBe(
      true,
    );
    expect(loadAppSettings({ ...base, CLOUDO_ENV: 'development', CLOUDO_LOCAL_AUTH: 'off' }).auth.enforce).toBe(false);
  });
});
