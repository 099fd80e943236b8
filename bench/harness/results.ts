/**
 * The JSON `npm run bench` writes to bench/results/bench-<date>-<sha>.json, and `npm run bench:readme`
 * reads back: one schema for both, so the README is rendered from what the run wrote.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { z } from 'zod';
import { Figure } from '../report.js';

/** `ok` exited 0; `crashed` exited otherwise (its figures so far are kept); `missing` is not on this branch. */
export const BenchStatus = z.enum(['ok', 'crashed', 'missing']);
export type BenchStatus = z.infer<typeof BenchStatus>;

export const BenchOutcome = z.object({
  name: z.string(),
  file: z.string(),
  status: BenchStatus,
  /** The process's exit code; null when it was not run or died of a signal (see `signal`). */
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable().default(null),
  durationMs: z.number(),
  figures: z.array(Figure),
  /** Why it crashed (the last lines of its stderr) or why it is missing. */
  error: z.string().nullable().default(null),
});
export type BenchOutcome = z.infer<typeof BenchOutcome>;

export const Machine = z.object({
  cores: z.number().int(),
  cpuModel: z.string(),
  totalMemoryBytes: z.number(),
  node: z.string(),
  platform: z.string(),
});
export type Machine = z.infer<typeof Machine>;

export const BenchResults = z.object({
  startedAt: z.string(),
  durationMs: z.number(),
  quick: z.boolean(),
  machine: Machine,
  git: z.object({ sha: z.string(), shortSha: z.string(), isDirty: z.boolean() }),
  benches: z.array(BenchOutcome),
});
export type BenchResults = z.infer<typeof BenchResults>;

export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    totalMemoryBytes: os.totalmem(),
    node: process.version,
    platform: `${process.platform} ${os.release()} ${process.arch}`,
  };
}

/** The commit measured; `isDirty` when the work tree differs from it (the figures are then of no commit). */
export function describeCommit(cwd = process.cwd()): BenchResults['git'] {
  const git = (...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
  try {
    const sha = git('rev-parse', 'HEAD');
    return { sha, shortSha: sha.slice(0, 7), isDirty: git('status', '--porcelain', '--untracked-files=no') !== '' };
  } catch {
    return { sha: 'unknown', shortSha: 'nogit', isDirty: false };
  }
}

/** bench-2026-12-06-1a2b3c4.json: sorts by date, and names the commit the figures belong to. */
export function resultsFileName(results: Pick<BenchResults, 'startedAt' | 'git'>): string {
  return `bench-${results.startedAt.slice(0, 10)}-${results.git.shortSha}.json`;
}

/** A crash makes `npm run bench` exit 1; a missed goal or a missing bench does not (it reports). */
export function exitCodeOf(results: Pick<BenchResults, 'benches'>): number {
  return results.benches.some((b) => b.status === 'crashed') ? 1 : 0;
}
