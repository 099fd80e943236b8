# Action group: Azure Monitor alerts call the Trigger endpoint with the common alert schema, either with
# a function key of its own in the URL or as a Secure Webhook (Entra ID token, CLOUDO_WEBHOOK_* on the app).
#
# The function key is made here, at plan time, not read from the running host: the Functions host keeps
# its keys in a Key Vault of their own (AzureWebJobsSecretStorageType = keyvault, functions.tf), and a
# secret named function--Trigger--<key name> there is a key of the Trigger function. So the action group
# never waits for the app to answer and never holds the master or host key. To rotate the key, replace
# it: terraform apply -replace='module.cloudo.random_password.trigger_key[0]'.

locals {
  trigger_key_enabled = var.secure_webhook == null
  # Key Vault secret names allow letters, digits and "-": the host's KeyVaultSecretsRepository writes
  # function keys as function--<function>--<key>, other characters as -<3-digit code>
  trigger_key_secret_name = "function--Trigger--${var.trigger_key_name}"
  trigger_base_url        = "https://${azurerm_linux_function_app.cloudo.default_hostname}/api/Trigger"
  trigger_url = (local.trigger_key_enabled
    ? "${local.trigger_base_url}?code=${one(random_password.trigger_key[*].result)}"
    : local.trigger_base_url
  )
  # the audit log names the key by its fingerprint (src/core/function-key.ts); a fingerprint is no secret
  trigger_key_fingerprint = local.trigger_key_enabled ? {
    (var.trigger_key_name) = "sha256:${nonsensitive(substr(sha256(one(random_password.trigger_key[*].result)), 0, 12))}"
  } : {}
}

resource "random_password" "trigger_key" {
  count   = local.trigger_key_enabled ? 1 : 0
  length  = 56
  special = false
}

# Keys of the Functions host (master, host, system and function keys): the app identity writes them, so
# they live apart from the module's other secrets, which it may only read.
resource "azurerm_key_vault" "function_keys" {
  name                       = local.function_keys_vault_name
  resource_group_name        = var.resource_group_name
  location                   = var.location
  tenant_id                  = local.tenant_id
  sku_name                   = "standard"
  rbac_authorization_enabled = true
  purge_protection_enabled   = var.key_vault_purge_protection_enabled
  soft_delete_retention_days = 7
  # private_networking: reached through a private endpoint (network.tf), publicly by deployer_ip_ranges only
  public_network_access_enabled = local.public_access_on
  tags                          = local.tags

  dynamic "network_acls" {
    for_each = local.private_enabled ? [1] : []
    content {
      default_action = "Deny"
      bypass         = "AzureServices"
      ip_rules       = local.deployer_ip_ranges
    }
  }
}

resource "azurerm_role_assignment" "function_keys_app" {
  scope                = azurerm_key_vault.function_keys.id
  role_definition_name = "Key Vault Secrets Officer"
  principal_id         = azurerm_user_assigned_identity.app.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "function_keys_deployer" {
  scope                = azurerm_key_vault.function_keys.id
  role_definition_name = "Key Vault Secrets Officer"
  principal_id         = data.azurerm_client_config.current.object_id
}

resource "azurerm_key_vault_secret" "trigger_key" {
  count        = local.trigger_key_enabled ? 1 : 0
  name         = local.trigger_key_secret_name
  value        = random_password.trigger_key[0].result
  key_vault_id = azurerm_key_vault.function_keys.id
  content_type = "text/plain"
  tags         = local.tags

  depends_on = [time_sleep.role_propagation]
}

resource "azurerm_monitor_action_group" "cloudo" {
  name                = "${local.name}-ag"
  resource_group_name = var.resource_group_name
  short_name          = var.action_group_short_name
  tags                = local.tags

  webhook_receiver {
    name                    = "cloudo-trigger"
    service_uri             = local.trigger_url
    use_common_alert_schema = true

    dynamic "aad_auth" {
      for_each = var.secure_webhook == null ? [] : [var.secure_webhook]
      content {
        object_id      = aad_auth.value.object_id
        identifier_uri = aad_auth.value.identifier_uri
        tenant_id      = coalesce(aad_auth.value.tenant_id, local.tenant_id)
      }
    }
  }
}
