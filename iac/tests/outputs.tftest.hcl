# `terraform test` of the module, mocked providers (see roles.tftest.hcl for why): the original ClouDO
# module's outputs, under their names, hold what its users read from them.

mock_provider "azurerm" {}
mock_provider "random" {}
mock_provider "time" {}

run "outputs_of_the_original_module" {
  command = apply

  assert {
    condition     = output.cloudo_action_group_id == output.action_group_id && output.cloudo_action_group_id == azurerm_monitor_action_group.cloudo.id
    error_message = "cloudo_action_group_id is the action group that sends alerts to ClouDO (action_group_id)"
  }

  assert {
    condition     = output.cloudo_action_group_name == azurerm_monitor_action_group.cloudo.name
    error_message = "cloudo_action_group_name is that action group's name"
  }

  assert {
    condition     = output.cloudo_orchestrator_url == "https://${azurerm_linux_function_app.cloudo.default_hostname}" && output.cloudo_ui_url == output.console_url
    error_message = "cloudo_orchestrator_url is the Functions app's URL, cloudo_ui_url the console's"
  }

  assert {
    condition = output.storage_queues == {
      workers      = { Runbook = "cloudo-jobs-runbook", "aks.ops" = "cloudo-jobs-aks-ops" }
      notification = "cloudo-results"
    }
    error_message = "storage_queues names each worker capability's job queue and the results queue that feeds notifications"
  }

  assert {
    condition = output.storage_tables == {
      runbook_logger   = "Executions"
      runbook_schemas  = "RunbookSchemas"
      workers_registry = "Workers"
      audit_logs       = "AuditLog"
      cloudo_schedules = "Schedules"
    }
    error_message = "storage_tables names the tables with a counterpart of the original's"
  }

  assert {
    condition = alltrue([
      for v in [
        output.cloudo_orchestrator_url, output.cloudo_ui_url, output.cloudo_action_group_id, output.cloudo_action_group_name,
        jsonencode(output.storage_queues), jsonencode(output.storage_tables),
      ] : !issensitive(v) && !strcontains(v, nonsensitive(random_password.trigger_key[0].result))
    ])
    error_message = "the original's outputs carry no secret (its orchestrator key, storage key and internal token are not provided)"
  }
}

run "outputs_of_the_original_module_with_a_storage_namespace" {
  command = apply

  variables {
    storage_namespace = "prod"
    public_url        = "https://cloudo.example.com"
  }

  assert {
    condition     = output.storage_tables.runbook_logger == "prodExecutions" && output.storage_queues.notification == "prod-cloudo-results"
    error_message = "storage_tables and storage_queues name the namespaced tables and queues"
  }

  assert {
    condition     = output.cloudo_ui_url == "https://cloudo.example.com" && output.cloudo_orchestrator_url == "https://${azurerm_linux_function_app.cloudo.default_hostname}"
    error_message = "cloudo_ui_url follows public_url; cloudo_orchestrator_url stays the Functions app's own URL"
  }
}
