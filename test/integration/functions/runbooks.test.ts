import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formToken } from '../../../src/core/form-token.js';
import { decodeMessage } from '../../../src/storage/job-queue.js';
import { bearerFor, SECURED } from '../../support/functions.js';
import { publishGitSources, SOURCE_SHA } from '../../support/runbook-sources.js';
import { testSchema } from '../../support/schemas.js';
import type { SecuredApp } from '../../support/secured-app.js';
import { startSecuredApp } from '../../support/secured-app.js';
import { seededRun } from '../../support/seeded-runs.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

const SHA = SOURCE_SHA;
const HOUR_MS = 3_600_000;

/** The console's runbook pages and Run form over HTTP, as production serves them. */
describe('runbook console pages', () => {
  let t: TestStorage;
  let app: SecuredApp;
  const as: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestStorage();
    await t.storage.schemas.importSchemas([
      testSchema({
        id: 'deploy',
        name: 'Deploy a service',
        description: 'rolls out a build',
        team: 'payments',
        alertRules: ['HighLatency'],
        runbook: 'ops/deploy.sh',
        worker: 'git',
        parameters: [
          { name: 'target', type: 'string', required: true, pattern: '[a-z]+', description: 'service' },
          { name: 'count', type: 'number', required: false, default: 2, description: '' },
          { name: 'dry', type: 'boolean', required: false, default: true, description: '' },
          { name: 'mode', type: 'enum', required: false, values: ['fast', 'safe'], description: '' },
        ],
      }),
      testSchema({ id: 'idle', name: 'Never runs', worker: 'Aks' }),
    ]);
    const now = Date.now();
    await t.storage.executions.create(seededRun(now - 2 * HOUR_MS, 'failed', { schemaId: 'deploy' }));
    await t.storage.executions.create(seededRun(now - HOUR_MS, 'succeeded', { schemaId: 'deploy', durationMs: 1200 }));
    await publishGitSources(t, { 'ops/deploy.sh': '# roll out\necho "$CLOUDO_PARAM_TARGET"\n' });
    app = await startSecuredApp(t);
    as.alice = await bearerFor(t, 'operator', 'alice');
    as.bob = await bearerFor(t, 'operator', 'bob');
    as.vera = await bearerFor(t, 'viewer', 'vera');
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  const get = (path: string, who: string) => app.fetch(path, { headers: { authorization: as[who] ?? '' } });
  /** The token the runbook page issued to `who`. */
  const tokenOf = async (who: string, schemaId = 'deploy') => {
    const page = await (await get(`/api/console/runbooks/${schemaId}`, who)).text();
    return /name="token" value="([^"]+)"/.exec(page)?.[1] ?? '';
  };
  const post = (who: string, fields: Record<string, string>, headers: Record<string, string> = {}, id = 'deploy') =>
    app.fetch(`/api/console/runbooks/${id}/run`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        authorization: as[who] ?? '',
        'content-type': 'application/x-www-form-urlencoded',
        ...headers,
      },
      body: new URLSearchParams(fields).toString(),
    });
  const runsOf = async (schemaId: string) =>
    (await t.storage.executions.list({ schemaId, limit: 200 })).executions.map((e) => e.execId);
  const queued = async () => {
    const queue = t.storage.clients.queue(t.storage.names.jobQueue('git'));
    if (!(await queue.exists())) return [];
    const { peekedMessageItems } = await queue.peekMessages({ numberOfMessages: 32 });
    return peekedMessageItems.map((m) => (decodeMessage(m.messageText) as { execId: string }).execId);
  };

  it('lists the runbooks with their last run, filtered by text, worker and team', async () => {
    const res = await get('/api/console/runbooks', 'vera');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await res.text();
    expect(page).toContain('2 runbooks');
    const deployRow = page.slice(page.indexOf('Deploy a service'), page.indexOf('Never runs'));
    expect(deployRow).toContain('badge-succeeded');
    expect(deployRow).not.toContain('badge-failed');
    expect(page).toMatch(/Never runs[\s\S]*none since/);

    for (const query of ['q=ROLLS', 'worker=git', 'team=payments', 'q=deploy&worker=git&team=']) {
      const filtered = await (await get(`/api/console/runbooks?${query}`, 'vera')).text();
      expect(filtered, query).toContain('1 of 2 runbooks match');
      expect(filtered, query).toContain('Deploy a service');
    }
    const bad = await get('/api/console/runbooks?worker=no%20such', 'vera');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('class="error-message"');
  });

  it('shows a viewer the schema, source at its commit and recent runs, and no Run form', async () => {
    const page = await (await get('/api/console/runbooks/deploy', 'vera')).text();
    expect(page).toContain('<span class="tok-comment"># roll out</span>');
    expect(page).toContain(`href="https://github.com/acme/runbooks/blob/${SHA}/runbooks/ops/deploy.sh"`);
    expect(page.match(/<a href="\/api\/logs\/[0-9a-f-]{36}"><span class="badge/g)).toHaveLength(2);
    expect(page).not.toContain('<form class="run-form"');
    const idle = await (await get('/api/console/runbooks/idle', 'vera')).text();
    expect(idle).toContain('The source cannot be shown: no worker serving &quot;Aks&quot; has published');
    expect((await get('/api/console/runbooks/nope', 'vera')).status).toBe(404);
  });

  it('starts a run from an operator’s form: 303 to its page, typed params, trigger console', async () => {
    const token = await tokenOf('alice');
    const res = await post(
      'alice',
      { token, 'param.target': 'web', 'param.count': '5', 'param.mode': 'safe' },
      { 'sec-fetch-site': 'same-origin' },
    );
    expect(res.status).toBe(303);
    const execId = /^\/api\/logs\/([0-9a-f-]{36})$/.exec(res.headers.get('location') ?? '')?.[1] ?? '';
    const run = (await t.storage.executions.get(execId))?.execution;
    expect(run).toMatchObject({ schemaId: 'deploy', params: { target: 'web', count: 5, dry: false, mode: 'safe' } });
    expect(run?.trigger).toMatchObject({ source: 'console', actor: expect.stringContaining('alice') });
    expect(await queued()).toContain(execId);
  });

  it('brings the page back with 400, each problem beside its field and the values kept, starting nothing', async () => {
    const before = await runsOf('deploy');
    const token = await tokenOf('alice');
    const res = await post('alice', { token, 'param.target': 'Web<1>', 'param.count': 'many', 'param.dry': 'true' });
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toContain('The run was not started: 2 problems to fix.');
    expect(page).toContain('<p class="field-error" id="param-target-error">must match [a-z]+</p>');
    expect(page).toContain('<p class="field-error" id="param-count-error">must be a number</p>');
    expect(page).toContain('value="Web&lt;1&gt;"');
    expect(page).toContain('name="param.dry" value="true" checked');
    expect(await runsOf('deploy')).toEqual(before);
  });

  it('refuses a token not issued to this person, for this runbook and for running', async () => {
    const before = await runsOf('deploy');
    const mine = await tokenOf('alice');
    // the id a caller with alice's API token has: the page's token is bound to it
    const aliceId = `alice (token ${/^Bearer cloudo_([0-9a-f]{12})_/.exec(as.alice ?? '')?.[1]})`;
    const key = SECURED.signingKey ?? '';
    expect(mine).toBe(formToken(key, aliceId, 'deploy', 'run-form'));
    for (const [who, token, id] of [
      ['bob', mine, 'deploy'],
      ['alice', '', 'deploy'],
      ['alice', await tokenOf('alice', 'idle'), 'deploy'],
      ['alice', formToken(key, aliceId, 'deploy', 'approval-form'), 'deploy'],
      ['alice', mine, 'idle'],
    ] as const) {
      const res = await post(who, { token, 'param.target': 'web' }, {}, id);
      expect(res.status, `${who} ${id}`).toBe(403);
      expect(await res.text()).toContain('this form was not issued to you for this runbook');
    }
    expect(await runsOf('deploy')).toEqual(before);
    expect(await runsOf('idle')).toEqual([]);
  });

  it('refuses a viewer and a cross-site post, starting nothing', async () => {
    const before = await runsOf('deploy');
    const token = await tokenOf('alice');
    const viewer = await post('vera', { token: await tokenOf('vera'), 'param.target': 'web' });
    expect(viewer.status).toBe(403);
    const crossSite: Record<string, string>[] = [
      { 'sec-fetch-site': 'cross-site' },
      { origin: 'https://evil.example' },
    ];
    for (const headers of crossSite) {
      const refused = await post('alice', { token, 'param.target': 'web' }, headers);
      expect(refused.status).toBe(403);
      expect(await refused.text()).toContain('refused a POST from');
    }
    expect(await runsOf('deploy')).toEqual(before);
  });
});
