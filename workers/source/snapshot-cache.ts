import { chmod, mkdir, mkdtemp, readdir, realpath, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { ReadEntry, Unpack } from 'tar';

export interface SnapshotCacheOptions {
  /** Folder with one sub-folder per commit SHA; created when missing. Give each worker process its own. */
  readonly dir: string;
  /** Snapshots kept, newest first; older ones go unless a run still holds them. */
  readonly keep: number;
  /** Largest unpacked size of one snapshot, in bytes; a bigger archive is refused. */
  readonly maxBytes: number;
}

export interface InstalledSnapshot {
  /** Symlinks left out because they point outside the snapshot (paths inside the repository). */
  readonly droppedLinks: readonly string[];
}

const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/** Prefix of folders that are not snapshots: unpacking in progress, or on their way out. */
const TEMP_PREFIX = '.tmp-';
/** A temp folder this old was left by a crash; nothing unpacks for that long. */
const STALE_TEMP_MS = 3600_000;
/** Entry types `git archive` writes. Anything else (hard links, devices, FIFOs) means the archive was not made by GitHub. */
const PLAIN_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory']);

/**
 * Immutable repository snapshots on disk, keyed by commit SHA. A snapshot appears whole or not at all
 * (unpacked into a temp folder, then renamed), is never written again, and is removed only when it is
 * older than the newest `keep` and no run holds a lease on it.
 */
export class SnapshotCache {
  private readonly leases = new Map<string, number>();
  /** SHAs made current by this process, oldest first: the order "newest" means. */
  private recency: string[] = [];
  private readonly unpacking = new Set<string>();

  constructor(private readonly options: SnapshotCacheOptions) {
    if (!Number.isInteger(options.keep) || options.keep < 1)
      throw new Error('keepSnapshots must be a whole number >= 1');
    if (!(options.maxBytes > 0)) throw new Error('maxSnapshotBytes must be > 0');
  }

  /** Where the snapshot of `sha` lives (it may not exist). */
  pathOf(sha: string): string {
    if (!SHA.test(sha)) throw new Error(`not a commit SHA: ${sha}`);
    return path.join(this.options.dir, sha);
  }

  /** True when the snapshot of `sha` is complete on disk (a previous run of the worker may have made it). */
  has(sha: string): Promise<boolean> {
    return stat(this.pathOf(sha)).then(
      (s) => s.isDirectory(),
      () => false,
    );
  }

  /**
   * Unpacks a GitHub tarball (`<owner>-<repo>-<sha7>/...`) as the snapshot of `sha`, without its top
   * folder. Throws when the archive is broken or holds entries that write outside the snapshot; nothing
   * is installed then. Symlinks that point outside are left out and listed.
   */
  async install(sha: string, archive: Readable): Promise<InstalledSnapshot> {
    const target = this.pathOf(sha);
    await mkdir(this.options.dir, { recursive: true });
    const temp = await mkdtemp(path.join(this.options.dir, `${TEMP_PREFIX}${sha.slice(0, 12)}-`));
    this.unpacking.add(temp);
    try {
      const dropped = await unpack(archive, temp, this.options.maxBytes);
      dropped.push(...(await dropEscapingLinks(temp)));
      // mkdtemp made it private; runbooks run as accounts of their own and must read their files
      await chmod(temp, 0o755);
      try {
        await rename(temp, target);
      } catch (err) {
        // another process sharing the folder installed the same commit first; its content is the same
        if (!isCode(err, 'ENOTEMPTY') && !isCode(err, 'EEXIST')) throw err;
      }
      return { droppedLinks: dropped };
    } finally {
      this.unpacking.delete(temp);
      await rm(temp, { recursive: true, force: true });
    }
  }

  /** Records that `sha` is now the snapshot runs resolve against (the newest). */
  markCurrent(sha: string): void {
    this.recency = [...this.recency.filter((s) => s !== sha), sha];
  }

  /** Holds `sha` on disk until the returned function is called (calling it again does nothing). */
  lease(sha: string): () => void {
    this.leases.set(sha, (this.leases.get(sha) ?? 0) + 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const left = (this.leases.get(sha) ?? 1) - 1;
      if (left > 0) this.leases.set(sha, left);
      else this.leases.delete(sha);
    };
  }

  /** Runs holding a lease on `sha`. */
  leaseCount(sha: string): number {
    return this.leases.get(sha) ?? 0;
  }

  /** Removes snapshots beyond the newest `keep`, except `current` and leased ones, and stale temp folders. */
  async prune(current: string | undefined): Promise<void> {
    const names = await readdir(this.options.dir).catch((err: unknown) => {
      if (isCode(err, 'ENOENT')) return [];
      throw err;
    });
    const found = await Promise.all(
      names.map(async (name) => {
        const at = await stat(path.join(this.options.dir, name)).catch(() => null);
        return at ? { name, mtimeMs: at.mtimeMs, rank: this.recency.indexOf(name) } : null;
      }),
    );
    const present = found.filter((f): f is NonNullable<typeof f> => f !== null);
    const snapshots = present
      .filter((f) => SHA.test(f.name))
      // made current by us, latest first; then what earlier processes left, by age
      .sort((a, b) => b.rank - a.rank || b.mtimeMs - a.mtimeMs);
    const kept = new Set(snapshots.slice(0, this.options.keep).map((s) => s.name));
    for (const snapshot of snapshots) {
      if (kept.has(snapshot.name) || snapshot.name === current || this.leaseCount(snapshot.name) > 0) continue;
      // renamed first, so a half-removed folder never looks like a snapshot
      const doomed = path.join(this.options.dir, `${TEMP_PREFIX}gone-${snapshot.name}-${process.pid}-${Date.now()}`);
      await rename(path.join(this.options.dir, snapshot.name), doomed);
      await rm(doomed, { recursive: true, force: true });
    }
    this.recency = this.recency.filter((sha) => kept.has(sha) || sha === current || this.leaseCount(sha) > 0);
    for (const leftover of present) {
      const full = path.join(this.options.dir, leftover.name);
      if (!leftover.name.startsWith(TEMP_PREFIX) || this.unpacking.has(full)) continue;
      if (Date.now() - leftover.mtimeMs > STALE_TEMP_MS) await rm(full, { recursive: true, force: true });
    }
  }
}

/** Unpacks `archive` into `into`, refusing the whole archive at the first entry that is not what `git archive` writes. */
function unpack(archive: Readable, into: string, maxBytes: number): Promise<string[]> {
  const dropped: string[] = [];
  let top: string | undefined;
  let bytes = 0;
  let entries = 0;
  return new Promise<string[]>((resolve, reject) => {
    const refuse = (why: string): false => {
      unpacker.abort(new Error(why));
      return false;
    };
    const unpacker = new Unpack({
      cwd: into,
      strip: 1,
      // a truncated or damaged archive is an error, not a warning
      strict: true,
      // as root (the container), tar would otherwise chown files to the archive's uids
      preserveOwner: false,
      noMtime: true,
      filter: (entryPath, entry) => {
        if (!(entry instanceof ReadEntry)) return refuse(`"${entryPath}" is not an archive entry`);
        const segments = entryPath.split('/');
        if (entryPath.startsWith('/') || /^[A-Za-z]:/.test(entryPath))
          return refuse(`entry "${entryPath}" is an absolute path`);
        if (segments.includes('..')) return refuse(`entry "${entryPath}" contains ".."`);
        top ??= segments[0];
        if (segments[0] !== top) return refuse(`entry "${entryPath}" is outside the top folder "${top}"`);
        const inside = segments.slice(1).join('/');
        if (entry.type === 'SymbolicLink') {
          const link = entry.linkpath ?? '';
          const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(inside), link));
          // git stores such links faithfully; they are skipped, not fatal, so the rest of the repository works
          if (link.startsWith('/') || resolved === '..' || resolved.startsWith('../')) {
            dropped.push(inside);
            return false;
          }
        } else if (!PLAIN_TYPES.has(entry.type)) {
          return refuse(`entry "${entryPath}" is a ${entry.type}, which git archives never contain`);
        }
        bytes += entry.size ?? 0;
        if (bytes > maxBytes) return refuse(`it unpacks to more than ${maxBytes} bytes`);
        entries += 1;
        return true;
      },
    });
    unpacker.on('error', (err: Error) => {
      archive.destroy();
      reject(err);
    });
    unpacker.on('close', () => (entries > 0 ? resolve(dropped) : reject(new Error('the archive holds no entries'))));
    archive.on('error', (err) => unpacker.abort(err));
    archive.pipe(unpacker);
  });
}

/**
 * Removes symlinks that resolve outside `root` or nowhere. The per-entry check above is lexical; a
 * chain of links that each look inside can still lead out, so the file system has the last word.
 */
async function dropEscapingLinks(root: string): Promise<string[]> {
  const realRoot = await realpath(root);
  const dropped: string[] = [];
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isSymbolicLink()) continue;
    const full = path.join(entry.parentPath, entry.name);
    const target = await realpath(full).catch(() => null);
    if (target === null || (target !== realRoot && !target.startsWith(realRoot + path.sep))) {
      await unlink(full);
      dropped.push(path.relative(root, full).split(path.sep).join('/'));
    }
  }
  return dropped;
}

function isCode(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}
