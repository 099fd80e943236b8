import type { Parameters } from 'fast-check';

/**
 * How hard the fuzz suites push. In CI each property runs its own small `ciRuns` so the suites stay within
 * about 30 s on two cores; `FUZZ_RUNS=<n>` runs every property n times for a longer hunt. Each run draws one
 * seed for all its properties (`FUZZ_SEED` pins it); fast-check prints the seed and the shrunk path of a
 * failure, and `FUZZ_SEED=<seed> FUZZ_PATH=<path>` with `-t '<test name>'` replays exactly that case.
 */
const env = process.env;

function wholeNumber(name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name}="${raw}" must be a whole number above 0`);
  return value;
}

const seed = wholeNumber('FUZZ_SEED') ?? Math.floor(Math.random() * 2 ** 31);
const runs = wholeNumber('FUZZ_RUNS');
const path = env.FUZZ_PATH?.trim() || undefined;

/** Runs of a property: its CI budget, or `FUZZ_RUNS` when set. */
export function fuzzRuns(ciRuns: number): number {
  return runs ?? ciRuns;
}

/** fast-check parameters of one property: this run's seed, its runs, and a replay path if given. */
export function fuzzParameters<T>(ciRuns: number): Parameters<T> {
  return { seed, numRuns: fuzzRuns(ciRuns), ...(path ? { path } : {}) };
}

/** A vitest timeout for a property whose cases each take up to `perCaseMs`, plus start-up slack. */
export function fuzzTimeoutMs(ciRuns: number, perCaseMs: number): number {
  return 30_000 + fuzzRuns(ciRuns) * perCaseMs;
}
