import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { createReadStream } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { CatalogueFile } from '../../src/core/runbook-catalogue.js';
import {
  MAX_CATALOGUE_FILES,
  MAX_CATALOGUE_STORED_BYTES,
  MAX_RUNBOOK_SOURCE_BYTES,
} from '../../src/core/runbook-catalogue.js';
import { runbookNameProblem } from '../../src/core/safe-path.js';
import type { PublishedSource } from '../../src/storage/index.js';

/** Bounds of one listing; the defaults are the catalogue's (core/runbook-catalogue.ts). */
export interface FolderLimits {
  readonly maxFiles: number;
  readonly maxFileBytes: number;
  readonly maxStoredBytes: number;
}

export const DEFAULT_FOLDER_LIMITS: FolderLimits = {
  maxFiles: MAX_CATALOGUE_FILES,
  maxFileBytes: MAX_RUNBOOK_SOURCE_BYTES,
  maxStoredBytes: MAX_CATALOGUE_STORED_BYTES,
};

export interface FolderListing {
  readonly files: CatalogueFile[];
  /** Content of the files marked `stored`. */
  readonly sources: PublishedSource[];
  readonly truncated: boolean;
}

/** Folders never published: Git's own data. */
const SKIPPED_DIRS = new Set(['.git']);

/**
 * The files a runbook folder holds, as the worker would run them: every name a schema could use
 * (core/safe-path.ts), symlinks only when they resolve to a file inside the folder (as the runbook sources
 * check before a run), in path order, bounded in count and stored bytes.
 */
export async function listFolderFiles(
  root: string,
  limits: FolderLimits = DEFAULT_FOLDER_LIMITS,
): Promise<FolderListing> {
  const realRoot = await realpath(root);
  const paths: string[] = [];
  let truncated = false;
  const walk = async (dir: string, prefix: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (runbookNameProblem(relative) !== null) continue;
      // a directory symlink could loop or lead out; runbooks are files, and only they may be links
      if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name)) await walk(path.join(dir, entry.name), relative);
      else if (entry.isFile() || entry.isSymbolicLink()) {
        if (paths.length >= limits.maxFiles) {
          truncated = true;
          return;
        }
        paths.push(relative);
      }
    }
  };
  await walk(realRoot, '');

  const files: CatalogueFile[] = [];
  const sources: PublishedSource[] = [];
  let storedBytes = 0;
  for (const relative of paths) {
    const real = await realpath(path.join(realRoot, relative)).catch(() => null);
    if (real === null || !real.startsWith(realRoot + path.sep)) continue;
    const info = await stat(real).catch(() => null);
    if (!info?.isFile()) continue;
    const stored = info.size <= limits.maxFileBytes && storedBytes + info.size <= limits.maxStoredBytes;
    if (!stored) {
      // too big to publish: only its size and hash are listed, read as a stream, never held whole
      files.push({ path: relative, size: info.size, sha256: await streamSha256(real), stored });
      continue;
    }
    const content = await readFile(real);
    storedBytes += content.length;
    sources.push({ path: relative, content });
    files.push({ path: relative, size: content.length, sha256: sha256Of(content), stored });
  }
  return { files, sources, truncated };
}

/** `local-` and a hash of the files' paths and content: equal folders give equal versions. */
export function folderVersion(files: readonly CatalogueFile[]): string {
  const hash = createHash('sha256');
  for (const f of files) hash.update(`${f.path}\0${f.sha256}\n`);
  return `local-${hash.digest('hex').slice(0, 16)}`;
}

function sha256Of(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

async function streamSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
