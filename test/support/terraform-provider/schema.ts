/**
 * The provider schemas Terraform asks for (GetSchema), built from test/fixtures/iac/provider-schema.json,
 * and the object type each schema implies for the values Terraform sends and expects back.
 */
import { readFileSync } from 'node:fs';
import type { BlockSchema, NestedBlockSchema, ProviderSchemaFile } from '../terraform-schema.js';
import { type CtyType, typeJson } from './cty.js';

export const FIXTURE_PATH = new URL('../../fixtures/iac/provider-schema.json', import.meta.url);

/** `tfplugin5.Schema.Block`, as @grpc/proto-loader takes it (snake_case fields, enums by name). */
export interface BlockMessage {
  attributes: {
    name: string;
    type: Buffer;
    required: boolean;
    optional: boolean;
    computed: boolean;
  }[];
  block_types: {
    type_name: string;
    nesting: 'SINGLE' | 'LIST' | 'SET';
    min_items: number;
    max_items: number;
    block: BlockMessage;
  }[];
}

export interface SchemaMessage {
  version: number;
  block: BlockMessage;
}

/** One provider's part of the fixture: its configuration, resources and data sources. */
export interface ProviderSchemas {
  /** Registry address, e.g. registry.terraform.io/hashicorp/azurerm. */
  address: string;
  config: BlockSchema;
  resource: Record<string, BlockSchema>;
  data: Record<string, BlockSchema>;
}

export function loadProviderSchemas(provider: string): ProviderSchemas {
  const file = JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')) as ProviderSchemaFile;
  const info = file.providers[provider];
  if (!info) throw new Error(`no provider ${provider} in ${FIXTURE_PATH.pathname}`);
  const own = (all: Record<string, BlockSchema>) =>
    Object.fromEntries(Object.entries(all).filter(([type]) => type.startsWith(`${provider}_`)));
  return { address: info.name, config: info.config, resource: own(file.resource), data: own(file.data) };
}

/**
 * Optional arguments are also marked computed: the bindings cannot tell `Optional` from
 * `Optional + Computed`, and saying computed only lets the plan leave an unset one unknown, where
 * saying not computed would make Terraform reject a provider that fills in a default.
 */
export function blockMessage(schema: BlockSchema): BlockMessage {
  const attributes = Object.entries(schema.types).map(([name, type]) => {
    const need = schema.arguments[name];
    return {
      name,
      type: Buffer.from(typeJson(type)),
      required: need === 'required',
      optional: need === 'optional',
      computed: need !== 'required',
    };
  });
  const block_types = Object.entries(schema.blocks).map(([name, nested]) => ({
    type_name: name,
    nesting: nestingMode(nested),
    // Terraform requires min_items/max_items 0 for a single block
    min_items: nested.nesting !== 'single' && nested.required ? 1 : 0,
    max_items: nested.nesting !== 'single' ? (nested.maxItems ?? 0) : 0,
    block: blockMessage(nested),
  }));
  return { attributes, block_types };
}

const nestingMode = (b: NestedBlockSchema): BlockMessage['block_types'][number]['nesting'] =>
  b.nesting === 'single' ? 'SINGLE' : b.nesting === 'set' ? 'SET' : 'LIST';

/** The object type of a block's values: attributes, and nested blocks as lists, sets or single objects. */
export function impliedType(schema: BlockSchema): CtyType {
  const attrs: Record<string, CtyType> = { ...schema.types };
  for (const [name, nested] of Object.entries(schema.blocks)) {
    const element = impliedType(nested);
    attrs[name] = nested.nesting === 'single' ? element : [nested.nesting, element];
  }
  return ['object', attrs];
}
