import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliResult } from '../../support/cli.js';
import { cloudo } from '../../support/cli.js';
import { bearerFor } from '../../support/functions.js';
import { freePort } from '../../support/ports.js';
import { testSchema } from '../../support/schemas.js';
import type { SecuredApp } from '../../support/secured-app.js';
import { FUNCTION_KEY, startSecuredApp } from '../../support/secured-app.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

/** `cloudo approvals list`, `approve` and `reject` against the whole app over HTTP, keys and roles enforced. */
describe('cloudo approvals', () => {
  let t: TestStorage;
  let app: SecuredApp;
  /** Authorization headers by person; alice requests, bob and carol decide. */
  const as: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestStorage();
    await t.storage.schemas.importSchemas([
      testSchema({ id: 'gated', requireApproval: true }),
      testSchema({ id: 'two-keys', requireApproval: true, minApprovals: 2 }),
      testSchema({ id: 'lenient', requireApproval: true, rejectReasonRequired: false }),
    ]);
    app = await startSecuredApp(t);
    for (const name of ['alice', 'bob', 'carol']) as[name] = await bearerFor(t, 'operator', name);
    as.vera = await bearerFor(t, 'viewer', 'vera');
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  const tokenOf = (who: string) => (as[who] ?? '').replace(/^Bearer /, '');
  /** The CLI as `who` (or with no token), checking that no token it holds is ever printed. */
  const cli = async (who: string | null, args: string[], env: Record<string, string> = {}): Promise<CliResult> => {
    const res = await cloudo(args, {
      CLOUDO_URL: app.host.url,
      ...(who ? { CLOUDO_TOKEN: tokenOf(who) } : {}),
      ...env,
    });
    for (const token of Object.keys(as).map(tokenOf)) {
      expect(res.stdout).not.toContain(token);
      expect(res.stderr).not.toContain(token);
    }
    return res;
  };
  const trigger = async (schemaId: string, who = 'alice') => {
    const res = await app.fetch(`/api/Trigger?id=${schemaId}`, {
      headers: { authorization: as[who] ?? '', 'x-functions-key': FUNCTION_KEY },
    });
    expect(res.status).toBe(202);
    return ((await res.json()) as { exec_id: string }).exec_id;
  };
  const row = async (execId: string) => (await t.storage.executions.get(execId))?.execution;

  it('lists a waiting run for another operator, not for its requester, and --all says who may do what', async () => {
    const execId = await trigger('gated');
    const forBob = await cli('bob', ['approvals', 'list']);
    expect(forBob.code).toBe(0);
    expect(forBob.stdout).toMatch(
      new RegExp(`^${execId}\\s+gated\\s+requested by alice\\s+59 min left\\s+0/1 approvals$`, 'm'),
    );

    const forAlice = await cli('alice', ['approvals', 'list']);
    expect(forAlice.code).toBe(0);
    expect(forAlice.stdout).not.toContain(execId);

    const allForAlice = await cli('alice', ['approvals', 'list', '--all']);
    expect(allForAlice.stdout).toMatch(new RegExp(`^${execId}\\s.*0/1 approvals\\s+you may only reject$`, 'm'));
    const allForVera = await cli('vera', ['approvals', 'list', '--all']);
    expect(allForVera.stdout).toMatch(
      new RegExp(`^${execId}\\s.*you cannot decide: deciding on a run needs the operator role; vera`, 'm'),
    );
    const forVera = await cli('vera', ['approvals', 'list']);
    expect(forVera).toMatchObject({ code: 0, stdout: 'no runs are waiting for your approval\n' });
  });

  it('approves a run, which is queued; approving it again exits 1 with the server saying why', async () => {
    const execId = await trigger('gated');
    const approved = await cli('bob', ['approve', execId]);
    expect(approved).toMatchObject({ code: 0, stdout: `approved: run ${execId} is queued\n` });
    expect(await row(execId)).toMatchObject({ status: 'accepted', approvals: [{ principal: 'user:bob' }] });

    const again = await cli('carol', ['approve', execId]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`execution ${execId} is accepted; it is not waiting for approval (HTTP 409)\n`);
    expect((await row(execId))?.approvals).toHaveLength(1);
  });

  it('records one approval of two and says it waits for more', async () => {
    const execId = await trigger('two-keys');
    const first = await cli('bob', ['approve', execId, '--reason', 'looks right']);
    expect(first).toMatchObject({ code: 0, stdout: 'approval recorded: 1 of 2, waiting for more\n' });
    expect(await row(execId)).toMatchObject({ status: 'pending_approval', approvals: [{ reason: 'looks right' }] });
    expect(await cli('carol', ['approve', execId])).toMatchObject({ code: 0 });
    expect((await row(execId))?.status).toBe('accepted');
  });

  it('rejects with a reason; without one the schema decides, and the server names the rule', async () => {
    const execId = await trigger('gated');
    const bare = await cli('bob', ['reject', execId]);
    expect(bare).toMatchObject({
      code: 1,
      stderr: 'reason: a rejection needs a reason (the schema requires one) (HTTP 400)\n',
    });
    expect((await row(execId))?.status).toBe('pending_approval');

    const rejected = await cli('bob', ['reject', execId, '--reason', 'not during the freeze']);
    expect(rejected).toMatchObject({ code: 0, stdout: `rejected: run ${execId} will not run\n` });
    expect(await row(execId)).toMatchObject({
      status: 'rejected',
      approvals: [{ principal: 'user:bob', decision: 'reject', reason: 'not during the freeze' }],
    });

    const lenient = await trigger('lenient');
    expect(await cli('bob', ['reject', lenient])).toMatchObject({ code: 0 });
    expect((await row(lenient))?.status).toBe('rejected');
  });

  it("refuses the requester's own approval with the server's 403 and changes nothing", async () => {
    const execId = await trigger('gated');
    const own = await cli('alice', ['approve', execId]);
    expect(own).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'you requested this run: someone else must approve it (HTTP 403)\n',
    });
    expect(await row(execId)).toMatchObject({ status: 'pending_approval', approvals: [] });
  });

  it('tells a caller without a token, or with a refused one, to set CLOUDO_TOKEN', async () => {
    const execId = await trigger('gated');
    const anonymous = await cli(null, ['approve', execId]);
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain(`${app.host.url} needs an API token (authentication required`);
    expect(anonymous.stderr).toContain('set CLOUDO_TOKEN to an API token: cloudo tokens create');

    as.dave = await bearerFor(t, 'operator', 'dave');
    await t.storage.tokens.revoke(tokenOf('dave').slice(7, 19));
    const refused = await cli('dave', ['approvals', 'list']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${app.host.url} refused CLOUDO_TOKEN (API token refused: revoked)`);
    expect((await row(execId))?.status).toBe('pending_approval');
  });

  it('names the address it cannot reach; --url wins over CLOUDO_URL', async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const unreachable = await cli('bob', ['approvals', 'list'], { CLOUDO_URL: nowhere });
    expect(unreachable).toMatchObject({
      code: 1,
      stderr: `cannot reach ClouDO at ${nowhere}: connection refused\n`,
    });
    const flagged = await cli('bob', ['approvals', 'list', '--url', `${app.host.url}/api/`], { CLOUDO_URL: nowhere });
    expect(flagged.code).toBe(0);
  });

  it('exits 2 without sending anything on a usage mistake', async () => {
    const noId = await cli('bob', ['approve']);
    expect(noId.code).toBe(2);
    expect(noId.stderr).toContain('cloudo approve EXEC_ID');
    expect(await cli('bob', ['reject', 'not-an-id', '--reason', 'x'])).toMatchObject({
      code: 2,
      stderr: '"not-an-id" is not an execution id (cloudo approvals list shows them)\n',
    });
    // cloudo runs in the temp folder, where no local stack is running
    const nowhere = await cloudo(['approvals', 'list'], { CLOUDO_TOKEN: tokenOf('bob') });
    expect(nowhere).toMatchObject({
      code: 2,
      stderr: 'no ClouDO to talk to: pass --url, set CLOUDO_URL, or start the local stack with npm start\n',
    });
    const credentials = await cli('bob', ['approvals', 'list', '--url', 'http://me:secret@localhost']);
    expect(credentials.code).toBe(2);
    expect(credentials.stderr).not.toContain('secret');
  });
});
