/**
 * `npm run bench:readme [results.json]`: rewrites the table of README.md's Benchmarks section from the
 * newest bench/results/bench-*.json (by its startedAt, not its name: two runs of one day and commit share
 * a name, and a name's date says nothing of the hour), or from the file given.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { withBenchTable } from '../bench/harness/format.js';
import { BenchResults } from '../bench/harness/results.js';

const RESULTS_DIR = path.join('bench', 'results');

function newestResults(): string {
  const files = readdirSync(RESULTS_DIR).filter((f) => /^bench-.*\.json$/.test(f));
  const dated = files.map((f) => {
    const file = path.join(RESULTS_DIR, f);
    return { file, startedAt: BenchResults.parse(JSON.parse(readFileSync(file, 'utf8'))).startedAt };
  });
  const newest = dated.sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0];
  if (!newest) throw new Error(`no bench-*.json in ${RESULTS_DIR}: run \`npm run bench\` first`);
  return newest.file;
}

const file = process.argv[2] ?? newestResults();
const results = BenchResults.parse(JSON.parse(readFileSync(file, 'utf8')));
const readme = readFileSync('README.md', 'utf8');
const next = withBenchTable(readme, results);
if (next !== readme) writeFileSync('README.md', next);
console.log(
  `${next === readme ? 'README.md bench table is up to date with' : 'README.md bench table rewritten from'} ${file}`,
);
