import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { groupKiller } from './process-group.js';
import type { Stragglers } from './process-sweep.js';
import type { RunbookAccount } from './runbook-accounts.js';

export interface RunbookProcessOptions {
  /** Absolute path of the script (already resolved and checked by a RunbookSource). */
  readonly scriptPath: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** Killed (SIGTERM, then SIGKILL after killGraceMs) past this. */
  readonly timeoutMs: number;
  readonly killGraceMs: number;
  /** Aborting kills the run the same way (cancel, shutdown); `signal.reason` says which. */
  readonly signal?: AbortSignal;
  /** The OS account the run executes as; absent: the worker's own. */
  readonly account?: RunbookAccount;
  /**
   * How to find the processes which left the group with setsid, so they are killed with it: the run's
   * own uid, or a variable of its environment (`CLOUDO_EXEC_ID=<id>`) when it runs as the worker.
   */
  readonly stragglers?: Stragglers;
  /** stdout and stderr chunks, interleaved in arrival order. */
  readonly onOutput: (chunk: Buffer) => void;
  /** Called once the process exists, with its pid. */
  readonly onStart?: (pid: number) => void;
}

export interface RunbookOutcome {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  /** Killed because `signal` was aborted. */
  readonly aborted: boolean;
  /** `signal.reason` when aborted: who or what stopped the run. */
  readonly abortReason: unknown;
  /** Last lines of stderr, for the error field of a failed run. */
  readonly stderrTail: string;
}

/** The process could not be started at all. */
export class RunbookSpawnError extends Error {
  override readonly name = 'RunbookSpawnError';
}

const STDERR_TAIL_BYTES = 2048;
/** How long a finished leader's leftover children may keep the pipes open before they are killed. */
const LEFTOVER_GRACE_MS = 1_000;

/** Picks the interpreter: `.sh` → bash, `.py` → python3, anything else runs by its shebang. */
export async function commandFor(scriptPath: string, args: readonly string[]): Promise<[string, string[]]> {
  const ext = path.extname(scriptPath).toLowerCase();
  if (ext === '.sh' || ext === '.bash') return ['bash', [scriptPath, ...args]];
  if (ext === '.py') return ['python3', [scriptPath, ...args]];
  try {
    await access(scriptPath, constants.X_OK);
  } catch {
    throw new RunbookSpawnError(`${path.basename(scriptPath)} is neither .sh nor .py and is not executable`);
  }
  return [scriptPath, [...args]];
}

/**
 * Runs one runbook in its own process group (spawned detached), so a timeout or a cancel can kill the
 * whole tree: SIGTERM to the group, then SIGKILL after a grace period. Never goes through a shell.
 */
export async function runRunbook(options: RunbookProcessOptions): Promise<RunbookOutcome> {
  const [command, argv] = await commandFor(options.scriptPath, options.args);
  const child = spawn(command, argv, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options.account,
  });
  return new Promise<RunbookOutcome>((resolve, reject) => {
    let timedOut = false;
    let aborted = false;
    let stderrTail = Buffer.alloc(0);
    const timers: NodeJS.Timeout[] = [];
    const killer = groupKiller(child, options.killGraceMs, options.stragglers);

    child.stdout?.on('data', (chunk: Buffer) => options.onOutput(chunk));
    child.stderr?.on('data', (chunk: Buffer) => {
      options.onOutput(chunk);
      stderrTail = Buffer.concat([stderrTail, chunk]).subarray(-STDERR_TAIL_BYTES);
    });
    child.once('spawn', () => {
      if (child.pid) options.onStart?.(child.pid);
    });
    const timeout = setTimeout(() => {
      timedOut = true;
      killer.terminate();
    }, options.timeoutMs);
    timers.push(timeout);
    const onAbort = () => {
      aborted = true;
      killer.terminate();
    };
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });

    // the leader is gone but a background child may hold the pipes open: give it a moment, then end it
    child.once('exit', () => {
      clearTimeout(timeout);
      timers.push(
        setTimeout(() => {
          killer.kill();
          child.stdout?.destroy();
          child.stderr?.destroy();
        }, LEFTOVER_GRACE_MS),
      );
    });
    child.once('error', (err) => {
      for (const t of timers) clearTimeout(t);
      killer.dispose();
      options.signal?.removeEventListener('abort', onAbort);
      reject(new RunbookSpawnError(`could not start ${command}: ${err.message}`));
    });
    child.once('close', (exitCode, signal) => {
      for (const t of timers) clearTimeout(t);
      killer.dispose();
      options.signal?.removeEventListener('abort', onAbort);
      // nothing of the run may outlive it
      killer.kill();
      resolve({
        exitCode,
        signal,
        timedOut,
        aborted,
        abortReason: aborted ? options.signal?.reason : undefined,
        stderrTail: lastLines(stderrTail.toString('utf8'), 20),
      });
    });
  });
}

function lastLines(text: string, count: number): string {
  const lines = text.trimEnd().split('\n');
  return lines.slice(-count).join('\n');
}
