import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Execution } from '../../../src/core/execution.js';
import { planRun } from '../../../src/core/run-plan.js';
import type { RunbookSchema } from '../../../src/core/runbook-schema.js';
import { RunDispatcher } from '../../../src/runs/index.js';
import { decodeMessage, encodeMessage } from '../../../src/storage/job-queue.js';
import type { QueueWorker } from '../../../workers/queue-worker.js';
import { HTTP_TRIGGER, testSchema } from '../../support/schemas.js';
import type { TestStorage } from '../../support/storage.js';
import { createTestStorage } from '../../support/storage.js';
import { isAlive, waitFor } from '../../support/wait.js';
import { makeRunbooks, startTestWorker } from '../../support/worker.js';

const schema = (runbook: string, extra: Partial<RunbookSchema> = {}): RunbookSchema =>
  testSchema({ id: `s-${runbook.replace(/[^a-z0-9]/gi, '')}`, runbook, ...extra });

const TERMINAL = new Set(['succeeded', 'failed', 'timed_out', 'cancelled', 'error', 'abandoned']);

describe('QueueWorker on a real queue, real processes', () => {
  let t: TestStorage;
  let dir: string;
  let worker: QueueWorker | undefined;
  const scratch = path.join(os.tmpdir(), `cloudo-scratch-${process.pid}`);

  beforeAll(async () => {
    t = await createTestStorage();
    dir = await makeRunbooks({
      'hello.sh': '#!/usr/bin/env bash\necho "out 1"\necho "err 1" >&2\necho "out 2"\nprintf "[%s]\\n" "$@"\n',
      'env.py': 'import os, json\nprint(json.dumps(dict(os.environ)))\n',
      'fail.sh': '#!/usr/bin/env bash\necho working\necho "boom: disk full" >&2\nexit 7\n',
      'tree.sh': `#!/usr/bin/env bash\nsleep 300 &\necho $! > "$1"\necho $$ >> "$1"\nsleep 300\n`,
      'count.sh': '#!/usr/bin/env bash\necho run >> "$1"\n',
      noext: '#!/usr/bin/env python3\nprint("by shebang")\n',
    });
    await import('node:fs/promises').then((fs) => fs.mkdir(scratch, { recursive: true }));
  });
  afterEach(async () => {
    await worker?.close({ force: true });
    worker = undefined;
  });
  afterAll(() => t.cleanup());

  const dispatch = async (s: RunbookSchema) => {
    const plan = planRun(s, HTTP_TRIGGER);
    await new RunDispatcher(t.storage).dispatch(plan);
    return plan;
  };
  const finished = (execId: string, timeoutMs = 10_000): Promise<Execution> =>
    waitFor(
      `run ${execId} to finish`,
      async () => {
        const row = await t.storage.executions.get(execId);
        return row && TERMINAL.has(row.execution.status) ? row.execution : undefined;
      },
      timeoutMs,
    );
  const logOf = async (execId: string) => (await t.storage.logs.read(execId))?.toString('utf8');

  it('runs a bash runbook: succeeded, exit 0, full interleaved log, args passed literally', async () => {
    worker = startTestWorker(t, dir);
    const { execution } = await dispatch(schema('hello.sh', { runArgs: `'a b' ';' '$(id)' "$HOME" \`whoami\` |` }));
    const done = await finished(execution.execId);
    expect(done).toMatchObject({ status: 'succeeded', exitCode: 0, signal: null, workerHost: 'test-host' });
    expect(Date.parse(done.startedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(done.requestedAt));
    expect(Date.parse(done.finishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(done.startedAt ?? ''));
    const log = await logOf(execution.execId);
    expect(log).toContain('err 1\n');
    // stdout and stderr are two pipes: stderr's line may land anywhere, stdout's own order holds
    expect(log?.replace('err 1\n', '')).toBe('out 1\nout 2\n[a b]\n[;]\n[$(id)]\n[$HOME]\n[`whoami`]\n[|]\n');
    expect(done.logBytes).toBe(Buffer.byteLength(log ?? ''));
    // the message is gone once the run is recorded
    expect(await t.storage.jobs.forWorker('Runbook').receive(32, 1000)).toEqual([]);
  });

  it('gives a python runbook the contract environment and none of the worker secrets', async () => {
    worker = startTestWorker(t, dir);
    const { execution } = await dispatch(schema('env.py'));
    expect((await finished(execution.execId)).status).toBe('succeeded');
    const env = JSON.parse((await logOf(execution.execId)) ?? '{}') as Record<string, string>;
    expect(env).toMatchObject({
      CLOUDO_EXEC_ID: execution.execId,
      CLOUDO_SCHEMA_ID: execution.schemaId,
      CLOUDO_RUNBOOK: 'env.py',
      CLOUDO_WORKER: 'Runbook',
      // the original ClouDO's names for the schema's name and the capability
      CLOUDO_NAME: execution.schemaName,
      WORKER_CAPABILITY: 'Runbook',
      CLOUDO_ONCALL: 'false',
      CLOUDO_REQUESTED_AT: execution.requestedAt,
      RESOURCE_ID: '',
      AKS_NAMESPACE: '',
      MONITOR_CONDITION: '',
      CLOUDO_ALERT_FILE: '',
    });
    expect(env.SECRET_TOKEN).toBeUndefined();
    expect(Object.keys(env).filter((k) => k.startsWith('AzureWebJobs'))).toEqual([]);
  });

  it('records a failing runbook as failed with its exit code and the end of stderr', async () => {
    worker = startTestWorker(t, dir);
    const { execution } = await dispatch(schema('fail.sh'));
    const done = await finished(execution.execId);
    expect(done).toMatchObject({ status: 'failed', exitCode: 7 });
    expect(done.error).toContain('exited with code 7');
    expect(done.error).toContain('boom: disk full');
    // the result for on-call carries the end of the log, taken from what the worker stored
    const results = t.storage.clients.queue(t.storage.names.resultsQueue);
    const announced = (await results.peekMessages({ numberOfMessages: 32 })).peekedMessageItems
      .map((m) => decodeMessage(m.messageText) as { execId: string; status: string; logTail: string })
      .find((m) => m.execId === execution.execId);
    expect(announced).toMatchObject({ status: 'failed', logTail: 'working\nboom: disk full\n' });
  });

  it('runs a script without .sh/.py by its shebang', async () => {
    worker = startTestWorker(t, dir);
    const { execution } = await dispatch(schema('noext'));
    expect((await finished(execution.execId)).status).toBe('succeeded');
    expect(await logOf(execution.execId)).toBe('by shebang\n');
  });

  it('kills the whole process group on timeout: timed_out, and no process of the run is left', async () => {
    worker = startTestWorker(t, dir, { killGraceMs: 300 });
    const pidFile = path.join(scratch, 'tree.pids');
    const { execution } = await dispatch(schema('tree.sh', { timeoutSeconds: 1, runArgs: pidFile }));
    const done = await finished(execution.execId);
    expect(done.status).toBe('timed_out');
    expect(done.signal).toBe('SIGTERM');
    const pids = (await readFile(pidFile, 'utf8')).trim().split('\n').map(Number);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
  });

  it('runs a job delivered twice exactly once', async () => {
    const counter = path.join(scratch, 'count.txt');
    const plan = await dispatch(schema('count.sh', { runArgs: counter }));
    // the same job a second time, as an at-least-once queue may deliver it
    if (!plan.job) throw new Error('an ungated plan has a job');
    await t.storage.jobs.enqueue(plan.job);
    worker = startTestWorker(t, dir);
    expect((await finished(plan.execution.execId)).status).toBe('succeeded');
    await waitFor('both messages consumed', async () =>
      (await t.storage.clients.queue(t.storage.names.jobQueue('Runbook')).getProperties()).approximateMessagesCount ===
      0
        ? true
        : undefined,
    );
    expect(await readFile(counter, 'utf8')).toBe('run\n');
  });

  it('refuses at run time a runbook path that leaves the folder: error, nothing runs', async () => {
    worker = startTestWorker(t, dir);
    // a row written behind the schema validation's back, as a tampered table would hold
    const plan = planRun(schema('x.sh'), HTTP_TRIGGER);
    await new RunDispatcher(t.storage).dispatch({
      ...plan,
      execution: { ...plan.execution, runbook: '../../etc/passwd' },
    });
    const done = await finished(plan.execution.execId);
    expect(done.status).toBe('error');
    expect(done.error).toMatch(/"\.\.\/\.\.\/etc\/passwd" contains a "\.\." segment/);
    expect(await logOf(plan.execution.execId)).toBeUndefined();
  });

  it('ends the run a malformed message still names as error, with the reason', async () => {
    const { execution } = await dispatch(schema('hello.sh'));
    // drain the good message first, as if it had been lost, and send a broken one naming the same run
    const queue = t.storage.clients.queue(t.storage.names.jobQueue('Runbook'));
    await queue.clearMessages();
    await queue.sendMessage(encodeMessage({ v: 99, execId: execution.execId }));
    worker = startTestWorker(t, dir);
    const done = await finished(execution.execId);
    expect(done.status).toBe('error');
    expect(done.error).toMatch(/^its job message was unreadable: not a JobMessage \(v: /);
  });

  it('gives two concurrent runs each their own environment', async () => {
    worker = startTestWorker(t, dir);
    const [a, b] = await Promise.all([dispatch(schema('env.py')), dispatch(schema('env.py'))]);
    const [ea, eb] = await Promise.all([finished(a.execution.execId), finished(b.execution.execId)]);
    expect([ea.status, eb.status]).toEqual(['succeeded', 'succeeded']);
    const envA = JSON.parse((await logOf(a.execution.execId)) ?? '{}') as Record<string, string>;
    const envB = JSON.parse((await logOf(b.execution.execId)) ?? '{}') as Record<string, string>;
    expect(envA.CLOUDO_EXEC_ID).toBe(a.execution.execId);
    expect(envB.CLOUDO_EXEC_ID).toBe(b.execution.execId);
  });

  it('parks a message that is not a JobMessage in the poison queue', async () => {
    await t.storage.clients.queue(t.storage.names.jobQueue('Runbook')).sendMessage(encodeMessage({ hello: 'world' }));
    worker = startTestWorker(t, dir);
    const poison = t.storage.clients.queue(t.storage.names.poisonQueue('Runbook'));
    const [parked] = await waitFor('a poison message', async () => {
      const got = (await poison.peekMessages()).peekedMessageItems;
      return got.length > 0 ? got : undefined;
    });
    expect(Buffer.from(parked?.messageText ?? '', 'base64').toString()).toMatch(/not a JobMessage \(v: /);
  });
});
