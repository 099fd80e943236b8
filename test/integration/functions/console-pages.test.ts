import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../src/core/audit.js';
import { bearerFor, SECURED } from '../../support/functions.js';
import type { SecuredApp } from '../../support/secured-app.js';
import { startSecuredApp } from '../../support/secured-app.js';
import { seededRun } from '../../support/seeded-runs.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

const PAGES = ['dashboard', 'workers', 'approvals', 'audit', 'settings'] as const;
const ADMIN_ONLY = new Set(['audit', 'settings']);

const entry = (at: string, overrides: Partial<AuditEntry>): AuditEntry => ({
  at,
  action: 'trigger',
  actorKind: 'token',
  actorId: 'alice (token 1a)',
  from: '127.0.0.1',
  target: 'disk',
  details: {},
  ...overrides,
});

describe('console pages: dashboard, workers, approvals, audit, settings', () => {
  let t: TestStorage;
  let app: SecuredApp;
  const as: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestStorage();
    app = await startSecuredApp(t);
    for (const role of ['viewer', 'operator', 'admin'] as const) as[role] = await bearerFor(t, role);
    const now = Date.now();
    for (const [i, status] of (['succeeded', 'succeeded', 'succeeded', 'failed'] as const).entries()) {
      await t.storage.executions.create(
        seededRun(now - (i + 1) * 60_000, status, {
          durationMs: 1000,
          resourceId: status === 'failed' ? '/vm/9' : null,
        }),
      );
    }
    // 8 days ago: outside 24 h and 7 d, inside 30 d
    await t.storage.executions.create(seededRun(now - 8 * 86_400_000, 'failed', { schemaId: 'backup', durationMs: 5 }));
    await t.storage.audit.record(entry('2026-05-01T10:00:00.000Z', { action: 'cancel', target: 'run-a' }));
    await t.storage.audit.record(entry('2026-05-02T10:00:00.000Z', { actorId: 'bob (token 2b)' }));
    await t.storage.audit.record(entry('2026-05-03T10:00:00.000Z', { target: 'backup' }));
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  const get = async (path: string, role: string) => {
    const res = await app.fetch(path, { headers: { authorization: as[role] ?? '' } });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };

  it.each(PAGES)('serves /api/console/%s as a page with the console CSP, to its role and up', async (name) => {
    for (const role of ['viewer', 'operator', 'admin']) {
      const res = await get(`/api/console/${name}`, role);
      const allowed = !ADMIN_ONLY.has(name) || role === 'admin';
      expect(res.status, `${name} as ${role}`).toBe(allowed ? 200 : 403);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
      if (allowed) expect(res.text).toContain(`<a href="/api/console/${name}" aria-current="page">`);
      // a refusal is a page a person can read, naming the role needed
      else expect(res.text).toMatch(/<h1>Error 403<\/h1>\s*<p class="error-message">[^<]*admin/);
    }
    expect((await app.fetch(`/api/console/${name}`)).status).toBe(401);
  });

  it('shows the runs of the chosen range on the dashboard', async () => {
    const day = await get('/api/console/dashboard', 'viewer');
    expect(day.text).toContain('<dd id="total-runs">4</dd>');
    expect(day.text).toContain('<dd id="success-rate">75.0 %</dd>');
    expect(day.text).toMatch(/<table id="failing-resources">[\s\S]*<code>\/vm\/9<\/code>/);
    const month = await get('/api/console/dashboard?range=30d', 'viewer');
    expect(month.text).toContain('<dd id="total-runs">5</dd>');
    const backup = await get('/api/console/dashboard?range=30d&schema=backup', 'viewer');
    expect(backup.text).toContain('<dd id="total-runs">1</dd>');
    expect(backup.text).toContain('<option value="backup" selected>backup</option>');
    const bad = await get('/api/console/dashboard?range=1y', 'viewer');
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/<p class="error-message">range: /);
  });

  it('filters the audit log by action, actor, target and time range', async () => {
    const rows = async (query: string) => {
      const res = await get(`/api/console/audit${query}`, 'admin');
      expect(res.status).toBe(200);
      return [...res.text.matchAll(/<tr class="audit-entry">\s*<td><time datetime="([^"]+)"/g)].map((m) =>
        m[1]?.slice(0, 10),
      );
    };
    expect(await rows('')).toEqual(['2026-05-03', '2026-05-02', '2026-05-01']);
    expect(await rows('?action=cancel')).toEqual(['2026-05-01']);
    expect(await rows(`?actor=${encodeURIComponent('bob (token 2b)')}`)).toEqual(['2026-05-02']);
    expect(await rows('?target=backup&action=')).toEqual(['2026-05-03']);
    expect(await rows('?from=2026-05-02&to=2026-05-02')).toEqual(['2026-05-02']);
    expect(await rows('?from=2026-05-01T10:00:00Z&to=2026-05-02T09:59:59Z')).toEqual(['2026-05-01']);
    const bad = await get('/api/console/audit?from=2026-05-03&to=2026-05-01', 'admin');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('from: must not be after to');
  });

  it('pages the audit log, keeping the filters', async () => {
    const first = await get('/api/console/audit?limit=1&action=trigger', 'admin');
    expect(first.text.match(/<tr class="audit-entry">/g)).toHaveLength(1);
    const next = /href="([^"]+)" rel="next"/.exec(first.text)?.[1]?.replaceAll('&amp;', '&');
    expect(next).toMatch(/^\/api\/console\/audit\?action=trigger&limit=1&continuation=/);
    const second = await get(next ?? '', 'admin');
    expect(second.text.match(/<tr class="audit-entry">/g)).toHaveLength(1);
    expect(second.text).toContain('2026-05-02T10:00:00.000Z');
    expect(second.text).toContain('<a href="/api/console/audit?action=trigger&amp;limit=1">Newest entries</a>');
  });

  it('shows the settings with secrets masked', async () => {
    const res = await get('/api/console/settings', 'admin');
    expect(res.text).toContain('<dt>signing key</dt><dd><code>*** (set)</code></dd>');
    expect(res.text).not.toContain(SECURED.signingKey ?? 'never');
  });
});
