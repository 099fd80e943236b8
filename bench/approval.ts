/**
 * Approvals on the real local stack (in-memory Azurite, HTTP host, worker process).
 *
 *   npm run bench:approval            30 runs
 *   BENCH_RUNS=60 npm run bench:approval
 *
 * 1. Approve click → runbook process start: the run page's Approve form is posted (as the browser does
 *    after loading the page for its form token) and the runbook stamps its own start time. Baseline in
 *    the same run: GET /api/Trigger → process start of the same runbook without a gate, with the same
 *    idle gaps, so both pay one queue round trip, the worker's poll and one bash spawn.
 * 2. The approval page's server time: GET /api/logs/{id} of a waiting run (row, policy, form token),
 *    against the same page of a finished run without a gate, measured in the same run.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startStackIn } from '../test/support/local-stack.js';
import { figure } from './report.js';

const runs = Number(process.env.BENCH_RUNS ?? 30);
const idleMs = Number(process.env.BENCH_IDLE_MS ?? 600);

function summary(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
  return { median: at(50), p95: at(95) };
}
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
const nowUs = () => (performance.timeOrigin + performance.now()) * 1000;

async function main() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cloudo-bench-approval-'));
  const stampFile = path.join(dir, 'stamps.log');
  await writeFile(stampFile, '');
  const stamp = { name: 'stamp', runbook: 'stamp.sh', run_args: stampFile, worker: 'Runbook', oncall: false };
  const stack = await startStackIn(
    dir,
    [
      { ...stamp, id: 'plain' },
      { ...stamp, id: 'gated', require_approval: true },
    ],
    { runbooksDir: 'bench/runbooks', env: { ...process.env, CLOUDO_LOG_FLUSH_INTERVAL_MS: '20' } },
  );
  const url = stack.url;

  const trigger = async (id: string) => {
    const res = await fetch(`${url}/api/Trigger?id=${id}`);
    return ((await res.json()) as { exec_id: string }).exec_id;
  };
  const startedAt = async (execId: string): Promise<number> => {
    for (;;) {
      const line = (await readFile(stampFile, 'utf8')).split('\n').find((l) => l.startsWith(`${execId} `));
      if (line) return Number(line.split(' ')[1]);
      await sleep(5);
    }
  };
  const timedGet = async (pathname: string) => {
    const t0 = performance.now();
    const text = await (await fetch(`${url}${pathname}`)).text();
    return { ms: performance.now() - t0, text };
  };

  try {
    // warm-up: connections, module loading, queues created
    for (let i = 0; i < 3; i++) await startedAt(await trigger('plain'));

    const clickToStart: number[] = [];
    const triggerToStart: number[] = [];
    const waitingPage: number[] = [];
    const finishedPage: number[] = [];
    let finished = '';
    for (let i = 0; i < runs; i++) {
      const execId = await trigger('gated');
      const page = await timedGet(`/api/logs/${execId}`);
      waitingPage.push(page.ms);
      // the decision form's token: the page also has a Cancel form with a token of its own, first
      const token = /action="[^"]*\/decision" class="decide">\s*<input type="hidden" name="token" value="([^"]+)"/.exec(
        page.text,
      )?.[1];
      if (!token) throw new Error(`no approve form on the page of ${execId}`);
      // the person reads the page; the worker backs off to its idle ceiling meanwhile
      await sleep(idleMs + Math.random() * 500);
      const sent = nowUs();
      const res = await fetch(`${url}/api/logs/${execId}/decision`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, decision: 'approve' }),
        redirect: 'manual',
      });
      if (res.status !== 303) throw new Error(`approve answered ${res.status}: ${await res.text()}`);
      clickToStart.push(((await startedAt(execId)) - sent) / 1000);

      await sleep(idleMs + Math.random() * 500);
      const plainSent = nowUs();
      finished = await trigger('plain');
      triggerToStart.push(((await startedAt(finished)) - plainSent) / 1000);
      await sleep(100);
      finishedPage.push((await timedGet(`/api/logs/${finished}`)).ms);
    }

    const click = summary(clickToStart);
    const plain = summary(triggerToStart);
    const waiting = summary(waitingPage);
    const done = summary(finishedPage);
    console.log(
      `approve click → process start over ${runs} runs (worker idle ${idleMs}-${idleMs + 500} ms before each):`,
    );
    console.log(`  median ${fmt(click.median)}  p95 ${fmt(click.p95)}`);
    console.log(`baseline, same run: trigger → process start of the same runbook without a gate`);
    console.log(
      `  median ${fmt(plain.median)}  p95 ${fmt(plain.p95)}  → ratio ${(click.median / plain.median).toFixed(2)} × median`,
    );
    figure({
      id: 'approval.click-to-start.p50',
      label: 'approve click → runbook process start p50',
      value: click.median,
      unit: 'ms',
      baseline: { label: 'ungated trigger → start p50', value: plain.median },
    });
    console.log(`approval page server time (GET /api/logs/{id} of a waiting run):`);
    console.log(`  median ${fmt(waiting.median)}  p95 ${fmt(waiting.p95)}`);
    console.log(
      `  vs the page of a finished run without a gate: median ${fmt(done.median)}  p95 ${fmt(done.p95)}` +
        `  → ratio ${(waiting.median / done.median).toFixed(2)} × median`,
    );
  } finally {
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
