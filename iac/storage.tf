# Storage: tables, queues and containers ClouDO uses, and the lifecycle policy of run logs.

resource "azurerm_storage_account" "cloudo" {
  name                            = local.storage_account_name
  resource_group_name             = var.resource_group_name
  location                        = var.location
  account_tier                    = "Standard"
  account_replication_type        = var.storage_replication_type
  account_kind                    = "StorageV2"
  min_tls_version                 = "TLS1_2"
  https_traffic_only_enabled      = true
  allow_nested_items_to_be_public = false
  # the apps and the KEDA queue scaler authenticate with their managed identities: no key is needed
  shared_access_key_enabled       = var.storage_shared_key_enabled
  default_to_oauth_authentication = true
  # private_networking: reached through private endpoints (network.tf), publicly by deployer_ip_ranges only
  public_network_access_enabled = local.public_access_on
  tags                          = local.tags

  dynamic "network_rules" {
    for_each = local.private_enabled ? [1] : []
    content {
      default_action = "Deny"
      bypass         = ["AzureServices"]
      ip_rules       = local.deployer_ip_ranges
    }
  }

  blob_properties {
    delete_retention_policy {
      days = 7
    }
  }
}

# azurerm 4.x creates tables through the data plane (azurerm_storage_table has no storage_account_id in
# 4.73, unlike queues and containers): with shared keys off, as the deployer's identity (provider
# storage_use_azuread = true), once its role works
resource "azurerm_storage_table" "cloudo" {
  for_each             = toset(local.tables)
  name                 = each.value
  storage_account_name = azurerm_storage_account.cloudo.name
  depends_on           = [time_sleep.role_propagation]
}

resource "azurerm_storage_queue" "cloudo" {
  for_each           = toset(local.queues)
  name               = each.value
  storage_account_id = azurerm_storage_account.cloudo.id
}

resource "azurerm_storage_container" "cloudo" {
  for_each              = toset(local.containers)
  name                  = each.value
  storage_account_id    = azurerm_storage_account.cloudo.id
  container_access_type = "private"
}

locals {
  # Housekeeping deletes a run's blobs with its row, once the day it was requested on is past
  # retention_days (so 1 day late at most), a batch a minute. The lifecycle rule is the backstop for a
  # blob that outlives its run (a crash between writing a payload and the run), and must not delete the
  # log of a run the console still shows: it runs once a day, on blobs counted from their creation (never
  # before the run's request), so a week more also covers Housekeeping working off a backlog.
  blob_retention_margin_days = 7
}

resource "azurerm_storage_management_policy" "cloudo" {
  storage_account_id = azurerm_storage_account.cloudo.id

  rule {
    name    = "delete-run-blobs"
    enabled = true

    filters {
      blob_types   = ["blockBlob", "appendBlob"]
      prefix_match = ["${local.logs_container}/", "${local.alert_payloads_container}/"]
    }

    actions {
      base_blob {
        delete_after_days_since_creation_greater_than = var.retention_days + local.blob_retention_margin_days
      }
    }
  }
}
