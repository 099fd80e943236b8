/**
 * The local stack under failure, with real processes:
 *
 *   npm run chaos                          every scenario at the figures (1000 triggers...)
 *   npm run chaos -- --scale 0.2           counts and durations × 0.2 (also CHAOS_SCALE=0.2)
 *   npm run chaos -- --only worker-kill    some scenarios (comma-separated names)
 *
 * Prints each scenario's row as it ends, then the table, and writes it as JSON to
 * bench/results/chaos-<date>.json. Columns: see bench/chaos/result.ts.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ScenarioResult } from './chaos/result.js';
import { formatRow, formatTable } from './chaos/result.js';
import { SCENARIOS } from './chaos/scenarios.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { scale: { type: 'string' }, only: { type: 'string' }, out: { type: 'string' } },
  });
  const scale = Number(values.scale ?? process.env.CHAOS_SCALE ?? 1);
  if (!(scale > 0 && scale <= 1)) throw new Error(`--scale / CHAOS_SCALE must be in (0, 1], not ${scale}`);
  const only = values.only?.split(',').map((s) => s.trim());
  const unknown = only?.filter((name) => !SCENARIOS.some((s) => s.name === name)) ?? [];
  if (unknown.length > 0) {
    throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  }
  const log = (line: string) => console.log(`  · ${line}`);
  const results: ScenarioResult[] = [];
  const startedAt = new Date();
  for (const scenario of SCENARIOS.filter((s) => !only || only.includes(s.name))) {
    console.log(`${scenario.name} (scale ${scale})...`);
    const result = await scenario.run({ scale, log });
    console.log(formatRow(result));
    results.push(result);
  }
  console.log(`\nscale ${scale}, ${os.cpus().length} cores\n\n${formatTable(results)}`);
  const file = values.out ?? path.join('bench', 'results', `chaos-${startedAt.toISOString().slice(0, 10)}.json`);
  await mkdir(path.dirname(file), { recursive: true });
  const commit = process.env.CHAOS_COMMIT ?? null;
  await writeFile(file, `${JSON.stringify({ startedAt, scale, cores: os.cpus().length, commit, results }, null, 2)}\n`);
  console.log(`\nwritten to ${file}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
