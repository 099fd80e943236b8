import { describe, expect, it } from 'vitest';
import type { Execution, Run, RunTrigger } from '../../../src/core/execution.js';
import { planRun } from '../../../src/core/run-plan.js';
import { renderExecutionPage, renderExecutionsPage } from '../../../src/ui/index.js';
import { testSchema } from '../../support/schemas.js';

const T0 = new Date('2026-12-01T10:00:00.000Z');
const NOW = new Date('2026-12-01T10:20:00.000Z');
const evil = '<img src=x onerror=alert(1)>';
const trigger: RunTrigger = { source: 'http', actor: 'alice (token 1a)', team: null, principal: 'user:alice' };

function waiting(overrides: Partial<Run> = {}): Run {
  const schema = testSchema({ id: 'restart', requireApproval: true, minApprovals: 2, approvers: ['role:ops'] });
  return { ...planRun(schema, trigger, T0).execution, ...overrides };
}

const page = (execution: Execution, approveRefusal: string | null, rejectRefusal: string | null) =>
  renderExecutionPage({
    execution,
    log: null,
    now: NOW,
    approval: { approveRefusal, rejectRefusal, formToken: 'tok"en' },
  }).toString();

describe('approval panel of a waiting run', () => {
  it('says who asked, what it needs and how long is left, with both forms for someone who may decide', () => {
    const html = page(waiting(), null, null);
    expect(html).toContain('<h2>Waiting for approval</h2>');
    expect(html).toContain('<dt>Requested by</dt><dd>user:alice</dd>');
    expect(html).toContain('2 approvals from role:ops, not the requester <span class="muted">(0 so far)</span>');
    expect(html).toContain('<strong class="time-left">40 min 00 s left</strong>');
    expect(html.match(/<form method="post" action="\/api\/logs\/[^"]+\/decision" class="decide">/g)).toHaveLength(2);
    // the token is an attribute value: escaped, never able to close the attribute
    expect(html).toContain('name="token" value="tok&quot;en"');
    expect(html).toContain('<textarea name="reason" maxlength="1000" rows="2" required></textarea>');
    expect(html).not.toContain('http-equiv="refresh"');
  });

  it('shows why someone may not decide, without forms, and reloads for them', () => {
    const html = page(waiting(), 'you requested this run: someone else must approve it', 'only approvers');
    expect(html).not.toContain('<form method="post"');
    expect(html).toContain(
      '<p class="muted cannot-decide">you requested this run: someone else must approve it; only approvers</p>',
    );
    expect(html).toContain('content="15; url=/api/logs/');
  });

  it('lets the requester withdraw (reject) but explains why they cannot approve', () => {
    const html = page(waiting(), 'you requested this run: someone else must approve it', null);
    expect(html.match(/name="decision" value="reject"/g)).toHaveLength(1);
    expect(html).not.toContain('value="approve"');
    expect(html).toContain('<p class="muted cannot-decide">you requested this run: someone else must approve it</p>');
  });

  it('renders decisions, reasons and names as text', () => {
    const run = waiting({
      status: 'rejected',
      approvals: [{ by: evil, principal: 'user:x', at: NOW.toISOString(), decision: 'reject', reason: evil }],
    });
    const html = page(run, 'no', 'no');
    expect(html).toContain('<h2>Approval</h2>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;</strong> rejected');
    expect(html).not.toContain('<form method="post"');
  });
});

describe('executions page', () => {
  it('puts the runs waiting for approval on top, with their time left', () => {
    const html = renderExecutionsPage({
      executions: [],
      filter: {},
      nextContinuation: null,
      now: NOW,
      waiting: [waiting({ schemaId: evil })],
    }).toString();
    expect(html.indexOf('Waiting for approval (1)')).toBeLessThan(html.indexOf('<h1>Executions</h1>'));
    expect(html).toContain('<td>0 of 2</td>');
    expect(html).toContain('<td class="time-left">40 min 00 s left</td>');
    expect(html).not.toContain('<img');
  });
});
