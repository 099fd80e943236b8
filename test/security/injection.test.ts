import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSchemasFile } from '../../src/core/runbook-schema.js';
import { bearerFor } from '../support/functions.js';
import type { SecuredApp } from '../support/secured-app.js';
import { FUNCTION_KEY, startSecuredApp } from '../support/secured-app.js';
import type { TestStorage } from '../support/storage.js';
import { createTestStorage } from '../support/storage.js';

const XSS = `<script>window.__pwned=1</script><img src=x onerror=alert(1)>"'`;

/** Markup and control characters in stored data and in requests stay data. */
describe('XSS and header injection', () => {
  let t: TestStorage;
  let app: SecuredApp;
  let viewer: string;
  let operator: string;

  beforeAll(async () => {
    t = await createTestStorage();
    const parsed = parseSchemasFile(
      JSON.stringify([
        {
          partition_key: 'p',
          entity: [
            {
              id: 'xss',
              name: XSS,
              description: XSS,
              runbook: 'x.sh',
              run_args: `'<b onmouseover=alert(1)>x</b>'`,
              worker: 'Runbook',
            },
          ],
        },
      ]),
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    await t.storage.schemas.importSchemas(parsed.schemas);
    app = await startSecuredApp(t);
    [viewer, operator] = await Promise.all([bearerFor(t, 'viewer'), bearerFor(t, 'operator')]);
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  it('shows a schema name and arguments full of markup as text in both console pages', async () => {
    const res = await app.fetch('/api/Trigger?id=xss', {
      headers: { 'x-functions-key': FUNCTION_KEY, authorization: operator },
    });
    const { exec_id: execId } = (await res.json()) as { exec_id: string };
    await t.storage.logs.create(execId);
    await t.storage.logs.append(execId, Buffer.from(`${XSS}\n`));
    for (const path of ['/api/logs', `/api/logs/${execId}`]) {
      const html = await (await app.fetch(path, { headers: { authorization: viewer } })).text();
      expect(html, path).not.toContain('<script>window');
      expect(html, path).not.toContain('<img src=x');
      expect(html, path).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    }
  });

  it.each([
    ['/api/Trigger/team%0d%0aSet-Cookie:%20x=1?id=xss', /^team must be/],
    ['/api/Trigger?id=xss%0d%0aSet-Cookie:%20x=1', /^id: must be/],
  ])('refuses CR/LF smuggled into %s with 400 and no injected header', async (path, message) => {
    const res = await app.fetch(path, { headers: { 'x-functions-key': FUNCTION_KEY, authorization: operator } });
    expect(res.status).toBe(400);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(((await res.json()) as { error: string }).error).toMatch(message);
  });

  it('refuses a path-traversal execution id on every route that takes one', async () => {
    for (const path of [
      '/api/executions/..%2f..%2fetc%2fpasswd',
      '/api/executions/..%2f..%2fetc/log',
      '/api/logs/..%2fx',
    ]) {
      const res = await app.fetch(path, { headers: { authorization: viewer } });
      expect(res.status, path).toBe(400);
    }
  });
});
