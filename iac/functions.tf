# The Functions app (orchestrator, API and console) on a Linux App Service plan.

resource "azurerm_service_plan" "cloudo" {
  name                = "${local.name}-plan"
  resource_group_name = var.resource_group_name
  location            = var.location
  os_type             = "Linux"
  sku_name            = var.service_plan_sku
  tags                = local.tags
}

locals {
  # Identity-based AzureWebJobsStorage: the host and the code (src/core/settings.ts) read the same names.
  # The provider writes AzureWebJobsStorage__accountName itself (storage_uses_managed_identity) and hides
  # it from app_settings, so setting it here too would show a change at every plan.
  storage_identity_settings = {
    "AzureWebJobsStorage__credential" = "managedidentity"
    "AzureWebJobsStorage__clientId"   = azurerm_user_assigned_identity.app.client_id
  }

  webhook_settings = var.secure_webhook == null ? {} : {
    "CLOUDO_WEBHOOK_TENANT_ID" = coalesce(var.secure_webhook.tenant_id, local.tenant_id)
    # a v2 access token's aud is the application id, a v1 token's the identifier URI: accept both
    "CLOUDO_WEBHOOK_AUDIENCES"       = join(",", compact([var.secure_webhook.identifier_uri, var.secure_webhook.application_id]))
    "CLOUDO_WEBHOOK_ALLOWED_APP_IDS" = join(",", var.secure_webhook.allowed_app_ids)
    "CLOUDO_WEBHOOK_APP_ROLE"        = var.secure_webhook.app_role
  }

  # the original ClouDO's per-team settings (src/core/team-notify-settings.ts reads them): SLACK_TOKEN_<TEAM>,
  # TEAM upper-cased with "-" as "_"; secrets as Key Vault references, like every other secret
  team_notify_settings = merge(
    { for team, secret in local.team_slack_token_secrets : "SLACK_TOKEN_${upper(replace(team, "-", "_"))}" => local.kv_ref[secret] },
    { for team, secret in local.team_opsgenie_key_secrets : "OPSGENIE_API_KEY_${upper(replace(team, "-", "_"))}" => local.kv_ref[secret] },
    { for team, channel in var.team_slack_channels : "SLACK_CHANNEL_${upper(replace(team, "-", "_"))}" => channel },
  )

  app_settings = merge(
    # the user's extra settings first: the ones this module manages win
    var.app_settings,
    local.team_notify_settings,
    local.storage_identity_settings,
    local.webhook_settings,
    {
      "CLOUDO_ENV"               = "production"
      "CLOUDO_STORAGE_NAMESPACE" = var.storage_namespace
      "CLOUDO_SIGNING_KEY"       = local.kv_ref["cloudo-signing-key"]
      # signs the nudges that wake a worker once its run is queued; empty (none sent) without private networking
      "CLOUDO_WAKE_KEY" = local.wake_enabled ? local.kv_ref["cloudo-wake-key"] : ""
      # checks the workers' signed calls, such as a run's federated token (src/core/worker-signature.ts)
      "CLOUDO_WORKER_KEY"         = local.kv_ref["cloudo-worker-key"]
      "CLOUDO_PUBLIC_URL"         = local.public_url
      "CLOUDO_TRUST_EASY_AUTH"    = local.easy_auth_enabled ? "true" : "false"
      "CLOUDO_TRIGGER_AUTH_LEVEL" = var.secure_webhook == null ? "function" : "anonymous"
      # empty when not configured: the code reads blank settings as unset
      "SLACK_TOKEN"           = local.slack_enabled ? local.kv_ref["slack-token"] : ""
      "SLACK_CHANNEL_DEFAULT" = local.slack_enabled ? nonsensitive(var.slack_integration.channel) : ""
      "SLACK_SIGNING_SECRET"  = local.slack_interactive ? local.kv_ref["slack-signing-secret"] : ""
      "OPSGENIE_API_KEY"      = local.opsgenie_enabled ? local.kv_ref["opsgenie-api-key"] : ""
      "OPSGENIE_REGION"       = var.opsgenie_region
      "PAGERDUTY_ROUTING_KEY" = local.pagerduty_enabled ? local.kv_ref["pagerduty-routing-key"] : ""
      # notification routing (validated by the app at start-up, with the JSON path of any mistake)
      "CLOUDO_ROUTING_RULES" = var.routing_rules
      "CLOUDO_CORS_ORIGINS"  = join(",", var.cors_origins)
      # the host keeps a key's name from the app: the audit log names keys by these fingerprints
      "CLOUDO_FUNCTION_KEY_NAMES" = join(",", [for name, fingerprint in merge(local.trigger_key_fingerprint, var.function_key_names) : "${name}=${fingerprint}"])
      # the host's keys live in a Key Vault of their own, where the module puts the Trigger key (monitor.tf)
      "AzureWebJobsSecretStorageType"             = "keyvault"
      "AzureWebJobsSecretStorageKeyVaultUri"      = azurerm_key_vault.function_keys.vault_uri
      "AzureWebJobsSecretStorageKeyVaultClientId" = azurerm_user_assigned_identity.app.client_id
      # the schema registry's content, imported by the app at start (src/functions/deployed-schemas.ts)
      "CLOUDO_SCHEMAS_JSON"  = var.schemas
      "CLOUDO_SCHEMAS_PRUNE" = var.schemas_prune ? "true" : "false"
      # runs of `aks_credentials: auto` schemas get credentials for these clusters' alerts (src/core/aks-cluster.ts)
      "CLOUDO_AKS_CLUSTERS" = join(",", [for key in sort(keys(var.aks_integration)) : var.aks_integration[key].cluster_id])
      # runbooks' own identities (runbook-identity.tf): the issuer the app mints run tokens as, which every
      # federated credential trusts; the identities a schema's `identity` names; the default one
      "CLOUDO_OIDC_ISSUER" = local.oidc_issuer
      # the Key Vault key it signs them with (keyvault.tf), versionless: the newest version signs; read
      # through the time_sleep so the app starts only once its Crypto User role on the key works
      "CLOUDO_OIDC_KEY_ID"        = time_sleep.oidc_key_role_propagation.triggers["key_id"]
      "CLOUDO_RUNBOOK_IDENTITIES" = jsonencode(local.runbook_identity_client_ids)
      "CLOUDO_RUNBOOK_CLIENT_ID"  = azurerm_user_assigned_identity.runbook.client_id
      "AZURE_TENANT_ID"           = local.tenant_id
      # what Housekeeping purges, and when (the blobs' lifecycle rule follows retention_days: storage.tf)
      "CLOUDO_RETENTION_DAYS"       = tostring(var.retention_days)
      "CLOUDO_AUDIT_RETENTION_DAYS" = tostring(var.audit_retention_days)
    },
    local.easy_auth_enabled ? {
      "MICROSOFT_PROVIDER_AUTHENTICATION_SECRET" = local.kv_ref["easy-auth-client-secret"]
    } : {},
    # isolated runs (isolated-runs.tf): housekeeping lists and deletes orphan container groups there, as
    # the app's identity (read and delete only); absent when off, so an existing deployment's plan is unchanged
    local.isolated_runs_enabled ? {
      "CLOUDO_ACI_RESOURCE_GROUP_ID" = local.aci_resource_group_id
      "CLOUDO_ACI_CLIENT_ID"         = azurerm_user_assigned_identity.app.client_id
    } : {},
    # Owned here, or the next apply would drop the "1" a zip deploy sets and unmount the code; the
    # provider's own zip deploy (functions_package_path) needs it too.
    !local.orchestrator_image_set ? {
      "WEBSITE_RUN_FROM_PACKAGE" = coalesce(var.functions_package_url, "1")
    } : {},
    # the container's own ENV says so too; the platform needs it for a custom image
    local.orchestrator_image_set ? {
      "FUNCTIONS_WORKER_RUNTIME"            = "node"
      "WEBSITES_ENABLE_APP_SERVICE_STORAGE" = "false"
    } : {},
  )
}

resource "azurerm_linux_function_app" "cloudo" {
  name                          = local.function_app_name
  resource_group_name           = var.resource_group_name
  location                      = var.location
  service_plan_id               = azurerm_service_plan.cloudo.id
  https_only                    = true
  functions_extension_version   = "~4"
  storage_account_name          = azurerm_storage_account.cloudo.name
  storage_uses_managed_identity = true
  builtin_logging_enabled       = false
  # no FTP or WebDeploy with a user name and password: deploy with Entra ID (az CLI, zip deploy)
  ftp_publish_basic_authentication_enabled       = false
  webdeploy_publish_basic_authentication_enabled = false
  key_vault_reference_identity_id                = azurerm_user_assigned_identity.app.id
  # private_networking: outbound through the VNet, where storage and the vaults have private endpoints
  virtual_network_subnet_id = local.functions_subnet_id
  app_settings              = local.app_settings
  tags                      = local.tags

  # the package of `npm run package`, deployed by the provider (zip deploy, run from package) when given
  zip_deploy_file = local.orchestrator_image_set ? null : var.functions_package_path

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.app.id]
  }

  site_config {
    always_on                               = !startswith(var.service_plan_sku, "EP")
    ftps_state                              = "Disabled"
    minimum_tls_version                     = "1.2"
    scm_minimum_tls_version                 = "1.2"
    http2_enabled                           = true
    vnet_route_all_enabled                  = local.private_enabled
    application_insights_connection_string  = data.azurerm_application_insights.this.connection_string
    container_registry_use_managed_identity = local.orchestrator_registry_identity

    # an image in the module's registry is pulled with the app identity (AcrPull), with no password
    container_registry_managed_identity_client_id = local.orchestrator_registry_identity ? azurerm_user_assigned_identity.app.client_id : null

    app_service_logs {
      retention_period_days = var.app_service_logs.retention_period_days
      disk_quota_mb         = var.app_service_logs.disk_quota_mb
    }

    application_stack {
      node_version = local.orchestrator_image_set ? null : "22"

      dynamic "docker" {
        for_each = local.orchestrator_image_set ? [1] : []
        content {
          registry_url      = local.orchestrator_registry_url
          image_name        = var.orchestrator_image.image_name
          image_tag         = var.orchestrator_image.image_tag
          registry_username = local.orchestrator_registry_identity ? null : var.orchestrator_image.registry_username
          registry_password = local.orchestrator_registry_identity ? null : var.orchestrator_image.registry_password
        }
      }
    }
  }

  # Easy Auth for the console: anonymous requests still reach the app (function keys, API tokens,
  # Secure Webhook tokens); signed-in users arrive with x-ms-client-principal (CLOUDO_TRUST_EASY_AUTH).
  dynamic "auth_settings_v2" {
    for_each = local.easy_auth_enabled ? [1] : []
    content {
      auth_enabled           = true
      require_authentication = false
      unauthenticated_action = "AllowAnonymous"
      default_provider       = "azureactivedirectory"
      require_https          = true

      active_directory_v2 {
        client_id                  = nonsensitive(var.easy_auth.client_id)
        client_secret_setting_name = "MICROSOFT_PROVIDER_AUTHENTICATION_SECRET"
        tenant_auth_endpoint       = "https://login.microsoftonline.com/${coalesce(nonsensitive(var.easy_auth.tenant_id), local.tenant_id)}/v2.0"
        # Secure Webhook tokens carry their own audience: Easy Auth must not turn them away
        allowed_audiences = concat(
          ["api://${nonsensitive(var.easy_auth.client_id)}"],
          nonsensitive(var.easy_auth.allowed_audiences),
          var.secure_webhook == null ? [] : compact([var.secure_webhook.identifier_uri, var.secure_webhook.application_id]),
        )
      }

      login {
        token_store_enabled = true
      }
    }
  }

  # Key Vault references resolve only once the app identity's role works; an unresolved one reaches the
  # app as the literal "@Microsoft.KeyVault(...)" (which the app refuses), so wait for propagation.
  # the Trigger function's key is in the keys vault before the host first reads its keys
  # an image from the module's registry is pulled only once AcrPull works
  depends_on = [time_sleep.role_propagation, azurerm_key_vault_secret.trigger_key, time_sleep.acr_pull_propagation]

  lifecycle {
    precondition {
      condition     = var.functions_package_path == null || !local.orchestrator_image_set
      error_message = "functions_package_path and orchestrator_image exclude each other: the app runs either the package or the image."
    }
    precondition {
      condition     = var.functions_package_path == null || var.functions_package_url == null
      error_message = "functions_package_path and functions_package_url exclude each other: the module deploys the file, or the app runs from the URL."
    }
  }
}
