# Managed identities and role assignments.

resource "azurerm_user_assigned_identity" "app" {
  name                = "${local.name}-app-id"
  resource_group_name = var.resource_group_name
  location            = var.location
  tags                = local.tags
}

resource "azurerm_user_assigned_identity" "worker" {
  name                = "${local.name}-worker-id"
  resource_group_name = var.resource_group_name
  location            = var.location
  tags                = local.tags
}

locals {
  # data roles each ClouDO process needs on the account: tables, queues, blobs
  storage_data_roles = ["Storage Table Data Contributor", "Storage Queue Data Contributor", "Storage Blob Data Contributor"]
  storage_role_assignments = merge(
    { for r in local.storage_data_roles : "app-${r}" => { role = r, principal_id = azurerm_user_assigned_identity.app.principal_id } },
    { for r in local.storage_data_roles : "worker-${r}" => { role = r, principal_id = azurerm_user_assigned_identity.worker.principal_id } },
  )

  aks_role_assignments = merge([
    for key, roles in var.custom_roles_per_aks : {
      for role in roles : "${key}|${role}" => {
        scope = try(var.aks_integration[key].cluster_id, "")
        role  = role
      }
    }
  ]...)

  custom_role_assignments = {
    for i, a in var.custom_role_assignments : "${i}|${a.role}|${a.scope}" => {
      scope        = a.scope
      by_id        = startswith(a.role, "/")
      role         = a.role
      principal_id = coalesce(a.principal_id, azurerm_user_assigned_identity.worker.principal_id)
    }
  }
}

resource "azurerm_role_assignment" "storage" {
  for_each             = local.storage_role_assignments
  scope                = azurerm_storage_account.cloudo.id
  role_definition_name = each.value.role
  principal_id         = each.value.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "aks" {
  for_each             = local.aks_role_assignments
  scope                = each.value.scope
  role_definition_name = each.value.role
  principal_id         = azurerm_user_assigned_identity.worker.principal_id
  principal_type       = "ServicePrincipal"

  lifecycle {
    precondition {
      condition     = each.value.scope != ""
      error_message = "custom_roles_per_aks keys must be keys of aks_integration."
    }
  }
}

resource "azurerm_role_assignment" "subscription" {
  for_each             = toset(var.custom_roles_subscription)
  scope                = data.azurerm_subscription.current.id
  role_definition_name = each.value
  principal_id         = azurerm_user_assigned_identity.worker.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "custom" {
  for_each             = local.custom_role_assignments
  scope                = each.value.scope
  role_definition_name = each.value.by_id ? null : each.value.role
  role_definition_id   = each.value.by_id ? each.value.role : null
  principal_id         = each.value.principal_id
}
