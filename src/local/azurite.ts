import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AzuriteDependents } from './azurite-watchdog.js';
import { Supervisor } from './supervisor.js';

/** Azurite's well-known development account (public, documented by Microsoft). */
export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  /** Folder for persistent data; when absent, data lives in memory and dies with the process. */
  readonly location?: string | undefined;
  /** 0 picks a free port. */
  readonly blobPort?: number;
  readonly queuePort?: number;
  readonly tablePort?: number;
  /**
   * File Azurite's output is appended to (start, stop, errors; no access log). Default: `azurite.log` in
   * `location`; in memory, a file in a temporary folder that stop() removes.
   */
  readonly logFile?: string | undefined;
  /** Give up if Azurite is not listening after this long (default 30 s). */
  readonly startTimeoutMs?: number;
  /**
   * Should this process die without stop(), how long Azurite keeps serving its dependents (see
   * setDependents) at most before it saves and stops anyway (default 60 s: a worker's shutdown grace).
   */
  readonly dependentsWaitMs?: number;
  /**
   * Supervises the process: the local stack's, so Azurite is among its pids and stops after the workers
   * started later; default, one of its own. Azurite is never restarted: a new one would have new ports.
   */
  readonly supervisor?: Supervisor;
  /** Told should Azurite exit before stop(). */
  readonly onLine?: (line: string) => void;
}

export interface RunningAzurite {
  readonly connectionString: string;
  readonly ports: { readonly blob: number; readonly queue: number; readonly table: number };
  readonly pid: number;
  readonly logFile: string;
  /**
   * The processes that write to this Azurite (the workers), as they are now. Should this process die,
   * Azurite serves them until they have exited (their last writes are final statuses), then stops.
   */
  setDependents(pids: readonly number[]): void;
  /** Closes Azurite gracefully, which saves its data (SIGKILL only if that hangs for 10 s). */
  stop(): Promise<void>;
}

export function azuriteConnectionString(ports: RunningAzurite['ports']): string {
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${DEV_ACCOUNT}`,
    `AccountKey=${DEV_KEY}`,
    `BlobEndpoint=http://127.0.0.1:${ports.blob}/${DEV_ACCOUNT}`,
    `QueueEndpoint=http://127.0.0.1:${ports.queue}/${DEV_ACCOUNT}`,
    `TableEndpoint=http://127.0.0.1:${ports.table}/${DEV_ACCOUNT}`,
  ].join(';');
}

/**
 * Starts Azurite as a process of its own (its package main cannot be required) through
 * azurite-process.ts, which closes it gracefully if this process dies, and reads the ports it actually
 * bound from its log.
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const args = [
    '--blobPort',
    String(options.blobPort ?? 0),
    '--queuePort',
    String(options.queuePort ?? 0),
    '--tablePort',
    String(options.tablePort ?? 0),
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--loose',
    // no access log: a line per request would grow the log file without bound, and nobody read it
    '--silent',
  ];
  if (options.location) {
    await mkdir(options.location, { recursive: true });
    args.push('--location', options.location);
  } else {
    args.push('--inMemoryPersistence');
  }
  const tempDir = options.logFile || options.location ? null : await mkdtemp(path.join(os.tmpdir(), 'cloudo-azurite-'));
  const logFile = options.logFile ?? path.join(options.location ?? tempDir ?? '', 'azurite.log');
  await mkdir(path.dirname(logFile), { recursive: true });
  const log = await open(logFile, 'a');
  const logStart = (await log.stat()).size;
  let child: ChildProcess | undefined;
  const supervised = (options.supervisor ?? new Supervisor()).start({
    spawn: () => {
      child = spawn(process.execPath, [...azuriteProcess(), String(options.dependentsWaitMs ?? 60_000), ...args], {
        // a file, not a pipe: Azurite's writes must not fail when this process is gone (azurite-process.ts)
        stdio: ['ignore', log.fd, log.fd, 'ipc'],
        // its own process group: a terminal's Ctrl-C reaches only our process, which stops Azurite last,
        // after the workers have recorded their final statuses
        detached: true,
      });
      // the channel is how Azurite learns we died; it must not keep this process alive
      child.channel?.unref();
      return child;
    },
    ...(options.onLine && { onLine: options.onLine }),
    // its own SIGTERM handler closes the servers, and closing its databases saves them; SIGKILL if that hangs
    stopTimeoutMs: 10_000,
  });
  await log.close();
  if (!child) throw new Error('unreachable: the supervisor spawns at start');
  const cleanUp = () => (tempDir ? rm(tempDir, { recursive: true, force: true }) : Promise.resolve());
  const ports = await readPorts(child, logFile, logStart, options.startTimeoutMs ?? 30_000).catch(async (err) => {
    await cleanUp();
    throw err;
  });
  let stopping: Promise<void> | undefined;
  return {
    connectionString: azuriteConnectionString(ports),
    ports,
    pid: child.pid ?? -1,
    logFile,
    setDependents(pids) {
      const message: AzuriteDependents = { dependents: [...pids] };
      // no callback, and a failed send (Azurite just died) would be an unhandled 'error' ending this process
      if (child?.connected) child.send(message, () => undefined);
    },
    stop() {
      stopping ??= supervised.stop().finally(cleanUp);
      return stopping;
    },
  };
}

/** The Azurite program and how to run it: `.ts` under tsx in development, `.js` once built. */
function azuriteProcess(): string[] {
  const isTypeScript = import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(new URL(`./azurite-process.${isTypeScript ? 'ts' : 'js'}`, import.meta.url));
  if (!isTypeScript) return [entry];
  // whoever runs this file (tsx, vitest) may not pass a TypeScript loader down to children
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
  return ['--import', tsx, entry];
}

async function readPorts(
  child: ChildProcess,
  logFile: string,
  logStart: number,
  timeoutMs: number,
): Promise<RunningAzurite['ports']> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const output = (await readFile(logFile)).subarray(logStart).toString();
    const found: Partial<Record<string, number>> = {};
    for (const m of output.matchAll(
      /Azurite (Blob|Queue|Table) service is successfully listening at http:\/\/[^:]+:(\d+)/g,
    )) {
      found[(m[1] ?? '').toLowerCase()] = Number(m[2]);
    }
    if (found.blob && found.queue && found.table) return { blob: found.blob, queue: found.queue, table: found.table };
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`Azurite exited (${child.signalCode ?? `code ${child.exitCode}`}) before listening:\n${output}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Azurite did not start within ${timeoutMs} ms:\n${output}`);
    }
    await sleep(50);
  }
}
