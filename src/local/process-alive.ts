import { existsSync, readFileSync } from 'node:fs';

/**
 * True while a process with this pid runs. A zombie (dead, waiting for its new parent to reap it) does
 * not count: kill(pid, 0) still succeeds on it, but it runs nothing and holds nothing — and an orphan's
 * new parent (a container's init) may never reap it.
 */
export function isProcessRunning(pid: number): boolean {
  try {
    // signal 0 checks the process exists without touching it
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists, under another user
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the state follows the parenthesised command name, which may itself contain spaces
    return stat.charAt(stat.lastIndexOf(')') + 2) !== 'Z';
  } catch {
    // gone since kill(), or no /proc at all (macOS), where kill(pid, 0) is all we know
    return !existsSync('/proc/self/stat');
  }
}
