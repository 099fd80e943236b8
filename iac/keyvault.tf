# Key Vault: every secret of the module. Apps read them through Key Vault references (Functions) or
# Key Vault secret references (Container Apps); no secret is ever a plain app setting.

resource "random_password" "signing_key" {
  length  = 64
  special = false
}

# signs wake-up nudges (CLOUDO_WAKE_KEY), shared by the app and the workers; only where nudges can travel
resource "random_password" "wake_key" {
  count   = local.wake_enabled ? 1 : 0
  length  = 48
  special = false
}

# signs the workers' calls to the app (CLOUDO_WORKER_KEY): a run's own Azure token (issue 20)
resource "random_password" "worker_key" {
  length  = 48
  special = false
}

resource "azurerm_key_vault" "cloudo" {
  name                       = local.key_vault_name
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

# the identity running Terraform writes the secrets
resource "azurerm_role_assignment" "kv_deployer" {
  scope                = azurerm_key_vault.cloudo.id
  role_definition_name = "Key Vault Secrets Officer"
  principal_id         = data.azurerm_client_config.current.object_id
}

# ...and creates the OIDC signing key (below): Secrets Officer covers secrets only
resource "azurerm_role_assignment" "kv_deployer_crypto" {
  scope                = azurerm_key_vault.cloudo.id
  role_definition_name = "Key Vault Crypto Officer"
  principal_id         = data.azurerm_client_config.current.object_id
}

resource "azurerm_role_assignment" "kv_app" {
  scope                = azurerm_key_vault.cloudo.id
  role_definition_name = "Key Vault Secrets User"
  principal_id         = azurerm_user_assigned_identity.app.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "kv_worker" {
  scope                = azurerm_key_vault.cloudo.id
  role_definition_name = "Key Vault Secrets User"
  principal_id         = azurerm_user_assigned_identity.worker.principal_id
  principal_type       = "ServicePrincipal"
}

locals {
  # team => Key Vault secret name; team names are not secret, and for_each cannot take sensitive keys
  team_slack_token_secrets = {
    for team in nonsensitive(keys(var.team_slack_tokens)) : team => "team-slack-token-${lower(replace(team, "_", "-"))}"
  }
  team_opsgenie_key_secrets = {
    for team in nonsensitive(keys(var.team_opsgenie_api_keys)) : team => "team-opsgenie-api-key-${lower(replace(team, "_", "-"))}"
  }

  # secret name => value; only the ones configured are created
  app_secrets = merge(
    { for team, name in local.team_slack_token_secrets : name => var.team_slack_tokens[team] },
    { for team, name in local.team_opsgenie_key_secrets : name => var.team_opsgenie_api_keys[team] },
    { "cloudo-signing-key" = coalesce(var.signing_key, random_password.signing_key.result) },
    { "cloudo-worker-key" = random_password.worker_key.result },
    local.wake_enabled ? { "cloudo-wake-key" = random_password.wake_key[0].result } : {},
    local.slack_enabled ? { "slack-token" = var.slack_integration.token } : {},
    local.slack_interactive ? { "slack-signing-secret" = var.slack_signing_secret } : {},
    local.opsgenie_enabled ? { "opsgenie-api-key" = var.opsgenie_api_key } : {},
    local.pagerduty_enabled ? { "pagerduty-routing-key" = var.pagerduty_routing_key } : {},
    local.easy_auth_enabled ? { "easy-auth-client-secret" = var.easy_auth.client_secret } : {},
    local.github_token_set ? { "github-token" = var.github_repo_info.repo_token } : {},
    local.worker_registry_auth ? { "worker-registry-password" = var.worker_image.registry_password } : {},
  )
  app_secret_names = toset(concat(
    ["cloudo-signing-key", "cloudo-worker-key"],
    local.wake_enabled ? ["cloudo-wake-key"] : [],
    local.slack_enabled ? ["slack-token"] : [],
    local.slack_interactive ? ["slack-signing-secret"] : [],
    local.opsgenie_enabled ? ["opsgenie-api-key"] : [],
    local.pagerduty_enabled ? ["pagerduty-routing-key"] : [],
    local.easy_auth_enabled ? ["easy-auth-client-secret"] : [],
    local.github_token_set ? ["github-token"] : [],
    local.worker_registry_auth ? ["worker-registry-password"] : [],
    values(local.team_slack_token_secrets),
    values(local.team_opsgenie_key_secrets),
  ))
}

resource "azurerm_key_vault_secret" "app" {
  for_each     = local.app_secret_names
  name         = each.value
  value        = local.app_secrets[each.value]
  key_vault_id = azurerm_key_vault.cloudo.id
  content_type = "text/plain"
  tags         = local.tags

  depends_on = [time_sleep.role_propagation]
}

# The key the Functions app signs runs' federated tokens with, as ClouDO's OIDC issuer (src/signing/,
# CLOUDO_OIDC_KEY_ID): created in the vault and never exportable, it signs through the keys API, so no
# private key exists outside Key Vault. The app names it without a version and signs with the newest one;
# a rotated-out version stays in its JWKS for CLOUDO_OIDC_KEY_GRACE_MS (default a day), well inside the
# time before that version expires, so tokens it signed still verify.
resource "azurerm_key_vault_key" "oidc_signing" {
  name         = "cloudo-oidc-signing-key"
  key_vault_id = azurerm_key_vault.cloudo.id
  key_type     = "RSA"
  key_size     = 2048
  key_opts     = ["sign", "verify"]
  tags         = local.tags

  # Key Vault makes a new version every 90 days; each expires after 180, long after the next one signs
  rotation_policy {
    expire_after         = "P180D"
    notify_before_expiry = "P30D"

    automatic {
      time_after_creation = "P90D"
    }
  }

  # written as the deployer (Crypto Officer), the way the secrets are: once the role works and, with
  # private_networking, through the vault's private endpoint or from deployer_ip_ranges
  depends_on = [time_sleep.role_propagation]
}

# Get, list and sign on that key only (Key Vault Crypto User at the key's scope), for the app alone: the
# workers never sign, and a worker that could would mint tokens for any runbook identity.
resource "azurerm_role_assignment" "oidc_key_app" {
  scope                = azurerm_key_vault_key.oidc_signing.resource_versionless_id
  role_definition_name = "Key Vault Crypto User"
  principal_id         = azurerm_user_assigned_identity.app.principal_id
  principal_type       = "ServicePrincipal"
}

# The key exists only after role_propagation, so its role cannot be waited for there: the app waits here
resource "time_sleep" "oidc_key_role_propagation" {
  create_duration = var.role_propagation_wait
  triggers = {
    key_id = azurerm_key_vault_key.oidc_signing.versionless_id
  }
  depends_on = [azurerm_role_assignment.oidc_key_app]
}
