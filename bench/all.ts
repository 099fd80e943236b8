/**
 * `npm run bench`: every bench, one after the other, each in a process of its own; then one table of
 * their figures and a JSON file bench/results/bench-<date>-<sha>.json with the machine and the commit.
 *
 *   npm run bench                          the full run
 *   npm run bench -- --quick               fewer rounds, 10 000 runs instead of 100 000 (also BENCH_QUICK=1)
 *   npm run bench -- --only worker,alerts  some benches (names: bench/harness/benches.ts)
 *   npm run bench -- --out file.json       somewhere else than bench/results/
 *
 * It reports and does not gate: a missed goal or a bench not on this branch exits 0; a crashed bench is
 * shown in the table and the JSON, and makes the exit code 1.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BENCHES } from './harness/benches.js';
import { formatRunSummary, formatTable } from './harness/format.js';
import type { BenchOutcome, BenchResults } from './harness/results.js';
import { describeCommit, describeMachine, exitCodeOf, resultsFileName } from './harness/results.js';
import { runBench } from './harness/run-bench.js';
import { isQuick } from './report.js';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean' }, only: { type: 'string' }, out: { type: 'string' } },
  });
  const quick = values.quick === true || isQuick();
  const only = values.only?.split(',').map((s) => s.trim());
  const unknown = only?.filter((name) => !BENCHES.some((b) => b.name === name)) ?? [];
  if (unknown.length > 0) {
    throw new Error(`unknown bench ${unknown.join(', ')}; known: ${BENCHES.map((b) => b.name).join(', ')}`);
  }
  const cwd = process.cwd();
  // read before the benches: the figures belong to the commit checked out when they started
  const git = describeCommit(cwd);
  const startedAt = new Date();
  const t0 = performance.now();
  const benches: BenchOutcome[] = [];
  for (const entry of BENCHES.filter((b) => !only || only.includes(b.name))) {
    console.log(`\n── ${entry.name} (${entry.file})${quick ? ', quick' : ''}`);
    const outcome = await runBench(entry, { quick, env: process.env, cwd });
    const secs = (outcome.durationMs / 1000).toFixed(1);
    console.log(`── ${entry.name}: ${outcome.status}, ${outcome.figures.length} figures, ${secs} s`);
    benches.push(outcome);
  }
  const results: BenchResults = {
    startedAt: startedAt.toISOString(),
    durationMs: performance.now() - t0,
    quick,
    machine: describeMachine(),
    git,
    benches,
  };
  console.log(`\n${formatRunSummary(results)}\n\n${formatTable(benches)}`);
  const file = values.out ?? path.join('bench', 'results', resultsFileName(results));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwritten to ${file}${only ? '' : '; `npm run bench:readme` puts it in the README'}`);
  for (const b of benches.filter((x) => x.status === 'crashed')) {
    // the JSON keeps the stderr tail; here its last lines, where the stack trace ends, are enough
    const last = (b.error ?? '')
      .trim()
      .split('\n')
      .slice(-4)
      .map((line) => line.slice(0, 200));
    console.error(`${b.name} crashed:\n  ${last.join('\n  ')}`);
  }
  return exitCodeOf(results);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
