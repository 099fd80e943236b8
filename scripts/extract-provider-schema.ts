/**
 * Writes `test/fixtures/iac/provider-schema.json`: the arguments, nested blocks and attributes of every
 * resource and data source that `iac/` and its examples use, and each provider's own configuration, as the
 * providers themselves define them.
 *
 * No provider binary can be downloaded on our machines (only the npm registry is reachable). The CDKTF
 * prebuilt bindings on npm (and their CDK Terrain successors, `@cdktn/provider-*`, the same code with the
 * runtime module named `cdktn`) are generated from each provider's own `terraform providers schema -json`:
 *   - their type declarations carry every argument's Terraform name, whether it is required, which ones
 *     are blocks, and whether a block is typed as an array or as one object (SDKv2 `MaxItems: 1`);
 *   - their HCL rendering (`…ToHclTerraform`) says list, set or map, of which element type, and which
 *     blocks nest as a single object (`timeouts`);
 *   - their getters (`getStringAttribute('x')`, `new FooList(this, "x", wrapsSet)`, …) name the attributes
 *     a provider computes, with their types, also inside blocks (`identity[0].principal_id`).
 * What they cannot tell is recorded permissively: an optional argument may or may not also be computed.
 *
 * `test/unit/iac/provider-schema.test.ts` checks the module against this file the way `terraform validate`
 * would check arguments and references; `test/support/terraform-provider` serves it to the real
 * `terraform` as fake providers (`test/iac/terraform-validate.test.ts`).
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
import type { BlockSchema, CtyType, ProviderSchemaFile, TypeSchema } from '../test/support/terraform-schema.js';

/** Binding packages, each pinned to the provider version it was generated from (recorded in the output). */
const PACKAGES = [
  { prefix: 'azurerm_', spec: '@cdktn/provider-azurerm@16.1.0' },
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
  /** The declared type's first name: the nested interface of a block or of an object-typed argument. */
  typeName: string;
  /** Typed `Foo[] | IResolvable` (any number of blocks) rather than `Foo` (SDKv2 `MaxItems: 1`). */
  array: boolean;
}

/** `export interface X … { … }` of a .d.ts, by name, with their properties in declaration order. */
function interfaces(dts: string): Map<string, Property[]> {
  const out = new Map<string, Property[]>();
  for (const m of dts.matchAll(/^export interface (\w+)[^{\n]*\{\n([\s\S]*?)^\}/gm)) {
    const props: Property[] = [];
    for (const p of (m[2] ?? '').matchAll(
      /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*readonly (\w+)(\??):\s*([\w.]*)(\[\])?/g,
    )) {
      const doc = p[1] ?? '';
      const tfName = /#([a-z0-9_]+) \w+#\1\}/.exec(doc)?.[1];
      if (!tfName) throw new Error(`no Terraform name in the docs of ${m[1]}.${p[2]}`);
      const isBlock = new RegExp(`^\\s*\\* ${tfName} block$`, 'm').test(doc);
      props.push({
        tfName,
        optional: p[3] === '?',
        blockType: isBlock ? p[4] : undefined,
        typeName: p[4] ?? '',
        array: p[5] === '[]',
      });
    }
    const declared = (m[2] ?? '').match(/^\s*readonly /gm)?.length ?? 0;
    if (declared !== props.length) throw new Error(`${m[1]}: read ${props.length} of ${declared} properties`);
    out.set(m[1] ?? '', props);
  }
  return out;
}

/** One type's bindings module: its .d.ts interfaces and its compiled .js (without the inline source map). */
interface Bindings {
  interfaces: Map<string, Property[]>;
  js: string;
  where: string;
}

/** The text of `class Name …` up to its closing brace; undefined when the module has no such class. */
function classBody(b: Bindings, name: string): string | undefined {
  const start = b.js.search(new RegExp(`^class ${name} extends `, 'm'));
  return start < 0 ? undefined : b.js.slice(start, b.js.indexOf('\n}\n', start));
}

/** What `toHclTerraform` says of each argument and block: `{ isBlock, type: simple|list|set|map|struct, storageClassType }`. */
interface HclMeta {
  isBlock: boolean;
  type: string;
  storageClassType: string;
}

/**
 * The HCL rendering of a block (`fooToHclTerraform(struct)`) or of the top-level class
 * (`synthesizeHclAttributes()`): the bindings' only record of set versus list, and of map element types.
 */
function hclMeta(b: Bindings, interfaceName: string, topClass: string | undefined): Map<string, HclMeta> {
  let text: string | undefined;
  if (topClass) {
    const body = classBody(b, topClass) ?? '';
    const at = body.indexOf('synthesizeHclAttributes() {');
    text = at < 0 ? undefined : body.slice(at, body.indexOf('\n    }\n', at));
  } else {
    const fn = `${interfaceName.charAt(0).toLowerCase()}${interfaceName.slice(1)}ToHclTerraform`;
    const at = b.js.indexOf(`function ${fn}(struct) {`);
    text = at < 0 ? undefined : b.js.slice(at, b.js.indexOf('\n}\n', at));
  }
  if (text === undefined) throw new Error(`${b.where}: no HCL rendering of ${topClass ?? interfaceName}`);
  const out = new Map<string, HclMeta>();
  for (const m of text.matchAll(
    /^\s*([a-z0-9_]+): \{\n\s*value: [^\n]*\n\s*isBlock: (true|false),\n\s*type: "(\w+)",\n\s*storageClassType: "(\w+)",/gm,
  )) {
    out.set(m[1] ?? '', { isBlock: m[2] === 'true', type: m[3] ?? '', storageClassType: m[4] ?? '' });
  }
  return out;
}

const PRIMITIVE: Record<string, CtyType> = { string: 'string', number: 'number', boolean: 'bool' };

/** An argument's cty type from its HCL rendering: `list` + `stringList` → ["list", "string"], and so on. */
function argumentType(meta: HclMeta, where: string): CtyType {
  const element = PRIMITIVE[meta.storageClassType.replace(/(List|Map)$/, '')];
  if (element && meta.type === 'simple' && meta.storageClassType in PRIMITIVE) return element;
  if (element && (meta.type === 'list' || meta.type === 'set') && meta.storageClassType.endsWith('List')) {
    return [meta.type, element];
  }
  if (element && meta.type === 'map' && meta.storageClassType.endsWith('Map')) return ['map', element];
  throw new Error(`${where}: no cty type for ${JSON.stringify(meta)}`);
}

/** Getter return expressions of the bindings and the attribute type each reads. */
const GETTERS: [RegExp, CtyType][] = [
  [/^this\.getStringAttribute\('([a-z0-9_]+)'\)$/, 'string'],
  [/^this\.getNumberAttribute\('([a-z0-9_]+)'\)$/, 'number'],
  [/^this\.getBooleanAttribute\('([a-z0-9_]+)'\)$/, 'bool'],
  [/^this\.getListAttribute\('([a-z0-9_]+)'\)$/, ['list', 'string']],
  // a set of strings is read through Fn.tolist
  [/^cdkt[fn]\.Fn\.tolist\(this\.getListAttribute\('([a-z0-9_]+)'\)\)$/, ['set', 'string']],
  [/^this\.getNumberListAttribute\('([a-z0-9_]+)'\)$/, ['list', 'number']],
  [
    /^cdkt[fn]\.Token\.asNumberList\(cdkt[fn]\.Fn\.tolist\(this\.getNumberListAttribute\('([a-z0-9_]+)'\)\)\)$/,
    ['set', 'number'],
  ],
  [/^this\.getStringMapAttribute\('([a-z0-9_]+)'\)$/, ['map', 'string']],
  [/^this\.getNumberMapAttribute\('([a-z0-9_]+)'\)$/, ['map', 'number']],
  [/^this\.getBooleanMapAttribute\('([a-z0-9_]+)'\)$/, ['map', 'bool']],
  [/^this\.interpolationForAttribute\('([a-z0-9_]+)'\)$/, 'dynamic'],
];

/**
 * Every attribute a class exposes (resource, data source, or a block's `…OutputReference`), with its type:
 * plain getters, and fields holding nested objects (`new FooList(this, "foo", wrapsSet)`), maps or blocks.
 * Names that are blocks in the configuration come back too; the caller sets them apart.
 */
function exposed(b: Bindings, className: string, seen: string[] = []): Map<string, CtyType> {
  if (seen.includes(className)) throw new Error(`${b.where}: recursive type ${[...seen, className].join(' > ')}`);
  const body = classBody(b, className);
  if (body === undefined) throw new Error(`${b.where}: class ${className} not found`);
  const out = new Map<string, CtyType>();
  const fields = new Map<string, CtyType>();
  for (const m of body.matchAll(/this\.(_\w+) = new ([\w.]+)\(this, "([a-z0-9_]+)"(?:, (true|false))?\);/g)) {
    const [, field = '', cls = '', name = '', wrapsSet] = m;
    let type: CtyType;
    const runtimeClass = cls.replace(/^cdktn\./, 'cdktf.');
    if (runtimeClass === 'cdktf.StringMap') type = ['map', 'string'];
    else if (runtimeClass === 'cdktf.NumberMap') type = ['map', 'number'];
    else if (runtimeClass === 'cdktf.BooleanMap') type = ['map', 'bool'];
    else if (cls.endsWith('List')) {
      const element = exposed(b, `${cls.slice(0, -'List'.length)}OutputReference`, [...seen, className]);
      type = [wrapsSet === 'true' ? 'set' : 'list', ['object', Object.fromEntries(element)]];
    } else if (cls.endsWith('OutputReference')) {
      // one nested object (a MaxItems 1 list, or a `timeouts` block): blocks take their shape from the interface
      type = ['list', ['object', Object.fromEntries(exposed(b, cls, [...seen, className]))]];
    } else throw new Error(`${b.where}: ${className}.${field} holds an unknown ${cls}`);
    fields.set(field, type);
    out.set(name, type);
  }
  for (const m of body.matchAll(/\n {4}get (\w+)\(\) \{\n\s*return ([^;\n]*);\n\s*\}/g)) {
    const [, getter = '', expression = ''] = m;
    if (getter.endsWith('Input') || getter === 'internalValue' || /^this\._\w+(\.internalValue)?$/.test(expression)) {
      continue;
    }
    const match = GETTERS.map(([re, type]) => [re.exec(expression)?.[1], type] as const).find(([name]) => name);
    if (!match) {
      if (/Attribute\(/.test(expression)) throw new Error(`${b.where}: ${className}.${getter} reads ${expression}`);
      continue;
    }
    out.set(match[0] ?? '', match[1]);
  }
  return out;
}

/** The object type of an interface whose properties are all attributes (an attribute-as-blocks element). */
function objectType(b: Bindings, name: string): CtyType {
  const props = b.interfaces.get(name);
  if (!props) throw new Error(`${b.where}: interface ${name} not found`);
  const meta = hclMeta(b, name, undefined);
  const attrs: Record<string, CtyType> = {};
  for (const p of props) {
    const m = meta.get(p.tfName);
    if (!m) throw new Error(`${b.where}: ${name}.${p.tfName} is not rendered`);
    attrs[p.tfName] = m.isBlock
      ? [m.type === 'set' ? 'set' : 'list', objectType(b, p.typeName)]
      : argumentType(m, `${b.where}: ${name}.${p.tfName}`);
  }
  return ['object', attrs];
}

interface SchemaOptions {
  /** The class whose getters list the computed attributes (none for a provider). */
  className: string | undefined;
  /** Top level: the class rendering the HCL; nested: undefined (the block's `…ToHclTerraform`). */
  topClass?: string;
  /** Provider blocks: the bindings type them all as arrays, the SDK declares them `MaxItems: 1`. */
  provider?: boolean;
}

function blockSchema(b: Bindings, name: string, options: SchemaOptions, seen: string[] = []): BlockSchema {
  const props = b.interfaces.get(name);
  if (!props) throw new Error(`${b.where}: interface ${name} not found`);
  if (seen.includes(name)) throw new Error(`recursive block ${[...seen, name].join(' > ')}`);
  const meta = hclMeta(b, name, options.topClass);
  const schema: BlockSchema = { arguments: {}, blocks: {}, types: {}, computed: [] };
  const topLevel = seen.length === 0;
  for (const p of props) {
    // CDKTF adds `id` to every resource config, but providers compute it: setting it is an error.
    // `alias` of a provider is Terraform's meta-argument, not part of the provider's schema.
    if (topLevel && (p.tfName === 'id' || (options.provider && p.tfName === 'alias'))) continue;
    const m = meta.get(p.tfName);
    if (!m) throw new Error(`${b.where}: ${name}.${p.tfName} is not rendered`);
    if (p.blockType) {
      const nesting = m.type === 'struct' ? 'single' : m.type === 'set' ? 'set' : 'list';
      const nested = blockSchema(
        b,
        p.blockType,
        { className: options.className && `${p.blockType}OutputReference`, provider: options.provider },
        [...seen, name],
      );
      const maxItems = nesting === 'list' && (!p.array || options.provider) ? { maxItems: 1 } : {};
      schema.blocks[p.tfName] = { required: !p.optional, nesting, ...maxItems, ...nested };
    } else {
      schema.arguments[p.tfName] = p.optional ? 'optional' : 'required';
      schema.types[p.tfName] = m.isBlock
        ? // SDKv2 `ConfigMode: SchemaConfigModeAttr`: a list of objects that may be written as blocks
          [m.type === 'set' ? 'set' : 'list', objectType(b, p.typeName)]
        : argumentType(m, `${b.where}: ${name}.${p.tfName}`);
    }
  }
  if (options.className) {
    for (const [attr, type] of exposed(b, options.className)) {
      if (attr in schema.arguments || attr in schema.blocks) continue;
      schema.types[attr] = type;
      schema.computed.push(attr);
    }
    schema.computed.sort();
  }
  return schema;
}

/** Every top-level name a reference may read: arguments, blocks and computed attributes of the class. */
function attributes(b: Bindings, className: string): string[] {
  const body = classBody(b, className);
  if (body === undefined) throw new Error(`class ${className} not found`);
  const names = new Set<string>();
  for (const m of body.matchAll(/this\.get\w*Attribute\('([a-z0-9_]+)'\)/g)) names.add(m[1] ?? '');
  for (const m of body.matchAll(/new \w+\(this, "([a-z0-9_]+)"/g)) names.add(m[1] ?? '');
  return [...names].sort();
}

function loadBindings(dir: string): Bindings {
  const js = readFileSync(join(dir, 'index.js'), 'utf8').replace(/\n\/\/# sourceMappingURL=.*$/s, '\n');
  return { interfaces: interfaces(readFileSync(join(dir, 'index.d.ts'), 'utf8')), js, where: dir };
}

function typeSchema(libDir: string, tfType: string, kind: 'resource' | 'data'): TypeSchema {
  const [prefix = ''] = tfType.split('_');
  const dir = join(libDir, kind === 'data' ? `data-${tfType}` : tfType.slice(prefix.length + 1)).replaceAll('_', '-');
  const b = loadBindings(dir);
  const className = /^class (\w+) extends cdkt[fn]\.Terraform(?:Resource|DataSource)/m.exec(b.js)?.[1];
  if (!className) throw new Error(`no resource class in ${dir}`);
  const declared = new RegExp(`^${className}\\.tfResourceType = "([a-z0-9_]+)"`, 'm').exec(b.js)?.[1];
  if (declared !== tfType) throw new Error(`${dir} declares ${declared}, expected ${tfType}`);
  return {
    ...blockSchema(b, `${className}Config`, { className, topClass: className }),
    attributes: attributes(b, className),
  };
}

/** The `provider "x" { … }` schema. azurerm's `features` is Required, MinItems 1 (internal/provider/features.go). */
function providerSchema(libDir: string): BlockSchema {
  const b = loadBindings(join(libDir, 'provider'));
  const className = /^class (\w+) extends cdkt[fn]\.TerraformProvider/m.exec(b.js)?.[1];
  if (!className) throw new Error(`no provider class in ${b.where}`);
  const schema = blockSchema(b, `${className}Config`, { className: undefined, topClass: className, provider: true });
  if (schema.blocks.features) schema.blocks.features.required = true;
  return schema;
}

/**
 * Resource and data source types used by the module and its examples (which `terraform validate` runs on
 * with test/support/terraform-provider), from their parsed HCL.
 */
async function usedTypes(): Promise<{ resource: Set<string>; data: Set<string> }> {
  const used = { resource: new Set<string>(), data: new Set<string>() };
  const dir = join(ROOT, 'iac');
  for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.tf'))) {
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
      out.providers[prefix.slice(0, -1)] = { ...provider, bindings: spec, config: providerSchema(libDir) };
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
