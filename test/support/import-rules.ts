/**
 * The import checker behind test/unit/architecture.test.ts. It reads source text (not a compiler's
 * graph) so a synthetic graph can prove each rule fails, and so that side-effect imports count too.
 */
import path from 'node:path';

/** One layer of the layout: which layers it may import, each with the reason the edge exists. */
export interface LayerRule {
  /** The folder, relative to the repository root (`src/core`); `src/index.ts` is a layer of one file. */
  readonly path: string;
  /** Layer name → why this layer needs it. A layer may always import itself. */
  readonly mayImport: Readonly<Record<string, string>>;
  /** When set, the only npm packages (or `node:` builtins) this layer may import. */
  readonly packages?: readonly string[];
}

export interface ImportRules {
  readonly layers: Readonly<Record<string, LayerRule>>;
  /** Package → the layers that may import it; every other layer is refused. */
  readonly packageOwners: Readonly<Record<string, readonly string[]>>;
}

/** File (repository-relative, `/`-separated) → its source text. */
export type SourceTree = ReadonlyMap<string, string>;

export interface ImportViolations {
  readonly unknownLayer: string[];
  readonly outward: string[];
  readonly deep: string[];
  readonly packages: string[];
  readonly cycles: string[];
  readonly missing: string[];
  /** Allowed edges no import uses: the table says more than the code does. */
  readonly unusedEdges: string[];
}

// `from '…'` (import and export), `import '…'` (side effect) and `import('…')` (dynamic)
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"\n]+)['"]/g;

/** Every module specifier in a file, comments left out. */
export function importSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...code.matchAll(SPECIFIER)].map((m) => m[1] ?? '');
}

function resolve(file: string, spec: string): string {
  return path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.js$/, '.ts');
}

/** The package a bare specifier names: `@azure/functions`, `zod`, `node:crypto` (not `node:fs/promises`'s tail). */
function packageOf(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? spec);
}

export function layerOf(rules: ImportRules, file: string): string | undefined {
  let best: [string, number] | undefined;
  for (const [name, rule] of Object.entries(rules.layers)) {
    const inside = file === rule.path || file.startsWith(`${rule.path}/`);
    if (inside && rule.path.length > (best?.[1] ?? -1)) best = [name, rule.path.length];
  }
  return best?.[0];
}

export function checkImports(rules: ImportRules, tree: SourceTree): ImportViolations {
  const v: ImportViolations = {
    unknownLayer: [],
    outward: [],
    deep: [],
    packages: [],
    cycles: [],
    missing: [],
    unusedEdges: [],
  };
  const usedEdges = new Set<string>();
  // a folder with an index.ts is reached from outside only through it; src/index.ts is the app's entry, not a surface
  const entries = new Set(Object.values(rules.layers).map((rule) => rule.path));
  const surfaces = [...tree.keys()]
    .filter((f) => f.endsWith('/index.ts') && !entries.has(f))
    .map((f) => path.posix.dirname(f));
  const graph = new Map<string, string[]>();

  for (const [file, source] of tree) {
    const from = layerOf(rules, file);
    if (from === undefined) v.unknownLayer.push(file);
    const deps: string[] = [];
    for (const spec of importSpecifiers(source)) {
      if (!spec.startsWith('.')) {
        const pkg = packageOf(spec);
        const owners = rules.packageOwners[pkg];
        const allowed = from === undefined ? undefined : rules.layers[from]?.packages;
        if ((allowed && !allowed.includes(pkg)) || (owners && (from === undefined || !owners.includes(from)))) {
          v.packages.push(`${file} imports ${spec}`);
        }
        continue;
      }
      const dep = resolve(file, spec);
      deps.push(dep);
      if (!tree.has(dep)) v.missing.push(`${file} -> ${dep}`);
      const to = layerOf(rules, dep);
      usedEdges.add(`${from} -> ${to}`);
      if (from !== undefined && to !== from && (to === undefined || !(to in (rules.layers[from]?.mayImport ?? {})))) {
        v.outward.push(`${file} -> ${dep} (${from} -> ${to ?? '?'})`);
      }
      const surface = surfaces.find((s) => dep.startsWith(`${s}/`) && !file.startsWith(`${s}/`));
      if (surface !== undefined && dep !== `${surface}/index.ts`)
        v.deep.push(`${file} -> ${dep} (use ${surface}/index.ts)`);
    }
    graph.set(file, deps);
  }

  for (const [from, rule] of Object.entries(rules.layers)) {
    for (const to of Object.keys(rule.mayImport)) {
      if (!usedEdges.has(`${from} -> ${to}`)) v.unusedEdges.push(`${from} -> ${to}`);
    }
  }

  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (file: string, trail: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'visiting') {
      v.cycles.push([...trail.slice(trail.indexOf(file)), file].join(' -> '));
      return;
    }
    state.set(file, 'visiting');
    for (const dep of graph.get(file) ?? []) visit(dep, [...trail, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  return v;
}
