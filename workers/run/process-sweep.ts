import { readdirSync, readFileSync, statSync } from 'node:fs';

/**
 * Pids of processes whose environment holds `marker` (e.g. `CLOUDO_EXEC_ID=<id>`). A runbook's child that
 * called setsid has left the process group, so killing the group misses it; its inherited environment
 * still names the run. Linux only (/proc); elsewhere it finds nothing.
 */
export function pidsWithEnvMarker(marker: string): number[] {
  const needle = Buffer.from(`${marker}\0`);
  const pids: number[] = [];
  for (const pid of procPids()) {
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

/**
 * Pids of processes running as `uid`, real or effective: when each run has a uid of its own, these are
 * exactly the run's processes, wherever they went. The owner of /proc/<pid> is the effective uid, a
 * cheap stat; only processes shown as root's (root itself, a setuid program, a process that is not
 * dumpable) need their status read for the real uid.
 */
export function pidsOfUid(uid: number): number[] {
  const pids: number[] = [];
  for (const pid of procPids()) {
    try {
      const owner = statSync(`/proc/${pid}`).uid;
      if (owner === uid ? !isZombie(pid) : owner === 0 && realUidOf(pid) === uid) pids.push(pid);
    } catch {
      // gone already
    }
  }
  return pids;
}

/** A zombie holds nothing and cannot be killed again: its new parent reaps it. */
function isZombie(pid: number): boolean {
  return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
}

function realUidOf(pid: number): number | null {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  if (/^State:\s+Z/m.test(status)) return null;
  // "Uid:\t<real>\t<effective>\t<saved>\t<filesystem>"
  const real = /^Uid:\s+(\d+)/m.exec(status)?.[1];
  return real === undefined ? null : Number(real);
}

function procPids(): number[] {
  try {
    return readdirSync('/proc')
      .map(Number)
      .filter((pid) => Number.isInteger(pid) && pid !== process.pid);
  } catch {
    return [];
  }
}

/** Processes a run may have left behind: those carrying its environment marker, or running as its own uid. */
export type Stragglers = { readonly envMarker: string } | { readonly uid: number };

/**
 * Sends `signal` to every straggler; returns how many were signalled. By uid it sweeps until none is
 * left, so a process forking while it is being killed does not slip through (bounded: a fork bomb that
 * outruns SIGKILL this long is swept again when its uid is next handed out).
 */
export function signalStragglers(stragglers: Stragglers, signal: NodeJS.Signals): number {
  if ('envMarker' in stragglers) return signalPids(pidsWithEnvMarker(stragglers.envMarker), signal);
  let count = 0;
  for (let round = 0; round < 20; round++) {
    const signalled = signalPids(pidsOfUid(stragglers.uid), signal);
    count += signalled;
    if (signalled === 0 || signal !== 'SIGKILL') break;
  }
  return count;
}

function signalPids(pids: readonly number[], signal: NodeJS.Signals): number {
  let count = 0;
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
      count++;
    } catch {
      // exited in between
    }
  }
  return count;
}
