import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunbookCatalogue } from '../../../../src/core/runbook-catalogue.js';
import { MAX_RUNBOOK_SOURCE_BYTES } from '../../../../src/core/runbook-catalogue.js';
import { GitHubRunbookSource } from '../../../../workers/source/github-source.js';
import { RunbookPublisher, servedFolderOf } from '../../../../workers/source/index.js';
import type { FakeGitHub } from '../../../support/fake-github.js';
import { startFakeGitHub } from '../../../support/fake-github.js';
import type { TestStorage } from '../../../support/storage.js';
import { createTestStorage } from '../../../support/storage.js';
import { waitFor } from '../../../support/wait.js';

const ROOT = path.resolve(import.meta.dirname, '../../../..');

/** Workers publish what they serve to blob storage, for the app, which holds no runbooks. */
describe('RunbookPublisher on Azurite', () => {
  let t: TestStorage;
  let tmp: string;
  let publishers: RunbookPublisher[] = [];
  const logs: string[] = [];

  beforeAll(async () => {
    t = await createTestStorage();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'cloudo-publish-'));
  });
  afterEach(async () => {
    await Promise.all(publishers.map((p) => p.close()));
    publishers = [];
  });
  afterAll(async () => {
    await t.cleanup();
    await rm(tmp, { recursive: true, force: true });
  });

  const localPublisher = (worker: string, dir: string) => {
    const publisher = new RunbookPublisher({
      worker,
      store: t.storage.runbookSources,
      servedFolder: servedFolderOf({ github: null, runbooksDir: dir }, null),
      intervalMs: 60_000,
      log: (level, message, err) => logs.push(`${level} ${message} ${err ?? ''}`),
    });
    publishers.push(publisher);
    return publisher;
  };
  const blobNames = async () => {
    const names: string[] = [];
    const container = t.storage.clients.container(t.storage.names.runbookSourcesContainer);
    for await (const b of container.listBlobsFlat()) names.push(b.name);
    return names.sort();
  };
  const sourceOf = async (catalogue: RunbookCatalogue, runbook: string) => {
    const read = await t.storage.runbookSources.readSource(catalogue, runbook, MAX_RUNBOOK_SOURCE_BYTES);
    return read.ok ? read.content.toString() : read.reason;
  };

  it('publishes a folder: its runbooks, not what leaves it, not .git, and big files only listed', async () => {
    const dir = path.join(tmp, 'local');
    await mkdir(path.join(dir, 'disk', '.git'), { recursive: true });
    await mkdir(path.join(dir, '.git'), { recursive: true });
    await writeFile(path.join(dir, 'hello.sh'), 'echo hello\n');
    await writeFile(path.join(dir, 'disk', 'clean.py'), 'print("clean")\n');
    await writeFile(path.join(dir, '.git', 'config'), '[core]\n');
    await writeFile(path.join(dir, 'big.sh'), 'x'.repeat(MAX_RUNBOOK_SOURCE_BYTES + 1));
    await writeFile(path.join(tmp, 'secret.txt'), 'not a runbook');
    await symlink(path.join(tmp, 'secret.txt'), path.join(dir, 'escape.sh'));
    await symlink('hello.sh', path.join(dir, 'alias.sh'));

    await localPublisher('Local', dir).start();
    const catalogue = await t.storage.runbookSources.readCatalogue('Local');
    expect(catalogue).toMatchObject({ worker: 'Local', kind: 'folder', commit: null, repo: null, truncated: false });
    expect(catalogue?.version).toMatch(/^local-[0-9a-f]{16}$/);
    expect(catalogue?.files.map((f) => [f.path, f.stored])).toEqual([
      ['alias.sh', true],
      ['big.sh', false],
      ['disk/clean.py', true],
      ['hello.sh', true],
    ]);
    if (!catalogue) throw new Error('no catalogue');
    expect(await sourceOf(catalogue, 'disk/clean.py')).toBe('print("clean")\n');
    expect(await sourceOf(catalogue, 'alias.sh')).toBe('echo hello\n');
    expect(await sourceOf(catalogue, 'big.sh')).toBe('too-large');
    for (const hostile of ['escape.sh', '../secret.txt', 'disk/../hello.sh', '/etc/passwd', '.git/config']) {
      expect(await sourceOf(catalogue, hostile)).toBe('not-listed');
    }
    expect((await blobNames()).filter((n) => n.includes('secret') || n.includes('.git'))).toEqual([]);
  });

  it('writes nothing when nothing changed, a new version when a file did, and keeps two versions', async () => {
    const dir = path.join(tmp, 'versions');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'a.sh'), 'v1\n');
    const publisher = localPublisher('Versions', dir);
    await publisher.start();
    const first = await t.storage.runbookSources.readCatalogue('Versions');
    await publisher.publish();
    expect(await t.storage.runbookSources.readCatalogue('Versions')).toEqual(first);

    await writeFile(path.join(dir, 'a.sh'), 'v2\n');
    await publisher.publish();
    const second = await t.storage.runbookSources.readCatalogue('Versions');
    expect(second?.version).not.toBe(first?.version);
    if (!second) throw new Error('no catalogue');
    expect(await sourceOf(second, 'a.sh')).toBe('v2\n');

    await writeFile(path.join(dir, 'a.sh'), 'v3\n');
    await publisher.publish();
    const versions = new Set(
      (await blobNames())
        .filter((n) => n.startsWith('Versions/') && !n.endsWith('catalogue.json'))
        .map((n) => n.split('/')[1]),
    );
    const third = await t.storage.runbookSources.readCatalogue('Versions');
    expect(versions).toEqual(new Set([second.version, third?.version]));
  });

  it('publishes a GitHub snapshot at its commit, and the next commit once the source moved to it', async () => {
    const gh: FakeGitHub = await startFakeGitHub();
    const repo = 'acme/runbooks';
    const sha = gh.createRepo(repo, { 'runbooks/disk.sh': 'echo disk\n', 'README.md': '# not a runbook\n' });
    const source = new GitHubRunbookSource({
      repo,
      branch: 'main',
      token: null,
      runbookPath: 'runbooks',
      cacheDir: path.join(tmp, 'gh-cache'),
      apiBaseUrl: gh.apiBaseUrl,
      refreshIntervalMs: 1,
      log: () => undefined,
    });
    try {
      const github = {
        repo,
        branch: 'main',
        apiBaseUrl: 'https://api.github.com',
      } as Parameters<typeof servedFolderOf>[0]['github'];
      const publisher = new RunbookPublisher({
        worker: 'Git',
        store: t.storage.runbookSources,
        servedFolder: servedFolderOf({ github, runbooksDir: null }, source),
        intervalMs: 60_000,
        log: () => undefined,
      });
      publishers.push(publisher);
      await publisher.start();
      expect(await t.storage.runbookSources.readCatalogue('Git')).toBeNull();

      await source.sync();
      await publisher.publish();
      const catalogue = await t.storage.runbookSources.readCatalogue('Git');
      expect(catalogue).toMatchObject({
        kind: 'github',
        version: sha,
        commit: sha,
        repo,
        branch: 'main',
        repoUrl: 'https://github.com/acme/runbooks',
        runbookPath: 'runbooks',
        files: [{ path: 'disk.sh', stored: true }],
      });

      const next = gh.push(repo, { 'runbooks/disk.sh': 'echo disk v2\n' });
      await source.sync();
      await publisher.publish();
      const moved = await t.storage.runbookSources.readCatalogue('Git');
      expect(moved?.commit).toBe(next);
      if (!moved) throw new Error('no catalogue');
      expect(await sourceOf(moved, 'disk.sh')).toBe('echo disk v2\n');
    } finally {
      await source.close();
      await gh.close();
    }
  });

  it('is done by the worker program when it starts', async () => {
    const dir = path.join(tmp, 'program');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'started.sh'), 'echo started\n');
    let child: ChildProcess | undefined;
    try {
      child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'workers/main.ts')], {
        cwd: ROOT,
        env: { ...process.env, ...t.env, CLOUDO_WORKER: 'Program', RUNBOOKS_DIR: dir },
        stdio: ['ignore', 'ignore', 'ignore'],
      });
      const catalogue = await waitFor(
        'the worker to publish its runbooks',
        () => t.storage.runbookSources.readCatalogue('Program').then((c) => c ?? undefined),
        20_000,
      );
      expect(catalogue.files.map((f) => f.path)).toEqual(['started.sh']);
    } finally {
      child?.kill('SIGTERM');
      if (child && child.exitCode === null) await once(child, 'exit');
    }
  });
});
