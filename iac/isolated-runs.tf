# Isolated runs (issue 21, var.isolated_runs): a run of a schema with `isolation: container` runs in an
# Azure Container Instances container group of its own, which the worker that claims the run creates (the
# worker image in one-shot mode, the run's runbook identity attached, no public IP, in a subnet of the VNet
# with private_networking) and deletes; the Functions app's housekeeping deletes the groups a worker left
# behind. The settings are src/core/isolation-settings.ts's, set in functions.tf and workers.tf. Nothing
# here exists while isolated_runs.enabled is false.
#
# Each right is a custom role holding only the actions it is for, at the narrowest scope that works:
# - the workers: Microsoft.ContainerInstance/containerGroups/* on the groups' resource group;
# - the app: read and delete of container groups there, nothing else: the app faces the internet
#   (console, API, webhooks), and create or exec would let whoever takes it over run code, or read the
#   tokens of a running group's runbook identity;
# - the workers: userAssignedIdentities/assign/action on each identity a group may be given (every runbook
#   identity and the registry pull identity), never on the workers' or the app's own;
# - the workers: subnets/join/action on the groups' subnet only (private_networking).

locals {
  isolated_runs_enabled = var.isolated_runs.enabled

  # groups are created in the module's resource group unless isolated_runs names another, in the same
  # subscription (the workers' role is scoped to it: a group elsewhere is refused by ARM)
  aci_resource_group_name  = coalesce(var.isolated_runs.resource_group_name, var.resource_group_name)
  aci_resource_group_id    = "${data.azurerm_subscription.current.id}/resourceGroups/${local.aci_resource_group_name}"
  module_resource_group_id = "${data.azurerm_subscription.current.id}/resourceGroups/${var.resource_group_name}"
  # ACI wants a region's name (westeurope), which var.location may give as its display name (West Europe)
  aci_location = lower(replace(var.location, " ", ""))

  # what a run's group may be given (CLOUDO_ACI_IDENTITIES): every runbook_identities entry, and the
  # default runbook identity as `default` (which runbook_identities refuses as a name)
  aci_identities = local.isolated_runs_enabled ? merge(
    { for name, identity in azurerm_user_assigned_identity.runbook_named : name => { client_id = identity.client_id, resource_id = identity.id } },
    { default = { client_id = azurerm_user_assigned_identity.runbook.client_id, resource_id = azurerm_user_assigned_identity.runbook.id } },
  ) : {}

  # ACI pulls a private image only with an identity attached to the group itself, so the run inside can
  # use that identity too: never the workers' (ClouDO's storage and secrets), but one that can only pull
  # from the module's registry. Public images (or registries the groups cannot log in to) need none.
  aci_registry_pull = local.isolated_runs_enabled && local.worker_registry_identity

  # every identity a worker attaches to a group, keyed by what it is: assign/action on each, and only these
  aci_assignable_identities = merge(
    { for name, identity in local.aci_identities : "runbook-${name}" => identity.resource_id },
    local.aci_registry_pull ? { "registry-pull" = azurerm_user_assigned_identity.aci_pull[0].id } : {},
  )

  # the groups' subnet with private_networking: the fifth /24 of the VNet (network.tf), delegated to ACI
  aci_subnet_enabled = local.isolated_runs_enabled && local.private_enabled
  aci_subnet_id      = local.aci_subnet_enabled ? azurerm_subnet.cloudo["container_instances"].id : null
}

resource "azurerm_user_assigned_identity" "aci_pull" {
  count               = local.aci_registry_pull ? 1 : 0
  name                = "${local.name}-aci-pull-id"
  resource_group_name = var.resource_group_name
  location            = var.location
  tags                = local.tags
}

# The workers create, follow (state, logs) and delete the groups of their runs.
resource "azurerm_role_definition" "container_groups" {
  count             = local.isolated_runs_enabled ? 1 : 0
  name              = "${local.name}-container-groups${local.name_suffix_dash}"
  description       = "ClouDO workers: create, read, follow and delete the container groups of isolated runs."
  scope             = local.aci_resource_group_id
  assignable_scopes = [local.aci_resource_group_id]

  permissions {
    actions = ["Microsoft.ContainerInstance/containerGroups/*"]
  }

  lifecycle {
    precondition {
      condition     = local.worker_image_set && !local.worker_registry_auth
      error_message = "isolated_runs needs a worker_image the container groups can pull: from the module's registry (create_container_registry, pulled with an identity) or a public one. Container groups are given no registry password."
    }
  }
}

# The app's housekeeping lists the groups and deletes those whose run is over: read and delete only.
resource "azurerm_role_definition" "container_groups_cleanup" {
  count             = local.isolated_runs_enabled ? 1 : 0
  name              = "${local.name}-container-groups-cleanup${local.name_suffix_dash}"
  description       = "ClouDO Functions app: list and delete orphan container groups of isolated runs."
  scope             = local.aci_resource_group_id
  assignable_scopes = [local.aci_resource_group_id]

  permissions {
    actions = [
      "Microsoft.ContainerInstance/containerGroups/read",
      "Microsoft.ContainerInstance/containerGroups/delete",
    ]
  }
}

# Attaching a user-assigned identity to a group; assigned on each attachable identity, not on the group.
resource "azurerm_role_definition" "identity_assign" {
  count             = local.isolated_runs_enabled ? 1 : 0
  name              = "${local.name}-identity-assign${local.name_suffix_dash}"
  description       = "ClouDO workers: attach a runbook identity (or the registry pull identity) to an isolated run's container group."
  scope             = local.module_resource_group_id
  assignable_scopes = [local.module_resource_group_id]

  permissions {
    actions = ["Microsoft.ManagedIdentity/userAssignedIdentities/assign/action"]
  }
}

# Putting a group in the subnet; Network Contributor would also let the workers change or delete it.
resource "azurerm_role_definition" "subnet_join" {
  count             = local.aci_subnet_enabled ? 1 : 0
  name              = "${local.name}-subnet-join${local.name_suffix_dash}"
  description       = "ClouDO workers: put an isolated run's container group in its subnet."
  scope             = local.module_resource_group_id
  assignable_scopes = [local.module_resource_group_id]

  permissions {
    actions = ["Microsoft.Network/virtualNetworks/subnets/join/action"]
  }
}

locals {
  # keyed by who and what, known at plan (the identities' ids are not)
  isolated_runs_role_assignments = local.isolated_runs_enabled ? merge(
    {
      "worker|container-groups" = {
        role_definition_id = azurerm_role_definition.container_groups[0].role_definition_resource_id
        scope              = local.aci_resource_group_id
        principal_id       = azurerm_user_assigned_identity.worker.principal_id
      }
      "app|container-groups-cleanup" = {
        role_definition_id = azurerm_role_definition.container_groups_cleanup[0].role_definition_resource_id
        scope              = local.aci_resource_group_id
        principal_id       = azurerm_user_assigned_identity.app.principal_id
      }
    },
    {
      for key, id in local.aci_assignable_identities : "worker|identity-assign|${key}" => {
        role_definition_id = azurerm_role_definition.identity_assign[0].role_definition_resource_id
        scope              = id
        principal_id       = azurerm_user_assigned_identity.worker.principal_id
      }
    },
    local.aci_subnet_enabled ? {
      "worker|subnet-join" = {
        role_definition_id = azurerm_role_definition.subnet_join[0].role_definition_resource_id
        scope              = local.aci_subnet_id
        principal_id       = azurerm_user_assigned_identity.worker.principal_id
      }
    } : {},
  ) : {}
}

resource "azurerm_role_assignment" "isolated_runs" {
  for_each           = local.isolated_runs_role_assignments
  scope              = each.value.scope
  role_definition_id = each.value.role_definition_id
  principal_id       = each.value.principal_id
  principal_type     = "ServicePrincipal"
}
