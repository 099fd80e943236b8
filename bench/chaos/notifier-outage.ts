import { setTimeout as sleep } from 'node:timers/promises';
import { startFakeOpsgenie } from '../../test/support/fake-opsgenie.js';
import { startFakeSlack } from '../../test/support/fake-slack.js';
import { startStackIn } from '../../test/support/local-stack.js';
import { burst } from './burst.js';
import type { ScenarioResult } from './result.js';
import { listRuns, settle, tally } from './settle.js';
import type { ChaosOptions } from './setup.js';
import { baseEnv, chaosEntity, RUNBOOKS_DIR, scaled, scenarioDir, storageAt } from './setup.js';

/**
 * Slack and Opsgenie both answering 503 for one minute from the start of a burst of failing on-call runs
 * (each run pages both). Once they are back, every run must be paged exactly once on each: one Slack
 * message naming it, one accepted Opsgenie create naming it.
 */
export async function notifierOutageScenario(options: ChaosOptions): Promise<ScenarioResult> {
  const count = scaled(options, 200, 10);
  const durationMs = scaled(options, 10_000, 2_000);
  const outageMs = scaled(options, 60_000, 5_000);
  const { dir, appendFile } = await scenarioDir('notifier-outage');
  const slack = await startFakeSlack({ channels: ['#cloudo'] });
  const opsgenie = await startFakeOpsgenie();
  const stack = await startStackIn(dir, [chaosEntity(appendFile, 0, { exitCode: 1, oncall: true })], {
    runbooksDir: RUNBOOKS_DIR,
    env: {
      ...baseEnv(),
      SLACK_TOKEN: slack.token,
      SLACK_API_URL: slack.apiUrl,
      SLACK_CHANNEL_DEFAULT: '#cloudo',
      OPSGENIE_API_KEY: opsgenie.apiKey,
      OPSGENIE_API_URL: opsgenie.apiUrl,
    },
  });
  try {
    const storage = storageAt(stack.azurite.connectionString);
    slack.failFor(outageMs, 503);
    opsgenie.failFor(outageMs, 503);
    const outageEnds = Date.now() + outageMs;
    const b = await burst({
      triggerUrl: () => `${stack.url}/api/Trigger?id=chaos`,
      count,
      durationMs,
      answerTimeoutMs: 30_000,
    });
    const runs = await settle(storage, b, scaled(options, 180_000, 60_000));
    const ids = b.answers.flatMap((a) => (a.execId ? [a.execId] : []));
    // pages: what the fakes accepted, per run, until every run has both or the deadline
    const pages = () => {
      const slackTexts = slack.messages.map((m) => JSON.stringify([m.text, m.blocks]));
      const opsgenieBodies = opsgenie.requests
        .filter((r) => r.status === 202 && r.url.endsWith('/v2/alerts'))
        .map((r) => JSON.stringify(r.body));
      const per = (texts: string[]) => ids.map((id) => texts.filter((t) => t.includes(id)).length);
      return { slack: per(slackTexts), opsgenie: per(opsgenieBodies) };
    };
    const deadline = Math.max(Date.now(), outageEnds) + scaled(options, 180_000, 40_000);
    options.log(`notifier-outage: runs settled; waiting for pages until the outage is over and all are paged`);
    while (Date.now() < deadline) {
      const { slack: s, opsgenie: o } = pages();
      if (Date.now() > outageEnds && s.every((n) => n > 0) && o.every((n) => n > 0)) break;
      await sleep(1_000);
    }
    // a late duplicate would arrive within a few retries: look again a little later
    await sleep(scaled(options, 10_000, 3_000));
    const { slack: s, opsgenie: o } = pages();
    // read again: a run records its notify failure only after the settle, on the results' last delivery
    const notified = (await listRuns(storage)).filter((r) => r.notifyError).length;
    return await tally({
      scenario: `Slack + Opsgenie down ${outageMs / 1000} s`,
      burst: b,
      runs,
      appendFile,
      extra: {
        slackPaged: s.filter((n) => n === 1).length,
        slackMissing: s.filter((n) => n === 0).length,
        slackTwice: s.filter((n) => n > 1).length,
        opsgeniePaged: o.filter((n) => n === 1).length,
        opsgenieMissing: o.filter((n) => n === 0).length,
        opsgenieTwice: o.filter((n) => n > 1).length,
        runsRecordingANotifyFailure: notified,
      },
      notes: [`Slack answered ${slack.requests.length} calls, Opsgenie ${opsgenie.requests.length} (503s included)`],
    });
  } finally {
    await stack.stop();
    await slack.close();
    await opsgenie.close();
  }
}
