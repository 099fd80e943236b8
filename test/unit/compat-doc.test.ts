/**
 * The README's "Coming from the original ClouDO" tables tell users of the original what each of its
 * endpoints and statuses is here. Their "here" column must name only what exists: a route renamed or
 * removed, or a status renamed, breaks this test before it misleads anyone migrating.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ExecutionStatus } from '../../src/core/execution.js';
import { createFunctionDefinitions } from '../../src/functions/index.js';

const HEADING = '## Coming from the original ClouDO';

interface CompatRow {
  /** The bold label above the row's table, e.g. "Endpoints". */
  readonly table: string;
  readonly original: string;
  readonly here: string;
}

/** The section under `heading`, up to the next second-level heading. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no "${heading}" section`);
  const rest = markdown.slice(start + heading.length + 2);
  const end = rest.search(/^## /m);
  return end < 0 ? rest : rest.slice(0, end);
}

/** The cells of a table row; `\|` (a pipe inside a cell, as in `GET\|POST`) does not split. */
function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replaceAll('\\|', '|'));
}

/** Every body row of every two-column table of the section, with the bold label its table follows. */
function compatRows(text: string): CompatRow[] {
  const rows: CompatRow[] = [];
  let table = '';
  for (const line of text.split('\n')) {
    const label = /^\*\*(.+?)\*\*/.exec(line)?.[1];
    if (label) table = label;
    if (!line.startsWith('|') || /^\|\s*-/.test(line)) continue;
    const [original = '', here = '', ...extra] = cells(line);
    if (extra.length > 0) throw new Error(`a compatibility row has more than two cells: ${line}`);
    if (original === 'original ClouDO' && here === 'here') continue;
    rows.push({ table, original, here });
  }
  return rows;
}

interface RouteMention {
  readonly methods: readonly string[];
  /** The path after `/api/`, parameters as the route template writes them (`executions/{execId}`). */
  readonly path: string;
}

/** `GET|POST /api/Trigger/{team?}`, `/api/executions?status=…`: the routes a cell names, queries left out. */
function routeMentions(cell: string): RouteMention[] {
  const mentions: RouteMention[] = [];
  const pattern =
    /(?:\b((?:GET|POST|PUT|DELETE)(?:\|(?:GET|POST|PUT|DELETE))*) )?\/api\/((?:[A-Za-z0-9_.\-/]|\{\w+\??\})+)/g;
  for (const m of cell.matchAll(pattern)) {
    mentions.push({ methods: m[1]?.split('|') ?? [], path: (m[2] ?? '').replace(/\/$/, '') });
  }
  return mentions;
}

/** Each registered HTTP route template with its methods (several functions may share a route). */
function registeredRoutes(): Map<string, Set<string>> {
  const routes = new Map<string, Set<string>>();
  const definitions = createFunctionDefinitions(() => {
    throw new Error('not called while listing routes');
  });
  for (const d of definitions) {
    if (d.kind !== 'http') continue;
    const methods = routes.get(d.options.route) ?? new Set<string>();
    for (const method of d.options.methods) methods.add(method);
    routes.set(d.options.route, methods);
  }
  return routes;
}

/** The methods of the route a path names: its template, or the template without its optional segments. */
function methodsOf(routes: Map<string, Set<string>>, path: string): Set<string> | null {
  for (const [template, methods] of routes) {
    if (path === template || path === template.replace(/\/\{\w+\?\}/g, '')) return methods;
  }
  return null;
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\- ]/gu, '')
    .replaceAll(' ', '-');
}

const readme = readFileSync('README.md', 'utf8');
const rows = compatRows(section(readme, HEADING));

describe('the README table "Coming from the original ClouDO"', () => {
  const routes = registeredRoutes();

  it('names in its "here" column only routes that are registered, with their methods', () => {
    const mentions = rows.flatMap((row) => routeMentions(row.here).map((m) => ({ ...m, row: row.original })));
    // the table must keep naming routes, or this test proves nothing
    expect(mentions.length).toBeGreaterThan(15);
    expect(mentions.map((m) => m.path)).toContain('Trigger/{team?}');
    const wrong = mentions.flatMap((m) => {
      const methods = methodsOf(routes, m.path);
      if (!methods) return [`/api/${m.path} (row "${m.row}") is no registered route`];
      return m.methods
        .filter((method) => !methods.has(method))
        .map((method) => `${method} /api/${m.path} (row "${m.row}") is not registered for ${method}`);
    });
    expect(wrong).toEqual([]);
  });

  it('would catch a route that does not exist here, such as the original’s', () => {
    expect(methodsOf(routes, 'logs/{partitionKey}/{execId}')).toBeNull();
    expect(methodsOf(routes, 'Trigger')?.has('GET')).toBe(true);
    expect(routeMentions('`GET\\|POST /api/Trigger/{team?}?id=x`'.replaceAll('\\|', '|'))).toEqual([
      { methods: ['GET', 'POST'], path: 'Trigger/{team?}' },
    ]);
  });

  it('links only to headings the README has (the table points to the sections that explain)', () => {
    const anchors = new Set([...readme.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1] ?? '')));
    const links = [...readme.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1] ?? '');
    expect(links).toContain('coming-from-the-original-cloudo');
    expect(links.filter((link) => !anchors.has(link))).toEqual([]);
  });

  it('names every execution status, and only statuses, in the "here" column of its statuses table', () => {
    const statusRows = rows.filter((row) => row.table.startsWith('Execution statuses'));
    expect(statusRows.length).toBeGreaterThan(0);
    const named = new Set(statusRows.flatMap((row) => [...row.here.matchAll(/`([a-z_]+)`/g)].map((m) => m[1] ?? '')));
    const known = new Set<string>(ExecutionStatus.options);
    expect([...named].filter((status) => !known.has(status))).toEqual([]);
    expect(ExecutionStatus.options.filter((status) => !named.has(status))).toEqual([]);
  });
});
