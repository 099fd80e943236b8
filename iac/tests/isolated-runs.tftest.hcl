# `terraform test` of the module, mocked providers (see roles.tftest.hcl for why): isolated runs
# (isolated-runs.tf). Off by default, nothing of them exists and no setting changes; on, each right is a
# custom role with exactly its actions, on exactly its scope, held by exactly its identity, and the app and
# the workers get the settings src/core/isolation-settings.ts reads. The mutation check of
# test/iac/terraform-test.test.ts runs this file once per isolated-runs mutant.

mock_provider "azurerm" {
  # an ARM id, as the settings need one (CLOUDO_ACI_RESOURCE_GROUP_ID)
  mock_data "azurerm_subscription" {
    defaults = {
      id              = "/subscriptions/00000000-0000-0000-0000-000000000000"
      subscription_id = "00000000-0000-0000-0000-000000000000"
    }
  }
}
mock_provider "random" {}
mock_provider "time" {}

run "off_by_default" {
  command = apply

  variables {
    private_networking = { address_space = "10.60.0.0/22" }
  }

  assert {
    condition = (
      length(azurerm_role_definition.container_groups) == 0 &&
      length(azurerm_role_definition.container_groups_cleanup) == 0 &&
      length(azurerm_role_definition.identity_assign) == 0 &&
      length(azurerm_role_definition.subnet_join) == 0 &&
      length(azurerm_role_assignment.isolated_runs) == 0 &&
      length(azurerm_user_assigned_identity.aci_pull) == 0 &&
      keys(azurerm_subnet.cloudo) == ["container_apps", "functions", "private_endpoints"]
    )
    error_message = "without isolated_runs no role, role assignment, identity or subnet of it exists (and a /22 stays enough)"
  }

  assert {
    condition = (
      length([for k in keys(azurerm_linux_function_app.cloudo.app_settings) : k if startswith(k, "CLOUDO_ACI_")]) == 0 &&
      alltrue([for w in azurerm_container_app.worker : length([for e in w.template[0].container[0].env : e.name if startswith(e.name, "CLOUDO_ACI_")]) == 0])
    )
    error_message = "without isolated_runs neither the app nor a worker gets a CLOUDO_ACI_ setting (an existing deployment's plan is unchanged)"
  }
}

# Public, the module's registry, two named runbook identities, groups in a resource group of their own.
run "on" {
  command = apply

  variables {
    isolated_runs             = { enabled = true, resource_group_name = "cloudo-runs-rg" }
    create_container_registry = true
    runbook_identities = {
      payments     = { schemas = ["generic:hello"] }
      "k8s-reader" = {}
    }
  }

  assert {
    condition = (
      azurerm_role_definition.container_groups[0].permissions[0].actions == tolist(["Microsoft.ContainerInstance/containerGroups/*"]) &&
      azurerm_role_definition.container_groups_cleanup[0].permissions[0].actions == tolist(["Microsoft.ContainerInstance/containerGroups/read", "Microsoft.ContainerInstance/containerGroups/delete"]) &&
      azurerm_role_definition.identity_assign[0].permissions[0].actions == tolist(["Microsoft.ManagedIdentity/userAssignedIdentities/assign/action"]) &&
      alltrue([for d in [azurerm_role_definition.container_groups[0], azurerm_role_definition.container_groups_cleanup[0], azurerm_role_definition.identity_assign[0]] : (
        length(d.permissions) == 1 && try(length(d.permissions[0].not_actions), 0) == 0 &&
        try(length(d.permissions[0].data_actions), 0) == 0 && try(length(d.permissions[0].not_data_actions), 0) == 0
      )])
    )
    error_message = "the workers' role holds containerGroups/* only, the app's read and delete only, the assign role assign/action only: no other action, no data action"
  }

  assert {
    condition = (
      azurerm_role_definition.container_groups[0].scope == "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/cloudo-runs-rg" &&
      azurerm_role_definition.container_groups[0].assignable_scopes == tolist(["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/cloudo-runs-rg"]) &&
      azurerm_role_definition.container_groups_cleanup[0].assignable_scopes == tolist(["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/cloudo-runs-rg"]) &&
      azurerm_role_definition.identity_assign[0].assignable_scopes == tolist(["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/cloudo-test-rg"]) &&
      length(distinct([for d in [azurerm_role_definition.container_groups[0], azurerm_role_definition.container_groups_cleanup[0], azurerm_role_definition.identity_assign[0]] : d.name])) == 3
    )
    error_message = "the container-group roles can be assigned in the groups' resource group only, the assign role in the module's (where the identities are), each under a name of its own"
  }

  assert {
    condition = toset([for r in azurerm_role_assignment.isolated_runs : "${r.role_definition_id}|${r.scope}|${r.principal_id}"]) == toset([
      "${azurerm_role_definition.container_groups[0].role_definition_resource_id}|/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/cloudo-runs-rg|${azurerm_user_assigned_identity.worker.principal_id}",
      "${azurerm_role_definition.container_groups_cleanup[0].role_definition_resource_id}|/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/cloudo-runs-rg|${azurerm_user_assigned_identity.app.principal_id}",
      "${azurerm_role_definition.identity_assign[0].role_definition_resource_id}|${azurerm_user_assigned_identity.runbook.id}|${azurerm_user_assigned_identity.worker.principal_id}",
      "${azurerm_role_definition.identity_assign[0].role_definition_resource_id}|${azurerm_user_assigned_identity.runbook_named["payments"].id}|${azurerm_user_assigned_identity.worker.principal_id}",
      "${azurerm_role_definition.identity_assign[0].role_definition_resource_id}|${azurerm_user_assigned_identity.runbook_named["k8s-reader"].id}|${azurerm_user_assigned_identity.worker.principal_id}",
      "${azurerm_role_definition.identity_assign[0].role_definition_resource_id}|${azurerm_user_assigned_identity.aci_pull[0].id}|${azurerm_user_assigned_identity.worker.principal_id}",
    ])
    error_message = "the workers manage groups on the groups' resource group, the app cleans them up there, and the workers may attach each runbook identity and the pull identity, on each identity only (not the resource group, not their own or the app's)"
  }

  assert {
    condition = (
      contains([for r in azurerm_role_assignment.acr_pull : "${r.role_definition_name}|${r.scope}|${r.principal_id}"], "AcrPull|${azurerm_container_registry.cloudo[0].id}|${azurerm_user_assigned_identity.aci_pull[0].principal_id}") &&
      length([for r in concat(values(azurerm_role_assignment.acr_pull), values(azurerm_role_assignment.isolated_runs), values(azurerm_role_assignment.storage), values(azurerm_role_assignment.custom), values(azurerm_role_assignment.subscription), values(azurerm_role_assignment.runbook)) : r if r.principal_id == azurerm_user_assigned_identity.aci_pull[0].principal_id]) == 1
    )
    error_message = "the groups' pull identity holds AcrPull on the module's registry, and nothing else"
  }

  assert {
    condition = (
      { for k, v in azurerm_linux_function_app.cloudo.app_settings : k => v if startswith(k, "CLOUDO_ACI_") } == {
        CLOUDO_ACI_RESOURCE_GROUP_ID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/cloudo-runs-rg"
        CLOUDO_ACI_CLIENT_ID         = azurerm_user_assigned_identity.app.client_id
      } &&
      can(regex("^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[-\\w._()]{1,90}$", azurerm_linux_function_app.cloudo.app_settings["CLOUDO_ACI_RESOURCE_GROUP_ID"]))
    )
    error_message = "the app is told the groups' resource group (as the app accepts it) and its own identity's client id, and nothing of how groups are made"
  }

  assert {
    condition = alltrue([for w in azurerm_container_app.worker : (
      { for e in w.template[0].container[0].env : e.name => e.value if startswith(e.name, "CLOUDO_ACI_") && e.name != "CLOUDO_ACI_IDENTITIES" } == {
        CLOUDO_ACI_RESOURCE_GROUP_ID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/cloudo-runs-rg"
        CLOUDO_ACI_CLIENT_ID         = azurerm_user_assigned_identity.worker.client_id
        CLOUDO_ACI_LOCATION          = "westeurope"
        CLOUDO_ACI_IMAGE             = w.template[0].container[0].image
        CLOUDO_ACI_REGISTRY_IDENTITY = azurerm_user_assigned_identity.aci_pull[0].id
      }
    )])
    error_message = "each worker: the groups' resource group, its own identity, the region, the image it runs itself, the pull identity (not its own), and no subnet (public)"
  }

  assert {
    condition = alltrue([for w in azurerm_container_app.worker :
      jsondecode(one([for e in w.template[0].container[0].env : e.value if e.name == "CLOUDO_ACI_IDENTITIES"])) == {
        default      = { client_id = azurerm_user_assigned_identity.runbook.client_id, resource_id = azurerm_user_assigned_identity.runbook.id }
        payments     = { client_id = azurerm_user_assigned_identity.runbook_named["payments"].client_id, resource_id = azurerm_user_assigned_identity.runbook_named["payments"].id }
        "k8s-reader" = { client_id = azurerm_user_assigned_identity.runbook_named["k8s-reader"].client_id, resource_id = azurerm_user_assigned_identity.runbook_named["k8s-reader"].id }
      }
    ])
    error_message = "CLOUDO_ACI_IDENTITIES maps default and each runbook_identities name to its client id and resource id, and nothing else"
  }
}

# Private, an image from elsewhere (ghcr.io, public), groups in the module's resource group.
run "on_private" {
  command = apply

  variables {
    isolated_runs      = { enabled = true }
    private_networking = { address_space = "10.60.0.0/21" }
  }

  assert {
    condition = (
      azurerm_subnet.cloudo["container_instances"].address_prefixes == tolist(["10.60.4.0/24"]) &&
      azurerm_subnet.cloudo["container_instances"].virtual_network_name == azurerm_virtual_network.cloudo[0].name &&
      length(azurerm_subnet.cloudo["container_instances"].delegation) == 1 &&
      azurerm_subnet.cloudo["container_instances"].delegation[0].service_delegation[0].name == "Microsoft.ContainerInstance/containerGroups" &&
      azurerm_subnet.cloudo["functions"].address_prefixes == tolist(["10.60.2.0/24"]) &&
      azurerm_subnet.cloudo["private_endpoints"].address_prefixes == tolist(["10.60.3.0/24"])
    )
    error_message = "the groups get the fifth /24 of the VNet, delegated to Microsoft.ContainerInstance/containerGroups; the other subnets stay where they were"
  }

  assert {
    condition = (
      azurerm_role_definition.subnet_join[0].permissions[0].actions == tolist(["Microsoft.Network/virtualNetworks/subnets/join/action"]) &&
      try(length(azurerm_role_definition.subnet_join[0].permissions[0].not_actions), 0) == 0 &&
      try(length(azurerm_role_definition.subnet_join[0].permissions[0].data_actions), 0) == 0 &&
      toset([for k, r in azurerm_role_assignment.isolated_runs : "${r.scope}|${r.principal_id}" if r.role_definition_id == azurerm_role_definition.subnet_join[0].role_definition_resource_id]) == toset([
        "${azurerm_subnet.cloudo["container_instances"].id}|${azurerm_user_assigned_identity.worker.principal_id}",
      ])
    )
    error_message = "the workers may join the groups' subnet (join/action only, not Network Contributor), on that subnet only"
  }

  assert {
    condition = (
      azurerm_role_definition.container_groups[0].scope == "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/cloudo-test-rg" &&
      length(azurerm_user_assigned_identity.aci_pull) == 0 &&
      toset([for r in azurerm_role_assignment.isolated_runs : r.scope if r.role_definition_id == azurerm_role_definition.identity_assign[0].role_definition_resource_id]) == toset([azurerm_user_assigned_identity.runbook.id])
    )
    error_message = "by default the groups go to the module's resource group; a public image needs no pull identity, so only the runbook identity can be attached"
  }

  assert {
    condition = alltrue([for w in azurerm_container_app.worker : (
      { for e in w.template[0].container[0].env : e.name => e.value if contains(["CLOUDO_ACI_SUBNET_ID", "CLOUDO_ACI_REGISTRY_IDENTITY", "CLOUDO_ACI_RESOURCE_GROUP_ID"], e.name) } == {
        CLOUDO_ACI_SUBNET_ID         = azurerm_subnet.cloudo["container_instances"].id
        CLOUDO_ACI_RESOURCE_GROUP_ID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/cloudo-test-rg"
      } &&
      w.template[0].container[0].image == "ghcr.io/contoso/cloudo-worker:0123abc"
    )])
    error_message = "each worker is told the groups' subnet, and no registry identity for a public image"
  }
}

run "private_address_space_too_small" {
  command = plan

  variables {
    isolated_runs      = { enabled = true }
    private_networking = { address_space = "10.60.0.0/22" }
  }

  expect_failures = [azurerm_subnet.cloudo]
}

run "image_with_a_registry_password_refused" {
  command = plan

  variables {
    isolated_runs = { enabled = true }
    worker_image  = { image_name = "contoso/cloudo-worker", image_tag = "0123abc", registry_url = "https://registry.example.com", registry_username = "pull", registry_password = "not-a-real-password" }
  }

  expect_failures = [azurerm_role_definition.container_groups]
}

run "resource_group_name_refused" {
  command = plan

  variables {
    isolated_runs = { enabled = true, resource_group_name = "runs/rg" }
  }

  expect_failures = [var.isolated_runs]
}
