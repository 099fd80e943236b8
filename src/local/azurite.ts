import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

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
  /** Give up if Azurite is not listening after this long (default 30 s). */
  readonly startTimeoutMs?: number;
}

export interface RunningAzurite {
  readonly connectionString: string;
  readonly ports: { readonly blob: number; readonly queue: number; readonly table: number };
  readonly pid: number;
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
 * Starts Azurite as a child process through its CLI (its package main cannot be required) and reads the
 * ports it actually bound from its output.
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const cli = createRequire(import.meta.url).resolve('azurite/dist/src/azurite.js');
  const args = [
    cli,
    '--blobPort',
    String(options.blobPort ?? 0),
    '--queuePort',
    String(options.queuePort ?? 0),
    '--tablePort',
    String(options.tablePort ?? 0),
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--loose',
  ];
  if (options.location) {
    mkdirSync(options.location, { recursive: true });
    args.push('--location', options.location);
  } else {
    args.push('--inMemoryPersistence');
  }
  // its own process group: a terminal's Ctrl-C reaches only our process, which stops Azurite last, after
  // the workers have recorded their final statuses
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  // whatever way this process ends (short of SIGKILL), Azurite does not outlive it
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const ports = await readPorts(child, options.startTimeoutMs ?? 30_000);
  let stopping: Promise<void> | undefined;
  return {
    connectionString: azuriteConnectionString(ports),
    ports,
    pid: child.pid ?? -1,
    stop() {
      stopping ??= stopChild(child).finally(() => process.off('exit', killOnExit));
      return stopping;
    },
  };
}

async function readPorts(child: ChildProcess, timeoutMs: number): Promise<RunningAzurite['ports']> {
  const found: Partial<Record<'blob' | 'queue' | 'table', number>> = {};
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`Azurite did not start within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    };
    const onExit = (code: number | null) =>
      fail(new Error(`Azurite exited (code ${code}) before listening:\n${output}`));
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      for (const m of output.matchAll(
        /Azurite (Blob|Queue|Table) service is successfully listening at http:\/\/[^:]+:(\d+)/g,
      )) {
        found[(m[1] ?? '').toLowerCase() as 'blob'] = Number(m[2]);
      }
      if (found.blob && found.queue && found.table) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.off('exit', onExit);
        // keep draining so a full pipe never blocks Azurite
        child.stdout?.resume();
        resolve({ blob: found.blob, queue: found.queue, table: found.table });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', onExit);
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
