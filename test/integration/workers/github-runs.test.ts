import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Execution } from '../../../src/core/execution.js';
import { isTerminal } from '../../../src/core/execution.js';
import { planRun } from '../../../src/core/run-plan.js';
import { RunDispatcher } from '../../../src/runs/index.js';
import type { QueueWorker } from '../../../workers/queue-worker.js';
import { GitHubRunbookSource } from '../../../workers/source/index.js';
import type { FakeGitHub } from '../../support/fake-github.js';
import { startFakeGitHub } from '../../support/fake-github.js';
import { HTTP_TRIGGER, testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import { waitFor } from '../../support/wait.js';
import { startTestWorker } from '../../support/worker.js';

/** Runbooks from a GitHub branch: every run records the commit it ran, and a push between runs shows. */
describe('runs from GitHub', () => {
  let t: TestStorage;
  let gh: FakeGitHub;
  let source: GitHubRunbookSource;
  let worker: QueueWorker;
  let clock = 0;

  beforeAll(async () => {
    t = await createTestStorage();
    gh = await startFakeGitHub();
    gh.createRepo('acme/runbooks', { 'ops/hello.sh': 'echo version one\n' });
    source = new GitHubRunbookSource({
      repo: 'acme/runbooks',
      branch: 'main',
      token: null,
      runbookPath: 'ops',
      cacheDir: await mkdtemp(path.join(os.tmpdir(), 'cloudo-gh-runs-')),
      apiBaseUrl: gh.apiBaseUrl,
      refreshIntervalMs: 1_000,
      now: () => clock,
    });
    worker = startTestWorker(t, '/nonexistent', { runbooks: source });
  });
  afterAll(async () => {
    await worker.close({ force: true });
    await source.close();
    await gh.close();
    await t.cleanup();
  });

  const run = async () => {
    const plan = planRun(testSchema({ id: 'hello', runbook: 'hello.sh' }), HTTP_TRIGGER);
    await new RunDispatcher(t.storage).dispatch(plan);
    return waitFor<Execution>('the run to finish', async () => {
      const e = (await t.storage.executions.get(plan.execution.execId))?.execution;
      return e && isTerminal(e.status) ? e : undefined;
    });
  };

  it('records the SHA and path each run ran, across a push', async () => {
    const first = await run();
    const pushed = gh.push('acme/runbooks', { 'ops/hello.sh': 'echo version two\n' });
    clock += 5_000;
    const second = await run();
    expect(first.status).toBe('succeeded');
    expect(second.status).toBe('succeeded');
    expect(second.commitSha).toBe(pushed);
    expect(first.commitSha).not.toBe(pushed);
    expect(first.runbookOrigin).toBe(`github:acme/runbooks@${first.commitSha}:ops/hello.sh`);
    expect((await t.storage.logs.read(first.execId))?.toString()).toBe('version one\n');
    expect((await t.storage.logs.read(second.execId))?.toString()).toBe('version two\n');
  });

  it('ends a run whose runbook is not in the repository as error, naming the path and commit', async () => {
    const plan = planRun(testSchema({ id: 'missing', runbook: 'nope.sh' }), HTTP_TRIGGER);
    await new RunDispatcher(t.storage).dispatch(plan);
    const done = await waitFor<Execution>('the run to finish', async () => {
      const e = (await t.storage.executions.get(plan.execution.execId))?.execution;
      return e && isTerminal(e.status) ? e : undefined;
    });
    expect(done.status).toBe('error');
    expect(done.error).toMatch(/nope\.sh/);
    expect(done.error).toMatch(/[0-9a-f]{40}/);
  });
});
