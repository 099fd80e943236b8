/**
 * parseAlert and extractKubernetes on hostile inputs, in-process: the time goals that used to be
 * wall-clock assertions in test/unit/alerts/{detect,kubernetes}.test.ts. The unit tests keep what the
 * answers must be; this checks that they come in time (linear, no hang) and exits 1 when one does not.
 *
 *   npx tsx bench/alert-parse.ts
 *
 * Bounds are generous for a loaded 2-core machine and far below what a quadratic or hanging parser takes.
 */
import { readFileSync } from 'node:fs';
import { parseAlert } from '../src/alerts/index.js';
import { extractKubernetes } from '../src/alerts/kubernetes.js';
import { figure } from './report.js';

interface Case {
  readonly name: string;
  readonly boundMs: number;
  /** Builds the input (not timed) and returns the timed call and what its answer must satisfy. */
  readonly prepare: () => { run: () => unknown; check: (answer: unknown) => boolean };
}

const huge = () => 'x'.repeat(10 * 1024 * 1024);
const parse = (body: unknown, check: (r: ReturnType<typeof parseAlert>) => boolean) => ({
  run: () => parseAlert(body),
  check: (r: unknown) => check(r as ReturnType<typeof parseAlert>),
});
const depth = 100_000;

const CASES: Case[] = [
  {
    name: '100k nested arrays',
    boundMs: 2000,
    prepare: () => parse(`${'['.repeat(depth)}${']'.repeat(depth)}`, (r) => !r.ok),
  },
  {
    name: '100k nested {"alerts": …}',
    boundMs: 2000,
    prepare: () => parse(`${'{"alerts":'.repeat(depth)}1${'}'.repeat(depth)}`, (r) => !r.ok),
  },
  {
    name: '12 nested JSON-string envelopes',
    boundMs: 2000,
    prepare: () => {
      let body = readFileSync('test/fixtures/alerts/alertmanager_webhook_kubepodcrashlooping_firing.json', 'utf8');
      for (let i = 0; i < 12; i++) body = JSON.stringify({ payload: body });
      return parse(body, (r) => !r.ok);
    },
  },
  {
    name: '10 MB label value',
    boundMs: 3000,
    prepare: () => {
      const value = huge();
      const body = JSON.stringify({
        receiver: 'r',
        alerts: [{ status: 'firing', labels: { alertname: 'A', namespace: value } }],
      });
      return parse(body, (r) => r.ok && r.alerts[0]?.kubernetes.namespace === value);
    },
  },
  {
    name: '10 MB text that is not JSON',
    boundMs: 3000,
    prepare: () => parse(huge(), (r) => !r.ok && r.reason === 'invalid-json'),
  },
  { name: '10 MB JSON string', boundMs: 3000, prepare: () => parse(JSON.stringify(huge()), (r) => !r.ok) },
  {
    name: 'group of 50k alerts',
    boundMs: 5000,
    prepare: () => {
      const alerts = Array.from({ length: 50_000 }, (_, i) => ({
        status: 'firing',
        labels: { alertname: 'A', pod: `web-${i}`, namespace: 'web' },
        fingerprint: String(i),
      }));
      return parse({ receiver: 'r', alerts }, (r) => r.ok && r.alerts.length === 50_000);
    },
  },
  { name: 'array of 1M zeros', boundMs: 2000, prepare: () => parse(new Array(1_000_000).fill(0), (r) => !r.ok) },
  {
    name: 'labels with 100k keys',
    boundMs: 3000,
    prepare: () => {
      const labels: Record<string, string> = { alertname: 'A' };
      for (let i = 0; i < 100_000; i++) labels[`l${i}`] = `v${i}`;
      return parse({ labels, state: 'firing' }, () => true);
    },
  },
  {
    name: 'extractKubernetes on 1 MB values and 20k labels',
    boundMs: 1000,
    prepare: () => {
      const big = 'x'.repeat(1_000_000);
      const labels: Record<string, string> = { namespace: big, ControllerName: '-4'.repeat(200_000) };
      for (let i = 0; i < 20_000; i++) labels[`label_${i}`] = String(i);
      return { run: () => extractKubernetes(labels), check: (k) => (k as { namespace: string }).namespace === big };
    },
  },
];

let failed = 0;
let worst = { name: '', share: 0 };
for (const c of CASES) {
  const { run, check } = c.prepare();
  const t0 = performance.now();
  const answer = run();
  const ms = performance.now() - t0;
  const ok = check(answer) && ms < c.boundMs;
  if (!ok) failed++;
  if (ms / c.boundMs > worst.share) worst = { name: c.name, share: ms / c.boundMs };
  if (c.name === 'group of 50k alerts') {
    figure({ id: 'parse.group-50k', label: 'alert parser, a group of 50k alerts', value: ms, unit: 'ms' });
  }
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${c.name}: ${ms.toFixed(1)} ms (bound ${c.boundMs} ms)${check(answer) ? '' : ', wrong answer'}`,
  );
}
// one figure for the ten cases: how close the slowest came to its bound
figure({
  id: 'parse.hostile-worst',
  label: `alert parser on hostile inputs, slowest share of its bound (${worst.name})`,
  value: worst.share,
  unit: '× bound',
  goal: { op: '<=', value: 1 },
});
if (failed > 0) {
  console.error(`${failed} of ${CASES.length} parse checks failed`);
  process.exit(1);
}
