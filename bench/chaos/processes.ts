import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** A TypeScript entry run in a process group of its own, its output kept for errors and readiness. */
export class GroupProcess {
  private readonly child: ChildProcess;
  private text = '';

  constructor(entry: string, env: Readonly<Record<string, string | undefined>>) {
    this.child = spawn(process.execPath, ['--import', 'tsx', entry], {
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      // the tail is enough for errors; a long run must not grow this without end
      this.text = (this.text + chunk.toString()).slice(-20_000);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
  }

  get output(): string {
    return this.text;
  }

  /** Resolves once the output matches `pattern`; fails if the process exits first or after `timeoutMs`. */
  async ready(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = pattern.exec(this.text);
      if (m) return m;
      if (this.child.exitCode !== null || this.child.signalCode !== null || Date.now() > deadline) {
        throw new Error(`process did not print ${pattern}:\n${this.text}`);
      }
      await sleep(50);
    }
  }

  /** SIGKILL to the whole group; resolves once the leader is gone. Safe to call twice. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null || !this.child.pid) return;
    const exited = once(this.child, 'exit');
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // gone between the check and the kill
    }
    await exited;
  }
}

/**
 * Pids of processes whose command line holds `marker` (the scenario's own temp folder, passed to its
 * runbooks as an argument): the runbooks a crash would kill too, found without matching any other process.
 */
export function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(marker)) pids.push(Number(name));
    } catch {
      // ended while we looked
    }
  }
  return pids;
}
