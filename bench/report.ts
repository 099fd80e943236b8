/**
 * What a bench reports to `npm run bench`, beside the text it prints for a reader.
 *
 *   figure({ id: 'webhook.p99', label: 'alert webhook answer p99', value: 92, unit: 'ms',
 *            baseline: { label: 'GET /api/healthz p99', value: 18 }, goal: { op: '<=', value: 100 } });
 *
 * Run alone (`npm run bench:alerts`), a bench prints as it always did and `figure` writes nothing. Under
 * the harness (bench/all.ts) each bench runs in a process of its own (they start Azurite, hosts and
 * workers, and must not share them), and the harness names a file in BENCH_FIGURES_FILE: each figure is
 * appended to it as one JSON line, so the figures a bench reported before crashing are kept.
 */
import { appendFileSync } from 'node:fs';
import { z } from 'zod';

/** The environment variable naming the JSON-lines file figures go to; unset when a bench runs alone. */
export const FIGURES_FILE_ENV = 'BENCH_FIGURES_FILE';
/** Set to 1 by `npm run bench -- --quick`: a bench runs fewer rounds and smaller data sets. */
export const QUICK_ENV = 'BENCH_QUICK';

/** A target for a figure: `value <= 100` (ms), or `ratio >= 0.6` (of the baseline). */
export const Goal = z.object({
  op: z.enum(['<=', '>=']),
  value: z.number(),
  /** What the goal bounds: the figure itself (default) or its ratio to the baseline. */
  of: z.enum(['value', 'ratio']).default('value'),
});
export type Goal = z.infer<typeof Goal>;

/** The same quantity measured in the same run with no ClouDO in the way (a bare queue loop, a healthz). */
export const Baseline = z.object({
  label: z.string().min(1),
  /** In the figure's unit, unless `unit` says otherwise (a rate beside a rate, a time beside a time). */
  value: z.number(),
  unit: z.string().optional(),
});
export type Baseline = z.infer<typeof Baseline>;

export const Figure = z.object({
  /** Stable across runs and machines, dotted lower case (`trigger.claimed.p50`): results are compared by it. */
  id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'dotted lower case, e.g. trigger.claimed.p50'),
  /** What a reader sees in the table. */
  label: z.string().min(1),
  /** NaN and ±Infinity are refused: JSON cannot carry them, and a bench reporting one has a bug. */
  value: z.number(),
  /** `ms`, `runs/s`, `MB`, … */
  unit: z.string().min(1),
  baseline: Baseline.optional(),
  /** value / baseline.value unless given (e.g. when the figure is compared with a sum of baselines). */
  ratio: z.number().optional(),
  goal: Goal.optional(),
});
export type Figure = z.infer<typeof Figure>;
export type FigureInput = z.input<typeof Figure>;

/** Validates `input`, fills in its ratio, and hands it to the harness when one is listening. */
export function figure(input: FigureInput, env: NodeJS.ProcessEnv = process.env): Figure {
  const parsed = Figure.parse(input);
  const base = parsed.baseline?.value;
  const ratio = parsed.ratio ?? (base !== undefined && base !== 0 ? parsed.value / base : undefined);
  const out: Figure = ratio === undefined || !Number.isFinite(ratio) ? parsed : { ...parsed, ratio };
  const file = env[FIGURES_FILE_ENV];
  // sync on purpose: a bench may exit (or crash) right after, and the figure must be on disk by then
  if (file) appendFileSync(file, `${JSON.stringify(out)}\n`);
  return out;
}

/** Whether the harness asked for the quick run (`BENCH_QUICK=1` or `npm run bench -- --quick`). */
export function isQuick(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env[QUICK_ENV];
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

/** Reads back a figures file: one JSON figure per line; a line that is not one is an error naming it. */
export function parseFigureLines(text: string): Figure[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        return Figure.parse(JSON.parse(line));
      } catch (err) {
        throw new Error(`figure line ${i + 1} is not a figure: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
}

/** The p-th percentile of `values` (nearest rank), as the benches have computed it so far. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** The median (nearest rank, the upper one of an even count), as every bench reports it. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}
