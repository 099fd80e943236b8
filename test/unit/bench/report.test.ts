import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIGURES_FILE_ENV, figure, isQuick, parseFigureLines, percentile } from '../../../bench/report.js';

describe('figure', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const figuresFile = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cloudo-report-test-'));
    dirs.push(dir);
    return path.join(dir, 'figures.jsonl');
  };

  it('fills in the ratio to the baseline and the goal bounding the value', () => {
    const f = figure({ id: 'a.b', label: 'A', value: 30, unit: 'ms', baseline: { label: 'B', value: 10 } }, {});
    expect(f.ratio).toBe(3);
    expect(figure({ id: 'g', label: 'G', value: 1, unit: 'ms', goal: { op: '<=', value: 2 } }, {}).goal).toEqual({
      op: '<=',
      value: 2,
      of: 'value',
    });
  });

  it('keeps a ratio given by the bench, and gives none without a baseline or against a zero', () => {
    const given = { id: 'a', label: 'A', value: 30, unit: 'ms', baseline: { label: 'B', value: 10 }, ratio: 1.5 };
    expect(figure(given, {}).ratio).toBe(1.5);
    expect(figure({ id: 'a', label: 'A', value: 3, unit: 'ms' }, {}).ratio).toBeUndefined();
    expect(
      figure({ id: 'a', label: 'A', value: 3, unit: 'ms', baseline: { label: 'B', value: 0 } }, {}).ratio,
    ).toBeUndefined();
  });

  it('refuses what JSON cannot carry or the table cannot key by', () => {
    expect(() => figure({ id: 'a', label: 'A', value: Number.NaN, unit: 'ms' }, {})).toThrow();
    expect(() => figure({ id: 'a', label: 'A', value: Number.POSITIVE_INFINITY, unit: 'ms' }, {})).toThrow();
    expect(() => figure({ id: 'Webhook P99', label: 'A', value: 1, unit: 'ms' }, {})).toThrow(/dotted lower case/);
  });

  it('writes nothing when run alone, and one JSON line per figure under the harness', () => {
    const file = figuresFile();
    figure({ id: 'alone', label: 'A', value: 1, unit: 'ms' }, {});
    figure({ id: 'one', label: 'One', value: 1, unit: 'ms' }, { [FIGURES_FILE_ENV]: file });
    figure({ id: 'two', label: 'Two', value: 2, unit: 'runs/s' }, { [FIGURES_FILE_ENV]: file });
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(parseFigureLines(readFileSync(file, 'utf8')).map((f) => f.id)).toEqual(['one', 'two']);
  });
});

describe('parseFigureLines', () => {
  it('skips blank lines and names the line that is not a figure', () => {
    const good = JSON.stringify({ id: 'a', label: 'A', value: 1, unit: 'ms' });
    expect(parseFigureLines(`${good}\n\n`)).toHaveLength(1);
    expect(() => parseFigureLines(`${good}\n{"id":"b"}\n`)).toThrow(/figure line 2/);
  });
});

describe('isQuick and percentile', () => {
  it('reads BENCH_QUICK as a flag', () => {
    expect(isQuick({})).toBe(false);
    expect(isQuick({ BENCH_QUICK: '0' })).toBe(false);
    expect(isQuick({ BENCH_QUICK: '1' })).toBe(true);
  });

  it('takes the nearest rank, as the benches did', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(51);
    expect(percentile(values, 99)).toBe(100);
    expect(percentile([], 50)).toBeNaN();
  });
});
