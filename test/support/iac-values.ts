/**
 * Stand-ins for what Terraform computes, so that tests can load the settings the module gives the apps:
 * literal HCL strings keep their value, expressions get a plausible value chosen by the setting's name.
 */
import { readFileSync } from 'node:fs';

const ROOT = new URL('../../', import.meta.url);
const GUID = '0b6c5a5e-2f3d-4c1a-9e8f-7a6b5c4d3e2f';

const identityId = (name: string) =>
  `/subscriptions/${GUID}/resourceGroups/cloudo-prod-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;

/** What the platform hands over for a setting whose value Terraform computes, by the setting's name. */
export function placeholder(name: string): string {
  if (/client_?id$/i.test(name) || /TENANT_ID$|APP_IDS$|OPSGENIE_API_KEY$/.test(name)) return GUID;
  const known: Record<string, string> = {
    CLOUDO_GITHUB_REPO: 'acme/runbooks',
    CLOUDO_GITHUB_BRANCH: 'main',
    AzureWebJobsStorage__accountName: 'cloudoprodst',
    CLOUDO_STORAGE_NAMESPACE: 'prod',
    CLOUDO_WORKER: 'Runbook',
    CLOUDO_CONCURRENCY: '4',
    CLOUDO_SIGNING_KEY: 'Jd8kQ2mZr5Vx9Lp3Wn7Tb1Hc6Yf4Gs0AeRuKoMiNvBqCxDzEwFyGaHtIjSlUk1o2',
    CLOUDO_PUBLIC_URL: 'https://cloudo-prod-cloudo-fn.azurewebsites.net',
    CLOUDO_WAKE_KEY: 'Wk3Rt8Yp1Qs6Lm0Vn4Bx9Cz2Hd7Jf5Ga1Se3Dr8Ft6Gy0Hu2',
    CLOUDO_WAKE_PORT: '7072',
    CLOUDO_WORKER_KEY: 'Xq7Lm2Pz9Rt4Vb1Nc6Hs3Kd8Gf0Jw5Ay2Te7Ui4Oo9Pe1Wr3',
    CLOUDO_APP_URL: 'https://cloudo-prod-cloudo-fn.azurewebsites.net',
    CLOUDO_WAKE_URL: 'http://cloudo-pro-runbook-1a2b3c.happyhill-0c1d2e3f.westeurope.azurecontainerapps.io/wake',
    CLOUDO_TRUST_EASY_AUTH: 'true',
    CLOUDO_TRIGGER_AUTH_LEVEL: 'function',
    CLOUDO_WEBHOOK_AUDIENCES: `api://cloudo-webhook,${GUID}`,
    CLOUDO_CORS_ORIGINS: 'https://ops.example.com',
    CLOUDO_FUNCTION_KEY_NAMES: 'default=sha256:0123456789ab,master=sha256:ba9876543210',
    CLOUDO_ROUTING_RULES: readFileSync(new URL('schemas/routing-rules.example.json', ROOT), 'utf8'),
    CLOUDO_SCHEMAS_JSON: readFileSync(new URL('schemas/schemas.json', ROOT), 'utf8'),
    CLOUDO_SCHEMAS_PRUNE: 'false',
    CLOUDO_RUNBOOK_IDENTITIES: JSON.stringify({ payments: GUID }),
    CLOUDO_OIDC_ISSUER: 'https://cloudo-prod-cloudo-fn.azurewebsites.net/api',
    // the key's versionless id (azurerm_key_vault_key.versionless_id): the app refuses a versioned one
    CLOUDO_OIDC_KEY_ID: 'https://cloudoprod-cloudo-kv.vault.azure.net/keys/cloudo-oidc-signing-key',
    CLOUDO_AKS_CLUSTERS: [
      `/subscriptions/${GUID}/resourceGroups/aks-weu/providers/Microsoft.ContainerService/managedClusters/weu`,
      `/subscriptions/${GUID}/resourceGroups/aks-itn/providers/Microsoft.ContainerService/managedClusters/itn`,
    ].join(','),
    SLACK_TOKEN: 'xoxb-1111-2222-abcdefabcdef',
    SLACK_SIGNING_SECRET: '0123456789abcdef0123456789abcdef',
    SLACK_CHANNEL_DEFAULT: '#cloudo',
    OPSGENIE_REGION: 'eu',
    PAGERDUTY_ROUTING_KEY: '0123456789abcdef0123456789abcdef',
    MICROSOFT_PROVIDER_AUTHENTICATION_SECRET: 'entra-client-secret',
    // isolated runs (iac/isolated-runs.tf): ARM ids as the module builds them
    CLOUDO_ACI_RESOURCE_GROUP_ID: `/subscriptions/${GUID}/resourceGroups/cloudo-prod-rg`,
    CLOUDO_ACI_LOCATION: 'westeurope',
    CLOUDO_ACI_IMAGE: 'cloudoprodcloudoacr.azurecr.io/contoso/cloudo-worker:0123abc',
    CLOUDO_ACI_REGISTRY_IDENTITY: identityId('cloudo-prod-cloudo-aci-pull-id'),
    CLOUDO_ACI_SUBNET_ID: `/subscriptions/${GUID}/resourceGroups/cloudo-prod-rg/providers/Microsoft.Network/virtualNetworks/cloudo-prod-cloudo-vnet/subnets/container_instances`,
    CLOUDO_ACI_IDENTITIES: JSON.stringify({
      default: { client_id: GUID, resource_id: identityId('cloudo-prod-cloudo-runbook-id') },
      payments: { client_id: GUID, resource_id: identityId('cloudo-prod-cloudo-rb-payments-id') },
    }),
    WEBSITE_RUN_FROM_PACKAGE: '1',
  };
  if (known[name] !== undefined) return known[name];
  if (name.endsWith('_MS')) return '20000';
  if (name.endsWith('_DAYS')) return '90';
  if (name.endsWith('_BYTES')) return '10485760';
  return 'x';
}

/** A literal HCL string (`"managedidentity"`, `""`) as its value; null for anything Terraform computes. */
export function literal(hclValue: string): string | null {
  const quoted = /^"((?:[^"\\$]|\\.|\$(?!\{))*)"\s*,?\s*(?:#.*)?$/.exec(hclValue.trim());
  return quoted ? (JSON.parse(`"${quoted[1]}"`) as string) : null;
}

/** `"NAME" = value` lines of a map in HCL source (hcl2json leaves `merge(...)` and friends as text). */
export function hclMapEntries(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const m of text.matchAll(/^\s*"([A-Za-z_][A-Za-z0-9_]*)"\s*=\s*(.+)$/gm)) entries.set(m[1] ?? '', m[2] ?? '');
  return entries;
}
