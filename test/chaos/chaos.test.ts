import { describe, expect, it } from 'vitest';
import { notifierOutageScenario } from '../../bench/chaos/notifier-outage.js';
import { orphanRowScenario } from '../../bench/chaos/orphan-row.js';
import type { ScenarioResult } from '../../bench/chaos/result.js';
import { formatRow } from '../../bench/chaos/result.js';
import type { ChaosOptions } from '../../bench/chaos/setup.js';
import { stackKillScenario } from '../../bench/chaos/stack-kill.js';
import { storageOutageScenario } from '../../bench/chaos/storage-outage.js';
import { workerKillScenario } from '../../bench/chaos/worker-kill.js';

/**
 * `npm run chaos` reduced for CI: the same scenario functions on real processes, at 6 % of the counts
 * (60 triggers, one worker kill, 3 s storage outage, 5 s notifier outage). Nothing about speed is asserted;
 * what a user would notice is: a run accepted and never finished, a script run twice, a 500.
 */
const options: ChaosOptions = { scale: 0.06, log: () => undefined };

function expectNothingLost(result: ScenarioResult): void {
  // the row on failure says which figure went wrong
  const summary = formatRow(result);
  expect({ lost: result.lost, runTwice: result.runTwice }, summary).toEqual({ lost: 0, runTwice: 0 });
  expect(result.stuck, summary).toBe(0);
  expect(result.answers['500'] ?? 0, summary).toBe(0);
  expect(result.answers.hang ?? 0, summary).toBe(0);
  expect(result.runs, summary).toBeGreaterThan(0);
}

describe('chaos (reduced)', () => {
  it('loses nothing and runs nothing twice when a worker is SIGKILLed mid-burst', async () => {
    expectNothingLost(await workerKillScenario(options));
  }, 120_000);

  it('loses no accepted run and runs nothing twice when the whole stack is SIGKILLed and restarted', async () => {
    expectNothingLost(await stackKillScenario(options));
  }, 120_000);

  it('answers 503 with Retry-After while storage is down, and abandons no live run', async () => {
    const result = await storageOutageScenario(options);
    expectNothingLost(result);
    expect(result.unavailableWithoutRetryAfter).toBe(0);
    expect(result.extra.abandoned).toBe(0);
  }, 120_000);

  it('pages every failed on-call run exactly once after Slack and Opsgenie come back', async () => {
    const result = await notifierOutageScenario(options);
    expectNothingLost(result);
    expect(result.extra).toMatchObject({ slackMissing: 0, slackTwice: 0, opsgenieMissing: 0, opsgenieTwice: 0 });
  }, 120_000);

  it('runs, once, a run whose host died between writing its row and queueing it', async () => {
    const result = await orphanRowScenario(options);
    expectNothingLost(result);
    expect(result.extra.orphansEnded).toBe(result.extra.orphans);
  }, 120_000);
});
