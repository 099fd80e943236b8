# Optional Azure Container Registry for the images `make push REGISTRY=<name>.azurecr.io` builds. No
# registry password exists anywhere: admin user off, and the apps pull with their managed identities
# (AcrPull), the workers through Container Apps' registry { identity }, the Functions app (when it runs
# from orchestrator_image) through container_registry_use_managed_identity.

locals {
  container_registry_enabled = var.create_container_registry
  # 5-50 letters and digits, globally unique (<name>.azurecr.io)
  container_registry_name = coalesce(var.container_registry_name, "${local.compact_name}cloudoacr${var.name_suffix}")
  # the login server's host, known at plan: an image whose registry_url names it is pulled with the identities
  container_registry_host = "${lower(local.container_registry_name)}.azurecr.io"
  # the registry's login server, only once AcrPull has had time to take effect (time_sleep below): the
  # apps that pull from it refer to this value, so they are created after the roles work
  container_registry_login_server = local.container_registry_enabled ? time_sleep.acr_pull_propagation[0].triggers["login_server"] : ""

  # who pulls: both identities, whichever image they run now (switching to an image needs no new role),
  # and isolated runs' container groups with an identity that can do nothing else (isolated-runs.tf)
  acr_pull_principals = merge(local.container_registry_enabled ? {
    app    = azurerm_user_assigned_identity.app.principal_id
    worker = azurerm_user_assigned_identity.worker.principal_id
    } : {}, local.aci_registry_pull ? {
    aci-pull = azurerm_user_assigned_identity.aci_pull[0].principal_id
  } : {})
}

resource "azurerm_container_registry" "cloudo" {
  count               = local.container_registry_enabled ? 1 : 0
  name                = local.container_registry_name
  resource_group_name = var.resource_group_name
  location            = var.location
  sku                 = var.container_registry_sku
  # no admin user: its password would be a shared secret; identities pull, people push with az acr login
  admin_enabled          = false
  anonymous_pull_enabled = false
  tags                   = local.tags
}

resource "azurerm_role_assignment" "acr_pull" {
  for_each             = local.acr_pull_principals
  scope                = azurerm_container_registry.cloudo[0].id
  role_definition_name = "AcrPull"
  principal_id         = each.value
  principal_type       = "ServicePrincipal"
}

resource "time_sleep" "acr_pull_propagation" {
  count           = local.container_registry_enabled ? 1 : 0
  create_duration = var.role_propagation_wait
  triggers = {
    login_server = azurerm_container_registry.cloudo[0].login_server
  }
  depends_on = [azurerm_role_assignment.acr_pull]
}
