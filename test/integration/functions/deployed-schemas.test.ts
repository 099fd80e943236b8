/**
 * A deployment ships its schemas as CLOUDO_SCHEMAS_JSON (the Terraform module's `schemas`): the app imports
 * them itself, at start and from Housekeeping until storage lets it, so a runbook can be triggered right
 * after `terraform apply` without anyone running `cloudo schemas import`.
 */
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { connect, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAppSettings } from '../../../src/core/settings.js';
import { InvocationContext } from '../../../src/functions/azure-runtime.js';
import { housekeepingFunction } from '../../../src/functions/housekeeping.js';
import type { AppServices } from '../../../src/functions/services.js';
import { createAppServices } from '../../../src/functions/services.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

const entry = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: id,
  description: `runs ${id}`,
  runbook: 'check_sys.sh',
  worker: 'Runbook',
  oncall: 'true',
  ...extra,
});
const schemasJson = (...ids: string[]) =>
  JSON.stringify([{ partition_key: 'deployed', entity: ids.map((id) => entry(id)) }]);

/** The app as it starts in Azure: settings read from its environment. */
function startApp(t: TestStorage, env: Record<string, string>): AppServices {
  return createAppServices(loadAppSettings({ ...t.env, CLOUDO_ENV: 'development', CLOUDO_LOCAL_AUTH: 'off', ...env }));
}

const noLog = () => {};

describe('schemas shipped with the deployment (CLOUDO_SCHEMAS_JSON)', () => {
  let t: TestStorage;
  beforeAll(async () => {
    t = await createTestStorage();
  });
  afterAll(() => t.cleanup());

  it('are in the registry after the app starts, with booleans and numbers as the app reads them', async () => {
    const json = JSON.stringify([
      { partition_key: 'deployed', entity: [entry('disk-full', { timeout_seconds: 90, alert_rules: ['DiskFull'] })] },
    ]);
    const app = startApp(t, { CLOUDO_SCHEMAS_JSON: json });
    const outcome = await app.deployedSchemas.sync(noLog);
    expect(outcome).toEqual({
      status: 'imported',
      changes: { created: 'disk-full', updated: '', deleted: '' },
      skipped: [],
    });
    const schema = await t.storage.schemas.get('disk-full');
    expect(schema).toMatchObject({ oncall: true, timeoutSeconds: 90, alertRules: ['DiskFull'], worker: 'Runbook' });
    const audit = await t.storage.audit.list({ limit: 10 });
    expect(audit.entries[0]).toMatchObject({
      action: 'schema.import',
      actorKind: 'deployment',
      target: 'CLOUDO_SCHEMAS_JSON',
      details: { created: 'disk-full' },
    });
  });

  it('bring their schedules, and leave one an admin disabled disabled when the next instance starts', async () => {
    const json = JSON.stringify([
      {
        partition_key: 'deployed',
        entity: [entry('nightly-backup', { schedules: [{ id: 'backup', cron: '@daily' }] })],
      },
    ]);
    const logs: string[] = [];
    const first = await startApp(t, { CLOUDO_SCHEMAS_JSON: json }).deployedSchemas.sync((_l, m) => logs.push(m));
    expect(first).toMatchObject({ status: 'imported', changes: { schedules_created: 'backup' } });
    expect(logs.join('\n')).toContain('CLOUDO_SCHEMAS_JSON schedules: 1 created (backup), 0 updated, 0 unchanged');
    await t.storage.schedules.setEnabled('backup', false, 'user:oncall@contoso.com');
    const restartLogs: string[] = [];
    const restart = await startApp(t, { CLOUDO_SCHEMAS_JSON: json }).deployedSchemas.sync((_l, m) =>
      restartLogs.push(m),
    );
    expect(restart).toMatchObject({ status: 'imported', changes: null });
    expect(restartLogs.join('\n')).toContain('schedule backup: kept disabled by user:oncall@contoso.com');
    expect((await t.storage.schedules.get('backup'))?.enabledOverride?.enabled).toBe(false);
  });

  it('change nothing and add no audit entry when the next instance starts with the same content', async () => {
    const json = schemasJson('same-a');
    await startApp(t, { CLOUDO_SCHEMAS_JSON: json }).deployedSchemas.sync(noLog);
    const before = (await t.storage.audit.list({ limit: 50 })).entries.length;
    const logs: string[] = [];
    const outcome = await startApp(t, { CLOUDO_SCHEMAS_JSON: json }).deployedSchemas.sync((_l, m) => logs.push(m));
    expect(outcome).toEqual({ status: 'imported', changes: null, skipped: [] });
    expect(logs.join('\n')).toMatch(/0 created, 0 updated, \d+ unchanged/);
    expect((await t.storage.audit.list({ limit: 50 })).entries.length).toBe(before);
  });

  it('import their valid entries and log each broken one, by JSON path, as an error that says it was not imported', async () => {
    await startApp(t, { CLOUDO_SCHEMAS_JSON: schemasJson('kept') }).deployedSchemas.sync(noLog);
    const broken = JSON.stringify([
      { partition_key: 'deployed', entity: [entry('kept', { description: 'changed' }), entry('bad', { worker: '' })] },
    ]);
    const errors: string[] = [];
    const outcome = await startApp(t, { CLOUDO_SCHEMAS_JSON: broken }).deployedSchemas.sync((level, m) => {
      if (level === 'error') errors.push(m);
    });
    expect(outcome).toMatchObject({ status: 'imported', skipped: ['[0].entity[1] (bad)'] });
    expect(errors.join('\n')).toMatch(/1 entry NOT imported[^\n]*\n {2}\[0\]\.entity\[1\]\.worker: /);
    expect((await t.storage.schemas.get('kept'))?.description).toBe('changed');
    expect(await t.storage.schemas.get('bad')).toBeNull();
    const audit = await t.storage.audit.list({ limit: 2 });
    const rejected = audit.entries.find((e) => e.action === 'schema.import.rejected');
    expect(rejected).toMatchObject({ actorKind: 'deployment', details: { skipped: '[0].entity[1] (bad)' } });
    expect(rejected?.details.problems).toMatch(/\[0\]\.entity\[1\]\.worker/);
  });

  it('prune nothing while an entry is skipped: its row in the registry would go with it', async () => {
    await startApp(t, { CLOUDO_SCHEMAS_JSON: schemasJson('sk-a', 'sk-b') }).deployedSchemas.sync(noLog);
    const broken = JSON.stringify([
      { partition_key: 'deployed', entity: [entry('sk-a'), entry('sk-b', { runbook: '/etc/passwd' })] },
    ]);
    const errors: string[] = [];
    await startApp(t, { CLOUDO_SCHEMAS_JSON: broken, CLOUDO_SCHEMAS_PRUNE: 'true' }).deployedSchemas.sync(
      (level, m) => level === 'error' && errors.push(m),
    );
    expect(await t.storage.schemas.get('sk-b')).not.toBeNull();
    expect(errors.join('\n')).toMatch(/CLOUDO_SCHEMAS_PRUNE ignored/);
  });

  it('are rejected when nothing in them can be read, and the app keeps serving the old registry', async () => {
    await startApp(t, { CLOUDO_SCHEMAS_JSON: schemasJson('still') }).deployedSchemas.sync(noLog);
    const errors: string[] = [];
    const outcome = await startApp(t, { CLOUDO_SCHEMAS_JSON: '{"partition_key":' }).deployedSchemas.sync((level, m) => {
      if (level === 'error') errors.push(m);
    });
    expect(outcome.status).toBe('rejected');
    expect(errors.join('\n')).toMatch(/not valid JSON/);
    expect(await t.storage.schemas.get('still')).not.toBeNull();
    const audit = await t.storage.audit.list({ limit: 1 });
    expect(audit.entries[0]).toMatchObject({ action: 'schema.import.rejected', actorKind: 'deployment' });
  });

  it('delete schemas they no longer hold only with CLOUDO_SCHEMAS_PRUNE=true', async () => {
    await startApp(t, { CLOUDO_SCHEMAS_JSON: schemasJson('p-old', 'p-stays') }).deployedSchemas.sync(noLog);
    await startApp(t, { CLOUDO_SCHEMAS_JSON: schemasJson('p-stays') }).deployedSchemas.sync(noLog);
    expect(await t.storage.schemas.get('p-old')).not.toBeNull();
    const outcome = await startApp(t, {
      CLOUDO_SCHEMAS_JSON: schemasJson('p-stays'),
      CLOUDO_SCHEMAS_PRUNE: 'true',
    }).deployedSchemas.sync(noLog);
    expect(outcome).toMatchObject({ status: 'imported', changes: { deleted: expect.stringContaining('p-old') } });
    expect(await t.storage.schemas.get('p-old')).toBeNull();
    expect(await t.storage.schemas.get('p-stays')).not.toBeNull();
  });

  it('refuse to start on a CLOUDO_SCHEMAS_PRUNE that is not true or false', () => {
    expect(() => startApp(t, { CLOUDO_SCHEMAS_PRUNE: 'yes' })).toThrow(/CLOUDO_SCHEMAS_PRUNE="yes" is invalid/);
  });

  it('do nothing when the deployment ships none', async () => {
    expect(await startApp(t, {}).deployedSchemas.sync(noLog)).toEqual({ status: 'none' });
  });
});

describe('a deployment whose storage roles have not propagated yet', () => {
  let t: TestStorage;
  let deny = true;
  let proxyUrl = '';
  const sockets = new Set<Socket>();
  const proxy = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    if (deny) {
      // what Azure answers an identity whose role assignment is not effective yet
      client.end('HTTP/1.1 403 AuthorizationPermissionMismatch\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    const upstream = connect(Number(new URL(tableEndpoint()).port), '127.0.0.1');
    client.pipe(upstream).pipe(client);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  const tableEndpoint = () => /TableEndpoint=([^;]+)/.exec(t.env.AzureWebJobsStorage ?? '')?.[1] ?? '';

  beforeAll(async () => {
    t = await createTestStorage();
    proxy.listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    const endpoint = new URL(tableEndpoint());
    endpoint.port = String((proxy.address() as AddressInfo).port);
    proxyUrl = endpoint.toString().replace(/\/$/, '');
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    proxy.close();
    await t.cleanup();
  });

  it('gets its schemas from Housekeeping once access is granted, without a restart', async () => {
    const app = startApp(t, {
      AzureWebJobsStorage: (t.env.AzureWebJobsStorage ?? '').replace(tableEndpoint(), proxyUrl),
      CLOUDO_SCHEMAS_JSON: schemasJson('late'),
    });
    await expect(app.deployedSchemas.sync(noLog)).rejects.toThrow();

    const housekeeping = housekeepingFunction(() => app);
    const logs: string[] = [];
    const context = new InvocationContext({
      invocationId: 'tick',
      functionName: 'Housekeeping',
      logHandler: (level, ...args) => logs.push(`${level}: ${args.map(String).join(' ')}`),
    });
    await housekeeping.handler(context).catch(() => {});
    expect(logs.join('\n')).toMatch(/warning: CLOUDO_SCHEMAS_JSON not imported yet, next tick retries/);
    expect(await t.storage.schemas.get('late')).toBeNull();

    deny = false;
    await housekeeping.handler(context);
    expect(await t.storage.schemas.get('late')).toMatchObject({ id: 'late', oncall: true });
    expect(logs.join('\n')).toMatch(/information: CLOUDO_SCHEMAS_JSON imported: 1 created/);
  });
});
