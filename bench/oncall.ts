/**
 * On-call notifications on the real local stack (in-memory Azurite, worker process, results function),
 * against loopback Slack and Opsgenie fakes:
 *
 *   npm run bench:oncall
 *
 * 1. failure → page: from the moment the worker records a failed on-call run to the moment the Slack and
 *    Opsgenie requests arrive at the fakes (so: queue hop, results poll, routing, ledger, HTTP);
 * 2. sends per second: results handled back to back in-process (route, ledger read, send, ledger write).
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_ROUTING } from '../src/core/routing-rules.js';
import { planRun } from '../src/core/run-plan.js';
import { SlackNotifier } from '../src/notify/index.js';
import { handleResult } from '../src/oncall/index.js';
import { createStorage } from '../src/storage/index.js';
import { startFakeOpsgenie } from '../test/support/fake-opsgenie.js';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { startStackIn } from '../test/support/local-stack.js';
import { HTTP_TRIGGER, testSchema } from '../test/support/schemas.js';
import { figure, median } from './report.js';

const ms = (v: number) => `${v.toFixed(0)} ms`;

async function main() {
  const slack = await startFakeSlack({ channels: ['#cloudo'] });
  const opsgenie = await startFakeOpsgenie();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-bench-oncall-'));
  const entity = { id: 'oncall-demo', name: 'oncall demo', runbook: 'oncall_demo.sh', worker: 'Runbook', oncall: true };
  const stack = await startStackIn(dir, [entity], {
    env: {
      ...process.env,
      SLACK_TOKEN: slack.token,
      SLACK_API_URL: slack.apiUrl,
      SLACK_CHANNEL_DEFAULT: '#cloudo',
      OPSGENIE_API_KEY: opsgenie.apiKey,
      OPSGENIE_API_URL: opsgenie.apiUrl,
    },
  });
  const storage = createStorage({
    connection: { kind: 'connection-string', connectionString: stack.azurite.connectionString },
    namespace: '',
  });
  try {
    const toPage: number[] = [];
    for (let i = 0; i < 10; i++) {
      const before = slack.messages.length;
      const res = await fetch(`${stack.url}/api/Trigger?id=oncall-demo`);
      const { exec_id: execId } = (await res.json()) as { exec_id: string };
      let finishedAt = 0;
      for (;;) {
        if (!finishedAt) {
          const e = (await storage.executions.get(execId))?.execution;
          if (e?.finishedAt) finishedAt = Date.parse(e.finishedAt);
        }
        if (slack.messages.length > before && finishedAt) {
          toPage.push(Date.now() - finishedAt);
          break;
        }
        await sleep(5);
      }
      await sleep(300 + Math.random() * 700);
    }
    console.log(
      `failed on-call run → Slack page received: median ${ms(median(toPage))}, max ${ms(Math.max(...toPage))} over ${toPage.length} runs (Opsgenie: ${opsgenie.alerts.length} alert, count ${opsgenie.alerts[0]?.count})`,
    );

    // sends per second, in-process, Slack only
    const notifier = new SlackNotifier({ token: slack.token, apiUrl: slack.apiUrl, defaultChannel: '#cloudo' });
    const runs = [];
    for (let i = 0; i < 100; i++) {
      const plan = planRun(testSchema({ id: `s${i}`, name: 's', runbook: 'x.sh', oncall: true }), HTTP_TRIGGER);
      const failed = { ...plan.execution, status: 'failed' as const, finishedAt: new Date().toISOString() };
      await storage.executions.create(failed);
      runs.push(failed);
    }
    const t0 = performance.now();
    await Promise.all(
      runs.map((run) =>
        handleResult(
          {
            storage,
            notifiers: { slack: notifier },
            routing: DEFAULT_ROUTING,
            publicUrl: 'http://x',
            log: () => undefined,
          },
          { v: 1, execId: run.execId, status: 'failed', finishedAt: run.finishedAt, logTail: 'boom' },
          { dequeueCount: 1, maxDequeueCount: 5 },
        ),
      ),
    );
    const seconds = (performance.now() - t0) / 1000;
    console.log(`results handled and sent, 100 at once: ${(100 / seconds).toFixed(0)} sends/s`);
    figure({
      id: 'oncall.to-page',
      label: 'failed on-call run recorded → Slack page received (median)',
      value: median(toPage),
      unit: 'ms',
    });
    figure({
      id: 'oncall.sends-per-s',
      label: 'results handled and sent, 100 at once',
      value: 100 / seconds,
      unit: 'sends/s',
    });
  } finally {
    await stack.stop();
    await slack.close();
    await opsgenie.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
