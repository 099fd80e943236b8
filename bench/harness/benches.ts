/** The benches `npm run bench` runs, in order, each in a process of its own. */
export interface BenchEntry {
  /** Short name, as in `npm run bench -- --only worker,alerts`. */
  readonly name: string;
  /** Path from the repository root; a file not on this branch yet is listed as missing, not run. */
  readonly file: string;
  /**
   * Environment for the quick run, under what the caller set: benches already took their sizes from
   * variables (`BENCH_RUNS`, …), whose meaning differs from bench to bench, so each gets its own.
   */
  readonly quickEnv?: Readonly<Record<string, string>>;
}

export const BENCHES: readonly BenchEntry[] = [
  // issue 19's figures first: they are what the table is read for
  { name: 'trigger', file: 'bench/trigger-latency.ts', quickEnv: { BENCH_RUNS: '15' } },
  { name: 'throughput', file: 'bench/throughput.ts' },
  { name: 'isolated', file: 'bench/isolated-run.ts' },
  { name: 'alerts', file: 'bench/alert-webhook.ts', quickEnv: { BENCH_ALERTS: '100' } },
  { name: 'memory', file: 'bench/idle-memory.ts' },
  { name: 'oidc', file: 'bench/oidc-issue.ts' },
  { name: 'worker', file: 'bench/worker.ts' },
  { name: 'executions', file: 'bench/executions-page.ts' },
  { name: 'parse', file: 'bench/alert-parse.ts' },
  { name: 'oncall', file: 'bench/oncall.ts' },
  { name: 'schemas', file: 'bench/deployed-schemas.ts' },
  { name: 'approval', file: 'bench/approval.ts', quickEnv: { BENCH_RUNS: '10' } },
  { name: 'pending', file: 'bench/pending-approvals.ts', quickEnv: { BENCH_HISTORY: '2000' } },
  { name: 'streams', file: 'bench/streams.ts', quickEnv: { BENCH_SECONDS: '2' } },
  { name: 'outage', file: 'bench/storage-outage.ts' },
  { name: 'retention', file: 'bench/retention.ts', quickEnv: { BENCH_RUNS: '500', BENCH_AUDIT: '200' } },
  { name: 'migrate', file: 'bench/migrate.ts' },
  { name: 'scheduler', file: 'bench/scheduler.ts', quickEnv: { BENCH_RUNS: '3', BENCH_SCHEDULES: '200' } },
];
