import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/** How a process comes back after it died. */
export interface RestartPolicy {
  /** Pause before the first restart, doubled after each crash that follows quickly. */
  readonly delayMs: number;
  /** Longest pause before a restart. */
  readonly maxDelayMs: number;
  /**
   * A process that ran this long before it died was healthy: its restart waits delayMs again instead of
   * the doubled pause of a crash loop.
   */
  readonly stableAfterMs: number;
}

export interface ProcessSpec {
  /** Starts the process; called again for each restart. */
  readonly spawn: () => ChildProcess;
  /** Its output lines, when piped, and the supervisor's notes about it (exits, restarts). */
  readonly onLine?: (line: string) => void;
  /** Restart it when it dies; absent, a death is final (Azurite: a new one would have new ports). */
  readonly restart?: RestartPolicy;
  /** After SIGTERM, how long it may take to exit before SIGKILL. */
  readonly stopTimeoutMs: number;
}

/**
 * The local stack's child processes (Azurite, the workers): started, restarted when they die, listed by
 * pid for stack.json, and stopped in reverse order of start, so the workers record their final statuses
 * before Azurite, which they write to, goes. The processes of one startGroup() stop together.
 */
export class Supervisor {
  private readonly groups: SupervisedProcess[][] = [];

  /** `onPidsChange` hears the pids of the running processes each time one starts or dies. */
  constructor(private readonly onPidsChange: (pids: number[]) => void = () => undefined) {}

  start(spec: ProcessSpec): SupervisedProcess {
    const [process] = this.startGroup([spec]);
    if (!process) throw new Error('unreachable: a group of one');
    return process;
  }

  startGroup(specs: readonly ProcessSpec[]): SupervisedProcess[] {
    const group = specs.map((spec) => new SupervisedProcess(spec, () => this.onPidsChange(this.pids())));
    // listed before they start: the pid each reports on start must be among the supervisor's
    this.groups.push(group);
    for (const process of group) process.start();
    return group;
  }

  /** Pids of the processes running now, in order of start. */
  pids(): number[] {
    return this.groups.flat().flatMap((p) => (p.pid ? [p.pid] : []));
  }

  async stop(): Promise<void> {
    for (const group of [...this.groups].reverse()) await Promise.all(group.map((p) => p.stop()));
  }
}

/**
 * One supervised process. One that dies is restarted (when its spec says so) after a pause that doubles
 * while it keeps crashing and starts over once it stayed up; stop() sends SIGTERM and waits for its exit.
 */
export class SupervisedProcess {
  private child: ChildProcess | undefined;
  private stopping: Promise<void> | undefined;
  private restartDelayMs: number;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly spec: ProcessSpec,
    private readonly onPidChange: () => void = () => undefined,
  ) {
    this.restartDelayMs = spec.restart?.delayMs ?? 0;
    if (spec.restart && this.restartDelayMs <= 0) throw new Error('restart.delayMs must be > 0');
  }

  /** The running process's pid; undefined while it is down. */
  get pid(): number | undefined {
    const child = this.child;
    return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  }

  start(): void {
    const child = this.spec.spawn();
    this.child = child;
    const startedAt = Date.now();
    if (child.pid) this.onPidChange();
    for (const stream of [child.stdout, child.stderr]) forwardLines(stream, (line) => this.spec.onLine?.(line));
    child.once('exit', (code, signal) => this.afterExit(signal ?? `code ${code}`, Date.now() - startedAt));
  }

  private afterExit(reason: string, uptimeMs: number): void {
    if (this.stopping) return;
    this.onPidChange();
    const policy = this.spec.restart;
    if (!policy) {
      this.spec.onLine?.(`exited (${reason})`);
      return;
    }
    // one that stayed up was healthy: this death is not part of a crash loop
    if (uptimeMs >= policy.stableAfterMs) this.restartDelayMs = policy.delayMs;
    this.spec.onLine?.(`exited (${reason}); restarting in ${this.restartDelayMs} ms`);
    this.restartTimer = setTimeout(() => this.start(), this.restartDelayMs);
    this.restartDelayMs = Math.min(policy.maxDelayMs, this.restartDelayMs * 2);
  }

  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves once it exited. The same promise on every call. */
  stop(timeoutMs = this.spec.stopTimeoutMs): Promise<void> {
    this.stopping ??= (async () => {
      clearTimeout(this.restartTimer);
      const child = this.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    })();
    return this.stopping;
  }
}

function forwardLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  let rest = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
}
