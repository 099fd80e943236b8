/**
 * Writes `test/fixtures/iac/provider-schema.json`: the arguments, nested blocks and attributes of every
 * resource and data source that `iac/` uses, as the providers themselves define them.
 *
 * No provider binary can be downloaded on our machines (only the npm registry is reachable), so
 * `terraform validate` cannot run. The CDKTF prebuilt bindings on npm are generated from each provider's
 * own `terraform providers schema -json`; their type declarations carry every argument's Terraform name,
 * whether it is required, and which ones are blocks. `test/unit/iac/provider-schema.test.ts` checks the
 * module against this file the way `terraform validate` would check arguments and references.
 *
 *   npx tsx scripts/extract-provider-schema.ts   (needs the npm registry; tests read the committed file)
 *
 * Add a resource type to the module, run this again, and commit the result.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '@cdktf/hcl2json';
import type { BlockSchema, ProviderSchemaFile, TypeSchema } from '../test/support/terraform-schema.js';

/** Binding packages, each pinned to the provider version it was generated from (recorded in the output). */
const PACKAGES = [
  { prefix: 'azurerm_', spec: '@cdktf/provider-azurerm@14.23.1' },
  { prefix: 'random_', spec: '@cdktf/provider-random@12.0.1' },
  { prefix: 'time_', spec: '@cdktf/provider-time@11.0.1' },
];

const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const PROVIDER_SCHEMA_PATH = join(ROOT, 'test/fixtures/iac/provider-schema.json');

interface Property {
  tfName: string;
  optional: boolean;
  /** The nested interface of a block; undefined for a plain argument. */
  blockType: string | undefined;
}

/** `export interface X … { … }` of a .d.ts, by name, with their properties in declaration order. */
function interfaces(dts: string): Map<string, Property[]> {
  const out = new Map<string, Property[]>();
  for (const m of dts.matchAll(/^export interface (\w+)[^{\n]*\{\n([\s\S]*?)^\}/gm)) {
    const props: Property[] = [];
    for (const p of (m[2] ?? '').matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*readonly (\w+)(\??):\s*([\w.]*)/g)) {
      const doc = p[1] ?? '';
      const tfName = /#([a-z0-9_]+) \w+#\1\}/.exec(doc)?.[1];
      if (!tfName) throw new Error(`no Terraform name in the docs of ${m[1]}.${p[2]}`);
      const isBlock = new RegExp(`^\\s*\\* ${tfName} block$`, 'm').test(doc);
      props.push({ tfName, optional: p[3] === '?', blockType: isBlock ? p[4] : undefined });
    }
    const declared = (m[2] ?? '').match(/^\s*readonly /gm)?.length ?? 0;
    if (declared !== props.length) throw new Error(`${m[1]}: read ${props.length} of ${declared} properties`);
    out.set(m[1] ?? '', props);
  }
  return out;
}

function blockSchema(all: Map<string, Property[]>, name: string, seen: string[] = []): BlockSchema {
  const props = all.get(name);
  if (!props) throw new Error(`interface ${name} not found`);
  if (seen.includes(name)) throw new Error(`recursive block ${[...seen, name].join(' > ')}`);
  const schema: BlockSchema = { arguments: {}, blocks: {} };
  for (const p of props) {
    // CDKTF adds `id` to every resource config, but providers compute it: setting it is an error.
    if (p.tfName === 'id' && seen.length === 0) continue;
    if (p.blockType) {
      schema.blocks[p.tfName] = { required: !p.optional, ...blockSchema(all, p.blockType, [...seen, name]) };
    } else {
      schema.arguments[p.tfName] = p.optional ? 'optional' : 'required';
    }
  }
  return schema;
}

/** Every top-level name a reference may read: arguments, blocks and computed attributes of the class. */
function attributes(js: string, className: string): string[] {
  const start = js.search(new RegExp(`^class ${className} extends cdktf\\.Terraform(Resource|DataSource)`, 'm'));
  if (start < 0) throw new Error(`class ${className} not found`);
  const body = js.slice(start, js.indexOf('\n}\n', start));
  const names = new Set<string>();
  for (const m of body.matchAll(/this\.get\w*Attribute\('([a-z0-9_]+)'\)/g)) names.add(m[1] ?? '');
  for (const m of body.matchAll(/new \w+\(this, "([a-z0-9_]+)"/g)) names.add(m[1] ?? '');
  return [...names].sort();
}

function typeSchema(libDir: string, tfType: string, kind: 'resource' | 'data'): TypeSchema {
  const [prefix = ''] = tfType.split('_');
  const dir = join(libDir, kind === 'data' ? `data-${tfType}` : tfType.slice(prefix.length + 1)).replaceAll('_', '-');
  const dts = readFileSync(join(dir, 'index.d.ts'), 'utf8');
  const js = readFileSync(join(dir, 'index.js'), 'utf8');
  const className = /^export declare class (\w+) extends cdktf\.Terraform(?:Resource|DataSource)/m.exec(dts)?.[1];
  if (!className) throw new Error(`no resource class in ${dir}`);
  const declared = new RegExp(`^${className}\\.tfResourceType = "([a-z0-9_]+)"`, 'm').exec(js)?.[1];
  if (declared !== tfType) throw new Error(`${dir} declares ${declared}, expected ${tfType}`);
  return { ...blockSchema(interfaces(dts), `${className}Config`), attributes: attributes(js, className) };
}

/** Resource and data source types used by the module, from its parsed HCL. */
async function usedTypes(): Promise<{ resource: Set<string>; data: Set<string> }> {
  const used = { resource: new Set<string>(), data: new Set<string>() };
  const dir = join(ROOT, 'iac');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.tf'))) {
    const hcl = (await parse(file, readFileSync(join(dir, file), 'utf8'))) as Record<string, Record<string, unknown>>;
    for (const kind of ['resource', 'data'] as const) {
      for (const type of Object.keys(hcl[kind] ?? {})) used[kind].add(type);
    }
  }
  return used;
}

function unpack(spec: string, into: string): { libDir: string; provider: { name: string; version: string } } {
  const file = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', into], { encoding: 'utf8' }).trim();
  const dest = join(into, file.replace(/\.tgz$/, ''));
  execFileSync('mkdir', ['-p', dest]);
  execFileSync('tar', ['-xzf', join(into, file), '-C', dest]);
  const pkg = JSON.parse(readFileSync(join(dest, 'package/package.json'), 'utf8')) as {
    cdktf: { provider: { name: string; version: string } };
  };
  return { libDir: join(dest, 'package/lib'), provider: pkg.cdktf.provider };
}

async function main(): Promise<void> {
  const used = await usedTypes();
  const work = mkdtempSync(join(tmpdir(), 'provider-schema-'));
  const out: ProviderSchemaFile = { providers: {}, resource: {}, data: {} };
  try {
    for (const { prefix, spec } of PACKAGES) {
      const { libDir, provider } = unpack(spec, work);
      out.providers[prefix.slice(0, -1)] = { ...provider, bindings: spec };
      for (const kind of ['resource', 'data'] as const) {
        for (const type of [...used[kind]].filter((t) => t.startsWith(prefix)).sort()) {
          out[kind][type] = typeSchema(libDir, type, kind);
        }
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  for (const kind of ['resource', 'data'] as const) {
    const missing = [...used[kind]].filter((t) => !out[kind][t]);
    if (missing.length > 0) throw new Error(`no bindings package for ${kind} ${missing.join(', ')}`);
  }
  writeFileSync(PROVIDER_SCHEMA_PATH, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`wrote ${PROVIDER_SCHEMA_PATH}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
