import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** Which folders each folder may import from: dependencies point inward (ARCHITECTURE.md). */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  alerts: ['core'],
  storage: ['core'],
  notify: ['core'],
  ui: ['core'],
  auth: ['core', 'storage'],
  intake: ['core', 'alerts', 'storage'],
  oncall: ['core', 'storage', 'notify'],
  approvals: ['core', 'storage'],
  retention: ['core', 'storage'],
  functions: ['core', 'alerts', 'storage', 'notify', 'ui', 'auth', 'intake', 'oncall', 'approvals', 'retention'],
  workers: ['core', 'alerts', 'storage', 'notify'],
  local: ['core', 'storage', 'functions'],
  cli: ['core', 'alerts', 'storage', 'local'],
  entry: ['functions'],
};
/** Packages only one layer may use. */
const PACKAGE_OWNERS: Record<string, readonly string[]> = {
  '@azure/data-tables': ['storage'],
  '@azure/storage-queue': ['storage'],
  '@azure/storage-blob': ['storage'],
  '@azure/identity': ['storage'],
  '@azure/functions': ['functions', 'local', 'auth'],
};

const ROOT = path.resolve(import.meta.dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

function layerOf(file: string): string {
  if (file === 'src/index.ts') return 'entry';
  const [top, second] = file.split(path.sep);
  return top === 'workers' ? 'workers' : (second ?? '');
}

function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:from\s+|import\()\s*'([^']+)'/g)].map((m) => m[1] ?? '');
}

const files = [...sourceFiles('src'), ...sourceFiles('workers')];
const graph = new Map(
  files.map((file) => [
    file,
    importsOf(file)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => path.normalize(path.join(path.dirname(file), spec)).replace(/\.js$/, '.ts')),
  ]),
);

describe('architecture', () => {
  it('has only inward arrows between folders', () => {
    const outward: string[] = [];
    for (const [file, deps] of graph) {
      const from = layerOf(file);
      for (const dep of deps) {
        const to = layerOf(dep);
        if (to !== from && !ALLOWED[from]?.includes(to)) outward.push(`${file} -> ${dep} (${from} -> ${to})`);
      }
    }
    expect(outward).toEqual([]);
  });

  it('reaches storage only through its index', () => {
    const inside = [...graph].flatMap(([file, deps]) =>
      layerOf(file) === 'storage'
        ? []
        : deps
            .filter((d) => layerOf(d) === 'storage' && !d.endsWith(`storage${path.sep}index.ts`))
            .map((d) => `${file} -> ${d}`),
    );
    expect(inside).toEqual([]);
  });

  it('keeps Azure SDKs in the layers that own them', () => {
    const misplaced = files.flatMap((file) =>
      importsOf(file)
        .filter((spec) => PACKAGE_OWNERS[spec] && !PACKAGE_OWNERS[spec]?.includes(layerOf(file)))
        .map((spec) => `${file} imports ${spec}`),
    );
    expect(misplaced).toEqual([]);
  });

  it('has no import cycles', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...trail.slice(trail.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'visiting');
      for (const dep of graph.get(file) ?? []) visit(dep, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('every relative import points at a file that exists', () => {
    const missing = [...graph].flatMap(([file, deps]) =>
      deps.filter((d) => !graph.has(d)).map((d) => `${file} -> ${d}`),
    );
    expect(missing).toEqual([]);
  });
});
