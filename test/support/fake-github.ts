import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Header, Pax } from 'tar';
import { listenOnLoopback } from './fake-server.js';

/** A file's text (mode 0644), a file with a mode, or a symlink to `symlink`. */
export type FakeFile = string | { readonly content: string; readonly mode: number } | { readonly symlink: string };
/** A commit's files by repository path; in a push, null deletes the file. */
export type FakeFiles = Readonly<Record<string, FakeFile | null>>;

/**
 * An archive entry GitHub would never write, for hostile archives. Its path goes under the top folder
 * (`owner-repo-sha7/`) unless it is absolute.
 */
export interface RawEntry {
  readonly path: string;
  readonly type: 'File' | 'Directory' | 'SymbolicLink' | 'Link';
  readonly content?: string;
  readonly linkpath?: string;
}

export interface FakeGitHub {
  /** Pass as `apiBaseUrl`: `http://127.0.0.1:<port>`. */
  readonly apiBaseUrl: string;
  /** The one token the fake accepts. */
  readonly token: string;
  /** Requests per endpoint so far, refused ones included. */
  readonly requests: Readonly<{ commits: number; tarball: number; download: number }>;
  /** `Authorization` header of every API request, null when absent. */
  readonly authorizations: readonly (string | null)[];
  /** Makes `owner/name` with one commit on `branch` (default main); returns its SHA. */
  createRepo(repo: string, files: FakeFiles, options?: { isPrivate?: boolean; branch?: string }): string;
  /** A new commit on top of the branch head (files merged in, null deletes); returns its SHA. */
  push(repo: string, files: FakeFiles, options?: { branch?: string; rawEntries?: readonly RawEntry[] }): string;
  /** While set, API calls answer 403 with GitHub's rate-limit headers, resetting at this epoch ms. Null lifts it. */
  setRateLimit(resetAtMs: number | null): void;
  /** While true, downloads send the first half of the gzip (a connection cut mid-download). */
  setBrokenTarballs(isBroken: boolean): void;
  /** Stops the server and its connections. */
  close(): Promise<void>;
}

interface Commit {
  readonly sha: string;
  readonly files: ReadonlyMap<string, Exclude<FakeFile, null>>;
  readonly rawEntries: readonly RawEntry[];
}

interface Repo {
  readonly owner: string;
  readonly name: string;
  readonly isPrivate: boolean;
  readonly branches: Map<string, Commit>;
  readonly commits: Map<string, Commit>;
}

const DOCS = 'https://docs.github.com/rest';

/** A loopback api.github.com (commits and tarball endpoints) plus codeload, answering with GitHub's shapes. */
export async function startFakeGitHub(): Promise<FakeGitHub> {
  const token = `github_pat_${randomBytes(20).toString('hex')}`;
  const repos = new Map<string, Repo>();
  const downloadTokens = new Set<string>();
  const requests = { commits: 0, tarball: 0, download: 0 };
  const authorizations: (string | null)[] = [];
  let rateLimitResetMs: number | null = null;
  let isBroken = false;
  let base = '';

  const json = (res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}) =>
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
  const notFound = (res: ServerResponse, doc: string) =>
    json(res, 404, { message: 'Not Found', documentation_url: `${DOCS}/${doc}`, status: '404' });
  const findCommit = (repo: Repo, ref: string) =>
    repo.branches.get(ref) ?? repo.commits.get(ref) ?? [...repo.commits.values()].find((c) => c.sha.startsWith(ref));

  const api = (
    req: IncomingMessage,
    res: ServerResponse,
    owner: string,
    name: string,
    rest: string,
  ): ServerResponse => {
    const endpoint = rest.startsWith('commits/') ? 'commits' : rest.startsWith('tarball/') ? 'tarball' : null;
    if (endpoint === null) return notFound(res, '');
    requests[endpoint] += 1;
    const authorization = req.headers.authorization ?? null;
    authorizations.push(authorization);
    // GitHub checks credentials before anything else, for public repositories too
    if (authorization !== null && authorization !== `Bearer ${token}` && authorization !== `token ${token}`) {
      return json(res, 401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' });
    }
    if (rateLimitResetMs !== null) {
      return json(
        res,
        403,
        {
          message: `API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)`,
          documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api`,
        },
        {
          'x-ratelimit-limit': '60',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(Math.ceil(rateLimitResetMs / 1000)),
          'x-ratelimit-used': '60',
          'x-ratelimit-resource': 'core',
        },
      );
    }
    const repo = repos.get(`${owner}/${name}`.toLowerCase());
    // a private repository does not exist for a caller without access
    if (!repo || (repo.isPrivate && authorization === null)) {
      return notFound(
        res,
        endpoint === 'commits' ? 'commits/commits#get-a-commit' : 'repos/contents#download-a-repository-archive-tar',
      );
    }
    const ref = decodeURIComponent(rest.slice(endpoint.length + 1));
    const commit = findCommit(repo, ref);
    if (endpoint === 'commits') {
      if (!commit) {
        return json(res, 422, {
          message: `No commit found for SHA: ${ref}`,
          documentation_url: `${DOCS}/commits/commits#get-a-commit`,
          status: '422',
        });
      }
      if (req.headers.accept === 'application/vnd.github.sha') {
        return res.writeHead(200, { 'content-type': 'application/vnd.github.sha; charset=utf-8' }).end(commit.sha);
      }
      return json(res, 200, { sha: commit.sha, url: `${base}/repos/${repo.owner}/${repo.name}/commits/${commit.sha}` });
    }
    if (!commit) return notFound(res, 'repos/contents#download-a-repository-archive-tar');
    // private downloads carry a short-lived token in the URL, as codeload's do
    const temp = repo.isPrivate ? randomBytes(12).toString('hex') : null;
    if (temp) downloadTokens.add(temp);
    const location = `${base}/codeload/${repo.owner}/${repo.name}/legacy.tar.gz/${commit.sha}${temp ? `?token=${temp}` : ''}`;
    return res.writeHead(302, { location }).end();
  };

  const download = (res: ServerResponse, url: URL, owner: string, name: string, sha: string): ServerResponse => {
    requests.download += 1;
    const repo = repos.get(`${owner}/${name}`.toLowerCase());
    const commit = repo?.commits.get(sha);
    const temp = url.searchParams.get('token');
    if (!repo || !commit || (repo.isPrivate && !(temp && downloadTokens.has(temp)))) {
      return res.writeHead(404, { 'content-type': 'text/plain' }).end('404: Not Found');
    }
    const top = `${repo.owner}-${repo.name}-${sha.slice(0, 7)}`;
    const archive = tarball(top, commit);
    const body = isBroken ? archive.subarray(0, Math.floor(archive.length / 2)) : archive;
    return res
      .writeHead(200, {
        'content-type': 'application/x-gzip',
        'content-disposition': `attachment; filename=${top}.tar.gz`,
        'content-length': String(body.length),
      })
      .end(body);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    const apiMatch = /^\/repos\/([^/]+)\/([^/]+)\/(.+)$/.exec(url.pathname);
    const codeload = /^\/codeload\/([^/]+)\/([^/]+)\/legacy\.tar\.gz\/([0-9a-f]{40})$/.exec(url.pathname);
    if (req.method === 'GET' && apiMatch) return api(req, res, apiMatch[1] ?? '', apiMatch[2] ?? '', apiMatch[3] ?? '');
    if (req.method === 'GET' && codeload)
      return download(res, url, codeload[1] ?? '', codeload[2] ?? '', codeload[3] ?? '');
    return notFound(res, '');
  });
  const listening = await listenOnLoopback(server);
  base = `http://127.0.0.1:${listening.port}`;

  const repoOf = (fullName: string): Repo => {
    const repo = repos.get(fullName.toLowerCase());
    if (!repo) throw new Error(`fake GitHub has no repository ${fullName}`);
    return repo;
  };
  const commit = (repo: Repo, branch: string, files: FakeFiles, rawEntries: readonly RawEntry[]): string => {
    const merged = new Map(repo.branches.get(branch)?.files ?? []);
    for (const [file, content] of Object.entries(files)) {
      if (content === null) merged.delete(file);
      else merged.set(file, content);
    }
    const sha = createHash('sha1')
      .update(`${repo.owner}/${repo.name} ${repo.commits.size} ${JSON.stringify([...merged])}`)
      .digest('hex');
    const made: Commit = { sha, files: merged, rawEntries };
    repo.commits.set(sha, made);
    repo.branches.set(branch, made);
    return sha;
  };

  return {
    apiBaseUrl: base,
    token,
    requests,
    authorizations,
    createRepo(fullName, files, options = {}) {
      const [owner = '', name = ''] = fullName.split('/');
      const repo: Repo = {
        owner,
        name,
        isPrivate: options.isPrivate ?? false,
        branches: new Map(),
        commits: new Map(),
      };
      repos.set(fullName.toLowerCase(), repo);
      return commit(repo, options.branch ?? 'main', files, []);
    },
    push(fullName, files, options = {}) {
      return commit(repoOf(fullName), options.branch ?? 'main', files, options.rawEntries ?? []);
    },
    setRateLimit(resetAtMs) {
      rateLimitResetMs = resetAtMs;
    },
    setBrokenTarballs(value) {
      isBroken = value;
    },
    close: listening.close,
  };
}

/** A gzipped tarball shaped like GitHub's: a pax global header with the SHA, then everything under `top/`. */
function tarball(top: string, commit: Commit): Buffer {
  const blocks: Buffer[] = [new Pax({ comment: commit.sha }, true).encode()];
  const entry = (data: { path: string; type: RawEntry['type']; mode?: number; linkpath?: string }, content = '') => {
    const body = Buffer.from(content);
    const header = new Header({
      ...data,
      mode: data.mode ?? (data.type === 'Directory' ? 0o775 : 0o664),
      size: data.type === 'File' ? body.length : 0,
      mtime: new Date(0),
      uid: 0,
      gid: 0,
      uname: 'root',
      gname: 'root',
    });
    header.encode();
    if (!header.block) throw new Error(`cannot encode a tar header for ${data.path}`);
    blocks.push(header.block);
    if (data.type === 'File') blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  };
  const files = [...commit.files].sort(([a], [b]) => a.localeCompare(b));
  const dirs = new Set<string>();
  for (const [file] of files) {
    for (let dir = path.posix.dirname(file); dir !== '.'; dir = path.posix.dirname(dir)) dirs.add(dir);
  }
  // parents first, as git archive writes them
  entry({ path: `${top}/`, type: 'Directory' });
  for (const dir of [...dirs].sort()) entry({ path: `${top}/${dir}/`, type: 'Directory' });
  for (const [file, content] of files) {
    if (typeof content === 'string') entry({ path: `${top}/${file}`, type: 'File' }, content);
    else if ('symlink' in content) entry({ path: `${top}/${file}`, type: 'SymbolicLink', linkpath: content.symlink });
    else entry({ path: `${top}/${file}`, type: 'File', mode: content.mode }, content.content);
  }
  for (const raw of commit.rawEntries) {
    entry(
      { path: raw.path.startsWith('/') ? raw.path : `${top}/${raw.path}`, type: raw.type, linkpath: raw.linkpath },
      raw.content,
    );
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}
