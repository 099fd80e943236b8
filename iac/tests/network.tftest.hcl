# `terraform test` of the module, mocked providers (see roles.tftest.hcl for why): private_networking.
# Without it nothing of the network exists and storage and the vaults stay public; with it the workers'
# environment and the Functions app are in the VNet, and storage (blob, queue, table) and both vaults are
# reached through private endpoints whose DNS zones are linked to the VNet, their public access off unless
# the deployer's IPs are listed. The mutation check of test/iac/terraform-test.test.ts runs this file once
# per network mutant.

mock_provider "azurerm" {
  # optional and computed: a mock would fill them unless the module sets them
  mock_resource "azurerm_linux_function_app" {
    defaults = {
      virtual_network_subnet_id = "(not set)"
    }
  }
  mock_resource "azurerm_container_app_environment" {
    defaults = {
      infrastructure_subnet_id = "(not set)"
    }
  }
}
mock_provider "random" {}
mock_provider "time" {}

run "public_by_default" {
  command = apply

  assert {
    condition = (
      length(azurerm_virtual_network.cloudo) == 0 && length(azurerm_subnet.cloudo) == 0 &&
      length(azurerm_private_endpoint.cloudo) == 0 && length(azurerm_private_dns_zone.cloudo) == 0 &&
      length(azurerm_private_dns_zone_virtual_network_link.cloudo) == 0
    )
    error_message = "no VNet, subnet, private endpoint or DNS zone without private_networking"
  }

  assert {
    condition = (
      azurerm_storage_account.cloudo.public_network_access_enabled == true &&
      length(azurerm_storage_account.cloudo.network_rules) == 0 &&
      azurerm_key_vault.cloudo.public_network_access_enabled == true &&
      azurerm_key_vault.function_keys.public_network_access_enabled == true &&
      length(azurerm_key_vault.cloudo.network_acls) == 0 &&
      length(azurerm_key_vault.function_keys.network_acls) == 0
    )
    error_message = "without private_networking storage and both vaults keep their public endpoints"
  }

  assert {
    condition = (
      azurerm_linux_function_app.cloudo.virtual_network_subnet_id == "(not set)" &&
      azurerm_container_app_environment.cloudo.infrastructure_subnet_id == "(not set)"
    )
    error_message = "without private_networking neither the app nor the environment is put in a subnet"
  }

  assert {
    condition = (
      alltrue([for w in azurerm_container_app.worker : length(w.ingress) == 0]) &&
      length(azurerm_private_dns_zone.container_apps) == 0 && length(azurerm_private_dns_a_record.container_apps) == 0 &&
      azurerm_linux_function_app.cloudo.app_settings["CLOUDO_WAKE_KEY"] == "" &&
      !contains(keys(azurerm_key_vault_secret.app), "cloudo-wake-key") &&
      alltrue([for w in azurerm_container_app.worker : !contains([for e in w.template[0].container[0].env : e.name], "CLOUDO_WAKE_PORT")])
    )
    error_message = "without private_networking nothing can reach the workers: no ingress, no wake key or setting, they poll"
  }
}

run "private" {
  command = apply

  variables {
    private_networking = { address_space = "10.60.0.0/22" }
  }

  assert {
    condition = (
      azurerm_virtual_network.cloudo[0].address_space == toset(["10.60.0.0/22"]) &&
      azurerm_subnet.cloudo["container_apps"].address_prefixes == tolist(["10.60.0.0/23"]) &&
      azurerm_subnet.cloudo["functions"].address_prefixes == tolist(["10.60.2.0/24"]) &&
      azurerm_subnet.cloudo["private_endpoints"].address_prefixes == tolist(["10.60.3.0/24"]) &&
      alltrue([for s in azurerm_subnet.cloudo : s.virtual_network_name == azurerm_virtual_network.cloudo[0].name])
    )
    error_message = "one VNet of address_space: a /23 for the environment, a /24 for the app's integration, a /24 for private endpoints"
  }

  assert {
    condition = (
      length(azurerm_subnet.cloudo["functions"].delegation) == 1 &&
      azurerm_subnet.cloudo["functions"].delegation[0].service_delegation[0].name == "Microsoft.Web/serverFarms" &&
      length(azurerm_subnet.cloudo["container_apps"].delegation) == 0
    )
    error_message = "the app's integration subnet is delegated to Microsoft.Web/serverFarms; the Consumption environment's is not delegated"
  }

  assert {
    condition = (
      azurerm_container_app_environment.cloudo.infrastructure_subnet_id == azurerm_subnet.cloudo["container_apps"].id &&
      azurerm_container_app_environment.cloudo.internal_load_balancer_enabled == true
    )
    error_message = "the workers' environment is in its subnet, internal"
  }

  assert {
    condition = (
      azurerm_linux_function_app.cloudo.virtual_network_subnet_id == azurerm_subnet.cloudo["functions"].id &&
      azurerm_linux_function_app.cloudo.site_config[0].vnet_route_all_enabled == true
    )
    error_message = "the Functions app is integrated with the VNet, all its outbound traffic through it"
  }

  assert {
    condition = toset([for k, pe in azurerm_private_endpoint.cloudo : join("|", [
      pe.private_service_connection[0].private_connection_resource_id,
      one(pe.private_service_connection[0].subresource_names),
      one(pe.private_dns_zone_group[0].private_dns_zone_ids),
      pe.subnet_id,
      ])]) == toset([
      "${azurerm_storage_account.cloudo.id}|blob|${azurerm_private_dns_zone.cloudo["blob"].id}|${azurerm_subnet.cloudo["private_endpoints"].id}",
      "${azurerm_storage_account.cloudo.id}|queue|${azurerm_private_dns_zone.cloudo["queue"].id}|${azurerm_subnet.cloudo["private_endpoints"].id}",
      "${azurerm_storage_account.cloudo.id}|table|${azurerm_private_dns_zone.cloudo["table"].id}|${azurerm_subnet.cloudo["private_endpoints"].id}",
      "${azurerm_key_vault.cloudo.id}|vault|${azurerm_private_dns_zone.cloudo["vault"].id}|${azurerm_subnet.cloudo["private_endpoints"].id}",
      "${azurerm_key_vault.function_keys.id}|vault|${azurerm_private_dns_zone.cloudo["vault"].id}|${azurerm_subnet.cloudo["private_endpoints"].id}",
    ]) && alltrue([for pe in azurerm_private_endpoint.cloudo : pe.private_service_connection[0].is_manual_connection == false])
    error_message = "a private endpoint (in the endpoints subnet, in its service's DNS zone) for storage blob, queue and table and for both vaults"
  }

  assert {
    condition = (
      { for k, z in azurerm_private_dns_zone.cloudo : k => z.name } == {
        blob  = "privatelink.blob.core.windows.net"
        queue = "privatelink.queue.core.windows.net"
        table = "privatelink.table.core.windows.net"
        vault = "privatelink.vaultcore.azure.net"
      } &&
      toset([for l in azurerm_private_dns_zone_virtual_network_link.cloudo : "${l.private_dns_zone_name}|${l.virtual_network_id}"]) ==
      toset([for z in azurerm_private_dns_zone.cloudo : "${z.name}|${azurerm_virtual_network.cloudo[0].id}"])
    )
    error_message = "the privatelink zones of blob, queue, table and vault, each linked to the VNet"
  }

  assert {
    condition = (
      azurerm_storage_account.cloudo.public_network_access_enabled == false &&
      azurerm_storage_account.cloudo.network_rules[0].default_action == "Deny" &&
      length(azurerm_storage_account.cloudo.network_rules[0].ip_rules) == 0
    )
    error_message = "storage: public network access off"
  }

  assert {
    condition = alltrue([for kv in [azurerm_key_vault.cloudo, azurerm_key_vault.function_keys] : (
      kv.public_network_access_enabled == false &&
      kv.network_acls[0].default_action == "Deny" &&
      length(kv.network_acls[0].ip_rules) == 0
    )])
    error_message = "both Key Vaults: public network access off"
  }
}

run "private_wakes_workers_through_the_vnet" {
  command = apply

  variables {
    private_networking = { address_space = "10.60.0.0/22" }
  }

  assert {
    condition = alltrue([
      for w, app in azurerm_container_app.worker :
      length(app.ingress) == 1 && app.ingress[0].external_enabled == true && app.ingress[0].target_port == 7072 &&
      { for e in app.template[0].container[0].env : e.name => coalesce(e.value, "secret:${coalesce(e.secret_name, "none")}") if contains(["CLOUDO_WAKE_PORT", "CLOUDO_WAKE_URL", "CLOUDO_WAKE_KEY"], e.name) } == {
        CLOUDO_WAKE_PORT = "7072"
        CLOUDO_WAKE_URL  = "http://${app.name}.${azurerm_container_app_environment.cloudo.default_domain}/wake"
        CLOUDO_WAKE_KEY  = "secret:wake-key"
      }
    ])
    error_message = "each worker listens on 7072 behind ingress from the VNet (external on an internal environment), told its own address and the key as a secret"
  }

  assert {
    condition = (
      azurerm_container_app_environment.cloudo.internal_load_balancer_enabled == true &&
      azurerm_private_dns_zone.container_apps[0].name == azurerm_container_app_environment.cloudo.default_domain &&
      azurerm_private_dns_a_record.container_apps[0].name == "*" &&
      azurerm_private_dns_a_record.container_apps[0].records == toset([azurerm_container_app_environment.cloudo.static_ip_address]) &&
      azurerm_private_dns_zone_virtual_network_link.container_apps[0].virtual_network_id == azurerm_virtual_network.cloudo[0].id
    )
    error_message = "the workers' names resolve in the VNet (the app's integration) to the environment's internal load balancer"
  }

  assert {
    condition = (
      azurerm_linux_function_app.cloudo.app_settings["CLOUDO_WAKE_KEY"] == "@Microsoft.KeyVault(SecretUri=${azurerm_key_vault_secret.app["cloudo-wake-key"].versionless_id})" &&
      contains([for s in azurerm_container_app.worker["Runbook"].secret : s.key_vault_secret_id], azurerm_key_vault_secret.app["cloudo-wake-key"].versionless_id)
    )
    error_message = "the app and the workers share the wake key, each through Key Vault"
  }
}

run "private_with_deployer_ips" {
  command = apply

  variables {
    private_networking = { address_space = "10.60.0.0/21", deployer_ip_ranges = ["203.0.113.7"] }
  }

  assert {
    condition = (
      azurerm_storage_account.cloudo.public_network_access_enabled == true &&
      azurerm_storage_account.cloudo.network_rules[0].default_action == "Deny" &&
      azurerm_storage_account.cloudo.network_rules[0].ip_rules == toset(["203.0.113.7"]) &&
      alltrue([for kv in [azurerm_key_vault.cloudo, azurerm_key_vault.function_keys] : (
        kv.public_network_access_enabled == true &&
        kv.network_acls[0].default_action == "Deny" &&
        kv.network_acls[0].ip_rules == toset(["203.0.113.7"])
      )])
    )
    error_message = "deployer_ip_ranges: public access for those IPs only, everyone else denied"
  }

  assert {
    condition = (
      azurerm_subnet.cloudo["container_apps"].address_prefixes == tolist(["10.60.0.0/23"]) &&
      azurerm_subnet.cloudo["functions"].address_prefixes == tolist(["10.60.2.0/24"]) &&
      azurerm_subnet.cloudo["private_endpoints"].address_prefixes == tolist(["10.60.3.0/24"])
    )
    error_message = "a larger address space keeps the same subnet sizes"
  }
}

run "address_space_too_small" {
  command = plan

  variables {
    private_networking = { address_space = "10.60.0.0/24" }
  }

  expect_failures = [var.private_networking]
}
