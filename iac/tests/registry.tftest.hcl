# `terraform test` of the module, mocked providers (see roles.tftest.hcl for why): the module's container
# registry, pulled with the app's and the workers' identities, and no registry password anywhere. Two runs
# only: the mutation check of test/iac/terraform-test.test.ts runs this file once per registry mutant.

# zip_deploy_file is optional and computed: a mock fills it unless the module sets it (deploy.tftest.hcl)
mock_provider "azurerm" {
  mock_resource "azurerm_linux_function_app" {
    defaults = {
      zip_deploy_file = "(not set)"
    }
  }
}
mock_provider "random" {}
mock_provider "time" {}

# the identities first, as on a first apply: the registry run then reads their ids as they are
run "identities" {
  command = apply

  assert {
    condition     = length(azurerm_container_registry.cloudo) == 0 && length(azurerm_role_assignment.acr_pull) == 0
    error_message = "no registry and no AcrPull unless create_container_registry"
  }
}

run "registry_pulled_with_identities" {
  command = apply

  variables {
    create_container_registry = true
    orchestrator_image        = { image_name = "cloudo-functions", image_tag = "0123abc" }
  }

  assert {
    condition = toset([for r in azurerm_role_assignment.acr_pull : "${r.role_definition_name}|${r.scope}|${r.principal_id}"]) == toset([
      "AcrPull|${azurerm_container_registry.cloudo[0].id}|${azurerm_user_assigned_identity.app.principal_id}",
      "AcrPull|${azurerm_container_registry.cloudo[0].id}|${azurerm_user_assigned_identity.worker.principal_id}",
    ])
    error_message = "the app's and the workers' identities get AcrPull (pull only) on the module's registry, and nobody else"
  }

  assert {
    condition     = azurerm_container_registry.cloudo[0].admin_enabled == false
    error_message = "the registry's admin user (a shared password) stays off"
  }

  assert {
    condition = alltrue([
      for app in azurerm_container_app.worker : (
        length(app.registry) == 1 &&
        app.registry[0].server == azurerm_container_registry.cloudo[0].login_server &&
        app.registry[0].identity == azurerm_user_assigned_identity.worker.id &&
        app.template[0].container[0].image == "${azurerm_container_registry.cloudo[0].login_server}/contoso/cloudo-worker:0123abc"
      )
    ])
    error_message = "the workers pull their image from the module's registry with the workers' identity (no password: see the next assertion)"
  }

  assert {
    condition = (
      azurerm_linux_function_app.cloudo.site_config[0].container_registry_use_managed_identity == true &&
      azurerm_linux_function_app.cloudo.site_config[0].container_registry_managed_identity_client_id == azurerm_user_assigned_identity.app.client_id &&
      azurerm_linux_function_app.cloudo.site_config[0].application_stack[0].docker[0].registry_url == "https://${azurerm_container_registry.cloudo[0].login_server}" &&
      azurerm_linux_function_app.cloudo.site_config[0].application_stack[0].docker[0].registry_password == null &&
      azurerm_linux_function_app.cloudo.zip_deploy_file == "(not set)"
    )
    error_message = "the Functions app pulls its image from the module's registry with the app identity, without a password"
  }

  assert {
    condition = (
      !anytrue([for name, value in azurerm_linux_function_app.cloudo.app_settings : strcontains(upper(name), "PASSWORD") || strcontains(upper(name), "DOCKER_REGISTRY")]) &&
      alltrue([for app in azurerm_container_app.worker : !anytrue([for s in app.secret : strcontains(s.name, "registry")])]) &&
      !anytrue([for name in keys(azurerm_key_vault_secret.app) : strcontains(name, "registry")])
    )
    error_message = "no registry password anywhere: not in app settings, worker secrets or Key Vault"
  }

  assert {
    condition     = output.container_registry_login_server == azurerm_container_registry.cloudo[0].login_server && output.container_registry_id == azurerm_container_registry.cloudo[0].id
    error_message = "the outputs give the registry's login server (for make push) and id"
  }
}
