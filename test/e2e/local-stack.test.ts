import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite } from '../../src/local/azurite.js';
import { createStorage } from '../../src/storage/index.js';
import type { FakeSlack } from '../support/fake-slack.js';
import { startFakeSlack } from '../support/fake-slack.js';
import { freePort } from '../support/ports.js';
import { isAlive, waitFor } from '../support/wait.js';

/**
 * `npm start` exactly as a user runs it, driven over HTTP like the README's curl commands, then stopped
 * with Ctrl-C (SIGINT to the process group, as a terminal sends it).
 */
describe('npm start (the whole local stack)', () => {
  let child: ChildProcess;
  let base: string;
  let stateDir: string;
  let output = '';
  let slack: FakeSlack;

  beforeAll(async () => {
    slack = await startFakeSlack({ channels: ['#cloudo'] });
    const port = await freePort();
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-e2e-'));
    // storage on disk (the default), in a folder of the test's own, so it can be read after the stop
    child = spawn('npm', ['start'], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: {
        ...process.env,
        PORT: String(port),
        CLOUDO_STATE_DIR: stateDir,
        CLOUDO_STORAGE_NAMESPACE: '',
        CLOUDO_SHUTDOWN_GRACE_MS: '500',
        CLOUDO_KILL_GRACE_MS: '200',
        // on-call pages go to a loopback Slack, as SLACK_API_URL lets any operator point them
        SLACK_TOKEN: slack.token,
        SLACK_API_URL: slack.apiUrl,
        SLACK_CHANNEL_DEFAULT: '#cloudo',
      },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    base = `http://127.0.0.1:${port}`;
    await waitFor('ClouDO to be up', () => (output.includes('ClouDO is up') ? true : undefined), 60_000).catch(
      (err) => {
        throw new Error(`${(err as Error).message}\n${output}`);
      },
    );
  }, 90_000);

  afterAll(async () => {
    await slack?.close();
    // only if a test failed before the Ctrl-C test stopped it
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  const json = async (url: string, init?: RequestInit) => {
    const res = await fetch(`${base}${url}`, init);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const finished = (execId: string) =>
    waitFor(
      `run ${execId} to finish`,
      async () => {
        const { body } = await json(`/api/executions/${execId}`);
        return ['accepted', 'running'].includes(String(body.status)) ? undefined : body;
      },
      15_000,
    );

  it('runs the sample runbook from a GET trigger to succeeded, with its log in the browser view', async () => {
    const trigger = await json('/api/Trigger?id=test');
    expect(trigger.status).toBe(202);
    expect(trigger.body).toMatchObject({ status: 'accepted', schema: { id: 'test', runbook: 'check_sys.sh' } });
    const execId = String(trigger.body.exec_id);
    expect(trigger.body.links).toMatchObject({ execution: `/api/executions/${execId}`, log: `/api/logs/${execId}` });

    const done = await finished(execId);
    expect(done).toMatchObject({ status: 'succeeded', exit_code: 0, worker: 'Runbook' });
    expect(done.started_at).toEqual(expect.any(String));
    expect(done.finished_at).toEqual(expect.any(String));

    const log = await (await fetch(`${base}/api/executions/${execId}/log`)).text();
    expect(log).toContain(`ClouDO run ${execId} of schema test on worker Runbook`);
    expect(log).toContain('done\n');

    const list = await (await fetch(`${base}/api/logs`)).text();
    expect(list).toContain(execId);
    // the worker that ran it is listed, alive
    expect(list).toMatch(/<tr class="worker">\s*<td>Runbook<\/td>[\s\S]*?alive<\/span>/);
    const workers = (await json('/api/workers')).body.workers as { capability: string; alive: boolean }[];
    expect(workers).toEqual([expect.objectContaining({ capability: 'Runbook', alive: true })]);
    // a laptop stack runs runbooks as the developer: it says so, in its banner and for each worker
    expect(output).toContain('!! RUNBOOKS RUN AS YOUR OWN USER');
    expect(workers[0]).toMatchObject({ runbook_isolation: 'none' });
    const page = await (await fetch(`${base}/api/logs/${execId}`)).text();
    expect(page).toContain('ClouDO run');
  });

  it('records the failing sample as failed with exit code 3, and passes shell metacharacters literally', async () => {
    const failing = await json('/api/Trigger?id=test-3', { method: 'POST' });
    const literal = await json('/api/Trigger?id=args-literal');
    expect(await finished(String(failing.body.exec_id))).toMatchObject({ status: 'failed', exit_code: 3 });
    expect(await finished(String(literal.body.exec_id))).toMatchObject({ status: 'succeeded' });
    const log = await (await fetch(`${base}/api/executions/${literal.body.exec_id}/log`)).text();
    expect(log).toContain('[a b]\n  [$HOME]\n  [;]\n  [|]\n  [$(id)]\n  [`whoami`]');
  });

  it('runs the alert-aware sample for an Alertmanager alert, with the alert in its environment', async () => {
    const payload = await readFile(
      path.resolve(import.meta.dirname, '../fixtures/alerts/alertmanager_webhook_kubepodcrashlooping_firing.json'),
      'utf8',
    );
    const posted = await json('/api/Trigger', { method: 'POST', body: payload });
    expect(posted.status).toBe(202);
    const runs = posted.body.runs as { exec_id: string; schema_id: string; status: string }[];
    expect(runs).toMatchObject([{ schema_id: 'alert-context', status: 'started' }]);
    const done = await finished(runs[0]?.exec_id ?? '');
    expect(done).toMatchObject({ status: 'succeeded', monitor_condition: 'Fired', alert_rule: 'KubePodCrashLooping' });
    const log = await (await fetch(`${base}/api/executions/${runs[0]?.exec_id}/log`)).text();
    expect(log).toContain('alert:     KubePodCrashLooping (Fired, critical)');
    expect(log).toContain('k8s:       namespace=pp1 pod=dd1-0 deployment= job= hpa=');
    expect(log).toMatch(/payload: {3}\d+ bytes in .*alert\.json/);
    const again = await json('/api/Trigger', { method: 'POST', body: payload });
    expect(again.body).toMatchObject({ exec_id: runs[0]?.exec_id, deduplicated: true });
  });

  it('runs a schema named by ?id= for an Azure Monitor alert, with the resource and condition in its environment', async () => {
    const payload = await readFile(
      path.resolve(import.meta.dirname, '../fixtures/alerts/cs_metric_static_resolved_vm_docs.json'),
      'utf8',
    );
    const resourceId = (JSON.parse(payload) as { data: { essentials: { alertTargetIDs: string[] } } }).data.essentials
      .alertTargetIDs[0];
    const posted = await json('/api/Trigger?id=alert-context', { method: 'POST', body: payload });
    expect(posted.status).toBe(202);
    const execId = String(posted.body.exec_id);
    expect(await finished(execId)).toMatchObject({ status: 'succeeded', monitor_condition: 'Resolved' });
    const log = await (await fetch(`${base}/api/executions/${execId}/log`)).text();
    expect(log).toContain(`resource:  ${resourceId}`);
    expect(log).toMatch(/alert: {5}.+ \(Resolved, Sev\d\)/);
    expect(log).toMatch(/ {2}group: {3}\S+ {3}name: \S+/);
  });

  it('pages on-call in Slack when the on-call sample fails', async () => {
    const before = slack.messages.length;
    const trigger = await json('/api/Trigger?id=oncall-demo');
    const execId = String(trigger.body.exec_id);
    expect(await finished(execId)).toMatchObject({ status: 'failed', exit_code: 1 });
    const page = await waitFor('the Slack page', () => slack.messages.slice(before)[0], 10_000);
    expect(page.channel).toBe(slack.channelId('#cloudo'));
    expect(JSON.stringify(page.blocks)).toContain(execId);
  });

  it('holds the gated sample until someone approves it (access control off: anyone may), then runs it', async () => {
    const trigger = await json('/api/Trigger?id=approval-demo');
    expect(trigger.body).toMatchObject({ status: 'pending_approval' });
    const execId = String(trigger.body.exec_id);
    const inbox = (await json('/api/approvals')).body.approvals as { exec_id: string }[];
    expect(inbox.map((a) => a.exec_id)).toContain(execId);
    const decided = await json(`/api/approvals/${execId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'approve' }),
    });
    expect(decided).toMatchObject({ status: 200, body: { status: 'accepted' } });
    expect(await finished(execId)).toMatchObject({ status: 'succeeded', approvals: [{ by: 'local (auth off)' }] });
  });

  it('answers bad requests with a JSON error and runs nothing', async () => {
    expect(await json('/api/Trigger?id=does-not-exist')).toEqual({
      status: 404,
      body: { error: 'no runbook schema with id "does-not-exist"' },
    });
    expect((await json('/api/Trigger')).status).toBe(400);
    const big = await json('/api/Trigger?id=test', { method: 'POST', body: 'x'.repeat(1024 * 1024 + 1) });
    expect(big.status).toBe(413);
    expect((await json('/api/executions/not-an-id')).status).toBe(400);
    const listed = await json('/api/executions?schema=does-not-exist');
    expect(listed.body.executions).toEqual([]);
  });

  it('reports healthy storage', async () => {
    expect(await json('/api/healthz')).toEqual({
      status: 200,
      body: { status: 'ok', storage: { table: true, queue: true, blob: true } },
    });
  });

  it('restarts a worker that died and lists its new pid in stack.json, where the old one is gone', async () => {
    const readPids = async () =>
      (JSON.parse(await readFile(path.join(stateDir, 'stack.json'), 'utf8')) as { childPids: number[] }).childPids;
    const [azurite, worker] = await readPids();
    process.kill(worker ?? 0, 'SIGKILL');
    const pids = await waitFor('stack.json to list the restarted worker', async () => {
      const now = await readPids();
      return now.length === 2 && now[1] !== worker ? now : undefined;
    });
    expect(pids[0]).toBe(azurite);
    expect(isAlive(pids[1] ?? 0)).toBe(true);
    expect(output).toMatch(/\[worker:Runbook\] exited \(SIGKILL\); restarting in 500 ms/);
    // and it serves runs again
    const trigger = await json('/api/Trigger?id=test');
    expect(await finished(String(trigger.body.exec_id))).toMatchObject({ status: 'succeeded' });
  });

  it('stops everything on Ctrl-C, recording how a run cut short ended, and leaves no process behind', async () => {
    const long = await json('/api/Trigger?id=long');
    const execId = String(long.body.exec_id);
    // cut short once its runbook runs: claimed is not enough, the worker first fetches the run's token
    await waitFor('the long run to print', async () =>
      (await (await fetch(`${base}/api/executions/${execId}/log`)).text()).startsWith('tick 1/120') ? true : undefined,
    );
    const stack = JSON.parse(await readFile(path.join(stateDir, 'stack.json'), 'utf8')) as {
      pid: number;
      childPids: number[];
    };
    expect(stack.childPids.length).toBeGreaterThanOrEqual(2);
    const exited = once(child, 'exit');
    process.kill(-(child.pid ?? 0), 'SIGINT');
    await exited;
    // npm itself exits at once; the stack's own process then stops its children and cleans up
    for (const pid of [stack.pid, ...stack.childPids]) {
      await waitFor(`process ${pid} to exit`, () => (isAlive(pid) ? undefined : true), 15_000);
    }
    await expect(readFile(path.join(stateDir, 'stack.json'))).rejects.toThrow(/ENOENT/);

    // the worker was stopped before Azurite: the run's end is on disk
    const azurite = await startAzurite({ location: path.join(stateDir, 'azurite') });
    try {
      const storage = createStorage({
        connection: { kind: 'connection-string', connectionString: azurite.connectionString },
        namespace: '',
      });
      const row = await storage.executions.get(execId);
      expect(row?.execution.status).toBe('error');
      expect(row?.execution.error).toMatch(/worker shut down before the runbook finished/);
      expect((await storage.logs.read(execId))?.toString()).toMatch(/^tick 1\/120\n/);
    } finally {
      await azurite.stop();
    }
  }, 30_000);
});
