import { describe, expect, it } from 'vitest';
import type { RunbookParameter } from '../../../src/core/run-parameters.js';
import type { RunbookSchema } from '../../../src/core/runbook-schema.js';
import type { RunbookPageInput, RunFormView } from '../../../src/ui/index.js';
import { renderRunbookPage, renderRunbooksPage } from '../../../src/ui/index.js';
import { testSchema } from '../../support/schemas.js';
import { seededRun } from '../../support/seeded-runs.js';

const XSS = '<img src=x onerror=alert(1)>"\'&';
const XSS_TEXT = '&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;';
const NOW = new Date('2026-03-04T10:00:00.000Z');

const hostile = testSchema({
  id: 'evil',
  name: `Evil ${XSS}`,
  description: `Desc ${XSS}`,
  team: 'payments',
  alertRules: [`rule ${XSS}`],
  requireApproval: true,
  minApprovals: 2,
  parameters: [
    param({ name: 'target', description: `Param ${XSS}`, pattern: String.raw`[\s\S]+|"<>`, default: `d${XSS}` }),
  ],
});

function param(overrides: Partial<RunbookParameter>): RunbookParameter {
  return { name: 'p', type: 'string', required: false, description: '', ...overrides };
}

function form(parameters: RunbookParameter[], extra: Partial<RunFormView> = {}): RunFormView {
  return { action: '/api/console/runbooks/evil/run', token: 'tok', parameters, requiresApproval: false, ...extra };
}

function page(overrides: Partial<RunbookPageInput> = {}): string {
  return renderRunbookPage({
    schema: hostile,
    source: { path: 'evil.sh', commit: null, url: null, content: { text: `# ${XSS}\necho hi`, language: 'bash' } },
    recentRuns: [seededRun('2026-03-04T09:00:00Z', 'succeeded', { schemaId: 'evil', durationMs: 1500 })],
    now: NOW,
    runForm: null,
    schedules: [],
    ...overrides,
  }).toString();
}

describe('the runbook catalogue', () => {
  const render = () =>
    renderRunbooksPage({
      runbooks: [
        { schema: hostile, lastRun: { status: 'failed', requestedAt: '2026-03-04T09:00:00.000Z' } },
        { schema: testSchema({ id: 'quiet' }), lastRun: null },
      ],
      filter: { q: XSS },
      workers: ['Runbook'],
      teams: ['payments'],
      total: 3,
      lastRunSince: '2026-02-02T10:00:00.000Z',
    }).toString();

  it('shows a schema’s tags as labels, as text, in the catalogue and on its page', () => {
    const tagged = testSchema({ id: 'tagged', tags: ['disk', XSS] });
    const catalogue = renderRunbooksPage({
      runbooks: [{ schema: tagged, lastRun: null }],
      filter: {},
      workers: ['Runbook'],
      teams: [],
      total: 1,
      lastRunSince: '2026-02-02T10:00:00.000Z',
    }).toString();
    const labels = `<ul class="tags" aria-label="tags"><li>disk</li><li>${XSS_TEXT}</li></ul>`;
    expect(catalogue).toContain(labels);
    expect(page({ schema: tagged })).toContain(`<dt>Tags</dt><dd> ${labels}</dd>`);
    expect(page({ schema: testSchema({ id: 'plain' }) })).toMatch(/<dt>Tags<\/dt><dd><span class="muted">/);
  });

  it('shows every field of a schema as text, never as markup', () => {
    const out = render();
    expect(out).not.toContain('<img');
    expect(out).toContain(`Evil ${XSS_TEXT}`);
    expect(out).toContain(`Desc ${XSS_TEXT}`);
    expect(out).toContain(`<li>rule ${XSS_TEXT}</li>`);
    expect(out).toContain(`value="${XSS_TEXT}"`);
  });

  it('shows approval, team, last run and how far back a missing last run was looked for', () => {
    const out = render();
    expect(out).toContain('required: 2 approvals');
    expect(out).toContain('<span class="badge badge-failed">failed</span>');
    expect(out).toContain('none since <time datetime="2026-02-02T10:00:00.000Z">');
    expect(out).toContain('2 of 3 runbooks match');
    expect(out).toContain('href="/api/console/runbooks/evil"');
    expect(out).toContain('<a href="/api/console/runbooks" aria-current="page">Runbooks</a>');
  });

  it('labels every filter control', () => {
    const out = render();
    for (const id of ['filter-q', 'filter-worker', 'filter-team']) expect(out).toContain(`<label for="${id}">`);
  });
});

describe('the runbook page', () => {
  it('escapes the schema, its parameters and its source, and shows a viewer no form', () => {
    const out = page();
    expect(out).not.toContain('<img');
    expect(out).toContain(`Param ${XSS_TEXT}`);
    expect(out).toContain(`<span class="tok-comment"># ${XSS_TEXT}</span>`);
    expect(out).not.toContain('<form class="run-form"');
    expect(out).toContain('href="/api/logs/');
  });

  it('says when a runbook gets AKS credentials: always, for the AKS integration’s clusters, or never', () => {
    const aks = (aksCredentials: RunbookSchema['aksCredentials']) => page({ schema: { ...hostile, aksCredentials } });
    expect(aks(true)).toContain('; AKS credentials for the cluster the alert names');
    expect(aks('auto')).toContain('; AKS credentials when the alert is about a cluster of the AKS integration');
    expect(aks(false)).not.toContain('AKS credentials');
  });

  it('names the commit and links the file at that commit, or says why the source is missing', () => {
    const url = 'https://github.com/acme/ops/blob/0123456789abcdef0123456789abcdef01234567/runbooks/evil.sh';
    const withCommit = page({
      source: { path: 'evil.sh', commit: '0123456789abcdef0123456789abcdef01234567', url, content: { problem: 'x' } },
    });
    expect(withCommit).toContain('at commit <code>0123456789ab</code>');
    expect(withCommit).toContain(`<a href="${url}" rel="noreferrer">`);
    const missing = page({
      source: { path: 'evil.sh', commit: null, url: null, content: { problem: `no worker "${XSS}"` } },
    });
    expect(missing).toContain(`The source cannot be shown: no worker &quot;${XSS_TEXT}&quot;.`);
  });

  it('builds one labelled control per parameter type, with defaults, hints and required marks', () => {
    const out = page({
      runForm: form([
        param({ name: 'target', required: true, pattern: '[a-z]+', default: 'web', description: 'which host' }),
        param({ name: 'count', type: 'number', default: 3 }),
        param({ name: 'dry', type: 'boolean', default: true }),
        param({ name: 'mode', type: 'enum', values: ['fast', 'safe'], default: 'safe' }),
      ]),
    });
    expect(out).toContain('<label for="param-target">target <span class="required">(required)</span>');
    expect(out).toContain(
      '<input type="text" id="param-target" name="param.target" value="web" pattern="[a-z]+" required aria-describedby="param-target-hint">',
    );
    expect(out).toContain('<small class="hint" id="param-target-hint">which host</small>');
    expect(out).toContain('<input type="number" step="any" id="param-count" name="param.count" value="3">');
    expect(out).toContain('<input type="checkbox" id="param-dry" name="param.dry" value="true" checked>');
    expect(out).toContain('<option value="">(none)</option><option>fast</option><option selected>safe</option>');
    expect(out).toContain('<input type="hidden" name="token" value="tok">');
    expect(out).toContain('<button type="submit" class="run">Run</button>');
  });

  it('escapes a hostile pattern, default and description inside the form', () => {
    const out = page({ runForm: form(hostile.parameters) });
    expect(out).not.toContain('<img');
    expect(out).toContain(String.raw`pattern="[\s\S]+|&quot;&lt;&gt;"`);
    expect(out).toContain(`value="d${XSS_TEXT}"`);
  });

  it('brings back what was sent with each problem beside its field', () => {
    const out = page({
      runForm: form(
        [param({ name: 'target', required: true }), param({ name: 'dry', type: 'boolean', default: true })],
        {
          values: { target: `x${XSS}`, dry: false },
          problems: { target: ['must match [a-z]+'], '': ['params.other: unknown parameter'] },
        },
      ),
    });
    expect(out).toContain('The run was not started: 2 problems to fix.');
    expect(out).toContain('<li>params.other: unknown parameter</li>');
    expect(out).toContain(`value="x${XSS_TEXT}" required aria-describedby="param-target-error" aria-invalid="true">`);
    expect(out).toContain('<p class="field-error" id="param-target-error">must match [a-z]+</p>');
    expect(out).toContain('<input type="checkbox" id="param-dry" name="param.dry" value="true">');
  });

  it('says on the button that a gated runbook waits for approval', () => {
    expect(page({ runForm: form([], { requiresApproval: true }) })).toContain('Request run (needs approval)');
  });
});
