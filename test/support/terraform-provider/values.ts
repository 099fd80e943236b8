/**
 * What the fake provider answers for a plan: planned resources leave what the provider would compute
 * unknown; data sources return well-formed stand-ins (GUIDs, Azure resource ids, URLs) so that the
 * configuration's expressions over them evaluate as they would against Azure.
 */
import { createHash } from 'node:crypto';
import type { BlockSchema } from '../terraform-schema.js';
import { type CtyObject, type CtyType, type CtyValue, isObject, UNKNOWN } from './cty.js';

/** Attributes Terraform may leave unset in configuration and the provider then decides: computed ones. */
const decidedByProvider = (schema: BlockSchema, name: string) =>
  schema.computed.includes(name) || schema.arguments[name] === 'optional';

/**
 * The planned new state of a resource being created: Terraform's proposed state (configuration merged
 * with prior state) with every null attribute the provider computes turned unknown, in nested blocks too.
 */
export function planCreate(schema: BlockSchema, proposed: CtyObject): CtyObject {
  const planned: CtyObject = { ...proposed };
  for (const name of Object.keys(schema.types)) {
    if ((proposed[name] ?? null) === null && decidedByProvider(schema, name)) planned[name] = UNKNOWN;
  }
  for (const [name, nested] of Object.entries(schema.blocks)) {
    const value = proposed[name] ?? null;
    if (Array.isArray(value)) planned[name] = value.map((b) => (isObject(b) ? planCreate(nested, b) : b));
    else if (isObject(value)) planned[name] = planCreate(nested, value);
  }
  return planned;
}

export const FAKE_SUBSCRIPTION_ID = '00000000-0000-4000-8000-000000000001';
export const FAKE_TENANT_ID = '00000000-0000-4000-8000-000000000002';

/** A stable GUID per name, so that plans are reproducible. */
export function fakeGuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** ARM resource types of the data sources the module and its example read (others get Microsoft.Fake). */
const ARM_TYPES: Record<string, string> = {
  azurerm_application_insights: 'Microsoft.Insights/components',
  azurerm_key_vault: 'Microsoft.KeyVault/vaults',
  azurerm_kubernetes_cluster: 'Microsoft.ContainerService/managedClusters',
  azurerm_function_app_host_keys: 'Microsoft.Web/sites',
};

const GUID_ATTRIBUTES = new Set([
  'tenant_id',
  'object_id',
  'client_id',
  'subscription_id',
  'principal_id',
  'app_id',
  'application_id',
  'instrumentation_key',
]);

function fakeString(type: string, name: string, config: CtyObject): string {
  const str = (key: string) => (typeof config[key] === 'string' ? (config[key] as string) : undefined);
  const own = str('name') ?? 'fake';
  if (name === 'id') {
    if (type === 'azurerm_subscription') return `/subscriptions/${FAKE_SUBSCRIPTION_ID}`;
    if (type === 'azurerm_client_config') return `clientConfigs/${fakeGuid(type)}`;
    if (type === 'azurerm_key_vault_secret') return `https://fake.vault.azure.net/secrets/${own}/${fakeGuid(own)}`;
    const rg = str('resource_group_name') ?? 'fake-rg';
    const armType = ARM_TYPES[type] ?? `Microsoft.Fake/${type}`;
    return `/subscriptions/${FAKE_SUBSCRIPTION_ID}/resourceGroups/${rg}/providers/${armType}/${own}`;
  }
  if (name === 'tenant_id') return FAKE_TENANT_ID;
  if (name === 'subscription_id') return FAKE_SUBSCRIPTION_ID;
  if (GUID_ATTRIBUTES.has(name)) return fakeGuid(`${type}.${own}.${name}`);
  if (name === 'connection_string') {
    return `InstrumentationKey=${fakeGuid(own)};IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/`;
  }
  if (/(_uri|_url|_endpoint)$/.test(name)) return `https://${own}.example.invalid/`;
  if (name === 'location') return 'westeurope';
  if (name === 'name' || name === 'display_name') return own;
  return `fake-${name}`;
}

function fakeValue(type: string, name: string, ctyType: CtyType, config: CtyObject): CtyValue {
  if (ctyType === 'string') return fakeString(type, name, config);
  if (ctyType === 'number') return 1;
  if (ctyType === 'bool') return false;
  if (ctyType === 'dynamic') return null;
  const [kind] = ctyType;
  if (kind === 'map') return {};
  if (kind === 'object') return null;
  return [];
}

/** A data source's result: its configuration, with every unset attribute it computes filled in. */
export function readData(type: string, schema: BlockSchema, config: CtyObject): CtyObject {
  const state: CtyObject = { ...config };
  for (const [name, ctyType] of Object.entries(schema.types)) {
    if ((config[name] ?? null) === null && decidedByProvider(schema, name)) {
      state[name] = fakeValue(type, name, ctyType, config);
    }
  }
  return state;
}
