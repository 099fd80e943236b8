# Private networking (var.private_networking): a VNet with the workers' environment, the Functions app's
# VNet integration and private endpoints (with their privatelink DNS zones) for storage and both Key
# Vaults, whose public network access is then off. Nothing here exists when the variable is null.

locals {
  private_enabled = var.private_networking != null
  # wake-up nudges (README "Workers") need a route from the Functions app to the workers: only its VNet
  # integration into the workers' environment gives one. Without it workers poll (at most 1 s idle).
  wake_enabled = local.private_enabled
  wake_port    = 7072
  # the deployer's own IPs keep public access, for them only (storage network_rules, vault network_acls)
  deployer_ip_ranges  = local.private_enabled ? var.private_networking.deployer_ip_ranges : []
  public_access_on    = !local.private_enabled || length(local.deployer_ip_ranges) > 0
  network_prefix_bits = local.private_enabled ? tonumber(split("/", var.private_networking.address_space)[1]) : 22

  # the first /23 (a Consumption-only Container Apps environment needs /23, undelegated), then two /24s
  # (three with isolated runs)
  subnets = local.private_enabled ? merge({
    container_apps = {
      cidr       = cidrsubnet(var.private_networking.address_space, 23 - local.network_prefix_bits, 0)
      delegation = null
    }
    functions = {
      cidr       = cidrsubnet(var.private_networking.address_space, 24 - local.network_prefix_bits, 2)
      delegation = "Microsoft.Web/serverFarms"
    }
    private_endpoints = {
      cidr       = cidrsubnet(var.private_networking.address_space, 24 - local.network_prefix_bits, 3)
      delegation = null
    }
    }, local.isolated_runs_enabled ? {
    # isolated runs' container groups (isolated-runs.tf): the fifth /24, so the address space must be a
    # /21 or larger (the subnet's precondition says so; null keeps the plan to that message)
    container_instances = {
      cidr       = local.network_prefix_bits <= 21 ? cidrsubnet(var.private_networking.address_space, 24 - local.network_prefix_bits, 4) : null
      delegation = "Microsoft.ContainerInstance/containerGroups"
    }
  } : {}) : {}

  # the privatelink zone of each private endpoint's subresource
  private_dns_zones = local.private_enabled ? {
    blob  = "privatelink.blob.core.windows.net"
    queue = "privatelink.queue.core.windows.net"
    table = "privatelink.table.core.windows.net"
    vault = "privatelink.vaultcore.azure.net"
  } : {}

  private_endpoints = local.private_enabled ? {
    storage-blob        = { resource_id = azurerm_storage_account.cloudo.id, subresource = "blob", zone = "blob" }
    storage-queue       = { resource_id = azurerm_storage_account.cloudo.id, subresource = "queue", zone = "queue" }
    storage-table       = { resource_id = azurerm_storage_account.cloudo.id, subresource = "table", zone = "table" }
    key-vault           = { resource_id = azurerm_key_vault.cloudo.id, subresource = "vault", zone = "vault" }
    function-keys-vault = { resource_id = azurerm_key_vault.function_keys.id, subresource = "vault", zone = "vault" }
  } : {}

  container_apps_subnet_id = local.private_enabled ? azurerm_subnet.cloudo["container_apps"].id : null
  functions_subnet_id      = local.private_enabled ? azurerm_subnet.cloudo["functions"].id : null
}

resource "azurerm_virtual_network" "cloudo" {
  count               = local.private_enabled ? 1 : 0
  name                = "${local.name}-vnet"
  resource_group_name = var.resource_group_name
  location            = var.location
  address_space       = [var.private_networking.address_space]
  tags                = local.tags
}

resource "azurerm_subnet" "cloudo" {
  for_each             = local.subnets
  name                 = each.key
  resource_group_name  = var.resource_group_name
  virtual_network_name = azurerm_virtual_network.cloudo[0].name
  address_prefixes     = [each.value.cidr]

  dynamic "delegation" {
    for_each = each.value.delegation == null ? [] : [each.value.delegation]
    content {
      name = "delegation"
      service_delegation {
        name    = delegation.value
        actions = ["Microsoft.Network/virtualNetworks/subnets/action"]
      }
    }
  }

  lifecycle {
    precondition {
      condition     = each.value.cidr != null
      error_message = "isolated_runs with private_networking needs an address_space of /21 or larger: the container groups get the fifth /24 (${try(var.private_networking.address_space, "")} has four)."
    }
  }
}

resource "azurerm_private_dns_zone" "cloudo" {
  for_each            = local.private_dns_zones
  name                = each.value
  resource_group_name = var.resource_group_name
  tags                = local.tags
}

resource "azurerm_private_dns_zone_virtual_network_link" "cloudo" {
  for_each              = local.private_dns_zones
  name                  = "${local.name}-${each.key}"
  resource_group_name   = var.resource_group_name
  private_dns_zone_name = azurerm_private_dns_zone.cloudo[each.key].name
  virtual_network_id    = azurerm_virtual_network.cloudo[0].id
  registration_enabled  = false
  tags                  = local.tags
}

resource "azurerm_private_endpoint" "cloudo" {
  for_each            = local.private_endpoints
  name                = "${local.name}-${each.key}-pe"
  resource_group_name = var.resource_group_name
  location            = var.location
  subnet_id           = azurerm_subnet.cloudo["private_endpoints"].id
  tags                = local.tags

  private_service_connection {
    name                           = "${local.name}-${each.key}"
    private_connection_resource_id = each.value.resource_id
    subresource_names              = [each.value.subresource]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = each.value.zone
    private_dns_zone_ids = [azurerm_private_dns_zone.cloudo[each.value.zone].id]
  }
}

# Wake-up: the workers' apps take ingress from the VNet only (an environment with an internal load balancer
# has no public address); their names resolve, for the Functions app's VNet integration, through a zone of
# the environment's default domain pointing at its static IP.
resource "azurerm_private_dns_zone" "container_apps" {
  count               = local.wake_enabled ? 1 : 0
  name                = azurerm_container_app_environment.cloudo.default_domain
  resource_group_name = var.resource_group_name
  tags                = local.tags
}

resource "azurerm_private_dns_a_record" "container_apps" {
  count               = local.wake_enabled ? 1 : 0
  name                = "*"
  zone_name           = azurerm_private_dns_zone.container_apps[0].name
  resource_group_name = var.resource_group_name
  ttl                 = 300
  records             = [azurerm_container_app_environment.cloudo.static_ip_address]
  tags                = local.tags
}

resource "azurerm_private_dns_zone_virtual_network_link" "container_apps" {
  count                 = local.wake_enabled ? 1 : 0
  name                  = "${local.name}-cae"
  resource_group_name   = var.resource_group_name
  private_dns_zone_name = azurerm_private_dns_zone.container_apps[0].name
  virtual_network_id    = azurerm_virtual_network.cloudo[0].id
  registration_enabled  = false
  tags                  = local.tags
}
