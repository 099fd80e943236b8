import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage } from '../../src/storage/index.js';
import { freePort } from '../support/ports.js';
import { isAlive, waitFor } from '../support/wait.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface StackFile {
  readonly pid: number;
  readonly url: string;
  readonly connectionString: string;
  readonly childPids: readonly number[];
}

/**
 * `npm start` whose own process is SIGKILLed (an OOM kill, `kill -9`): its children must neither die
 * badly nor live forever. Azurite keeps the last seconds of writes only if it closes gracefully, and only
 * after the workers recorded how their runs ended: after a restart on the same state folder, a run that
 * had finished is still finished and ran once, and a run cut short is recorded as such.
 */
describe('npm start after its own process was SIGKILLed', () => {
  let stateDir: string;
  let countFile: string;
  let slowPidFile: string;
  let schemasFile: string;
  let runbooksDir: string;
  const started: ChildProcess[] = [];
  const pidsSeen = new Set<number>();

  beforeAll(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-crash-'));
    runbooksDir = path.join(stateDir, 'runbooks');
    countFile = path.join(stateDir, 'executions.txt');
    slowPidFile = path.join(stateDir, 'slow.pid');
    schemasFile = path.join(stateDir, 'schemas.json');
    await mkdir(runbooksDir);
    // each execution leaves its id in a file outside the stack: a second execution cannot hide
    await writeFile(
      path.join(runbooksDir, 'count.sh'),
      `#!/usr/bin/env bash\necho "$CLOUDO_EXEC_ID" >> '${countFile}'\n`,
    );
    await writeFile(
      path.join(runbooksDir, 'slow.sh'),
      `#!/usr/bin/env bash\necho "$$" > '${slowPidFile}'\nsleep 120\n`,
    );
    for (const file of ['count.sh', 'slow.sh']) await chmod(path.join(runbooksDir, file), 0o755);
    const entity = (id: string) => ({ id, name: id, runbook: `${id}.sh`, worker: 'Runbook' });
    await writeFile(
      schemasFile,
      JSON.stringify([{ partition_key: 'crash', entity: [entity('count'), entity('slow')] }]),
    );
  });

  afterAll(() => {
    // only if a test failed before everything stopped
    for (const child of started) {
      if (child.pid && child.exitCode === null && child.signalCode === null) signal(-child.pid, 'SIGKILL');
    }
    for (const pid of pidsSeen) if (isAlive(pid)) signal(pid, 'SIGKILL');
    // the runbook's own group (the worker spawned it detached)
    const slow = existsSync(slowPidFile) ? Number(readFileSync(slowPidFile, 'utf8')) : 0;
    if (slow && isAlive(slow)) signal(-slow, 'SIGKILL');
  });

  /** `npm start` on the test's state folder; resolves once it is up, with what stack.json says. */
  const startStack = async (): Promise<{ child: ChildProcess; stack: StackFile; output: () => string }> => {
    let output = '';
    const child = spawn('npm', ['start'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(await freePort()),
        CLOUDO_STATE_DIR: stateDir,
        CLOUDO_STORAGE_NAMESPACE: '',
        CLOUDO_SCHEMAS_FILE: schemasFile,
        RUNBOOKS_DIR: runbooksDir,
        CLOUDO_SHUTDOWN_GRACE_MS: '500',
        CLOUDO_KILL_GRACE_MS: '200',
      },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.push(child);
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    await waitFor('ClouDO to be up', () => (output.includes('ClouDO is up') ? true : undefined), 60_000).catch(
      (err) => {
        throw new Error(`${(err as Error).message}\n${output}`);
      },
    );
    const stack = JSON.parse(await readFile(path.join(stateDir, 'stack.json'), 'utf8')) as StackFile;
    for (const pid of stack.childPids) pidsSeen.add(pid);
    return { child, stack, output: () => output };
  };

  const execution = async (url: string, execId: string) =>
    (await (await fetch(`${url}/api/executions/${execId}`)).json()) as { status: string; error?: string };
  const trigger = async (url: string, id: string) =>
    ((await (await fetch(`${url}/api/Trigger?id=${id}`)).json()) as { exec_id: string }).exec_id;
  const reaches = (url: string, execId: string, status: string) =>
    waitFor(
      `run ${execId} to be ${status}`,
      async () => ((await execution(url, execId)).status === status ? true : undefined),
      15_000,
    );

  it('keeps what was acknowledged, lets the workers record their last runs, then stops Azurite', async () => {
    const first = await startStack();
    const slowId = await trigger(first.stack.url, 'slow');
    await reaches(first.stack.url, slowId, 'running');
    const execId = await trigger(first.stack.url, 'count');
    await reaches(first.stack.url, execId, 'succeeded');

    // at once, well inside Azurite's 5 s autosave interval: the claim, the status and the message's
    // deletion are acknowledged but may not be on disk yet
    signal(first.stack.pid, 'SIGKILL');
    // only the stack's own process died; its children stop by themselves, storage last
    const [azuritePid, ...workerPids] = first.stack.childPids;
    for (const pid of workerPids) {
      await waitFor(`worker ${pid} to exit after its parent died`, () => (isAlive(pid) ? undefined : true), 15_000);
    }
    await waitFor(
      `Azurite (${azuritePid}) to stop by itself after its parent died`,
      () => (azuritePid !== undefined && isAlive(azuritePid) ? undefined : true),
      20_000,
    ).catch(async (err) => {
      const log = await readFile(path.join(stateDir, 'azurite.log'), 'utf8').catch(() => '');
      throw new Error(`${(err as Error).message}\n${first.output()}\nazurite.log:\n${log}`);
    });
    // the worker stopped the runbook it was running, as on Ctrl-C
    expect(isAlive(Number(await readFile(slowPidFile, 'utf8')))).toBe(false);

    const second = await startStack();
    try {
      expect(await execution(second.stack.url, execId)).toMatchObject({ status: 'succeeded' });
      // written by the worker after its parent died, while Azurite waited for it
      expect(await execution(second.stack.url, slowId)).toMatchObject({
        status: 'error',
        error: expect.stringMatching(/worker shut down before the runbook finished/),
      });
      // the job message was deleted for good: nothing is left to be delivered again (invisible ones count)
      const storage = createStorage({
        connection: { kind: 'connection-string', connectionString: second.stack.connectionString },
        namespace: '',
      });
      const jobs = storage.clients.queue(storage.names.jobQueue('Runbook'));
      expect((await jobs.getProperties()).approximateMessagesCount).toBe(0);
      // and a run triggered now is the next one to execute, after the first ran exactly once
      const next = (await (await fetch(`${second.stack.url}/api/Trigger?id=count`)).json()) as { exec_id: string };
      await waitFor(
        `run ${next.exec_id} to succeed`,
        async () => ((await execution(second.stack.url, next.exec_id)).status === 'succeeded' ? true : undefined),
        15_000,
      );
      expect((await readFile(countFile, 'utf8')).trim().split('\n')).toEqual([execId, next.exec_id]);
    } finally {
      const exited = new Promise((resolve) => second.child.once('exit', resolve));
      signal(-(second.child.pid ?? 0), 'SIGINT');
      await exited;
      for (const pid of [second.stack.pid, ...second.stack.childPids]) {
        await waitFor(`process ${pid} to exit`, () => (isAlive(pid) ? undefined : true), 15_000);
      }
    }
  }, 150_000);
});

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}
