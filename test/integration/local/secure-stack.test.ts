import { mkdtemp, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../src/local/stack.js';
import { startStackIn } from '../../support/local-stack.js';

/** `npm start -- --secure`: keys, roles and tokens enforced as in production, with printed credentials. */
describe('the secured local stack', () => {
  let stateDir: string;
  let stack: LocalStack;

  const entity = { id: 'test', name: 't', runbook: 'check_sys.sh', worker: 'Runbook', oncall: false };
  const start = () => startStackIn(stateDir, [entity], { secure: true, env: { PATH: process.env.PATH } });

  beforeAll(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-secure-'));
    stack = await start();
  }, 60_000);
  afterAll(() => stack?.stop());

  it('keeps its keys in a file only its owner can read, and prints them', async () => {
    expect(stack.keys?.functionKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(stack.keys?.adminToken).toMatch(/^cloudo_[0-9a-f]{12}_/);
    expect((await stat(path.join(stateDir, 'keys.json'))).mode & 0o777).toBe(0o600);
  });

  it('enforces the Functions key on Trigger and roles everywhere else', async () => {
    const keys = stack.keys;
    if (!keys) throw new Error('no keys');
    expect((await fetch(`${stack.url}/api/Trigger?id=test`)).status).toBe(401);
    const wrong = await fetch(`${stack.url}/api/Trigger?id=test&code=nope`);
    expect(wrong.status).toBe(401);
    const ok = await fetch(`${stack.url}/api/Trigger?id=test`, { headers: { 'x-functions-key': keys.functionKey } });
    expect(ok.status).toBe(202);
    const byCode = await fetch(`${stack.url}/api/Trigger?id=test&code=${keys.functionKey}`);
    expect(byCode.status).toBe(202);
    expect((await fetch(`${stack.url}/api/executions`)).status).toBe(401);
    const admin = await fetch(`${stack.url}/api/settings`, { headers: { authorization: `Bearer ${keys.adminToken}` } });
    expect(admin.status).toBe(200);
  });

  it('names its keys in the audit log, default and master, and keeps their values out of it', async () => {
    const keys = stack.keys;
    if (!keys) throw new Error('no keys');
    const trigger = async (key: string) => {
      const res = await fetch(`${stack.url}/api/Trigger?id=test`, { headers: { 'x-functions-key': key } });
      return ((await res.json()) as { exec_id: string }).exec_id;
    };
    const byFunctionKey = await trigger(keys.functionKey);
    const byMasterKey = await trigger(keys.masterKey);
    const res = await fetch(`${stack.url}/api/audit?action=trigger`, {
      headers: { authorization: `Bearer ${keys.adminToken}` },
    });
    const { entries } = (await res.json()) as { entries: { actorId: string; target: string }[] };
    const actorOf = (execId: string) => entries.find((e) => e.target === execId)?.actorId;
    expect(actorOf(byFunctionKey)).toBe('functions key default');
    expect(actorOf(byMasterKey)).toBe('functions key master');
    expect(JSON.stringify(entries)).not.toContain(keys.functionKey);
    expect(JSON.stringify(entries)).not.toContain(keys.masterKey);
  });

  it('reuses the same keys after a restart', async () => {
    const before = stack.keys;
    await stack.stop();
    stack = await start();
    expect(stack.keys).toEqual(before);
    const res = await fetch(`${stack.url}/api/executions`, {
      headers: { authorization: `Bearer ${before?.adminToken}` },
    });
    expect(res.status).toBe(200);
  }, 60_000);
});
