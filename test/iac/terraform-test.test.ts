/**
 * Terraform's own `terraform test` (iac/tests/*.tftest.hcl, mock providers: no Azure, no credentials) on
 * a copy of iac/, with the fake providers of test/support/terraform-provider serving the schemas. Then the
 * mutation check: each value mistake below, made in its own copy, must make `terraform test` fail, or the
 * tests only check the shape of the HCL, not what it deploys.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeTerraform, hasTerraform, installFakeProviders } from '../support/terraform-provider/install.js';

const IAC = fileURLToPath(new URL('../../iac/', import.meta.url));
const TERRAFORM = hasTerraform();
const SKIPPED = TERRAFORM ? '' : ' (skipped: no terraform binary on PATH)';

let work: string;
let terraform: FakeTerraform;

interface Edit {
  file: string;
  from: string;
  to: string;
}

/** A copy of iac/ with `edits` made; each `from` must occur exactly once, or the mutation tests nothing. */
function copyModule(name: string, edits: Edit[] = []): string {
  const root = join(work, name);
  cpSync(IAC, root, { recursive: true, filter: (src) => !/\.terraform|\.tfstate|tfplan/.test(src) });
  for (const { file, from, to } of edits) {
    const path = join(root, file);
    const text = readFileSync(path, 'utf8');
    expect(text.split(from).length - 1, `${file} contains ${from} once`).toBe(1);
    writeFileSync(path, text.replace(from, to));
  }
  return root;
}

const summary = (stdout: string) => /(Success|Failure)! (\d+) passed, (\d+) failed\./.exec(stdout);

beforeAll(() => {
  if (!TERRAFORM) return;
  work = mkdtempSync(join(tmpdir(), 'cloudo-terraform-test-'));
  terraform = installFakeProviders(join(work, 'providers'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** How iac/functions.tf names a team's settings (upper-cased, "-" as "_"), and the mistake of not doing so. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: an HCL interpolation, as the module writes it
const TEAM_KEY_HCL = '${upper(replace(team, "-", "_"))}';
// biome-ignore lint/suspicious/noTemplateCurlyInString: an HCL interpolation, as the module writes it
const TEAM_PLAIN_HCL = '${team}';

/**
 * The ten value mistakes of issue 16 (each passed the HCL-shape tests before terraform test existed),
 * then mistakes about the module's container registry and its private networking. Each names the test
 * file whose runs are about it: only that file is run against its mutant.
 */
const MUTATIONS: {
  name: string;
  caughtBy:
    | 'roles'
    | 'workers'
    | 'https'
    | 'settings'
    | 'registry'
    | 'deploy'
    | 'network'
    | 'outputs'
    | 'identities'
    | 'isolated-runs';
  edit: Edit;
}[] = [
  {
    name: 'wrong KEDA scaler type',
    caughtBy: 'workers',
    edit: { file: 'workers.tf', from: 'custom_rule_type = "azure-queue"', to: 'custom_rule_type = "azure-servicebus"' },
  },
  {
    name: 'https_only = false',
    caughtBy: 'https',
    edit: {
      file: 'functions.tf',
      from: 'https_only                    = true',
      to: 'https_only = false',
    },
  },
  {
    name: 'TLS 1.0 on the Functions app',
    caughtBy: 'https',
    edit: {
      file: 'functions.tf',
      from: 'minimum_tls_version                     = "1.2"',
      to: 'minimum_tls_version = "1.0"',
    },
  },
  {
    name: 'Storage Blob Data Reader instead of Owner for the app',
    caughtBy: 'roles',
    edit: { file: 'identity.tf', from: '"Storage Blob Data Owner"', to: '"Storage Blob Data Reader"' },
  },
  {
    name: 'a role-name typo (Key Vault Secret Officer)',
    caughtBy: 'roles',
    edit: { file: 'keyvault.tf', from: '"Key Vault Secrets Officer"', to: '"Key Vault Secret Officer"' },
  },
  {
    name: 'a grace period over the Container Apps maximum (600 s) accepted',
    caughtBy: 'workers',
    edit: {
      file: 'variables.tf',
      from: 'var.worker_shutdown_grace_seconds <= 600',
      to: 'var.worker_shutdown_grace_seconds <= 3600',
    },
  },
  {
    name: 'a team’s Slack token as a plain app setting, not a Key Vault reference',
    caughtBy: 'settings',
    edit: {
      file: 'functions.tf',
      from: `"SLACK_TOKEN_${TEAM_KEY_HCL}" => local.kv_ref[secret]`,
      to: `"SLACK_TOKEN_${TEAM_KEY_HCL}" => var.team_slack_tokens[team]`,
    },
  },
  {
    name: 'a team’s channel under a name the code never reads (not upper-cased, "-" kept)',
    caughtBy: 'settings',
    edit: {
      file: 'functions.tf',
      from: `"SLACK_CHANNEL_${TEAM_KEY_HCL}" => channel`,
      to: `"SLACK_CHANNEL_${TEAM_PLAIN_HCL}" => channel`,
    },
  },
  {
    name: 'FTPS allowed',
    caughtBy: 'https',
    edit: {
      file: 'functions.tf',
      from: 'ftps_state                              = "Disabled"',
      to: 'ftps_state = "AllAllowed"',
    },
  },
  {
    name: 'TLS 1.0 on the storage account',
    caughtBy: 'https',
    edit: { file: 'storage.tf', from: 'min_tls_version                 = "TLS1_2"', to: 'min_tls_version = "TLS1_0"' },
  },
  {
    name: 'the scaler watching the results queue instead of the worker’s job queue',
    caughtBy: 'workers',
    edit: {
      file: 'workers.tf',
      from: 'queueName   = local.job_queues[each.key]',
      to: 'queueName   = local.results_queue',
    },
  },
  {
    name: 'the workers’ Key Vault role given to the app identity',
    caughtBy: 'roles',
    edit: {
      file: 'keyvault.tf',
      from: '  principal_id         = azurerm_user_assigned_identity.worker.principal_id',
      to: '  principal_id         = azurerm_user_assigned_identity.app.principal_id',
    },
  },
  {
    name: 'AcrPush instead of AcrPull on the registry',
    caughtBy: 'registry',
    edit: { file: 'acr.tf', from: 'role_definition_name = "AcrPull"', to: 'role_definition_name = "AcrPush"' },
  },
  {
    name: 'the workers’ registry pull given the app identity',
    caughtBy: 'registry',
    edit: {
      file: 'main.tf',
      from: 'identity = azurerm_user_assigned_identity.worker.id',
      to: 'identity = azurerm_user_assigned_identity.app.id',
    },
  },
  {
    name: 'the registry’s admin user (a shared password) on',
    caughtBy: 'registry',
    edit: { file: 'acr.tf', from: 'admin_enabled          = false', to: 'admin_enabled          = true' },
  },
  {
    name: 'the storage account’s public network access left on with private_networking',
    caughtBy: 'network',
    edit: {
      file: 'storage.tf',
      from: 'public_network_access_enabled = local.public_access_on',
      to: 'public_network_access_enabled = true',
    },
  },
  {
    name: 'the Functions app not integrated with the VNet',
    caughtBy: 'network',
    edit: {
      file: 'functions.tf',
      from: 'virtual_network_subnet_id = local.functions_subnet_id',
      to: 'virtual_network_subnet_id = null',
    },
  },
  {
    name: 'no role of the original’s granted on the clusters of aks_integration',
    caughtBy: 'roles',
    edit: {
      file: 'identity.tf',
      from: 'setproduct(keys(var.aks_integration), var.aks_cluster_roles)',
      to: 'setproduct(keys(var.aks_integration), [])',
    },
  },
  {
    name: 'the original’s RBAC Admin left out of the roles on each cluster',
    caughtBy: 'roles',
    edit: { file: 'variables.tf', from: ', "Azure Kubernetes Service RBAC Admin"]', to: ']' },
  },
  {
    name: 'the app not told the clusters of aks_integration (aks_credentials auto would fetch nothing)',
    caughtBy: 'settings',
    edit: {
      file: 'functions.tf',
      from: '[for key in sort(keys(var.aks_integration)) : var.aks_integration[key].cluster_id]',
      to: '[]',
    },
  },
  {
    name: 'the original’s storage_queues naming a job queue as the notification queue',
    caughtBy: 'outputs',
    edit: { file: 'outputs.tf', from: 'notification = local.results_queue', to: 'notification = local.queues[1]' },
  },
  {
    name: 'what runbooks may do (custom_role_assignments) granted to the workers’ identity again',
    caughtBy: 'identities',
    edit: {
      file: 'identity.tf',
      from: 'coalesce(a.principal_id, azurerm_user_assigned_identity.runbook.principal_id)',
      to: 'coalesce(a.principal_id, azurerm_user_assigned_identity.worker.principal_id)',
    },
  },
  {
    name: 'runbook credentials trusting the app’s host instead of its issuer (<public url>/api)',
    caughtBy: 'identities',
    edit: {
      file: 'runbook-identity.tf',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an HCL interpolation, as the module writes it
      from: 'oidc_issuer     = "${local.public_url}/api"',
      to: 'oidc_issuer = local.public_url',
    },
  },
  {
    name: 'the AKS roles granted to the workers’ identity again',
    caughtBy: 'identities',
    edit: {
      file: 'identity.tf',
      from: 'merge(grant, { principal_id = azurerm_user_assigned_identity.runbook.principal_id })',
      to: 'merge(grant, { principal_id = azurerm_user_assigned_identity.worker.principal_id })',
    },
  },
  {
    name: 'the OIDC signing key’s Crypto User role given to the workers’ identity',
    caughtBy: 'identities',
    edit: {
      file: 'keyvault.tf',
      from: 'role_definition_name = "Key Vault Crypto User"\n  principal_id         = azurerm_user_assigned_identity.app.principal_id',
      to: 'role_definition_name = "Key Vault Crypto User"\n  principal_id         = azurerm_user_assigned_identity.worker.principal_id',
    },
  },
  {
    name: 'a versioned key id as CLOUDO_OIDC_KEY_ID (rotation never picked up; the app refuses it)',
    caughtBy: 'identities',
    edit: {
      file: 'keyvault.tf',
      from: 'key_id = azurerm_key_vault_key.oidc_signing.versionless_id',
      to: 'key_id = azurerm_key_vault_key.oidc_signing.id',
    },
  },
  // issue 21: isolated runs’ rights, each a custom role with only its actions on only its scope
  {
    name: 'isolated runs on by default (an existing deployment’s plan changes)',
    caughtBy: 'isolated-runs',
    edit: { file: 'variables.tf', from: 'default  = { enabled = false }', to: 'default  = { enabled = true }' },
  },
  {
    name: 'the workers’ container-groups role widened to all of Microsoft.ContainerInstance',
    caughtBy: 'isolated-runs',
    edit: {
      file: 'isolated-runs.tf',
      from: 'actions = ["Microsoft.ContainerInstance/containerGroups/*"]',
      to: 'actions = ["Microsoft.ContainerInstance/*"]',
    },
  },
  {
    name: 'the app’s cleanup role able to create groups',
    caughtBy: 'isolated-runs',
    edit: {
      file: 'isolated-runs.tf',
      from: '"Microsoft.ContainerInstance/containerGroups/delete",',
      to: '"Microsoft.ContainerInstance/containerGroups/delete", "Microsoft.ContainerInstance/containerGroups/write",',
    },
  },
  {
    name: 'the app given the workers’ container-groups role (create, exec) instead of read and delete',
    caughtBy: 'isolated-runs',
    edit: {
      file: 'isolated-runs.tf',
      from: 'role_definition_id = azurerm_role_definition.container_groups_cleanup[0].role_definition_resource_id',
      to: 'role_definition_id = azurerm_role_definition.container_groups[0].role_definition_resource_id',
    },
  },
  {
    name: 'assign/action on the whole resource group (the workers’ and app’s identities too), not on each runbook identity',
    caughtBy: 'isolated-runs',
    edit: { file: 'isolated-runs.tf', from: 'scope              = id', to: 'scope = local.module_resource_group_id' },
  },
  {
    name: 'the groups pulling with the workers’ identity (attached to the group, so the runbook could use it)',
    caughtBy: 'isolated-runs',
    edit: {
      file: 'workers.tf',
      from: '"CLOUDO_ACI_REGISTRY_IDENTITY" = azurerm_user_assigned_identity.aci_pull[0].id',
      to: '"CLOUDO_ACI_REGISTRY_IDENTITY" = azurerm_user_assigned_identity.worker.id',
    },
  },
  {
    name: 'the app told the workers’ identity as the one that manages groups',
    caughtBy: 'isolated-runs',
    edit: {
      file: 'functions.tf',
      from: '"CLOUDO_ACI_CLIENT_ID"         = azurerm_user_assigned_identity.app.client_id',
      to: '"CLOUDO_ACI_CLIENT_ID"         = azurerm_user_assigned_identity.worker.client_id',
    },
  },
  {
    name: 'the default runbook identity missing from CLOUDO_ACI_IDENTITIES',
    caughtBy: 'isolated-runs',
    edit: { file: 'isolated-runs.tf', from: '{ default = {', to: '{ fallback = {' },
  },
  {
    name: 'subnet join granted on the whole VNet',
    caughtBy: 'isolated-runs',
    edit: {
      file: 'isolated-runs.tf',
      from: 'scope              = local.aci_subnet_id',
      to: 'scope              = azurerm_virtual_network.cloudo[0].id',
    },
  },
  {
    name: 'the groups’ subnet not delegated to container groups',
    caughtBy: 'isolated-runs',
    edit: {
      file: 'network.tf',
      from: 'delegation = "Microsoft.ContainerInstance/containerGroups"',
      to: 'delegation = null',
    },
  },
];

describe('terraform test (mock providers) on the module', () => {
  it.skipIf(!TERRAFORM)(
    `passes every run of iac/tests${SKIPPED}`,
    async () => {
      const result = await terraform.run(['test'], copyModule('green'));
      expect(result.status, result.stdout + result.stderr).toBe(0);
      const [, outcome, passed, failed] = summary(result.stdout) ?? [];
      expect(outcome).toBe('Success');
      expect(Number(failed)).toBe(0);
      expect(Number(passed)).toBeGreaterThanOrEqual(13);
      console.info(`terraform test: ${passed} passed, ${failed} failed`);
    },
    300_000,
  );

  it.skipIf(!TERRAFORM)(
    `fails for each value mutation of the module${SKIPPED}`,
    async () => {
      const caught: string[] = [];
      const missed: string[] = [];
      // a few at a time: each run starts provider processes; each mutant runs only the file about it
      const PARALLEL = 5;
      for (let i = 0; i < MUTATIONS.length; i += PARALLEL) {
        const batch = MUTATIONS.slice(i, i + PARALLEL);
        const results = await Promise.all(
          batch.map((m, j) =>
            terraform.run(['test', `-filter=tests/${m.caughtBy}.tftest.hcl`], copyModule(`mutant-${i + j}`, [m.edit])),
          ),
        );
        results.forEach((r, j) => {
          const name = batch[j]?.name ?? '';
          // a failed run, or Terraform refusing the configuration: either way the mistake does not ship
          if (r.status !== 0 && !/Success!/.test(r.stdout)) caught.push(name);
          else missed.push(name);
        });
      }
      console.info(`mutations caught: ${caught.length}/${MUTATIONS.length}`);
      expect(missed).toEqual([]);
      expect(caught).toHaveLength(MUTATIONS.length);
    },
    // 26 mutants took ~540 s on a loaded 2-core machine: the bound is for a hang, not a goal
    900_000,
  );
});
