import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export interface WorkerProcessOptions {
  readonly worker: string;
  /** Environment of the worker process (storage, namespace, runbook folder...). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly onLine: (line: string) => void;
}

/** The worker entry beside this file's tree: `.ts` under tsx, `.js` once built. */
function workerEntry(): string {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return fileURLToPath(new URL(`../../workers/main.${ext}`, import.meta.url));
}

/**
 * One worker process per capability, the same program a container runs. A worker that dies is restarted
 * with a growing delay; stop() sends SIGTERM and waits for its graceful exit.
 */
export class WorkerProcess {
  private child: ChildProcess | undefined;
  private stopping = false;
  private restartDelayMs = 500;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: WorkerProcessOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    const child = spawn(process.execPath, [...process.execArgv, workerEntry()], {
      env: { ...this.options.env, CLOUDO_WORKER: this.options.worker },
      // the IPC channel lets the worker notice if this process dies
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // its own process group: Ctrl-C reaches the stack, which stops workers gracefully, once
      detached: true,
    });
    this.child = child;
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
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      this.options.onLine(`exited (${signal ?? `code ${code}`}); restarting in ${this.restartDelayMs} ms`);
      this.restartTimer = setTimeout(() => this.start(), this.restartDelayMs);
      this.restartDelayMs = Math.min(30_000, this.restartDelayMs * 2);
    });
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
