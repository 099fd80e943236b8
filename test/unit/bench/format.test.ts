import { describe, expect, it } from 'vitest';
import { formatNumber, formatRunSummary, formatTable, isGoalMet } from '../../../bench/harness/format.js';
import { BenchResults, exitCodeOf, resultsFileName } from '../../../bench/harness/results.js';
import { runBench } from '../../../bench/harness/run-bench.js';
import type { Figure } from '../../../bench/report.js';
import { SAMPLE_RESULTS } from './sample-results.js';

describe('the bench table', () => {
  it('shows each figure beside its baseline, ratio and goal, and a row for each bench that left none', () => {
    expect(formatTable(SAMPLE_RESULTS.benches).split('\n')).toEqual([
      '| figure | value | baseline (same run) | ratio | goal | met? |',
      '| --- | --- | --- | --- | --- | --- |',
      '| alert webhook answer p99 | 92.3 ms | GET /api/healthz p99: 18.5 ms | 4.99 × | ≤ 100 ms | yes |',
      '| end-to-end trivial runs/s | 23.4 runs/s | raw queue send+receive+delete: 225 msg/s | 0.10 × | ≥ 0.6 × baseline | **no** |',
      '| cancel → process tree gone | 281 ms |  |  |  |  |',
      '| **worker: crashed** (exit 1, `bench/worker.ts`) |  |  |  |  |  |',
      '| *memory*: not on this branch (`bench/idle-memory.ts`) |  |  |  |  |  |',
      '| *oncall*: ran, reports no figures (see its output) |  |  |  |  |  |',
    ]);
  });

  it('escapes a pipe in a label, which would otherwise split the row', () => {
    const bench = { ...SAMPLE_RESULTS.benches[0], figures: [{ id: 'a', label: 'a | b', value: 1, unit: 'ms' }] };
    expect(formatTable([BenchResults.shape.benches.element.parse(bench)])).toContain('| a \\| b | 1 ms |');
  });

  it('says where, when and on which commit the figures were taken', () => {
    expect(formatRunSummary(SAMPLE_RESULTS)).toBe(
      '2026-12-06 10:45 UTC, commit 0123456, quick run (`--quick`), 4.2 min: 2 cores (Bench CPU), 8.0 GiB, Node v20.19.0, linux x64.',
    );
    expect(formatRunSummary({ ...SAMPLE_RESULTS, git: { ...SAMPLE_RESULTS.git, isDirty: true } })).toContain(
      'commit 0123456 (with uncommitted changes)',
    );
  });

  it('rounds to what a noisy run can claim', () => {
    expect([1, 0.01234, 0.5, 1.234, 12.34, 123.4, 12_345.6].map(formatNumber)).toEqual([
      '1',
      '0.012',
      '0.50',
      '1.23',
      '12.3',
      '123',
      '12,346',
    ]);
  });

  it('checks a goal on the value or on the ratio, and has no verdict without the ratio it bounds', () => {
    const f = (over: Partial<Figure>): Figure => ({ id: 'a', label: 'A', value: 50, unit: 'ms', ...over });
    expect(isGoalMet(f({}))).toBeUndefined();
    expect(isGoalMet(f({ goal: { op: '<=', value: 60, of: 'value' } }))).toBe(true);
    expect(isGoalMet(f({ goal: { op: '>=', value: 60, of: 'value' } }))).toBe(false);
    expect(isGoalMet(f({ ratio: 0.7, goal: { op: '>=', value: 0.6, of: 'ratio' } }))).toBe(true);
    expect(isGoalMet(f({ goal: { op: '>=', value: 0.6, of: 'ratio' } }))).toBeUndefined();
  });
});

describe('the results file', () => {
  it('round-trips through its schema, as npm run bench:readme reads it back', () => {
    expect(BenchResults.parse(JSON.parse(JSON.stringify(SAMPLE_RESULTS)))).toEqual(SAMPLE_RESULTS);
  });

  it('is named by date and short commit', () => {
    expect(resultsFileName(SAMPLE_RESULTS)).toBe('bench-2026-12-06-0123456.json');
  });

  it('makes the run exit 1 for a crash only: a missed goal or a missing bench reports', () => {
    expect(exitCodeOf(SAMPLE_RESULTS)).toBe(1);
    const benches = SAMPLE_RESULTS.benches.filter((b) => b.status !== 'crashed');
    expect(exitCodeOf({ benches })).toBe(0);
  });

  it('lists a bench not on the branch as missing without starting anything', async () => {
    const outcome = await runBench(
      { name: 'memory', file: 'bench/not-here.ts' },
      { quick: true, env: {}, cwd: process.cwd() },
    );
    expect(outcome).toMatchObject({ status: 'missing', exitCode: null, figures: [] });
  });
});
