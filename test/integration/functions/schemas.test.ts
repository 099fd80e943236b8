import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RUNBOOK_SOURCE_BYTES } from '../../../src/core/runbook-catalogue.js';
import { toTableEntity as schemaRow } from '../../../src/storage/schema-repository.js';
import { RunbookPublisher, servedFolderOf } from '../../../workers/source/index.js';
import { bearerFor } from '../../support/functions.js';
import { publishGitSources, SOURCE_SHA } from '../../support/runbook-sources.js';
import { testSchema } from '../../support/schemas.js';
import type { SecuredApp } from '../../support/secured-app.js';
import { startSecuredApp } from '../../support/secured-app.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';

const SHA = SOURCE_SHA;

interface ListBody {
  schemas: { id: string; partition_key: string; links: Record<string, string> }[];
  continuation: string | null;
}

/** `GET /api/schemas`, `/api/schemas/{id}` and `/api/schemas/{id}/runbook` over HTTP, roles enforced. */
describe('Schemas API', () => {
  let t: TestStorage;
  let app: SecuredApp;
  let viewer: string;
  let dir: string;

  beforeAll(async () => {
    t = await createTestStorage();
    await t.storage.schemas.importSchemas([
      testSchema({ id: 'disk-clean', name: 'Clean disks', worker: 'Runbook', team: 'infra', runbook: 'disk/clean.sh' }),
      testSchema({ id: 'pod-restart', description: 'Restarts a POD', worker: 'aks', team: 'apps', runbook: 'pod.sh' }),
      testSchema({ id: 'hello', partitionKey: 'demo', worker: 'Runbook', runbook: 'hello.sh' }),
      testSchema({ id: 'big', worker: 'Runbook', runbook: 'big.sh' }),
      testSchema({ id: 'missing', worker: 'Runbook', runbook: 'gone.sh' }),
      testSchema({ id: 'unpublished', worker: 'nobody', runbook: 'x.sh' }),
      testSchema({ id: 'git-one', worker: 'git', runbook: 'ops/disk.sh' }),
    ]);
    dir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-schemas-api-'));
    await mkdir(path.join(dir, 'disk'));
    await writeFile(path.join(dir, 'disk', 'clean.sh'), '#!/bin/sh\necho "<b>clean</b>"\n');
    await writeFile(path.join(dir, 'hello.sh'), 'echo hello\n');
    await writeFile(path.join(dir, 'big.sh'), '#'.repeat(MAX_RUNBOOK_SOURCE_BYTES + 10));
    // what a worker serving `Runbook` publishes when it starts, as workers/main.ts does
    const publisher = new RunbookPublisher({
      worker: 'Runbook',
      store: t.storage.runbookSources,
      servedFolder: servedFolderOf({ github: null, runbooksDir: dir }, null),
      intervalMs: 60_000,
      log: () => undefined,
    });
    await publisher.start();
    await publisher.close();
    // and a worker taking its runbooks from a GitHub commit
    await publishGitSources(t, { 'ops/disk.sh': 'df -h' });
    app = await startSecuredApp(t);
    viewer = await bearerFor(t, 'viewer');
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  const get = (url: string, authorization: string | null = viewer) =>
    app.fetch(url, { headers: authorization ? { authorization } : {} });
  const list = async (query = '') => {
    const res = await get(`/api/schemas${query}`);
    expect(res.status).toBe(200);
    return (await res.json()) as ListBody;
  };
  const ids = (body: ListBody) => body.schemas.map((s) => s.id);

  it('lists schemas in id order with the contract in snake_case and links', async () => {
    const body = await list();
    expect(ids(body)).toEqual(['big', 'disk-clean', 'git-one', 'hello', 'missing', 'pod-restart', 'unpublished']);
    expect(body.continuation).toBeNull();
    expect(body.schemas.find((s) => s.id === 'disk-clean')).toMatchObject({
      partition_key: 'generic',
      name: 'Clean disks',
      runbook: 'disk/clean.sh',
      run_args: '',
      require_approval: false,
      timeout_seconds: 60,
      team: 'infra',
      links: { schema: '/api/schemas/disk-clean', runbook: '/api/schemas/disk-clean/runbook' },
    });
  });

  it('filters by partition, worker, team and case-insensitive text of id, name, description or runbook', async () => {
    expect(ids(await list('?partition=demo'))).toEqual(['hello']);
    expect(ids(await list('?worker=aks'))).toEqual(['pod-restart']);
    expect(ids(await list('?team=infra'))).toEqual(['disk-clean']);
    expect(ids(await list('?text=CLEAN'))).toEqual(['disk-clean']);
    expect(ids(await list('?text=a%20pod'))).toEqual(['pod-restart']);
    expect(ids(await list('?text=ops%2Fdisk'))).toEqual(['git-one']);
    expect(ids(await list('?worker=Runbook&text=hello'))).toEqual(['hello']);
    expect(ids(await list('?worker=aks&team=infra'))).toEqual([]);
  });

  it('pages with limit and continuation, each schema once', async () => {
    const seen: string[] = [];
    let query = '?limit=3';
    for (let page = 0; page < 5; page++) {
      const body = await list(query);
      expect(body.schemas.length).toBeLessThanOrEqual(3);
      seen.push(...ids(body));
      if (!body.continuation) break;
      query = `?limit=3&continuation=${encodeURIComponent(body.continuation)}`;
    }
    expect(seen).toEqual(['big', 'disk-clean', 'git-one', 'hello', 'missing', 'pod-restart', 'unpublished']);
  });

  it('answers 400 naming the field for bad query values', async () => {
    for (const [query, error] of [
      ['?limit=0', /^limit: /],
      ['?limit=201', /^limit: /],
      ['?limit=abc', /^limit: /],
      ['?worker=no%20spaces', /^worker: must be 1-30/],
      ['?team=%2F', /^team: /],
      ['?partition=a%2Fb', /^partition: /],
      ['?continuation=not-ours', /^continuation: not a token from a previous page$/],
      ['?continuation=Li4vZXRj', /^continuation: /],
    ] as const) {
      const res = await get(`/api/schemas${query}`);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { error: string }).error, query).toMatch(error);
    }
  });

  it('shows one schema with its runbook path and where it comes from', async () => {
    const res = await get('/api/schemas/disk-clean');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { runbook_source: Record<string, unknown> };
    expect(body).toMatchObject({
      id: 'disk-clean',
      worker: 'Runbook',
      links: { executions: '/api/executions?schema=disk-clean' },
    });
    expect(body.runbook_source).toMatchObject({
      path: 'disk/clean.sh',
      kind: 'folder',
      commit: null,
      url: null,
      size: Buffer.byteLength('#!/bin/sh\necho "<b>clean</b>"\n'),
      available: true,
      problem: null,
    });
  });

  it('links a runbook from Git to the file at its commit', async () => {
    const body = (await (await get('/api/schemas/git-one')).json()) as { runbook_source: Record<string, unknown> };
    expect(body.runbook_source).toMatchObject({
      path: 'ops/disk.sh',
      kind: 'github',
      repository_path: 'runbooks/ops/disk.sh',
      repo: 'acme/runbooks',
      branch: 'main',
      commit: SHA,
      url: `https://github.com/acme/runbooks/blob/${SHA}/runbooks/ops/disk.sh`,
      available: true,
    });
    const source = await get('/api/schemas/git-one/runbook');
    expect(source.status).toBe(200);
    expect(source.headers.get('x-cloudo-version')).toBe(SHA);
    expect(await source.text()).toBe('df -h');
  });

  it('says why a source cannot be shown: no worker published, not in the folder', async () => {
    const unpublished = (await (await get('/api/schemas/unpublished')).json()) as { runbook_source: object };
    expect(unpublished.runbook_source).toMatchObject({
      kind: null,
      available: false,
      problem: 'no worker serving "nobody" has published its runbooks yet',
    });
    const missing = (await (await get('/api/schemas/missing')).json()) as { runbook_source: object };
    expect(missing.runbook_source).toMatchObject({
      available: false,
      problem: expect.stringContaining('no runbook "gone.sh"'),
    });
  });

  it('serves the source a worker published, as plain text that browsers may not sniff', async () => {
    const res = await get('/api/schemas/disk-clean/runbook');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe('#!/bin/sh\necho "<b>clean</b>"\n');
  });

  it('refuses a runbook above the cap with 413 and 404 for what is unknown or unpublished', async () => {
    const big = await get('/api/schemas/big/runbook');
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({
      error: `the runbook is ${MAX_RUNBOOK_SOURCE_BYTES + 10} bytes, more than the ${MAX_RUNBOOK_SOURCE_BYTES} the API serves`,
    });
    for (const [url, error] of [
      ['/api/schemas/nope', 'no schema with id "nope"'],
      ['/api/schemas/nope/runbook', 'no schema with id "nope"'],
      ['/api/schemas/unpublished/runbook', 'no worker serving "nobody" has published its runbooks yet'],
      ['/api/schemas/missing/runbook', `worker "Runbook" has no runbook "gone.sh" in its runbook folder`],
    ] as const) {
      const res = await get(url);
      expect(res.status, url).toBe(404);
      expect(await res.json(), url).toEqual({ error });
    }
  });

  it('never reads outside the catalogue, whatever a schema row names', async () => {
    // a row written around the import's checks (the table is writable by whoever holds the storage key)
    const table = t.storage.clients.table(t.storage.names.schemasTable);
    for (const [id, runbook] of [
      ['up', '../Runbook/catalogue.json'],
      ['abs', '/etc/passwd'],
      ['dotdot', 'disk/../hello.sh'],
    ] as const) {
      await table.upsertEntity({ ...schemaRow(testSchema({ id, worker: 'Runbook' })), runbook });
      const res = await get(`/api/schemas/${id}/runbook`);
      expect(res.status, runbook).toBe(404);
      expect(await res.text()).not.toContain('echo hello');
    }
    const encoded = await get('/api/schemas/..%2F..%2Fhello/runbook');
    expect(encoded.status).toBeGreaterThanOrEqual(400);
    expect(encoded.status).toBeLessThan(500);
  });

  it('lets a viewer in and refuses an anonymous caller under enforced auth', async () => {
    for (const url of ['/api/schemas', '/api/schemas/hello', '/api/schemas/hello/runbook']) {
      expect((await get(url)).status, url).toBe(200);
      const anonymous = await get(url, null);
      expect(anonymous.status, url).toBe(401);
      expect(((await anonymous.json()) as { error: string }).error).toBeTruthy();
    }
  });
});
