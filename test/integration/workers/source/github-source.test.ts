import { randomBytes } from 'node:crypto';
import { lstat, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GitHubRunbookSourceOptions } from '../../../../workers/source/github-source.js';
import { GitHubRunbookSource } from '../../../../workers/source/github-source.js';
import { RunbookUnavailableError } from '../../../../workers/source/runbook-source.js';
import type { FakeGitHub } from '../../../support/fake-github.js';
import { startFakeGitHub } from '../../../support/fake-github.js';
import { waitFor } from '../../../support/wait.js';

const REFRESH_MS = 60_000;

describe('GitHubRunbookSource against a loopback GitHub', () => {
  let gh: FakeGitHub;
  let root: string;
  let open: GitHubRunbookSource[] = [];
  let clock = 0;

  beforeAll(async () => {
    gh = await startFakeGitHub();
    root = await mkdtemp(path.join(os.tmpdir(), 'cloudo-github-source-'));
  });
  afterEach(async () => {
    await Promise.all(open.map((s) => s.close()));
    open = [];
  });
  afterAll(async () => {
    await gh.close();
    await rm(root, { recursive: true, force: true });
  });

  /** A repository of its own for each test, so counters and commits do not mix. */
  const newRepo = (files: Record<string, string | { symlink: string }>, options: { isPrivate?: boolean } = {}) => {
    const repo = `acme/rb-${randomBytes(4).toString('hex')}`;
    return { repo, sha: gh.createRepo(repo, files, options) };
  };

  const makeSource = async (repo: string, overrides: Partial<GitHubRunbookSourceOptions> = {}) => {
    clock = Date.now();
    const logs: string[] = [];
    const cacheDir = await mkdtemp(path.join(root, 'cache-'));
    const source = new GitHubRunbookSource({
      repo,
      branch: 'main',
      token: null,
      runbookPath: 'runbooks',
      cacheDir,
      apiBaseUrl: gh.apiBaseUrl,
      refreshIntervalMs: REFRESH_MS,
      now: () => clock,
      log: (level, message, err) => logs.push(`${level} ${message}${err ? ` ${String(err)}` : ''}`),
      ...overrides,
    });
    open.push(source);
    return { source, logs, cacheDir };
  };

  const counts = () => ({ ...gh.requests });
  const refusal = async (promise: Promise<unknown>): Promise<RunbookUnavailableError> => {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RunbookUnavailableError);
    return err as RunbookUnavailableError;
  };

  it('syncs a public repository and resolves a runbook pinned to the commit', async () => {
    const { repo, sha } = newRepo({ 'runbooks/ops/hello.sh': 'echo hello\n', 'README.md': '# runbooks\n' });
    const { source, cacheDir } = await makeSource(repo);

    const runbook = await source.resolve('ops/hello.sh');

    expect(runbook).toMatchObject({
      origin: `github:${repo}@${sha}:runbooks/ops/hello.sh`,
      commitSha: sha,
      relativePath: 'runbooks/ops/hello.sh',
      path: path.join(cacheDir, sha, 'runbooks', 'ops', 'hello.sh'),
    });
    expect(await readFile(runbook.path, 'utf8')).toBe('echo hello\n');
    expect(source.commitSha).toBe(sha);
    // the snapshot lost GitHub's top folder, and no temp folder was left behind
    expect(await readdir(cacheDir)).toEqual([sha]);
    expect((await readdir(path.join(cacheDir, sha))).sort()).toEqual(['README.md', 'runbooks']);
    // runbooks run as accounts of their own, which must be able to read the snapshot (and only read it)
    expect((await stat(path.join(cacheDir, sha))).mode & 0o777).toBe(0o755);
    expect(gh.authorizations.slice(-2)).toEqual([null, null]);

    const before = counts();
    await source.resolve('ops/hello.sh');
    // within the refresh interval nothing is asked of GitHub
    expect(counts()).toEqual(before);
    runbook.release();
  });

  it('sends the token to a private repository, which is invisible without it', async () => {
    const { repo, sha } = newRepo({ 'runbooks/secret.sh': 'echo private\n' }, { isPrivate: true });
    const { source } = await makeSource(repo, { token: gh.token });
    const calls = gh.authorizations.length;

    const runbook = await source.resolve('secret.sh');

    expect(runbook.commitSha).toBe(sha);
    expect(await readFile(runbook.path, 'utf8')).toBe('echo private\n');
    expect(gh.authorizations.slice(calls)).toEqual([`Bearer ${gh.token}`, `Bearer ${gh.token}`]);

    const anonymous = (await makeSource(repo)).source;
    const result = await anonymous.sync();
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.message).toBe(
      `GitHub found no public repository ${repo} (404), or no branch "main" in it: check the names, or set a token if it is private`,
    );
  });

  it('reports a refused token (401) without ever quoting it', async () => {
    const { repo } = newRepo({ 'runbooks/a.sh': 'echo a\n' }, { isPrivate: true });
    const wrong = `github_pat_${randomBytes(20).toString('hex')}`;
    const { source, logs, cacheDir } = await makeSource(repo, { token: wrong });

    const result = await source.sync();

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: 'unauthorized', status: 401 });
    expect(result.error.message).toBe(
      `GitHub refused the token for ${repo} (401: Bad credentials): set a valid, unexpired token that can read the repository's contents`,
    );
    const err = await refusal(source.resolve('a.sh'));
    expect(err.message).toContain(`no snapshot of ${repo}@main yet: GitHub refused the token for ${repo} (401`);
    for (const text of [result.error.message, err.message, ...logs]) expect(text).not.toContain(wrong);
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('reports an unknown repository (404) and an unknown branch (422) without downloading', async () => {
    const before = counts();
    const missingRepo = await (await makeSource('acme/no-such-repo')).source.sync();
    const { repo } = newRepo({ 'runbooks/a.sh': 'echo a\n' });
    const missingBranch = await (await makeSource(repo, { branch: 'release/v9' })).source.sync();

    expect(!missingRepo.ok && missingRepo.error).toMatchObject({ kind: 'not-found', status: 404 });
    expect(!missingRepo.ok && missingRepo.error.message).toContain(
      'GitHub found no public repository acme/no-such-repo (404)',
    );
    expect(!missingBranch.ok && missingBranch.error).toMatchObject({ kind: 'not-found', status: 422 });
    expect(!missingBranch.ok && missingBranch.error.message).toBe(
      `GitHub found no branch "release/v9" in ${repo} (422: No commit found for SHA: release/v9)`,
    );
    expect(counts()).toEqual({ ...before, commits: before.commits + 2 });
  });

  it('waits out a rate limit, naming when to retry, while the last snapshot keeps serving', async () => {
    const { repo, sha: first } = newRepo({ 'runbooks/a.sh': 'echo one\n' });
    const { source, logs } = await makeSource(repo);
    await source.resolve('a.sh');
    const second = gh.push(repo, { 'runbooks/a.sh': 'echo two\n' });
    const resetAtMs = Math.ceil((clock + 90_000) / 1000) * 1000;
    gh.setRateLimit(resetAtMs);
    clock += REFRESH_MS;

    const during = await source.resolve('a.sh');

    expect(during.commitSha).toBe(first);
    expect(await readFile(during.path, 'utf8')).toBe('echo one\n');
    const retry = `retry after ${new Date(resetAtMs).toISOString()}`;
    expect(logs.find((l) => l.startsWith('warn'))).toContain(`GitHub rate limit reached for ${repo} (403): ${retry}`);
    const before = counts();
    const result = await source.sync();
    expect(!result.ok && result.error).toMatchObject({ kind: 'rate-limited', retryAt: resetAtMs });
    expect(!result.ok && result.error.message).toContain(retry);
    // GitHub said wait: asking again before the reset would risk a ban
    expect(counts()).toEqual(before);

    gh.setRateLimit(null);
    // past the reset, and a refresh interval after the refused attempt
    clock += REFRESH_MS;
    expect(clock).toBeGreaterThan(resetAtMs);
    const after = await source.resolve('a.sh');
    expect(after.commitSha).toBe(second);
    expect(await readFile(after.path, 'utf8')).toBe('echo two\n');
  });

  it('keeps the previous snapshot when a tarball arrives broken, and recovers on a later sync', async () => {
    const { repo, sha: first } = newRepo({ 'runbooks/a.sh': 'echo one\n' });
    const { source, cacheDir } = await makeSource(repo);
    await source.sync();
    const second = gh.push(repo, { 'runbooks/a.sh': 'echo two\n' });
    gh.setBrokenTarballs(true);

    const broken = await source.sync();

    gh.setBrokenTarballs(false);
    expect(!broken.ok && broken.error.kind).toBe('bad-archive');
    expect(!broken.ok && broken.error.message).toBe(
      `the archive of ${repo} at ${second} is broken: zlib: unexpected end of file`,
    );
    expect((await source.resolve('a.sh')).commitSha).toBe(first);
    // no half-unpacked snapshot, no temp folder
    expect(await readdir(cacheDir)).toEqual([first]);

    const fixed = await source.sync();
    expect(fixed).toEqual({ ok: true, sha: second, changed: true });
    expect(await readFile((await source.resolve('a.sh')).path, 'utf8')).toBe('echo two\n');
  });

  it('pins each resolve to its own commit; an earlier run keeps reading its snapshot', async () => {
    const { repo, sha: first } = newRepo({ 'runbooks/a.sh': 'echo one\n' });
    const { source } = await makeSource(repo);
    const early = await source.resolve('a.sh');
    const second = gh.push(repo, { 'runbooks/a.sh': 'echo two\n' });
    clock += REFRESH_MS;

    const late = await source.resolve('a.sh');

    expect([early.commitSha, late.commitSha]).toEqual([first, second]);
    expect(early.origin).toBe(`github:${repo}@${first}:runbooks/a.sh`);
    expect(late.origin).toBe(`github:${repo}@${second}:runbooks/a.sh`);
    expect(await readFile(early.path, 'utf8')).toBe('echo one\n');
    expect(await readFile(late.path, 'utf8')).toBe('echo two\n');
    early.release();
    late.release();
  });

  it('syncs once more for a runbook missing from the snapshot, then names the path and the commit', async () => {
    const { repo } = newRepo({ 'runbooks/a.sh': 'echo a\n' });
    const { source } = await makeSource(repo);
    await source.sync();
    const pushed = gh.push(repo, { 'runbooks/new.sh': 'echo new\n' });
    const before = counts();

    // pushed after the last sync and inside the refresh interval: the one re-sync finds it
    expect((await source.resolve('new.sh')).commitSha).toBe(pushed);
    const err = await refusal(source.resolve('absent.sh'));

    expect(err.message).toBe(`runbook "runbooks/absent.sh" not found in ${repo} at commit ${pushed}`);
    expect(counts()).toEqual({
      commits: before.commits + 2,
      tarball: before.tarball + 1,
      download: before.download + 1,
    });
  });

  describe('refuses hostile archives', () => {
    it.each([
      ['an entry with ..', { path: 'runbooks/../../escape.txt', type: 'File' as const, content: 'x' }, 'contains ".."'],
      ['an absolute entry', { path: '/ABSOLUTE', type: 'File' as const, content: 'x' }, 'is an absolute path'],
      [
        'a hard link to /etc/passwd',
        { path: 'runbooks/hard.sh', type: 'Link' as const, linkpath: '/etc/passwd' },
        'is a Link, which git archives never contain',
      ],
    ])('%s: the sync fails, nothing is written, the previous snapshot stays', async (_, raw, why) => {
      const { repo, sha: first } = newRepo({ 'runbooks/a.sh': 'echo a\n' });
      const { source, cacheDir } = await makeSource(repo);
      await source.sync();
      const target = path.join(root, `absolute-${randomBytes(4).toString('hex')}.txt`);
      const entry = raw.path === '/ABSOLUTE' ? { ...raw, path: target } : raw;
      const hostile = gh.push(repo, { 'runbooks/b.sh': 'echo b\n' }, { rawEntries: [entry] });

      const result = await source.sync();

      expect(!result.ok && result.error.kind).toBe('bad-archive');
      expect(!result.ok && result.error.message).toContain(`the archive of ${repo} at ${hostile} is broken: entry "`);
      expect(!result.ok && result.error.message).toContain(why);
      expect(await readdir(cacheDir)).toEqual([first]);
      await expect(lstat(target)).rejects.toThrow(/ENOENT/);
      await expect(lstat(path.join(root, 'escape.txt'))).rejects.toThrow(/ENOENT/);
      await expect(lstat(path.join(cacheDir, 'escape.txt'))).rejects.toThrow(/ENOENT/);
      expect((await source.resolve('a.sh')).commitSha).toBe(first);
    });

    it('leaves out symlinks that lead outside, directly or through a chain, and will not run them', async () => {
      const { repo, sha } = newRepo({
        'runbooks/ok.sh': 'echo ok\n',
        'runbooks/passwd.sh': { symlink: '/etc/passwd' },
        // each hop looks inside; together they climb out of the snapshot
        'runbooks/a/b/up': { symlink: '..' },
        'runbooks/chain.sh': { symlink: 'a/b/up/../../..' },
        'runbooks/shared.sh': { symlink: '../scripts/shared.sh' },
        'scripts/shared.sh': 'echo shared\n',
      });
      const { source, logs, cacheDir } = await makeSource(repo);

      expect((await source.resolve('ok.sh')).commitSha).toBe(sha);

      const snapshot = path.join(cacheDir, sha, 'runbooks');
      await expect(lstat(path.join(snapshot, 'passwd.sh'))).rejects.toThrow(/ENOENT/);
      await expect(lstat(path.join(snapshot, 'chain.sh'))).rejects.toThrow(/ENOENT/);
      expect((await refusal(source.resolve('passwd.sh'))).message).toBe(
        `runbook "runbooks/passwd.sh" not found in ${repo} at commit ${sha}`,
      );
      await refusal(source.resolve('chain.sh'));
      // inside the repository but outside the runbook folder: kept on disk, still not runnable
      expect((await refusal(source.resolve('shared.sh'))).message).toBe(
        `runbook "runbooks/shared.sh" resolves outside the runbook folder in ${repo} at commit ${sha}`,
      );
      expect(logs.some((l) => l.includes('left out symlinks') && l.includes('runbooks/passwd.sh'))).toBe(true);
      expect(logs.some((l) => l.includes('runbooks/chain.sh'))).toBe(true);
    });
  });

  it.each([
    ['../secret.sh', 'contains a ".." segment'],
    ['ops/../../secret.sh', 'contains a ".." segment'],
    ['/etc/passwd', 'is an absolute path'],
  ])('refuses the runbook name %s before asking GitHub', async (name, why) => {
    const { repo } = newRepo({ 'runbooks/a.sh': 'echo a\n' });
    const { source } = await makeSource(repo);
    const before = counts();

    const err = await refusal(source.resolve(name));

    expect(err.message).toContain(`runbook "${name}" ${why}`);
    expect(counts()).toEqual(before);
  });

  it('keeps the newest 3 snapshots, and an older one while a run still holds it', async () => {
    const { repo, sha: first } = newRepo({ 'runbooks/a.sh': 'echo 0\n' });
    const { source, cacheDir } = await makeSource(repo);
    const held = await source.resolve('a.sh');
    const shas = [first];
    for (let i = 1; i <= 4; i += 1) {
      shas.push(gh.push(repo, { 'runbooks/a.sh': `echo ${i}\n` }));
      expect(await source.sync()).toMatchObject({ ok: true, sha: shas[i] });
    }

    // shas[1] is gone; shas[0] is older still but a run holds it
    expect((await readdir(cacheDir)).sort()).toEqual([first, ...shas.slice(2)].sort());
    expect(await readFile(held.path, 'utf8')).toBe('echo 0\n');

    held.release();
    held.release();
    await waitFor('the released snapshot to be removed', async () =>
      (await readdir(cacheDir)).includes(first) ? undefined : true,
    );
    expect((await readdir(cacheDir)).sort()).toEqual(shas.slice(2).sort());
  });

  it.each([
    [{ repo: 'no-slash' }, 'repo "no-slash" must be owner/name'],
    [{ runbookPath: '../elsewhere' }, 'runbookPath "../elsewhere" contains a ".." segment'],
    [{ runbookPath: '/abs' }, 'runbookPath "/abs" is an absolute path'],
    [{ branch: 'bad..name' }, 'branch "bad..name" is not a valid Git branch name'],
    [{ token: 'ghp_x\nInjected: 1' }, 'token contains spaces or control characters'],
    [{ refreshIntervalMs: 0 }, 'refreshIntervalMs must be > 0'],
  ])('checks its options: %j', (override, message) => {
    const options: GitHubRunbookSourceOptions = {
      repo: 'acme/runbooks',
      branch: 'main',
      token: null,
      runbookPath: 'runbooks',
      cacheDir: root,
      refreshIntervalMs: REFRESH_MS,
      ...override,
    };
    expect(() => new GitHubRunbookSource(options)).toThrow(message);
  });

  it('shares one sync among concurrent resolves', async () => {
    const { repo, sha } = newRepo({ 'runbooks/a.sh': 'echo a\n', 'runbooks/b.sh': 'echo b\n' });
    const { source } = await makeSource(repo);
    const before = counts();

    const resolved = await Promise.all(['a.sh', 'b.sh', 'a.sh'].map((name) => source.resolve(name)));

    expect(resolved.map((r) => r.commitSha)).toEqual([sha, sha, sha]);
    expect(counts()).toEqual({
      commits: before.commits + 1,
      tarball: before.tarball + 1,
      download: before.download + 1,
    });
  });

  it('closes once, leaves no timer behind, and refuses to resolve afterwards', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const baseline = timers();
    const { repo } = newRepo({ 'runbooks/a.sh': 'echo a\n' });
    const { source } = await makeSource(repo);
    (await source.resolve('a.sh')).release();

    const closing = source.close();

    expect(source.close()).toBe(closing);
    await closing;
    expect(timers()).toBeLessThanOrEqual(baseline);
    expect((await refusal(source.resolve('a.sh'))).message).toBe(
      'runbook "a.sh" is unavailable: the runbook source is closed',
    );
  });
});
