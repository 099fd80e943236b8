import { readdirSync, readFileSync } from 'node:fs';

/**
 * Pids of processes whose environment holds `marker` (e.g. `CLOUDO_EXEC_ID=<id>`). A runbook's child that
 * called setsid has left the process group, so killing the group misses it; its inherited environment
 * still names the run. Linux only (/proc); elsewhere it finds nothing.
 */
export function pidsWithEnvMarker(marker: string): number[] {
  const needle = Buffer.from(`${marker}\0`);
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`);
      // the marker is a whole variable: at the start, or right after another variable's NUL
      const at = environ.indexOf(needle);
      if (at === 0 || (at > 0 && environ[at - 1] === 0)) pids.push(pid);
    } catch {
      // gone already, or not ours to read
    }
  }
  return pids;
}

/** Sends `signal` to every process carrying `marker`; returns how many were signalled. */
export function signalByEnvMarker(marker: string, signal: NodeJS.Signals): number {
  let count = 0;
  for (const pid of pidsWithEnvMarker(marker)) {
    try {
      process.kill(pid, signal);
      count++;
    } catch {
      // exited in between
    }
  }
  return count;
}
