# `terraform test` of the module, mocked providers (see roles.tftest.hcl for why): how the code gets
# there (the Functions package), no registry unless asked (registry.tftest.hcl), the diagnostic
# settings, the public URL and the names' suffix.

# zip_deploy_file is optional and computed: a mock fills it unless the module sets it, so it reads
# "(not set)" here exactly when the module leaves it unset
mock_provider "azurerm" {
  mock_resource "azurerm_linux_function_app" {
    defaults = {
      zip_deploy_file = "(not set)"
    }
  }
}
mock_provider "random" {}
mock_provider "time" {}

run "nothing_optional_by_default" {
  command = apply

  assert {
    condition = (
      length(azurerm_container_registry.cloudo) == 0 && length(azurerm_role_assignment.acr_pull) == 0 &&
      output.container_registry_login_server == null && output.container_registry_id == null
    )
    error_message = "no registry and no AcrPull unless create_container_registry"
  }

  assert {
    condition = alltrue([
      for app in azurerm_container_app.worker :
      length(app.registry) == 0 && app.template[0].container[0].image == "ghcr.io/contoso/cloudo-worker:0123abc"
    ])
    error_message = "a worker image without registry_url and without the module's registry comes from ghcr.io, with no registry block"
  }

  assert {
    condition     = azurerm_linux_function_app.cloudo.zip_deploy_file == "(not set)" && azurerm_linux_function_app.cloudo.app_settings["WEBSITE_RUN_FROM_PACKAGE"] == "1"
    error_message = "without functions_package_path the module deploys no package (az functionapp deployment source config-zip does), and keeps WEBSITE_RUN_FROM_PACKAGE=1 for it"
  }

  assert {
    condition     = length(azurerm_monitor_diagnostic_setting.cloudo) == 0
    error_message = "no diagnostic settings without log_analytics_workspace_id"
  }
}

run "package_and_image_refused" {
  command = plan

  variables {
    functions_package_path = "dist/cloudo-functions.zip"
    orchestrator_image     = { image_name = "cloudo-functions", image_tag = "0123abc" }
  }

  expect_failures = [azurerm_linux_function_app.cloudo]
}

# one run for the rest: each run costs seconds of mock applies
run "package_diagnostics_public_url_name_suffix" {
  command = apply

  variables {
    functions_package_path     = "dist/cloudo-functions.zip"
    log_analytics_workspace_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/logs/providers/Microsoft.OperationalInsights/workspaces/cloudo"
    create_container_registry  = true
    public_url                 = "https://ops.example.com"
    name_suffix                = "x7"
  }

  assert {
    condition     = azurerm_linux_function_app.cloudo.zip_deploy_file == "dist/cloudo-functions.zip" && azurerm_linux_function_app.cloudo.app_settings["WEBSITE_RUN_FROM_PACKAGE"] == "1"
    error_message = "functions_package_path is zip-deployed by the provider, and the app runs from that package"
  }

  assert {
    condition = toset([for d in azurerm_monitor_diagnostic_setting.cloudo : d.target_resource_id]) == toset([
      azurerm_linux_function_app.cloudo.id,
      azurerm_storage_account.cloudo.id,
      "${azurerm_storage_account.cloudo.id}/blobServices/default",
      "${azurerm_storage_account.cloudo.id}/queueServices/default",
      "${azurerm_storage_account.cloudo.id}/tableServices/default",
      azurerm_key_vault.cloudo.id,
      azurerm_key_vault.function_keys.id,
      azurerm_container_app_environment.cloudo.id,
      azurerm_container_registry.cloudo[0].id,
    ])
    error_message = "a diagnostic setting for the app, the storage account and its blob, queue and table services, both vaults, the Container Apps environment and the registry"
  }

  assert {
    condition = alltrue([
      for k, d in azurerm_monitor_diagnostic_setting.cloudo : (
        d.log_analytics_workspace_id == var.log_analytics_workspace_id &&
        join(",", [for m in d.enabled_metric : m.category]) == "AllMetrics" &&
        join(",", [for l in d.enabled_log : l.category_group]) == (k == "storage_account" ? "" : "allLogs")
      )
    ])
    error_message = "every setting sends all metrics, and all logs where the resource has logs, to the given workspace"
  }

  assert {
    condition     = azurerm_linux_function_app.cloudo.app_settings["CLOUDO_PUBLIC_URL"] == "https://ops.example.com" && output.console_url == "https://ops.example.com"
    error_message = "public_url (a custom domain) is CLOUDO_PUBLIC_URL and the console_url output"
  }

  assert {
    condition = (
      azurerm_linux_function_app.cloudo.name == "cloudo-test-cloudo-fn-x7" &&
      azurerm_storage_account.cloudo.name == "cloudotestcloudostx7" &&
      azurerm_key_vault.cloudo.name == "cloudotest-cloudo-kvx7" &&
      azurerm_key_vault.function_keys.name == "cloudotest-cloudo-fkx7" &&
      azurerm_container_registry.cloudo[0].name == "cloudotestcloudoacrx7"
    )
    error_message = "name_suffix ends every globally unique name"
  }
}
