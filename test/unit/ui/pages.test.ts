import { describe, expect, it } from 'vitest';
import type { Run, RunStatus, UnmatchedAlert } from '../../../src/core/execution.js';
import { ExecutionStatus, isTerminal, newExecution, newUnmatchedAlert } from '../../../src/core/execution.js';
import { renderErrorPage, renderExecutionPage, renderExecutionsPage } from '../../../src/ui/index.js';

const NOW = new Date('2026-03-04T10:00:00.000Z');
const ID = '019cb7d5-8a00-7000-8000-000000000001';

function execution(overrides: Partial<Run> = {}): Run {
  // what a page shows, the rest at the contract's defaults; overrides unchecked, as hostile ones must be
  const run = newExecution({
    execId: ID,
    schemaId: 'restart-pod',
    schemaPartition: 'aks',
    schemaName: 'Restart a pod',
    runbook: 'aks/restart.sh',
    worker: 'Runbook',
    runArgs: '--namespace payments',
    oncall: true,
    timeoutMs: 900_000,
    trigger: { source: 'http', actor: 'alice', team: 'payments', principal: null },
    status: 'succeeded',
    requestedAt: '2026-03-04T09:58:00.000Z',
    startedAt: '2026-03-04T09:58:01.000Z',
    finishedAt: '2026-03-04T09:58:02.500Z',
    exitCode: 0,
    signal: null,
    error: null,
    logBytes: 2048,
    workerHost: 'worker-7f9c',
    workerId: 'worker-7f9c-1234-ab',
  });
  return { ...run, ...overrides };
}

/** An alert no schema handles, as the console lists it beside the runs. */
function unmatchedAlert(overrides: Partial<UnmatchedAlert> = {}): UnmatchedAlert {
  return newUnmatchedAlert({
    execId: ID,
    trigger: { source: 'alert', actor: null, team: null, principal: null },
    status: 'unmatched',
    requestedAt: '2026-03-04T09:58:00.000Z',
    finishedAt: '2026-03-04T09:58:00.000Z',
    deliveries: 1,
    ...overrides,
  });
}

/** Every free-text field of a run set to markup that would be an element if it were not escaped. */
function hostileExecution(status: RunStatus = 'failed'): Run {
  const evil = (field: string) => `<x-${field}>"'&</x-${field}>`;
  return execution({
    status,
    execId: evil('execid'),
    schemaId: evil('schemaid'),
    schemaPartition: evil('partition'),
    schemaName: evil('schemaname'),
    runbook: evil('runbook'),
    worker: evil('worker'),
    runArgs: evil('args'),
    trigger: { source: 'alert', actor: evil('actor'), team: evil('team'), principal: null },
    signal: evil('signal'),
    error: evil('error'),
    workerHost: evil('host'),
    alertRule: evil('alertrule'),
    monitorCondition: 'Fired',
    resourceId: evil('resourceid'),
  });
}
const HOSTILE_FIELDS = ['schemaid', 'partition', 'schemaname', 'runbook', 'worker', 'args', 'actor', 'team'];

const hrefs = (page: string) => [...page.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
const refreshOf = (page: string) => /<meta http-equiv="refresh" content="([^"]*)">/.exec(page)?.[1];

describe('execution page', () => {
  it('escapes every field of the run', () => {
    const page = renderExecutionPage({ execution: hostileExecution(), log: null, now: NOW }).toString();
    expect(page).not.toMatch(/<x-/);
    for (const field of [...HOSTILE_FIELDS, 'execid', 'signal', 'error', 'host', 'alertrule', 'resourceid']) {
      expect(page, field).toContain(`&lt;x-${field}&gt;&quot;&#39;&amp;&lt;/x-${field}&gt;`);
    }
  });

  it('shows the log as text, markup and all', () => {
    const log = 'start\n<script>window.__pwned=1</script>\n<img src=x onerror=alert(1)>\nend & done\n';
    const page = renderExecutionPage({ execution: execution(), log, now: NOW }).toString();
    expect(page).toContain(
      '<pre class="log">start\n&lt;script&gt;window.__pwned=1&lt;/script&gt;\n' +
        '&lt;img src=x onerror=alert(1)&gt;\nend &amp; done\n</pre>',
    );
    expect(page).not.toContain('<script');
    expect(page).not.toContain('<img');
  });

  it('says so when there is no log', () => {
    expect(renderExecutionPage({ execution: execution(), log: null, now: NOW }).toString()).toContain(
      'This run wrote no output.',
    );
    const running = execution({ status: 'running', finishedAt: null, exitCode: null, logBytes: null });
    expect(renderExecutionPage({ execution: running, log: '', now: NOW }).toString()).toContain('No output yet.');
  });

  it('shows how many deliveries an unmatched alert row stands for, and nothing of the kind on a run', () => {
    const unmatched = unmatchedAlert({ monitorCondition: 'Fired', alertRule: 'rule', deliveries: 7 });
    expect(renderExecutionPage({ execution: unmatched, log: null, now: NOW }).toString()).toMatch(
      /<dt>Deliveries<\/dt><dd>7 /,
    );
    expect(renderExecutionPage({ execution: execution(), log: null, now: NOW }).toString()).not.toContain('Deliveries');
  });

  it('says whether a run got AKS credentials, and for which cluster of the AKS integration', () => {
    const cluster =
      '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-<b>';
    const render = (overrides: Partial<Run>) =>
      renderExecutionPage({ execution: execution(overrides), log: null, now: NOW }).toString();
    expect(render({ aksCredentials: true, aksCluster: cluster })).toContain(
      '<dt>AKS credentials</dt><dd>for <code>/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-&lt;b&gt;</code></dd>',
    );
    expect(render({ aksCredentials: true })).toContain(
      '<dt>AKS credentials</dt><dd>for the cluster the alert names</dd>',
    );
    expect(render({ aksCredentials: false })).not.toContain('AKS credentials');
  });

  it('links back to the list, to the raw log and to the JSON resource', () => {
    const page = renderExecutionPage({ execution: execution(), log: null, now: NOW }).toString();
    expect(hrefs(page)).toEqual(
      expect.arrayContaining(['/api/logs', `/api/executions/${ID}/log`, `/api/executions/${ID}`]),
    );
  });

  it('shows every detail of the run', () => {
    const page = renderExecutionPage({
      execution: execution({ status: 'failed', exitCode: 3, signal: 'SIGTERM', error: 'disk full' }),
      log: null,
      now: NOW,
    }).toString();
    for (const [term, value] of [
      ['Status', '<span class="badge badge-failed">failed</span>'],
      ['Execution id', `<code>${ID}</code>`],
      ['Schema', 'restart-pod <span class="muted">(Restart a pod, partition aks)</span>'],
      ['Runbook', '<code>aks/restart.sh</code>'],
      ['Worker', 'Runbook'],
      ['Arguments', '<code>--namespace payments</code>'],
      ['On-call', 'yes'],
      ['Time limit', '15 min 00 s'],
      ['Trigger', 'http'],
      ['Actor', 'alice'],
      ['Team', 'payments'],
      ['Requested', '<time datetime="2026-03-04T09:58:00.000Z">2026-03-04 09:58:00 UTC</time>'],
      ['Started', '<time datetime="2026-03-04T09:58:01.000Z">2026-03-04 09:58:01 UTC</time>'],
      ['Finished', '<time datetime="2026-03-04T09:58:02.500Z">2026-03-04 09:58:02 UTC</time>'],
      ['Duration', '1.5 s'],
      ['Exit code', '3'],
      ['Signal', 'SIGTERM'],
      ['Error', '<pre class="error">disk full</pre>'],
      ['Log size', '2.0 KiB'],
      ['Ran on', 'worker host worker-7f9c <span class="muted">(shared)</span>'],
    ]) {
      expect(page).toContain(`<dt>${term}</dt><dd>${value}</dd>`);
    }
  });

  it('shows exit code 0 as 0, and a dash for what is not known yet', () => {
    const done = renderExecutionPage({ execution: execution(), log: null, now: NOW }).toString();
    expect(done).toContain('<dt>Exit code</dt><dd>0</dd>');
    const queued = renderExecutionPage({
      execution: execution({
        status: 'accepted',
        startedAt: null,
        finishedAt: null,
        exitCode: null,
        logBytes: null,
        workerHost: null,
        trigger: { source: 'cli', actor: null, team: null, principal: null },
      }),
      log: null,
      now: NOW,
    }).toString();
    for (const term of ['Started', 'Finished', 'Exit code', 'Log size', 'Ran on', 'Actor', 'Team']) {
      expect(queued).toContain(`<dt>${term}</dt><dd><span class="muted">—</span></dd>`);
    }
    expect(queued).toContain('<dt>Duration</dt><dd>—</dd>');
  });

  it('says an isolated run ran in its own container group, with its size', () => {
    const fields = { isolation: 'container' as const, resources: { cpu: 2, memoryGb: 4 } };
    const queued = renderExecutionPage({
      execution: execution({ ...fields, status: 'accepted', workerHost: null, containerGroup: null }),
      log: null,
      now: NOW,
    }).toString();
    expect(queued).toContain('a container group of its own (2 CPU, 4 GB), once a worker takes it');
    const ran = renderExecutionPage({
      execution: execution({ ...fields, workerHost: 'worker-7f9c', containerGroup: 'cloudo-run-x' }),
      log: null,
      now: NOW,
    }).toString();
    expect(ran).toContain(
      '<dt>Ran on</dt><dd>container group <code>cloudo-run-x</code> <span class="muted">(2 CPU, 4 GB;',
    );
    expect(ran).toContain('claimed by worker host worker-7f9c');
  });

  it('counts a running run up to now', () => {
    const running = execution({ status: 'running', startedAt: '2026-03-04T09:58:30.000Z', finishedAt: null });
    const page = renderExecutionPage({ execution: running, log: null, now: NOW }).toString();
    expect(page).toContain('<dt>Duration</dt><dd>1 min 30 s</dd>');
  });

  it.each(ExecutionStatus.options)('reloads every 2 s only while the run is not finished (%s)', (status) => {
    const row = status === 'unmatched' ? unmatchedAlert() : execution({ status });
    const page = renderExecutionPage({ execution: row, log: 'x', now: NOW }).toString();
    // a run waiting for approval is not running: its page does not reload under someone deciding
    const reloads = !isTerminal(status) && status !== 'pending_approval';
    expect(refreshOf(page)).toBe(reloads ? `2; url=/api/logs/${ID}` : undefined);
  });
});

describe('executions page', () => {
  const runs = [
    execution({ execId: `${ID.slice(0, -1)}3`, status: 'running', finishedAt: null, exitCode: null }),
    execution({ execId: `${ID.slice(0, -1)}2`, status: 'failed', exitCode: 1 }),
    execution({ execId: ID, status: 'accepted', startedAt: null, finishedAt: null, exitCode: null }),
  ];

  it('lists the runs in the order given, each linking to its page, with badge and duration', () => {
    const page = renderExecutionsPage({ executions: runs, filter: {}, nextContinuation: null, now: NOW }).toString();
    const rowLinks = hrefs(page).filter((h) => h?.startsWith('/api/logs/'));
    expect(rowLinks).toEqual(runs.map((r) => `/api/logs/${r.execId}`));
    const rows = page.split('<tr>').slice(2);
    expect(rows[0]).toContain('<span class="badge badge-running">running</span>');
    expect(rows[0]).toContain('<td>1 min 59 s</td>');
    expect(rows[1]).toContain('<span class="badge badge-failed">failed</span>');
    expect(rows[1]).toContain('<td>1.5 s</td>');
    expect(rows[2]).toContain('<span class="badge badge-accepted">accepted</span>');
    expect(rows[2]).toContain('<td>—</td>');
    for (const row of rows) {
      expect(row).toContain('<td>restart-pod<div class="muted">Restart a pod</div></td>');
      expect(row).toContain('<td>aks/restart.sh</td>');
      expect(row).toContain('<td>Runbook</td>');
      expect(row).toContain('2026-03-04 09:58:00 UTC');
    }
  });

  it('escapes every field of every run', () => {
    const page = renderExecutionsPage({
      executions: [hostileExecution('failed'), hostileExecution('running')],
      filter: {},
      nextContinuation: null,
      now: NOW,
    }).toString();
    expect(page).not.toMatch(/<x-/);
    for (const field of ['schemaid', 'schemaname', 'runbook', 'worker']) {
      expect(page, field).toContain(`&lt;x-${field}&gt;`);
    }
    // the id only appears in the row link, where it is a URL path segment
    expect(hrefs(page)).toContain('/api/logs/%3Cx-execid%3E%22&#39;%26%3C%2Fx-execid%3E');
  });

  it('keeps the filters in the reload URL, the form and the page links', () => {
    const page = renderExecutionsPage({
      executions: runs,
      filter: { status: 'failed', schema: 'test' },
      continuation: 'page-2',
      nextContinuation: 'a b&c="d"',
      now: NOW,
    }).toString();
    expect(refreshOf(page)).toBe('5; url=/api/logs?status=failed&amp;schema=test&amp;continuation=page-2');
    expect(page).toContain('<option value="failed" selected>failed</option>');
    expect(page).toContain('<input name="schema" value="test" placeholder="any">');
    expect(page).toContain('<a href="/api/logs?status=failed&amp;schema=test">First page</a>');
    expect(page).toContain(
      '<a rel="next" href="/api/logs?status=failed&amp;schema=test&amp;continuation=a+b%26c%3D%22d%22">Next page</a>',
    );
    expect(page).toContain('<a href="/api/logs">Clear filters</a>');
  });

  it('shows no page links on a single page, and reloads the plain list', () => {
    const page = renderExecutionsPage({ executions: runs, filter: {}, nextContinuation: null, now: NOW }).toString();
    expect(refreshOf(page)).toBe('5; url=/api/logs');
    expect(page).not.toContain('Next page');
    expect(page).not.toContain('First page');
    expect(page).not.toContain('Clear filters');
    expect(page).not.toContain(' selected');
  });

  it('escapes a schema filter typed into the form', () => {
    const page = renderExecutionsPage({
      executions: [],
      filter: { schema: '"><script>alert(1)</script>' },
      nextContinuation: null,
      now: NOW,
    }).toString();
    expect(page).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(page).not.toContain('<script>');
    expect(page).toContain('No executions match.');
  });

  it('carries a chosen page size through its links', () => {
    const page = renderExecutionsPage({
      executions: runs,
      filter: { limit: 2 },
      nextContinuation: 'next',
      now: NOW,
    }).toString();
    expect(page).toContain('<input type="hidden" name="limit" value="2">');
    expect(page).toContain('href="/api/logs?limit=2&amp;continuation=next"');
  });
});

describe('error page', () => {
  it('shows the status and the escaped message, with a way back', () => {
    const page = renderErrorPage(404, 'no execution with id "<b>x</b>"').toString();
    expect(page).toContain('<title>Error 404 · ClouDO</title>');
    expect(page).toContain('<p class="error-message">no execution with id &quot;&lt;b&gt;x&lt;/b&gt;&quot;</p>');
    expect(hrefs(page)).toContain('/api/logs');
    expect(refreshOf(page)).toBeUndefined();
  });
});

describe('workers panel', () => {
  it('lists workers with their state, escaping what they report', () => {
    const page = renderExecutionsPage({
      executions: [],
      filter: {},
      nextContinuation: null,
      now: NOW,
      workers: [
        {
          capability: 'Runbook',
          workerId: 'w-1',
          host: '<x-host>',
          version: '1.0',
          concurrency: 4,
          runningRuns: ['a', 'b'],
          lastSeen: NOW.toISOString(),
          alive: true,
          runbookIsolation: 'separate-users',
        },
        {
          capability: 'aks',
          workerId: 'w-2',
          host: 'h',
          version: '1.0',
          concurrency: 1,
          runningRuns: [],
          lastSeen: NOW.toISOString(),
          alive: false,
          runbookIsolation: 'none',
        },
      ],
    }).toString();
    expect(page).not.toContain('<x-host>');
    expect(page).toContain('&lt;x-host&gt;');
    expect(page).toContain('2 / 4');
    expect(page).toMatch(/badge-succeeded">alive</);
    expect(page).toMatch(/badge-abandoned">silent</);
    // a worker whose runbooks could read its secrets is flagged
    expect(page).toMatch(/title="each run as a user of its own">own users</);
    expect(page).toMatch(/title="runbooks can read this worker's secrets">worker's user</);
  });
});
