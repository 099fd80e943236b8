import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export interface WorkerProcessOptions {
  readonly worker: string;
  /** Environment of the worker process (storage, namespace, runbook folder...). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly onLine: (line: string) => void;
  /** Told each time the worker's process changes: its pid once started, undefined once it died. */
  readonly onPidChange?: (pid: number | undefined) => void;
  /** The program and its arguments (default: the worker under this Node); tests run stand-ins. */
  readonly command?: readonly [string, ...string[]];
  /** Pause before the first restart, doubled after each crash that follows quickly (default 500 ms). */
  readonly restartDelayMs?: number;
  /** Longest pause before a restart (default 30 s). */
  readonly maxRestartDelayMs?: number;
  /**
   * A worker that ran this long before it died was healthy: its restart waits restartDelayMs again
   * instead of the doubled pause of a crash loop (default 30 s).
   */
  readonly stableAfterMs?: number;
}

/** The worker entry beside this file's tree: `.ts` under tsx, `.js` once built. */
function workerCommand(): [string, ...string[]] {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return [process.execPath, ...process.execArgv, fileURLToPath(new URL(`../../workers/main.${ext}`, import.meta.url))];
}

/**
 * One worker process per capability, the same program a container runs. A worker that dies is restarted,
 * after a pause that doubles while it keeps crashing and starts over once it stayed up; stop() sends
 * SIGTERM and waits for its graceful exit.
 */
export class WorkerProcess {
  private child: ChildProcess | undefined;
  private stopping = false;
  private readonly initialDelayMs: number;
  private restartDelayMs: number;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: WorkerProcessOptions) {
    this.initialDelayMs = options.restartDelayMs ?? 500;
    if (this.initialDelayMs <= 0) throw new Error('restartDelayMs must be > 0');
    this.restartDelayMs = this.initialDelayMs;
  }

  /** The running process's pid; undefined while the worker is down. */
  get pid(): number | undefined {
    const child = this.child;
    return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  }

  start(): void {
    const [program, ...args] = this.options.command ?? workerCommand();
    const child = spawn(program, args, {
      env: { ...this.options.env, CLOUDO_WORKER: this.options.worker },
      // the IPC channel lets the worker notice if this process dies
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // its own process group: Ctrl-C reaches the stack, which stops workers gracefully, once
      detached: true,
    });
    this.child = child;
    const startedAt = Date.now();
    if (child.pid) this.options.onPidChange?.(child.pid);
    const forward = (stream: NodeJS.ReadableStream | null) => {
      let rest = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) this.options.onLine(line);
      });
    };
    forward(child.stdout);
    forward(child.stderr);
    child.once('exit', (code, signal) => this.restartAfterExit(signal ?? `code ${code}`, Date.now() - startedAt));
  }

  private restartAfterExit(reason: string, uptimeMs: number): void {
    if (this.stopping) return;
    this.options.onPidChange?.(undefined);
    // a worker that stayed up was healthy: this death is not part of a crash loop
    if (uptimeMs >= (this.options.stableAfterMs ?? 30_000)) this.restartDelayMs = this.initialDelayMs;
    this.options.onLine(`exited (${reason}); restarting in ${this.restartDelayMs} ms`);
    this.restartTimer = setTimeout(() => this.start(), this.restartDelayMs);
    this.restartDelayMs = Math.min(this.options.maxRestartDelayMs ?? 30_000, this.restartDelayMs * 2);
  }

  async stop(timeoutMs = 35_000): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}
