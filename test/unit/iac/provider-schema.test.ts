/**
 * `terraform validate` needs the provider binaries, which cannot be downloaded here. This checks the module
 * against the schemas of the providers' published versions (test/fixtures/iac/provider-schema.json, made
 * by scripts/extract-provider-schema.ts): every argument and block exists, required ones are set, and
 * references read attributes the resources have.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from '@cdktf/hcl2json';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkConfiguration, type ParsedConfig, type ProviderSchemaFile } from '../../support/terraform-schema.js';

const ROOT = new URL('../../../', import.meta.url);
const schemas = JSON.parse(
  readFileSync(new URL('test/fixtures/iac/provider-schema.json', ROOT), 'utf8'),
) as ProviderSchemaFile;

/** hcl2json per file, merged the way Terraform merges a module's files. */
async function parseModule(files: Record<string, string>): Promise<ParsedConfig> {
  const merged: ParsedConfig = {};
  for (const [name, text] of Object.entries(files)) {
    const parsed = (await parse(name, text)) as ParsedConfig;
    for (const [kind, value] of Object.entries(parsed)) {
      const target = merged[kind] ?? {};
      merged[kind] = target;
      if (kind === 'resource' || kind === 'data') {
        for (const [type, byName] of Object.entries(value)) {
          target[type] = { ...(target[type] as object | undefined), ...(byName as object) };
        }
      } else {
        // Outputs, locals and variables only matter for the references they hold.
        target[name] = value;
      }
    }
  }
  return merged;
}

const check = async (hcl: string) => checkConfiguration(await parseModule({ 'snippet.tf': hcl }), schemas);

describe('the module against the azurerm, random and time provider schemas', () => {
  let module: ParsedConfig;
  beforeAll(async () => {
    const dir = new URL('iac/', ROOT);
    const files = Object.fromEntries(
      readdirSync(dir)
        .filter((f) => f.endsWith('.tf'))
        .map((f) => [f, readFileSync(new URL(f, dir), 'utf8')]),
    );
    module = await parseModule(files);
  });

  it('pins the provider versions the module was checked against', () => {
    // The module may use arguments added up to the checked version, so that version is its floor.
    const checked = schemas.providers.azurerm?.version.split('.').slice(0, 2).join('.');
    const versions = readFileSync(new URL('iac/versions.tf', ROOT), 'utf8');
    expect(/azurerm[\s\S]*?version\s*=\s*"~> ([\d.]+)"/.exec(versions)?.[1]).toBe(checked);
  });

  it('uses only arguments and blocks the providers define, with every required one set', () => {
    expect(checkConfiguration(module, schemas)).toEqual([]);
  });

  it('reads only attributes that the referenced resources export', () => {
    // The check above covers references too; this proves it looked at some.
    const text = JSON.stringify(module);
    expect(text).toMatch(/azurerm_user_assigned_identity\.worker\.principal_id/);
    expect(text).toMatch(/azurerm_linux_function_app\.cloudo\.default_hostname/);
  });
});

describe('the provider schema check finds what terraform validate would', () => {
  it('accepts a correct resource', async () => {
    expect(
      await check(`
        resource "azurerm_storage_account" "a" {
          name = "x"
          resource_group_name = "rg"
          location = "westeurope"
          account_tier = "Standard"
          account_replication_type = "LRS"
          blob_properties {
            delete_retention_policy { days = 7 }
          }
        }
        resource "azurerm_storage_queue" "q" {
          name = "q"
          storage_account_id = azurerm_storage_account.a.id
        }`),
    ).toEqual([]);
  });

  it('reports a misspelt argument and an unknown nested block', async () => {
    expect(
      await check(`
        resource "azurerm_storage_queue" "q" {
          name = "q"
          storage_acount_id = "x"
          retention { days = 1 }
        }`),
    ).toEqual([
      'azurerm_storage_queue.q: one of "storage_account_id", "storage_account_name" must be set',
      'azurerm_storage_queue.q: unsupported argument or block "retention"',
      'azurerm_storage_queue.q: unsupported argument or block "storage_acount_id"',
    ]);
  });

  it('reports missing required arguments and blocks, also inside nested and dynamic blocks', async () => {
    const problems = await check(`
      resource "azurerm_container_app" "w" {
        name = "w"
        resource_group_name = "rg"
        container_app_environment_id = "e"
        revision_mode = "Single"
        template {
          dynamic "container" {
            for_each = [1]
            content {
              name = "c"
              cpu = 1
            }
          }
        }
      }
      resource "azurerm_key_vault" "kv" {
        name = "kv"
      }`);
    expect(problems).toContain('azurerm_container_app.w.template.container: missing required argument "image"');
    expect(problems).toContain('azurerm_key_vault.kv: missing required argument "sku_name"');
    expect(problems).toContain('azurerm_key_vault.kv: missing required argument "tenant_id"');
    expect(
      await check(`
        resource "azurerm_linux_function_app" "f" {
          name = "f"
          resource_group_name = "rg"
          location = "l"
          service_plan_id = "p"
        }`),
    ).toEqual([
      'azurerm_linux_function_app.f: missing required block "site_config"',
      'azurerm_linux_function_app.f: one of "storage_account_name", "storage_key_vault_secret_id" must be set',
    ]);
  });

  it('reports a block written as an argument and an argument written as a block', async () => {
    expect(
      await check(`
        resource "azurerm_user_assigned_identity" "i" {
          name = "i"
          resource_group_name = "rg"
          location = "l"
          timeouts = { create = "5m" }
          tags { a = "b" }
        }`),
    ).toEqual([
      'azurerm_user_assigned_identity.i: tags is an argument, not a block (write tags = …)',
      'azurerm_user_assigned_identity.i: timeouts is a block, not an argument (write timeouts { … })',
    ]);
  });

  it('reports references to undeclared resources and to attributes a resource does not export', async () => {
    expect(
      await check(`
        resource "azurerm_user_assigned_identity" "i" {
          name = "i"
          resource_group_name = "rg"
          location = "l"
        }
        data "azurerm_client_config" "current" {}
        resource "azurerm_role_assignment" "r" {
          scope = data.azurerm_client_config.current.subscription_id
          principal_id = azurerm_user_assigned_identity.i.object_id
          role_definition_name = azurerm_user_assigned_identity.other.name
        }
        output "x" { value = data.azurerm_client_config.curent.tenant_id }`),
    ).toEqual([
      'azurerm_user_assigned_identity.i.object_id: azurerm_user_assigned_identity has no attribute "object_id"',
      'azurerm_user_assigned_identity.other.name: no resource "azurerm_user_assigned_identity" "other" is declared',
      'data.azurerm_client_config.curent.tenant_id: no data "azurerm_client_config" "curent" is declared',
    ]);
  });
});
