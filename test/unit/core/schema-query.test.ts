import { describe, expect, it } from 'vitest';
import type { RunbookCatalogue } from '../../../src/core/runbook-catalogue.js';
import { catalogueFileOf, repositoryWebUrl, runbookLinkOf } from '../../../src/core/runbook-catalogue.js';
import { pageSchemas } from '../../../src/core/schema-query.js';
import { testSchema } from '../../support/schemas.js';

describe('pageSchemas', () => {
  const all = ['c', 'a', 'b'].map((id) => testSchema({ id }));

  it('pages in id order and ends with a null continuation', () => {
    const first = pageSchemas(all, { limit: 2 });
    expect(first.ok && first.schemas.map((s) => s.id)).toEqual(['a', 'b']);
    const token = first.ok ? (first.continuation ?? undefined) : undefined;
    const second = pageSchemas(all, { limit: 2, continuation: token });
    expect(second).toMatchObject({ ok: true, continuation: null });
    expect(second.ok && second.schemas.map((s) => s.id)).toEqual(['c']);
  });

  it('refuses a continuation it did not issue', () => {
    for (const continuation of ['', '!!', Buffer.from('../x').toString('base64url'), 'YQ==']) {
      expect(pageSchemas(all, { limit: 2, continuation })).toEqual({
        ok: false,
        problem: 'continuation: not a token from a previous page',
      });
    }
  });
});

describe('runbook catalogue', () => {
  const sha = 'c'.repeat(40);
  const catalogue: RunbookCatalogue = {
    worker: 'Runbook',
    version: sha,
    kind: 'github',
    commit: sha,
    repo: 'acme/rb',
    branch: 'main',
    repoUrl: 'https://ghe.example.com/acme/rb',
    runbookPath: 'runbooks',
    publishedAt: '2026-01-01T00:00:00.000Z',
    files: [{ path: 'a b/#1.sh', size: 1, sha256: 'd'.repeat(64), stored: true }],
    truncated: false,
  };

  it('links the file at its commit, each path segment encoded', () => {
    expect(runbookLinkOf(catalogue, 'a b/#1.sh')).toBe(
      `https://ghe.example.com/acme/rb/blob/${sha}/runbooks/a%20b/%231.sh`,
    );
    expect(runbookLinkOf({ ...catalogue, kind: 'folder', commit: null }, 'a b/#1.sh')).toBeNull();
  });

  it('finds only listed, safe paths', () => {
    expect(catalogueFileOf(catalogue, 'a b/#1.sh')?.size).toBe(1);
    expect(catalogueFileOf(catalogue, 'a b/../a b/#1.sh')).toBeNull();
    expect(catalogueFileOf(catalogue, '/a b/#1.sh')).toBeNull();
  });

  it('derives the web address from the API address', () => {
    expect(repositoryWebUrl('https://api.github.com', 'o/r')).toBe('https://github.com/o/r');
    expect(repositoryWebUrl('https://ghe.example.com/api/v3/', 'o/r')).toBe('https://ghe.example.com/o/r');
  });
});
