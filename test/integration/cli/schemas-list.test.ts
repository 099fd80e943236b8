import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudo } from '../../support/cli.js';
import { bearerFor } from '../../support/functions.js';
import { freePort } from '../../support/ports.js';
import { testSchema } from '../../support/schemas.js';
import type { SecuredApp } from '../../support/secured-app.js';
import { startSecuredApp } from '../../support/secured-app.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

/** `cloudo schemas list` against the whole app over HTTP, roles enforced. */
describe('cloudo schemas list', () => {
  let t: TestStorage;
  let app: SecuredApp;
  let token: string;

  beforeAll(async () => {
    t = await createTestStorage();
    const many = Array.from({ length: 205 }, (_, i) =>
      testSchema({ id: `bulk-${String(i).padStart(3, '0')}`, worker: 'bulk' }),
    );
    await t.storage.schemas.importSchemas([
      testSchema({ id: 'disk-clean', name: 'Clean disks', worker: 'Runbook', team: 'infra', oncall: true }),
      testSchema({ id: 'pod-restart', name: 'Restart\na pod', worker: 'aks', team: 'apps', requireApproval: true }),
      ...many,
    ]);
    app = await startSecuredApp(t);
    token = (await bearerFor(t, 'viewer', 'vera')).replace(/^Bearer /, '');
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  const cli = (args: string[], env: Record<string, string> = { CLOUDO_TOKEN: token }) =>
    cloudo(['schemas', 'list', ...args], { CLOUDO_URL: app.host.url, ...env });

  it('prints a table of the schemas a filter selects', async () => {
    const res = await cli(['--worker', 'Runbook']);
    expect(res).toMatchObject({ code: 0, stderr: '' });
    expect(res.stdout.split('\n')).toEqual([
      expect.stringMatching(/^ID\s+WORKER\s+TEAM\s+FLAGS\s+RUNBOOK\s+NAME$/),
      expect.stringMatching(/^disk-clean\s+Runbook\s+infra\s+oncall\s+disk-clean\.sh\s+Clean disks$/),
      '',
    ]);
    const byTeam = await cli(['--team', 'apps']);
    // a line break in a name cannot forge a row
    expect(byTeam.stdout).toMatch(/^pod-restart\s+aks\s+apps\s+approval\s+pod-restart\.sh\s+Restart\?a pod$/m);
    expect((await cli(['--text', 'CLEAN'])).stdout).toMatch(/^disk-clean\s/m);
  });

  it('follows every page', async () => {
    const res = await cli(['--worker', 'bulk']);
    expect(res.code).toBe(0);
    const rows = res.stdout.trim().split('\n').slice(1);
    expect(rows).toHaveLength(205);
    expect(rows.at(-1)).toMatch(/^bulk-204\s/);
  });

  it('says when nothing matches, and passes the server’s refusal of a bad filter', async () => {
    expect(await cli(['--team', 'nobody'])).toMatchObject({ code: 0, stdout: 'no schemas match\n' });
    const bad = await cli(['--worker', 'no spaces']);
    expect(bad).toMatchObject({ code: 1, stderr: expect.stringMatching(/^worker: must be 1-30 .* \(HTTP 400\)\n$/) });
  });

  it('explains a missing or refused token, and an app that is not there', async () => {
    const none = await cli([], {});
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('needs an API token');
    const wrong = await cli([], { CLOUDO_TOKEN: 'cloudo_not-a-real-token' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('refused CLOUDO_TOKEN');
    expect(wrong.stderr).not.toContain('cloudo_not-a-real-token');
    const gone = await cloudo(['schemas', 'list'], { CLOUDO_URL: `http://127.0.0.1:${await freePort()}` });
    expect(gone).toMatchObject({ code: 1, stderr: expect.stringContaining('connection refused') });
  });
});
