/**
 * The one table of `npm run bench`: printed at the end of a run and, via `npm run bench:readme`, in the
 * README. GitHub Markdown in both places, so what a reader sees in the terminal is what lands there.
 */
import type { Figure, Goal } from '../report.js';
import type { BenchOutcome, BenchResults } from './results.js';

export const README_START =
  '<!-- bench table: generated from the newest bench/results/bench-*.json by `npm run bench:readme`; run `npm run bench`, not an editor -->';
export const README_END = '<!-- end of bench table -->';

/** Few significant digits: the runs are noisy, and 178.3612 ms claims a precision no run has. */
export function formatNumber(value: number): string {
  const abs = Math.abs(value);
  // a count (1 run) is not a measurement: no decimals
  if (abs >= 1000 || Number.isInteger(value)) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1 || abs === 0) return value.toFixed(2);
  return value.toPrecision(2);
}

const withUnit = (value: number, unit: string) => `${formatNumber(value)} ${unit}`;

export function formatGoal(goal: Goal, unit: string): string {
  const op = goal.op === '<=' ? '≤' : '≥';
  // a goal is a number someone wrote (0.6, 100): shown as written, not rounded like a measurement
  return goal.of === 'ratio' ? `${op} ${goal.value} × baseline` : `${op} ${goal.value} ${unit}`;
}

/** Whether the figure meets its goal; undefined when it has none, or bounds a ratio it lacks. */
export function isGoalMet(f: Figure): boolean | undefined {
  if (!f.goal) return undefined;
  const measured = f.goal.of === 'ratio' ? f.ratio : f.value;
  if (measured === undefined) return undefined;
  return f.goal.op === '<=' ? measured <= f.goal.value : measured >= f.goal.value;
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function figureRow(f: Figure): string[] {
  const met = isGoalMet(f);
  return [
    cell(f.label),
    withUnit(f.value, f.unit),
    f.baseline ? cell(`${f.baseline.label}: ${withUnit(f.baseline.value, f.baseline.unit ?? f.unit)}`) : '',
    f.ratio === undefined ? '' : `${formatNumber(f.ratio)} ×`,
    f.goal ? formatGoal(f.goal, f.unit) : '',
    met === undefined ? '' : met ? 'yes' : '**no**',
  ];
}

/** A bench that left no figure still gets a row: a reader must see a crash or a gap, not an absence. */
function statusRow(b: BenchOutcome): string[] | null {
  const blank = ['', '', '', '', ''];
  if (b.status === 'missing') return [`*${b.name}*: not on this branch (\`${b.file}\`)`, ...blank];
  if (b.status === 'crashed') {
    const how = b.signal ? `killed by ${b.signal}` : `exit ${b.exitCode}`;
    return [`**${b.name}: crashed** (${how}, \`${b.file}\`)`, ...blank];
  }
  if (b.figures.length === 0) return [`*${b.name}*: ran, reports no figures (see its output)`, ...blank];
  return null;
}

export function formatTable(benches: readonly BenchOutcome[]): string {
  const header = ['figure', 'value', 'baseline (same run)', 'ratio', 'goal', 'met?'];
  const rows: string[][] = [];
  for (const b of benches) {
    rows.push(...b.figures.map(figureRow));
    const status = statusRow(b);
    if (status) rows.push(status);
  }
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;

/** Where and when the figures were taken: without it, a figure compares with nothing. */
export function formatRunSummary(r: BenchResults): string {
  const m = r.machine;
  const when = `${r.startedAt.slice(0, 16).replace('T', ' ')} UTC`;
  const commit = `commit ${r.git.shortSha}${r.git.isDirty ? ' (with uncommitted changes)' : ''}`;
  const mode = r.quick ? 'quick run (`--quick`)' : 'full run';
  const took = `${(r.durationMs / 60_000).toFixed(1)} min`;
  return `${when}, ${commit}, ${mode}, ${took}: ${m.cores} cores (${m.cpuModel}), ${gib(m.totalMemoryBytes)}, Node ${m.node}, ${m.platform}.`;
}

/** The README's generated part of the Benchmarks section. */
export function formatReadmeSection(r: BenchResults): string {
  return `${formatRunSummary(r)}\n\n${formatTable(r.benches)}`;
}

/** `readme` with the text between the bench markers replaced by the table of `results`. */
export function withBenchTable(readme: string, results: BenchResults): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the markers ${README_START} ... ${README_END}`);
  return `${readme.slice(0, start + README_START.length)}\n\n${formatReadmeSection(results)}\n\n${readme.slice(end)}`;
}
