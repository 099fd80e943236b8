import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/core/audit.js';
import type { AuthSettings } from '../../src/core/auth-settings.js';
import type { RunTrigger } from '../../src/core/execution.js';
import { decodeMessage } from '../../src/storage/job-queue.js';
import { bearerFor } from '../support/functions.js';
import { testSchema } from '../support/schemas.js';
import type { SecuredApp } from '../support/secured-app.js';
import { FUNCTION_KEY, MASTER_KEY, OTHER_FUNCTION_KEY, startSecuredApp } from '../support/secured-app.js';
import type { TestStorage } from '../support/storage.js';
import { createTestStorage } from '../support/storage.js';

const KEYS = [FUNCTION_KEY, OTHER_FUNCTION_KEY, MASTER_KEY];

/** Worked out here as an admin would (`printf %s "$KEY" | sha256sum | cut -c1-12`), not with the app's code. */
const fingerprint = (key: string) => `sha256:${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;

/** As `CLOUDO_FUNCTION_KEY_NAMES=ci-pipeline=sha256:…,master=sha256:…` reads. */
const NAMES = new Map([
  [fingerprint(FUNCTION_KEY), 'ci-pipeline'],
  [fingerprint(MASTER_KEY), 'master'],
]);

/**
 * Issue 12.10: a caller with a Functions key was recorded as "functions key", whichever key it was. The
 * app never learns a key's name from the host, only the value the host checked, so it records the key's
 * fingerprint, or the name an admin gave that fingerprint; never the value.
 */
describe('which Functions key triggered a run', () => {
  let t: TestStorage;
  let app: SecuredApp;
  let admin: string;

  const start = async (auth: Partial<AuthSettings> = {}) => {
    app = await startSecuredApp(t, auth);
    admin = await bearerFor(t, 'admin', 'auditor');
  };
  beforeEach(async () => {
    t = await createTestStorage();
    await t.storage.schemas.importSchemas([testSchema({ id: 'hello' })]);
  });
  afterEach(async () => {
    await app.close();
    await t.cleanup();
  });

  /** Triggers `hello` with `headers` and `query`; the run's id. */
  const trigger = async (headers: Record<string, string>, query = '') => {
    const res = await app.fetch(`/api/Trigger?id=hello${query}`, { headers });
    expect(res.status).toBe(202);
    return ((await res.json()) as { exec_id: string }).exec_id;
  };
  const auditOf = async (execId: string, filter = '') => {
    const res = await app.fetch(`/api/audit?action=trigger${filter}`, { headers: { authorization: admin } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { entries: AuditEntry[] }).entries.filter((e) => e.target === execId);
  };
  const triggerOf = async (execId: string) => {
    const res = await app.fetch(`/api/executions/${execId}`, { headers: { authorization: admin } });
    return ((await res.json()) as { trigger: RunTrigger }).trigger;
  };

  /** The stored rows and queue messages, and what the functions logged, hold no key value. */
  const expectNoKeyValueKept = async () => {
    const rows = async (table: string) => {
      const out: unknown[] = [];
      for await (const row of t.storage.clients.table(table).listEntities()) out.push(row);
      return out;
    };
    const queue = t.storage.clients.queue(t.storage.names.jobQueue('Runbook'));
    const { peekedMessageItems } = await queue.peekMessages({ numberOfMessages: 32 });
    const kept = JSON.stringify({
      executions: await rows(t.storage.names.executionsTable),
      audit: await rows(t.storage.names.auditTable),
      jobs: peekedMessageItems.map((m) => decodeMessage(m.messageText)),
      logs: app.logs,
    });
    expect(kept).toContain('hello');
    for (const key of KEYS) {
      expect(kept).not.toContain(key);
      expect(kept).not.toContain(encodeURIComponent(key));
    }
  };

  it('tells two keys apart by their fingerprints, in the audit log and on the run', async () => {
    await start();
    const byHeader = await trigger({ 'x-functions-key': FUNCTION_KEY });
    const byQuery = await trigger({}, `&code=${encodeURIComponent(OTHER_FUNCTION_KEY)}`);

    const [first] = await auditOf(byHeader);
    const [second] = await auditOf(byQuery);
    expect(first).toMatchObject({ actorKind: 'function-key', actorId: `functions key ${fingerprint(FUNCTION_KEY)}` });
    expect(second).toMatchObject({
      actorKind: 'function-key',
      actorId: `functions key ${fingerprint(OTHER_FUNCTION_KEY)}`,
    });
    expect(first?.actorId).not.toBe(second?.actorId);
    expect(await triggerOf(byHeader)).toMatchObject({
      actor: `functions key ${fingerprint(FUNCTION_KEY)}`,
      principal: `key:${fingerprint(FUNCTION_KEY)}`,
    });
    expect(await triggerOf(byQuery)).toMatchObject({ principal: `key:${fingerprint(OTHER_FUNCTION_KEY)}` });
    await expectNoKeyValueKept();
  });

  it('records the names an admin gave fingerprints (CLOUDO_FUNCTION_KEY_NAMES), the master key as a key too', async () => {
    await start({ functionKeyNames: NAMES });
    const ci = await trigger({ 'x-functions-key': FUNCTION_KEY });
    const master = await trigger({ 'x-functions-key': MASTER_KEY });
    const unnamed = await trigger({ 'x-functions-key': OTHER_FUNCTION_KEY });

    expect((await auditOf(ci))[0]?.actorId).toBe('functions key ci-pipeline');
    expect((await auditOf(master))[0]?.actorId).toBe('functions key master');
    expect((await auditOf(unnamed))[0]?.actorId).toBe(`functions key ${fingerprint(OTHER_FUNCTION_KEY)}`);
    expect(await triggerOf(ci)).toEqual({
      source: 'http',
      actor: 'functions key ci-pipeline',
      team: null,
      principal: 'key:ci-pipeline',
    });
    expect((await triggerOf(master)).principal).toBe('key:master');
    // the name is what an admin filters the audit log by
    expect(await auditOf(ci, `&actor=${encodeURIComponent('functions key ci-pipeline')}`)).toHaveLength(1);
    expect(await auditOf(master, `&actor=${encodeURIComponent('functions key ci-pipeline')}`)).toHaveLength(0);
    await expectNoKeyValueKept();
  });

  it('records the key the host checked, not another one the caller adds', async () => {
    await start({ functionKeyNames: NAMES });
    // the host reads the header first: a `code` beside it is not the key that let the caller in
    const run = await trigger(
      { 'x-functions-key': FUNCTION_KEY, 'x-functions-key-name': 'master' },
      `&code=${encodeURIComponent(MASTER_KEY)}`,
    );
    expect((await auditOf(run))[0]?.actorId).toBe('functions key ci-pipeline');
    expect((await triggerOf(run)).principal).toBe('key:ci-pipeline');
  });
});
