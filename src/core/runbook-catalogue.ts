import { z } from 'zod';
import { WORKER_NAME_PATTERN } from './resource-names.js';
import { runbookNameProblem } from './safe-path.js';

/**
 * What a worker capability serves, as its workers publish it for the app (which holds no runbooks): where
 * the runbooks come from, at which commit, and each file's size and hash. The files themselves are blobs
 * next to it (`<worker>/<version>/<path>`), written before the catalogue names them.
 */

/** Largest runbook whose source is published and served by the API, in bytes (256 KiB). */
export const MAX_RUNBOOK_SOURCE_BYTES = 256 * 1024;
/** Most files one catalogue lists; a bigger folder is cut short and says so (`truncated`). */
export const MAX_CATALOGUE_FILES = 2000;
/** Most bytes of source one publication stores; files past it are listed but not stored. */
export const MAX_CATALOGUE_STORED_BYTES = 32 * 1024 * 1024;

/** A commit SHA (SHA-1 or SHA-256 repositories), or `local-` and a hash of a folder's files. */
export const CatalogueVersion = z.string().regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64}|local-[0-9a-f]{16})$/);

/** A runbook path as schemas name it: relative, no `..`, no empty segment (core/safe-path.ts). */
export const RunbookPath = z.string().superRefine((value, ctx) => {
  const problem = runbookNameProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `"${value}" ${problem}` });
});

export const CatalogueFile = z.object({
  /** Path relative to the capability's runbook folder, as a schema's `runbook` names it. */
  path: RunbookPath,
  /** Size in bytes. */
  size: z.number().int().nonnegative(),
  /** Hex SHA-256 of the content. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** False when the file was too big (or the publication full) to store: the API then answers 413. */
  stored: z.boolean(),
});
export type CatalogueFile = z.infer<typeof CatalogueFile>;

export const RunbookCatalogue = z.object({
  /** The capability (`worker` of the schemas) whose runbooks these are. */
  worker: z.string().regex(WORKER_NAME_PATTERN),
  /** Folder of this publication's blobs under the worker's: the commit, or `local-<hash>` for a folder. */
  version: CatalogueVersion,
  /** `github`: a pinned commit of a branch; `folder`: a local folder (`RUNBOOKS_DIR`), with no history. */
  kind: z.enum(['github', 'folder']),
  /** The commit runs resolve against now (github), null for a folder. */
  commit: z
    .string()
    .regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/)
    .nullable(),
  /** `owner/name` (github), null for a folder. */
  repo: z.string().max(200).nullable(),
  branch: z.string().max(255).nullable(),
  /** The repository's web address (`https://github.com/owner/name`), for links to a file at the commit. */
  repoUrl: z
    .string()
    .max(500)
    .refine((url) => URL.canParse(url) && /^https?:$/.test(new URL(url).protocol), 'must be an http(s) URL')
    .nullable(),
  /** Folder of the runbooks inside the repository ('' for its root). */
  runbookPath: z.string().max(512),
  /** When this publication was written (ISO 8601). */
  publishedAt: z.string().datetime(),
  files: z.array(CatalogueFile).max(MAX_CATALOGUE_FILES),
  /** True when the folder held more than MAX_CATALOGUE_FILES files: the others are not listed. */
  truncated: z.boolean(),
});
export type RunbookCatalogue = z.infer<typeof RunbookCatalogue>;

/**
 * The catalogue's entry for a schema's runbook, or null when it lists none. Only a listed path is ever
 * turned into a blob name, so a name the catalogue does not hold (a `..`, an absolute path) reaches nothing.
 */
export function catalogueFileOf(catalogue: RunbookCatalogue, runbook: string): CatalogueFile | null {
  if (runbookNameProblem(runbook) !== null) return null;
  return catalogue.files.find((f) => f.path === runbook) ?? null;
}

/** Where the runbook sits in the repository (`<runbookPath>/<runbook>`). */
export function repositoryPathOf(catalogue: RunbookCatalogue, runbook: string): string {
  return catalogue.runbookPath ? `${catalogue.runbookPath}/${runbook}` : runbook;
}

/** A link to the runbook at the catalogue's commit, or null when its runbooks come from a folder. */
export function runbookLinkOf(catalogue: RunbookCatalogue, runbook: string): string | null {
  if (catalogue.kind !== 'github' || !catalogue.repoUrl || !catalogue.commit) return null;
  const encoded = repositoryPathOf(catalogue, runbook).split('/').map(encodeURIComponent).join('/');
  return `${catalogue.repoUrl.replace(/\/+$/, '')}/blob/${catalogue.commit}/${encoded}`;
}

/** The web address of a repository whose REST API is at `apiBaseUrl` (github.com or GitHub Enterprise). */
export function repositoryWebUrl(apiBaseUrl: string, repo: string): string {
  const base = apiBaseUrl.replace(/\/+$/, '');
  const web = base === 'https://api.github.com' ? 'https://github.com' : base.replace(/\/api\/v3$/, '');
  return `${web}/${repo}`;
}
