import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Storage } from '../../src/storage/index.js';
import { createStorage } from '../../src/storage/index.js';

/** What every scenario takes: `scale` multiplies its counts and durations (1 = the figures). */
export interface ChaosOptions {
  readonly scale: number;
  readonly log: (line: string) => void;
}

/** `full` scaled, at least `min`: a scaled-down run still triggers, kills and waits something. */
export const scaled = (options: ChaosOptions, full: number, min = 1) => Math.max(min, Math.round(full * options.scale));

/** The runbooks folder holding chaos-append.sh. */
export const RUNBOOKS_DIR = path.resolve(import.meta.dirname, '../runbooks');

/**
 * Timings of a lab stack: heartbeats and leases short enough that a killed worker's runs are noticed in
 * seconds, not minutes; the code paths are the production ones. Slack and Opsgenie are unset unless a
 * scenario points them at its fakes.
 */
export const CHAOS_ENV: Readonly<Record<string, string>> = {
  CLOUDO_CONCURRENCY: '8',
  CLOUDO_HEARTBEAT_MS: '1000',
  CLOUDO_STALE_WORKER_MS: '10000',
  CLOUDO_VISIBILITY_TIMEOUT_MS: '10000',
  CLOUDO_SHUTDOWN_GRACE_MS: '2000',
  CLOUDO_KILL_GRACE_MS: '500',
  // a run accepted this long is queued once more: the lab's settle times are tens of seconds, not minutes
  CLOUDO_ORPHAN_AFTER_MS: '5000',
  // Housekeeping (stale workers, orphans) every 10 s rather than on its schedule's minute, for the same reason
  CLOUDO_LOCAL_TIMER_INTERVAL_MS: '10000',
};

/** The process environment without notification settings a developer's shell may hold. */
export function baseEnv(): Record<string, string | undefined> {
  const env = { ...process.env };
  for (const name of ['SLACK_TOKEN', 'OPSGENIE_API_KEY', 'PAGERDUTY_ROUTING_KEY', 'CLOUDO_STORAGE_NAMESPACE']) {
    delete env[name];
  }
  // the stack starts workers with this process's own node flags: under tsx they load TypeScript, under
  // vitest they would not (and die at once), so they get tsx's loader through the environment
  const tsx = process.execArgv.some((arg) => arg.includes('tsx'));
  const nodeOptions = tsx ? env.NODE_OPTIONS : [env.NODE_OPTIONS, '--import tsx'].filter(Boolean).join(' ');
  return { ...env, ...CHAOS_ENV, ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) };
}

/** A scenario's folder and its (empty) append file. */
export async function scenarioDir(name: string): Promise<{ dir: string; appendFile: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `cloudo-chaos-${name}-`));
  const appendFile = path.join(dir, 'executed.log');
  await writeFile(appendFile, '');
  return { dir, appendFile };
}

/**
 * The schema every scenario triggers, in schemas.json form: runs chaos-append.sh, which appends its exec id
 * to `appendFile`, takes `seconds`, exits `exitCode`.
 */
export function chaosEntity(appendFile: string, seconds = 0, options: { exitCode?: number; oncall?: boolean } = {}) {
  return {
    id: 'chaos',
    name: 'chaos',
    runbook: 'chaos-append.sh',
    run_args: `${appendFile} ${seconds} ${options.exitCode ?? 0}`,
    worker: 'Runbook',
    oncall: options.oncall ?? false,
  };
}

export function storageAt(connectionString: string): Storage {
  return createStorage({ connection: { kind: 'connection-string', connectionString }, namespace: '' });
}
