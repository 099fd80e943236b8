import type { HttpMethod } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/core/access.js';
import { newExecId } from '../../src/core/execution.js';
import { bearerFor } from '../support/functions.js';
import type { SecuredApp } from '../support/secured-app.js';
import { FUNCTION_KEY, startSecuredApp } from '../support/secured-app.js';
import type { TestStorage } from '../support/storage.js';
import { createTestStorage } from '../support/storage.js';

const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

/** The route × role table of the README: a change of access shows here first. */
const EXPECTED_ACCESS: Record<string, string> = {
  Trigger: 'function key or operator',
  ListExecutions: 'viewer',
  GetExecution: 'viewer',
  GetExecutionLog: 'viewer',
  ExecutionStats: 'viewer',
  CancelExecution: 'operator',
  StartRun: 'operator',
  RerunExecution: 'operator',
  ListSchemas: 'viewer',
  GetSchema: 'viewer',
  GetSchemaRunbook: 'viewer',
  ListSchedules: 'viewer',
  GetSchedule: 'viewer',
  PutSchedule: 'admin',
  DeleteSchedule: 'admin',
  EnableSchedule: 'admin',
  DisableSchedule: 'admin',
  ClearScheduleOverride: 'admin',
  ListApprovals: 'viewer',
  GetApproval: 'viewer',
  DecideApproval: 'operator',
  DecisionForm: 'operator',
  CancelForm: 'operator',
  RerunForm: 'operator',
  SlackInteractions: 'public',
  StreamExecutionLog: 'viewer',
  LiveLogScript: 'public',
  RunsRefreshScript: 'public',
  LocalTimesScript: 'public',
  ListWorkers: 'viewer',
  LogsPage: 'viewer',
  LogPage: 'viewer',
  RunbooksPage: 'viewer',
  RunbookPage: 'viewer',
  RunForm: 'operator',
  DashboardPage: 'viewer',
  WorkersPage: 'viewer',
  ApprovalsPage: 'viewer',
  SchedulesPage: 'viewer',
  ScheduleEnableForm: 'admin',
  ScheduleDisableForm: 'admin',
  AuditPage: 'admin',
  SettingsPage: 'admin',
  Audit: 'admin',
  Settings: 'admin',
  Health: 'public',
  OpenidConfiguration: 'public',
  Jwks: 'public',
  FederatedToken: 'public',
  IsolatedRun: 'public',
};

/** A concrete path for a route template: parameters get harmless values, optional ones are left out. */
function pathFor(route: string): string {
  return `/api/${route
    .replace(/\/\{\w+\?\}/g, '')
    .replace('{execId}', newExecId())
    .replace(/\{\w+\}/g, 'x')}`;
}

/**
 * Walks every registered function: each refuses an anonymous caller and a caller whose role is too low,
 * and lets the required role through. Nothing a refused call asked for is written.
 */
describe('every route, every role', () => {
  let t: TestStorage;
  let app: SecuredApp;
  const tokens = {} as Record<Role, string>;

  beforeAll(async () => {
    t = await createTestStorage();
    app = await startSecuredApp(t);
    for (const role of ROLES) tokens[role] = await bearerFor(t, role);
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  const cases = () =>
    app.definitions.flatMap((d) =>
      d.options.methods
        .filter((m): m is HttpMethod => m !== 'OPTIONS')
        .map((method) => ({ name: d.name, method, path: pathFor(d.options.route), access: d.access })),
    );

  it('gives every route the access of the README table', () => {
    const actual = Object.fromEntries(
      app.definitions.map((d) => [
        d.name,
        d.access.authLevel === 'function' ? `function key or ${d.access.role}` : d.access.role,
      ]),
    );
    expect(actual).toEqual(EXPECTED_ACCESS);
  });

  it('refuses an anonymous caller on every non-public route with 401 and a readable error', async () => {
    for (const c of cases().filter((c) => c.access.role !== 'public')) {
      const res = await app.fetch(c.path, { method: c.method });
      const what = `${c.method} ${c.path}`;
      expect(res.status, what).toBe(401);
      // API routes answer JSON, browser routes an error page
      if (res.headers.get('content-type')?.startsWith('text/html')) {
        expect(await res.text(), what).toMatch(/authentication required|Functions key/);
      } else {
        expect(await res.json(), what).toEqual({ error: expect.any(String) });
      }
    }
  });

  it("tells a caller still sending the original ClouDO's shared x-cloudo-key what replaces it", async () => {
    const calls: [string, RequestInit][] = [
      ['/api/executions', { headers: { 'x-cloudo-key': 'old-shared-secret' } }],
      ['/api/executions?x-cloud-key=old-shared-secret', {}],
    ];
    for (const [path, init] of calls) {
      const res = await app.fetch(path, init);
      expect(res.status).toBe(401);
      const { error } = (await res.json()) as { error: string };
      expect(error).toMatch(/x-cloudo-key.*not accepted.*API token/);
    }
  });

  it('refuses a key-level route without a key even with a valid admin token, as the Functions host does', async () => {
    for (const c of cases().filter((c) => c.access.authLevel !== 'anonymous')) {
      const res = await app.fetch(c.path, { method: c.method, headers: { authorization: tokens.admin } });
      expect(res.status, `${c.method} ${c.path}`).toBe(401);
    }
  });

  it('refuses every role below the route’s with 403, and lets the route’s own role in', async () => {
    for (const c of cases().filter((c) => c.access.role !== 'public')) {
      const needed = ROLES.indexOf(c.access.role as Role);
      for (const [i, role] of ROLES.entries()) {
        const headers: Record<string, string> = { authorization: tokens[role] };
        if (c.access.authLevel !== 'anonymous') headers['x-functions-key'] = FUNCTION_KEY;
        const res = await app.fetch(c.path, { method: c.method, headers });
        const what = `${role} on ${c.method} ${c.path}`;
        if (i < needed) {
          expect(res.status, what).toBe(403);
          const html = res.headers.get('content-type')?.startsWith('text/html');
          const error = html ? await res.text() : ((await res.json()) as { error: string }).error;
          expect(error, what).toMatch(`needs the ${c.access.role} role`);
        } else {
          expect([401, 403], what).not.toContain(res.status);
          await res.body?.cancel();
        }
      }
    }
  });

  it('wrote no run and queued nothing for any refused call', async () => {
    const runs = await t.storage.executions.list({ limit: 50 });
    // only the allowed trigger calls above reached the registry, and they named no schema (400)
    expect(runs.executions).toEqual([]);
    expect(await t.storage.clients.listQueues(`${t.settings.namespace}-`)).toEqual([]);
  });
});
