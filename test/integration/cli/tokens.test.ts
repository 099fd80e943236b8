import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiToken } from '../../../src/core/api-token.js';
import { cloudo } from '../../support/cli.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

describe('cloudo tokens', () => {
  let t: TestStorage;
  beforeAll(async () => {
    t = await createTestStorage();
  });
  afterAll(() => t.cleanup());

  it('creates a token shown once, stored only as a hash, listed without its secret, and revokes it', async () => {
    const created = await cloudo(
      ['tokens', 'create', '--role', 'operator', '--owner', 'ci-pipeline', '--expires-days', '30'],
      t.env,
    );
    expect(created.code).toBe(0);
    const token = /cloudo_[0-9a-f]{12}_[A-Za-z0-9_-]{43}/.exec(created.stdout)?.[0] ?? '';
    expect(token).not.toBe('');
    const id = token.slice(7, 19);
    expect(created.stdout).toContain(`token ${id} for ci-pipeline, role operator, expires`);

    const [record] = await t.storage.tokens.list();
    expect(record).toMatchObject({ id, role: 'operator', owner: 'ci-pipeline', revokedAt: null });
    expect(JSON.stringify(record)).not.toContain(token.slice(20));

    const listed = await cloudo(['tokens', 'list'], t.env);
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+operator\\s+ci-pipeline .* active`));
    expect(listed.stdout).not.toContain(token.slice(20));

    const revoked = await cloudo(['tokens', 'revoke', id], t.env);
    expect(revoked.stdout).toContain(`token ${id} (ci-pipeline) revoked at`);
    expect((await t.storage.tokens.get(id))?.revokedAt).not.toBeNull();
    expect((await cloudo(['tokens', 'list'], t.env)).stdout).toMatch(/revoked 20/);

    const audit = await t.storage.audit.list({ limit: 10 });
    expect(audit.entries.map((e) => [e.action, e.target, e.actorKind])).toEqual([
      ['token.revoke', id, 'cli'],
      ['token.issue', id, 'cli'],
    ]);
  });

  it.each([
    [['tokens', 'create', '--role', 'root', '--owner', 'x'], /--role must be viewer, operator or admin/],
    [['tokens', 'create', '--role', 'admin'], /--owner is required/],
    [
      ['tokens', 'create', '--role', 'admin', '--owner', 'x', '--expires-days', '0'],
      /--expires-days must be a whole number/,
    ],
    [['tokens', 'revoke', "' or 1 eq 1"], /is not a token id/],
  ])('refuses %j with exit 2 and writes nothing', async (args, message) => {
    const before = (await t.storage.tokens.list()).length;
    const res = await cloudo(args, t.env);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
    expect((await t.storage.tokens.list()).length).toBe(before);
  });

  it('says so when revoking a token that does not exist', async () => {
    const res = await cloudo(
      ['tokens', 'revoke', issueApiToken({ role: 'viewer', owner: 'x', expiresAt: null }).record.id],
      t.env,
    );
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/no token/);
  });
});
