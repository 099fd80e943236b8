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
  # Data roles on the account. The Functions host keeps its locks, leases and keys in blobs and needs
  # Blob Data Owner for identity-based AzureWebJobsStorage; the workers only append logs.
  app_storage_roles    = ["Storage Table Data Contributor", "Storage Queue Data Contributor", "Storage Blob Data Owner"]
  worker_storage_roles = ["Storage Table Data Contributor", "Storage Queue Data Contributor", "Storage Blob Data Contributor"]
  storage_role_assignments = merge(
    { for r in local.app_storage_roles : "app-${r}" => { role = r, principal_id = azurerm_user_assigned_identity.app.principal_id, type = "ServicePrincipal" } },
    { for r in local.worker_storage_roles : "worker-${r}" => { role = r, principal_id = azurerm_user_assigned_identity.worker.principal_id, type = "ServicePrincipal" } },
    # without shared keys the provider creates the tables through the data plane as the deployer
    var.storage_shared_key_enabled ? {} : {
      "deployer-Storage Table Data Contributor" = {
        role = "Storage Table Data Contributor", principal_id = data.azurerm_client_config.current.object_id, type = null
      }
    },
  )

  # Every cluster of aks_integration gets aks_cluster_roles (what the original module granted), then the
  # roles of custom_roles_per_aks. Keyed by cluster and role: a role in both lists is one assignment.
  aks_cluster_role_grants = merge(
    {
      for pair in setproduct(keys(var.aks_integration), var.aks_cluster_roles) : "${pair[0]}|${pair[1]}" => {
        scope = var.aks_integration[pair[0]].cluster_id
        role  = pair[1]
      }
    },
    [
      for key, roles in var.custom_roles_per_aks : {
        for role in roles : "${key}|${role}" => {
          scope = try(var.aks_integration[key].cluster_id, "")
          role  = role
        }
      }
    ]...
  )
  # Each grant goes to the default runbook identity (what runbooks may do), never to the workers': a run
  # fetches its cluster's credentials and runs kubectl as its own identity, logged in with its federated
  # token (workers/run/aks-credentials.ts, kubelogin -l workloadidentity). The "runbook|" keys are those
  # these grants had when the workers' identity held the same roles under the bare keys: an upgrade keeps
  # the runbook identity's assignments and deletes the workers'.
  aks_role_assignments = {
    for key, grant in local.aks_cluster_role_grants : "runbook|${key}" => merge(grant, { principal_id = azurerm_user_assigned_identity.runbook.principal_id })
  }

  # keyed by content, not position: reordering the list must not recreate assignments
  custom_role_assignments = {
    # without principal_id: what runbooks may do, granted to the default runbook identity (never the workers')
    for a in var.custom_role_assignments : "${a.role}|${a.scope}|${coalesce(a.principal_id, "runbooks")}" => {
      scope        = a.scope
      by_id        = startswith(a.role, "/")
      role         = a.role
      principal_id = coalesce(a.principal_id, azurerm_user_assigned_identity.runbook.principal_id)
      # a brand-new identity may not have replicated yet: saying what it is lets ARM wait for it
      principal_type = a.principal_id == null ? "ServicePrincipal" : null
    }
  }
}

resource "azurerm_role_assignment" "storage" {
  for_each             = local.storage_role_assignments
  scope                = azurerm_storage_account.cloudo.id
  role_definition_name = each.value.role
  principal_id         = each.value.principal_id
  principal_type       = each.value.type
}

resource "azurerm_role_assignment" "aks" {
  for_each             = local.aks_role_assignments
  scope                = each.value.scope
  role_definition_name = each.value.role
  principal_id         = each.value.principal_id
  principal_type       = "ServicePrincipal"

  lifecycle {
    precondition {
      condition     = each.value.scope != ""
      error_message = "custom_roles_per_aks keys must be keys of aks_integration."
    }
  }
}

# what runbooks may do on the subscription: the default runbook identity's, never the workers'
resource "azurerm_role_assignment" "subscription" {
  for_each             = toset(var.custom_roles_subscription)
  scope                = data.azurerm_subscription.current.id
  role_definition_name = each.value
  principal_id         = azurerm_user_assigned_identity.runbook.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "custom" {
  for_each             = local.custom_role_assignments
  scope                = each.value.scope
  role_definition_name = each.value.by_id ? null : each.value.role
  role_definition_id   = each.value.by_id ? each.value.role : null
  principal_id         = each.value.principal_id
  principal_type       = each.value.principal_type
}

# Role assignments take effect only minutes after they are created. Writing the Key Vault secrets, the
# apps resolving their Key Vault references and the tables (without shared keys) wait for them here
# instead of failing the first apply. With private_networking they also wait for the private endpoints and
# their DNS (network.tf): from inside the VNet, storage and the vaults are reached only through them.
resource "time_sleep" "role_propagation" {
  create_duration = var.role_propagation_wait
  depends_on = [
    azurerm_role_assignment.storage,
    azurerm_role_assignment.kv_deployer,
    azurerm_role_assignment.kv_deployer_crypto,
    azurerm_role_assignment.kv_app,
    azurerm_role_assignment.kv_worker,
    azurerm_role_assignment.function_keys_app,
    azurerm_role_assignment.function_keys_deployer,
    azurerm_private_endpoint.cloudo,
    azurerm_private_dns_zone_virtual_network_link.cloudo,
  ]
}
