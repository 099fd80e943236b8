/**
 * Checks Terraform configuration, as `@cdktf/hcl2json` parses it, against provider schemas extracted by
 * `scripts/extract-provider-schema.ts`: what `terraform validate` would say about unknown arguments,
 * missing required ones, blocks written as arguments (and the reverse), and references to attributes a
 * resource does not have. Expressions are not evaluated: types and values are left to the provider.
 */

/**
 * A cty type in the JSON notation of Terraform's provider schemas (`terraform providers schema -json`):
 * "string", ["list", "string"], ["object", { "name": "string" }], …
 */
export type CtyType =
  | 'string'
  | 'number'
  | 'bool'
  | 'dynamic'
  | ['list' | 'set' | 'map', CtyType]
  | ['object', { [name: string]: CtyType }];

export interface BlockSchema {
  arguments: Record<string, 'required' | 'optional'>;
  blocks: Record<string, NestedBlockSchema>;
  /** The type of every argument and computed attribute (not of blocks). */
  types: Record<string, CtyType>;
  /** Attributes only the provider sets (computed, not optional): configuration may read, never set them. */
  computed: string[];
}

export interface NestedBlockSchema extends BlockSchema {
  required: boolean;
  /** Terraform's nesting mode: a list or set of blocks, or one (SDKv2 `timeouts`). */
  nesting: 'list' | 'set' | 'single';
  /** 1 for SDKv2 `MaxItems: 1` blocks (the bindings type them as one object, not an array). */
  maxItems?: number;
}

export interface TypeSchema extends BlockSchema {
  /** Every top-level name an expression may read (arguments, blocks and computed attributes). */
  attributes: string[];
}

export interface ProviderSchemaFile {
  /** Each provider's registry address, version, bindings package and configuration (`provider "x" {}`). */
  providers: Record<string, { name: string; version: string; bindings: string; config: BlockSchema }>;
  resource: Record<string, TypeSchema>;
  data: Record<string, TypeSchema>;
}

/** hcl2json's shape of a configuration: block kind → type → name → bodies. */
export type ParsedConfig = Record<string, Record<string, unknown>>;
type Body = Record<string, unknown>;

const META_ARGUMENTS = new Set([
  'count',
  'for_each',
  'depends_on',
  'provider',
  'lifecycle',
  'provisioner',
  'connection',
]);

const isBody = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);
const isBlockList = (v: unknown): v is Body[] => Array.isArray(v) && v.length > 0 && v.every(isBody);

/** The bodies of a `dynamic "name"` block (its `content`), keyed by block name. */
function dynamicContents(body: Body): Map<string, Body[]> {
  const out = new Map<string, Body[]>();
  const dynamic = body.dynamic;
  if (!isBody(dynamic)) return out;
  for (const [name, list] of Object.entries(dynamic)) {
    const contents = (Array.isArray(list) ? list : []).flatMap((d) =>
      isBody(d) && isBlockList(d.content) ? d.content : [],
    );
    out.set(name, contents);
  }
  return out;
}

function checkBody(schema: BlockSchema, body: Body, where: string, topLevel: boolean): string[] {
  const problems: string[] = [];
  const dynamic = dynamicContents(body);
  for (const [key, value] of Object.entries(body)) {
    if (key === 'dynamic' || (topLevel && META_ARGUMENTS.has(key))) continue;
    const nested = schema.blocks[key];
    if (nested) {
      if (!isBlockList(value)) problems.push(`${where}: ${key} is a block, not an argument (write ${key} { … })`);
      else for (const b of value) problems.push(...checkBody(nested, b, `${where}.${key}`, false));
    } else if (key in schema.arguments) {
      if (isBlockList(value) && !Array.isArray(value[0]?.content)) {
        // hcl2json gives `x { }` and `x = [{ }]` the same shape; a block there is far more likely.
        problems.push(`${where}: ${key} is an argument, not a block (write ${key} = …)`);
      }
    } else {
      problems.push(`${where}: unsupported argument or block "${key}"`);
    }
  }
  for (const [name, contents] of dynamic) {
    const nested = schema.blocks[name];
    if (!nested) problems.push(`${where}: dynamic "${name}" is not a block of this type`);
    else for (const c of contents) problems.push(...checkBody(nested, c, `${where}.${name}`, false));
  }
  for (const [name, need] of Object.entries(schema.arguments)) {
    if (need === 'required' && !(name in body)) problems.push(`${where}: missing required argument "${name}"`);
  }
  for (const [name, nested] of Object.entries(schema.blocks)) {
    if (nested.required && !(name in body) && !dynamic.has(name)) {
      problems.push(`${where}: missing required block "${name}"`);
    }
  }
  return problems;
}

/** Every string in a parsed value, where hcl2json leaves expressions as `${…}` templates. */
function* strings(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const v of value) yield* strings(v);
  else if (isBody(value)) for (const v of Object.values(value)) yield* strings(v);
}

const REFERENCE =
  /(?<![\w.])(data\.)?([a-z][a-z0-9]*_[a-z0-9_]+)\.([a-z_][a-z0-9_-]*)(?:\[[^\]]*\])?\.([a-z_][a-z0-9_]*)/g;

/** `type.name.attr` and `data.type.name.attr` references that name a declared block and no known attribute. */
function checkReferences(config: ParsedConfig, schemas: ProviderSchemaFile): string[] {
  const problems = new Set<string>();
  for (const text of strings(config)) {
    for (const m of text.matchAll(REFERENCE)) {
      const [ref, data, type = '', name = '', attr = ''] = m;
      const kind = data ? 'data' : 'resource';
      const declared = (config[kind]?.[type] as Record<string, unknown> | undefined)?.[name];
      if (!declared) {
        if (data || schemas.resource[type]) problems.add(`${ref}: no ${kind} "${type}" "${name}" is declared`);
        continue;
      }
      const schema = schemas[kind][type];
      if (schema && !schema.attributes.includes(attr)) problems.add(`${ref}: ${type} has no attribute "${attr}"`);
    }
  }
  return [...problems];
}

/**
 * `ExactlyOneOf` rules of the provider's Go schema, which the bindings do not carry; written by hand from
 * hashicorp/terraform-provider-azurerm for the types the module uses. Only "none of them is set" can be
 * seen without evaluating expressions (a conditional may yield null), so that is what is checked.
 */
export const ONE_OF_REQUIRED: Record<string, string[][]> = {
  azurerm_linux_function_app: [['storage_account_name', 'storage_key_vault_secret_id']],
  azurerm_role_assignment: [['role_definition_id', 'role_definition_name']],
  azurerm_storage_queue: [['storage_account_id', 'storage_account_name']],
  azurerm_storage_container: [['storage_account_id', 'storage_account_name']],
  azurerm_key_vault_secret: [['value', 'value_wo']],
};

function checkOneOf(type: string, body: Body, where: string): string[] {
  return (ONE_OF_REQUIRED[type] ?? [])
    .filter((names) => !names.some((n) => n in body))
    .map((names) => `${where}: one of ${names.map((n) => `"${n}"`).join(', ')} must be set`);
}

/** Problems `terraform validate` would report about the provider blocks of a configuration. */
export function checkConfiguration(config: ParsedConfig, schemas: ProviderSchemaFile): string[] {
  const problems: string[] = [];
  for (const kind of ['resource', 'data'] as const) {
    for (const [type, byName] of Object.entries(config[kind] ?? {})) {
      const schema = schemas[kind][type];
      for (const [name, bodies] of Object.entries(byName as Record<string, Body[]>)) {
        const where = `${kind === 'data' ? 'data.' : ''}${type}.${name}`;
        if (!schema) {
          problems.push(`${where}: no schema for ${kind} type ${type} (run scripts/extract-provider-schema.ts)`);
          continue;
        }
        for (const body of bodies)
          problems.push(...checkBody(schema, body, where, true), ...checkOneOf(type, body, where));
      }
    }
  }
  return [...problems, ...checkReferences(config, schemas)].sort();
}
