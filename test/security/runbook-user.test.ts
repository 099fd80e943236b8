import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { statSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRun } from '../../src/core/run-plan.js';
import { RunDispatcher } from '../../src/runs/index.js';
import { HTTP_TRIGGER, testSchema } from '../support/schemas.js';
import type { TestStorage } from '../support/storage.js';
import { createTestStorage } from '../support/storage.js';
import { isAlive, waitFor } from '../support/wait.js';
import { makeRunbooks } from '../support/worker.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Whether an ordinary user can reach `dir` (a clone under /root cannot be run by `nobody`). */
function readableByEveryone(dir: string): boolean {
  for (let d = dir; ; d = path.dirname(d)) {
    if ((statSync(d).mode & 0o005) !== 0o005) return false;
    if (d === path.dirname(d)) return true;
  }
}
/** Accounts without a passwd entry, as a pool the worker hands out one per running run. */
const FIRST_UID = 47_100;
const RUNBOOK_GID = 47_100;
const SLACK_TOKEN = 'xoxb-1111-2222-must-stay-in-the-worker';

/**
 * Issue 12.1: a runbook must not be able to read the worker's secrets. The worker program runs as its
 * container runs it (a separate process holding the storage key and tokens in its environment); the
 * runbook tries what an attacker's runbook would. Starting processes as other users needs root or
 * CAP_SETUID here, as in the image: CI runs as root; elsewhere the test is skipped.
 */
describe.skipIf(process.getuid?.() !== 0)('a runbook runs as its own unprivileged user', () => {
  let t: TestStorage;
  let dir: string;
  let secretDir: string;
  let worker: ChildProcess | undefined;
  let stderr = '';
  const escaped: number[] = [];

  beforeAll(async () => {
    t = await createTestStorage();
    secretDir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-worker-private-'));
    await writeFile(path.join(secretDir, 'key'), 'worker-private-key', { mode: 0o600 });
    dir = await makeRunbooks({
      'steal.sh': [
        '#!/usr/bin/env bash',
        'echo "uid=$(id -u)"',
        // what issue 12 reproduced: the parent is the worker, its environment holds every secret
        'if dump=$(cat "/proc/$PPID/environ" 2>/dev/null); then',
        '  echo "stolen=$(printf %s "$dump" | tr "\\0" "\\n" | grep -E "^(SLACK_TOKEN|AzureWebJobsStorage)=" | base64 -w0)"',
        'else echo "environ: denied"; fi',
        `cat ${secretDir}/key 2>/dev/null && echo "read the worker's file" || echo "file: denied"`,
        'echo "home=$HOME cwd=$PWD"',
        'stat -c "home-mode=%a owner=%u" "$HOME"',
        'touch "$HOME/scratch" && echo "home: writable"',
      ].join('\n'),
      'escape.sh': [
        '#!/usr/bin/env bash',
        // a new session and an empty environment: out of the process group, without the run's marker
        'setsid env -i sleep 300 < /dev/null > /dev/null 2>&1 &',
        'echo "escaped=$!"',
        // long enough for the escapee to have exec'd into its empty environment
        'sleep 0.5',
      ].join('\n'),
    });
    // the runbooks are meant to be read by the runbook users (mkdtemp made the folder private)
    await chmod(dir, 0o755);
    worker = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'workers/main.ts')], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...t.env,
        SLACK_TOKEN,
        CLOUDO_WORKER: 'Runbook',
        RUNBOOKS_DIR: dir,
        CLOUDO_CONCURRENCY: '2',
        CLOUDO_RUNBOOK_UIDS: `${FIRST_UID}-${FIRST_UID + 1}`,
        CLOUDO_RUNBOOK_GID: String(RUNBOOK_GID),
        CLOUDO_POLL_MAX_INTERVAL_MS: '50',
        CLOUDO_KILL_GRACE_MS: '300',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    worker.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
  });
  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM');
      await once(worker, 'exit');
    }
    for (const pid of escaped.filter(isAlive)) process.kill(pid, 'SIGKILL');
    await rm(secretDir, { recursive: true, force: true });
    await t.cleanup();
  });

  async function run(runbook: string) {
    const plan = planRun(testSchema({ id: runbook, runbook }), HTTP_TRIGGER);
    await new RunDispatcher(t.storage).dispatch(plan);
    const { execId } = plan.execution;
    const execution = await waitFor(
      `${runbook} to finish on the worker`,
      async () => {
        const e = (await t.storage.executions.get(execId))?.execution;
        return e && ['succeeded', 'failed', 'error'].includes(e.status) ? e : undefined;
      },
      20_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nworker stderr: ${stderr}`);
    });
    const log = (await t.storage.logs.read(execId, 0))?.toString('utf8') ?? '';
    return { execution, log };
  }

  it("cannot read the worker's environment or files, and has a private HOME of its own", async () => {
    const { execution, log } = await run('steal.sh');
    expect(execution.status, log).toBe('succeeded');
    expect(log).toContain(`uid=${FIRST_UID}`);
    expect(log).toContain('environ: denied');
    expect(log).not.toContain('stolen=');
    expect(log).toContain('file: denied');
    const home = /home=(\S+) cwd=(\S+)/.exec(log);
    expect(home?.[1]).toBe(home?.[2]);
    expect(home?.[1]).not.toBe(process.env.HOME);
    expect(log).toMatch(new RegExp(`home-mode=700 owner=${FIRST_UID}`));
    expect(log).toContain('home: writable');
  });

  it('kills what the run left behind, even outside its process group and environment', async () => {
    const { execution, log } = await run('escape.sh');
    expect(execution.status, log).toBe('succeeded');
    const pid = Number(/escaped=(\d+)/.exec(log)?.[1]);
    expect(pid).toBeGreaterThan(0);
    escaped.push(pid);
    await waitFor('the escaped process to be killed', () => (isAlive(pid) ? undefined : true), 5_000);
  });

  it('is reported by the worker: /api/workers shows runbooks run as separate users', async () => {
    const beats = await waitFor('the worker to heartbeat', async () => {
      const list = await t.storage.workers.list();
      return list.length > 0 ? list : undefined;
    });
    expect(beats[0]).toMatchObject({ runbookIsolation: 'separate-users' });
  });

  it.skipIf(!readableByEveryone(ROOT))('is refused by a worker that could only run runbooks as itself', async () => {
    // the worker program as an ordinary user, without the capabilities the image gives its node binary
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'workers/main.ts')], {
      cwd: ROOT,
      uid: 65534,
      gid: 65534,
      env: {
        PATH: process.env.PATH,
        ...t.env,
        CLOUDO_WORKER: 'Runbook',
        RUNBOOKS_DIR: dir,
        CLOUDO_RUNBOOK_UIDS: `${FIRST_UID + 10}-${FIRST_UID + 20}`,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let refusal = '';
    child.stderr?.on('data', (d: Buffer) => {
      refusal += d.toString();
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(refusal).toContain(
      'lacks CAP_CHOWN, CAP_KILL, CAP_SETGID, CAP_SETUID to run runbooks as CLOUDO_RUNBOOK_UIDS',
    );
  });
});
