import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.js';
import { isAlive, waitFor } from '../support/wait.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * `make test-env-start` / `make test-env-stop` as the original README has users run them, on free ports and
 * in a state folder of the test's own (make variables), then curl's requests against the stack left running.
 */
describe('make test-env-start / test-env-stop (the whole stack in the background)', () => {
  let stateDir: string;
  let vars: string[];
  let base: string;
  let started: { stdout: string; stderr: string };
  /** The session leader (npm start), then the stack's own process, Azurite and the workers. */
  let pids: number[] = [];

  const make = (target: string) =>
    run('make', ['--no-print-directory', target, ...vars], {
      cwd: ROOT,
      // a short shutdown grace: the stop waits for nothing but the stack's own steps
      env: {
        ...process.env,
        CLOUDO_STORAGE_NAMESPACE: '',
        CLOUDO_SHUTDOWN_GRACE_MS: '500',
        CLOUDO_KILL_GRACE_MS: '200',
      },
    });

  beforeAll(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-test-env-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    vars = [
      `TEST_ENV_DIR=${stateDir}`,
      `PORT=${port}`,
      'AZURITE_BLOB_PORT=0',
      'AZURITE_QUEUE_PORT=0',
      'AZURITE_TABLE_PORT=0',
      'TEST_ENV_START_TIMEOUT_S=60',
    ];
    started = await make('test-env-start');
    const stack = JSON.parse(await readFile(path.join(stateDir, 'stack.json'), 'utf8')) as {
      pid: number;
      childPids: number[];
    };
    pids = [Number(await readFile(path.join(stateDir, 'stack.pid'), 'utf8')), stack.pid, ...stack.childPids];
  }, 90_000);

  afterAll(async () => {
    // only if a test failed before the stop test ran
    for (const pid of pids.filter(isAlive)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        process.kill(pid, 'SIGKILL');
      }
    }
    await rm(stateDir, { recursive: true, force: true });
  });

  it('returns once the stack is healthy, detached from make, and says where it is', async () => {
    expect(started.stdout).toContain('ClouDO test environment is up');
    expect(started.stdout).toContain(`${base}/api/logs`);
    expect(started.stdout).toContain(`curl -s '${base}/api/Trigger?id=test'`);
    expect(started.stdout).toContain(path.join(stateDir, 'stack.log'));
    // make has exited; the session leader, the stack, Azurite and one Runbook worker run on
    expect(pids).toHaveLength(4);
    expect(pids.every(isAlive)).toBe(true);
    expect((await fetch(`${base}/api/healthz`)).status).toBe(200);
    expect(await readFile(path.join(stateDir, 'stack.log'), 'utf8')).toContain('ClouDO is up');
  });

  it('runs the sample `test` from a GET trigger to succeeded, and serves /api/logs', async () => {
    const trigger = await fetch(`${base}/api/Trigger?id=test`);
    expect(trigger.status).toBe(202);
    const body = (await trigger.json()) as { exec_id: string; warning?: string };
    // start waited for the worker too: nothing waits in a queue without one
    expect(body.warning).toBeUndefined();
    const done = await waitFor(
      'the run to finish',
      async () => {
        const run = (await (await fetch(`${base}/api/executions/${body.exec_id}`)).json()) as { status: string };
        return ['accepted', 'running'].includes(run.status) ? undefined : run;
      },
      15_000,
    );
    expect(done).toMatchObject({ status: 'succeeded', exit_code: 0 });
    const logs = await fetch(`${base}/api/logs`);
    expect(logs.status).toBe(200);
    expect(await logs.text()).toContain(body.exec_id);
  });

  it('says so when started twice, and leaves the running stack alone', async () => {
    const again = await make('test-env-start');
    expect(again.stdout).toContain('already running');
    expect(pids.every(isAlive)).toBe(true);
  });

  it('stops every process of the stack, and a second stop has nothing to do', async () => {
    const stopped = await make('test-env-stop');
    expect(stopped.stdout).toContain('stopped');
    for (const pid of pids) {
      await waitFor(`process ${pid} to exit`, () => (isAlive(pid) ? undefined : true), 5_000);
    }
    expect(existsSync(path.join(stateDir, 'stack.pid'))).toBe(false);
    // the stack removed its stack.json on the way out: it stopped cleanly, not by SIGKILL
    expect(existsSync(path.join(stateDir, 'stack.json'))).toBe(false);
    expect(stopped.stderr).not.toContain('SIGKILL');
    expect((await make('test-env-stop')).stdout).toContain('nothing to stop');
    await expect(fetch(`${base}/api/healthz`)).rejects.toThrow();
  });
});

describe('make test-env-start on a port another program holds', () => {
  it('fails with the stack log and the fix, and leaves no process or pid file behind', async () => {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-test-env-busy-'));
    const holder = createServer().listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const { port } = holder.address() as { port: number };
    try {
      const vars = [`TEST_ENV_DIR=${stateDir}`, `PORT=${port}`, 'AZURITE_BLOB_PORT=0', 'AZURITE_QUEUE_PORT=0'];
      const failed = await run('make', ['--no-print-directory', 'test-env-start', ...vars, 'AZURITE_TABLE_PORT=0'], {
        cwd: ROOT,
      }).then(
        () => null,
        (err: { code: number; stderr: string }) => err,
      );
      expect(failed?.code).toBe(2);
      expect(failed?.stderr).toContain('ClouDO test environment did not start: the stack exited (a port in use?');
      expect(failed?.stderr).toContain(`EADDRINUSE: address already in use 127.0.0.1:${port}`);
      expect(existsSync(path.join(stateDir, 'stack.pid'))).toBe(false);
      // Azurite had started with its data in the state folder: it stops by itself once the stack is gone
      await waitFor('no process to use the state folder', async () =>
        (await processesMentioning(stateDir)).length === 0 ? true : undefined,
      );
    } finally {
      holder.close();
      await rm(stateDir, { recursive: true, force: true });
    }
  }, 60_000);
});

/** Pids of the processes whose command line names `text`. */
async function processesMentioning(text: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(text) && isAlive(Number(entry))) pids.push(Number(entry));
  }
  return pids;
}
