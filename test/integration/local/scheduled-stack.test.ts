import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../src/local/stack.js';
import { startStackIn } from '../../support/local-stack.js';
import { waitFor } from '../../support/wait.js';

interface RunResource {
  exec_id: string;
  status: string;
  requested_at: string;
  trigger: { source: string; actor: string | null };
  schedule: { id: string; tick: string } | null;
}

/** The local stack runs the Scheduler timer as Azure does: a schedule of the schemas file fires, in real time. */
describe('a schedule on the local stack', () => {
  let stack: LocalStack;

  const entity = {
    id: 'ticking',
    name: 'ticking',
    runbook: 'check_sys.sh',
    worker: 'Runbook',
    schedules: [{ id: 'every-two-seconds', cron: '*/2 * * * * *' }],
  };

  beforeAll(async () => {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-schedule-'));
    // timers every second instead of the Scheduler's own 15 s: the test waits seconds, not a quarter minute
    stack = await startStackIn(stateDir, [entity], { timerIntervalMs: 1000 });
  }, 60_000);
  afterAll(() => stack?.stop());

  // what the Scheduler does: runs recorded on time, one per tick, and run by the stack's worker
  it('records a run within seconds of each tick, one per tick', async () => {
    const runs = async () => {
      const res = await fetch(`${stack.url}/api/executions?schema=ticking&limit=100`);
      return ((await res.json()) as { executions: RunResource[] }).executions;
    };
    const fired = await waitFor(
      'three scheduled runs',
      async () => {
        const found = await runs();
        return found.length >= 3 ? found : undefined;
      },
      20_000,
    );
    for (const run of fired) {
      expect(run.trigger).toMatchObject({ source: 'schedule', actor: 'schedule:every-two-seconds' });
      expect(run.schedule?.id).toBe('every-two-seconds');
      expect(['accepted', 'running', 'succeeded']).toContain(run.status);
      const tick = Date.parse(run.schedule?.tick ?? '');
      expect(new Date(tick).getUTCSeconds() % 2).toBe(0);
      // the timers run every second here: a tick is recorded within about one of them
      const latencyMs = Date.parse(run.requested_at) - tick;
      expect(latencyMs).toBeGreaterThanOrEqual(0);
      expect(latencyMs).toBeLessThan(3000);
    }
    const all = await runs();
    expect(new Set(all.map((r) => r.schedule?.tick)).size).toBe(all.length);
    await waitFor('a scheduled run to succeed', async () =>
      (await runs()).some((r) => r.status === 'succeeded') ? true : undefined,
    );
  });
});
