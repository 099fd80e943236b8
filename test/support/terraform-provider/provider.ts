/**
 * The tfplugin5.Provider service of one provider (azurerm, random or time), answering from the schemas
 * of test/fixtures/iac/provider-schema.json. It validates like the real one as far as Terraform itself
 * checks configuration against the schema, plans creations with computed attributes unknown and reads
 * data sources as well-formed stand-ins; it never applies or imports.
 */
import type { BlockSchema } from '../terraform-schema.js';
import { type CtyObject, type CtyType, decodeValue, encodeValue, fromJson, isObject } from './cty.js';
import { blockMessage, impliedType, type ProviderSchemas, type SchemaMessage } from './schema.js';
import { type Diagnostic, validateResource } from './validate.js';
import { planCreate, readData } from './values.js';

/** `tfplugin5.DynamicValue`: Terraform sends msgpack; `json` only appears in raw state. */
export interface DynamicValue {
  msgpack?: Buffer;
  json?: Buffer;
}

interface TypedRequest {
  type_name: string;
}

/** The requests and responses handled, in @grpc/proto-loader's shape (snake_case, enums by name). */
export interface ProviderService {
  GetMetadata(req: object): object;
  GetSchema(req: object): object;
  PrepareProviderConfig(req: { config?: DynamicValue }): object;
  ValidateResourceTypeConfig(req: TypedRequest & { config?: DynamicValue }): object;
  ValidateDataSourceConfig(req: TypedRequest & { config?: DynamicValue }): object;
  UpgradeResourceState(req: TypedRequest & { raw_state?: { json?: Buffer } }): object;
  Configure(req: object): object;
  ReadResource(req: TypedRequest & { current_state?: DynamicValue; private?: Buffer }): object;
  PlanResourceChange(
    req: TypedRequest & { prior_state?: DynamicValue; proposed_new_state?: DynamicValue; prior_private?: Buffer },
  ): object;
  ApplyResourceChange(req: TypedRequest): object;
  ImportResourceState(req: TypedRequest): object;
  ReadDataSource(req: TypedRequest & { config?: DynamicValue }): object;
  GetFunctions(req: object): object;
  Stop(req: object): object;
}

const error = (summary: string, detail = ''): Diagnostic => ({ severity: 'ERROR', summary, detail });

export function providerService(schemas: ProviderSchemas): ProviderService {
  const schemaOf = (kind: 'resource' | 'data', type: string): { schema: BlockSchema; type: CtyType } => {
    const schema = schemas[kind][type];
    // Terraform only asks about types GetSchema listed, so this means a bug here, not in the config
    if (!schema) throw new Error(`${schemas.address} has no ${kind} ${type}`);
    return { schema, type: impliedType(schema) };
  };
  const decodeObject = (value: DynamicValue | undefined, type: CtyType): CtyObject | null => {
    const decoded = decodeValue(value?.msgpack, type);
    return isObject(decoded) ? decoded : null;
  };
  const dynamic = (value: CtyObject | null, type: CtyType): DynamicValue => ({
    msgpack: Buffer.from(encodeValue(value, type)),
  });
  const message = (schema: BlockSchema): SchemaMessage => ({ version: 0, block: blockMessage(schema) });
  const mapValues = <T>(all: Record<string, BlockSchema>, f: (s: BlockSchema) => T) =>
    Object.fromEntries(Object.entries(all).map(([k, v]) => [k, f(v)]));

  return {
    GetMetadata: () => ({
      server_capabilities: { plan_destroy: false, get_provider_schema_optional: false },
      resources: Object.keys(schemas.resource).map((type_name) => ({ type_name })),
      data_sources: Object.keys(schemas.data).map((type_name) => ({ type_name })),
    }),
    GetSchema: () => ({
      provider: message(schemas.config),
      resource_schemas: mapValues(schemas.resource, message),
      data_source_schemas: mapValues(schemas.data, message),
      server_capabilities: { plan_destroy: false, get_provider_schema_optional: false },
    }),
    // SDKv2 returns the configuration with defaults filled in; there are none to fill here.
    PrepareProviderConfig: (req) => ({ prepared_config: req.config ?? {} }),
    ValidateResourceTypeConfig: (req) => {
      const { type } = schemaOf('resource', req.type_name);
      const config = decodeObject(req.config, type);
      return { diagnostics: config ? validateResource(req.type_name, config) : [] };
    },
    ValidateDataSourceConfig: (req) => {
      schemaOf('data', req.type_name);
      return { diagnostics: [] };
    },
    UpgradeResourceState: (req) => {
      const { type } = schemaOf('resource', req.type_name);
      const json = req.raw_state?.json;
      const state = json && json.length > 0 ? fromJson(JSON.parse(json.toString('utf8')), type) : null;
      return { upgraded_state: dynamic(isObject(state) ? state : null, type) };
    },
    Configure: () => ({}),
    // Nothing exists outside Terraform's state: what it recorded is what there is.
    ReadResource: (req) => ({ new_state: req.current_state, private: req.private }),
    PlanResourceChange: (req) => {
      const { schema, type } = schemaOf('resource', req.type_name);
      const prior = decodeObject(req.prior_state, type);
      const proposed = decodeObject(req.proposed_new_state, type);
      // destroy (no proposed state) and update (a prior state) keep what Terraform proposed
      const planned = proposed && !prior ? planCreate(schema, proposed) : proposed;
      return { planned_state: dynamic(planned, type), planned_private: req.prior_private };
    },
    ApplyResourceChange: (req) => ({
      diagnostics: [error('The fake provider cannot apply', `${req.type_name}: it only validates and plans.`)],
    }),
    ImportResourceState: (req) => ({
      diagnostics: [error('The fake provider cannot import', `${req.type_name}: there is nothing to import from.`)],
    }),
    ReadDataSource: (req) => {
      const { schema, type } = schemaOf('data', req.type_name);
      const config = decodeObject(req.config, type) ?? {};
      return { state: dynamic(readData(req.type_name, schema, config), type) };
    },
    GetFunctions: () => ({ functions: {} }),
    Stop: () => ({ Error: '' }),
  };
}
