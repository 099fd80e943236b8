# Diagnostic settings: platform logs and metrics of the app, storage (the account's metrics and the
# blob, queue and table services' logs), both Key Vaults (who read or wrote which secret), the Container
# Apps environment and the registry, to log_analytics_workspace_id. None without a workspace.

locals {
  # which settings exist must be known at plan: a workspace created in the same apply has no id yet, so
  # diagnostic_settings_enabled = true says so; null follows whether the (then known) id is given
  diagnostics_enabled = var.diagnostic_settings_enabled != null ? var.diagnostic_settings_enabled : var.log_analytics_workspace_id != null
  storage_id          = azurerm_storage_account.cloudo.id

  # target => whether it has logs (the storage account itself has only metrics)
  diagnostic_targets = local.diagnostics_enabled ? merge(
    {
      function_app              = { id = azurerm_linux_function_app.cloudo.id, logs = true }
      storage_account           = { id = local.storage_id, logs = false }
      storage_blob              = { id = "${local.storage_id}/blobServices/default", logs = true }
      storage_queue             = { id = "${local.storage_id}/queueServices/default", logs = true }
      storage_table             = { id = "${local.storage_id}/tableServices/default", logs = true }
      key_vault                 = { id = azurerm_key_vault.cloudo.id, logs = true }
      function_keys_vault       = { id = azurerm_key_vault.function_keys.id, logs = true }
      container_app_environment = { id = azurerm_container_app_environment.cloudo.id, logs = true }
    },
    local.container_registry_enabled ? {
      container_registry = { id = azurerm_container_registry.cloudo[0].id, logs = true }
    } : {},
  ) : {}
}

resource "azurerm_monitor_diagnostic_setting" "cloudo" {
  for_each                   = local.diagnostic_targets
  name                       = "${local.name}-diag"
  target_resource_id         = each.value.id
  log_analytics_workspace_id = var.log_analytics_workspace_id

  dynamic "enabled_log" {
    for_each = each.value.logs ? [1] : []
    content {
      category_group = "allLogs"
    }
  }

  enabled_metric {
    category = "AllMetrics"
  }

  lifecycle {
    precondition {
      condition     = var.log_analytics_workspace_id != null
      error_message = "diagnostic_settings_enabled = true needs log_analytics_workspace_id."
    }
  }
}
