output "trigger_url" {
  description = "URL Azure Monitor calls: the Trigger endpoint, with the module's own Trigger function key (never the master or host key) unless Secure Webhook is configured."
  value       = local.trigger_url
  sensitive   = true
}

output "console_url" {
  description = "URL of the ClouDO console and API (CLOUDO_PUBLIC_URL): public_url when given."
  value       = coalesce(var.public_url, "https://${azurerm_linux_function_app.cloudo.default_hostname}")
}

output "function_app_name" {
  description = "Name of the Functions app."
  value       = azurerm_linux_function_app.cloudo.name
}

output "action_group_id" {
  description = "Id of the action group that sends alerts to ClouDO."
  value       = azurerm_monitor_action_group.cloudo.id
}

output "app_identity_principal_id" {
  description = "Principal id of the Functions app's user-assigned identity."
  value       = azurerm_user_assigned_identity.app.principal_id
}

output "worker_identity_principal_id" {
  description = "Principal id of the workers' user-assigned identity: ClouDO's storage data roles only (runbooks act as their own identities, runbook_identity_*, AKS roles included)."
  value       = azurerm_user_assigned_identity.worker.principal_id
}

output "worker_identity_client_id" {
  description = "Client id of the workers' user-assigned identity (their storage, AzureWebJobsStorage__clientId)."
  value       = azurerm_user_assigned_identity.worker.client_id
}

output "runbook_identity_client_id" {
  description = "Client id of the default runbook identity: runs of schemas naming no identity act as it (CLOUDO_RUNBOOK_CLIENT_ID)."
  value       = azurerm_user_assigned_identity.runbook.client_id
}

output "runbook_identity_principal_id" {
  description = "Principal id of the default runbook identity: what custom_role_assignments (without principal_id), custom_roles_subscription and the AKS roles grant to."
  value       = azurerm_user_assigned_identity.runbook.principal_id
}

output "runbook_identities" {
  description = "Each entry of runbook_identities: client_id (what a schema's identity resolves to, CLOUDO_RUNBOOK_IDENTITIES), principal_id (for role assignments of your own) and id."
  value = {
    for name, identity in azurerm_user_assigned_identity.runbook_named : name => {
      client_id    = identity.client_id
      principal_id = identity.principal_id
      id           = identity.id
    }
  }
}

output "oidc_issuer" {
  description = "The OIDC issuer runbook tokens come from (<public url>/api, CLOUDO_OIDC_ISSUER): what a federated credential of your own must trust."
  value       = local.oidc_issuer
}

output "storage_account_name" {
  description = "Name of the storage account of tables, queues and logs."
  value       = azurerm_storage_account.cloudo.name
}

output "key_vault_id" {
  description = "Id of the Key Vault holding the module's secrets."
  value       = azurerm_key_vault.cloudo.id
}

output "job_queues" {
  description = "Job queue of each worker capability."
  value       = local.job_queues
}

output "queue_names" {
  description = "Every queue the module creates: results, job and poison queues."
  value       = local.queues
}

output "worker_apps" {
  description = "Container App name of each worker capability."
  value       = { for w, app in azurerm_container_app.worker : w => app.name }
}

output "function_app_id" {
  description = "Resource id of the Functions app."
  value       = azurerm_linux_function_app.cloudo.id
}

output "worker_app_ids" {
  description = "Resource id of the Container App of each worker capability."
  value       = { for w, app in azurerm_container_app.worker : w => app.id }
}

output "container_app_environment_id" {
  description = "Resource id of the workers' Container Apps environment."
  value       = azurerm_container_app_environment.cloudo.id
}

output "storage_account_id" {
  description = "Resource id of the storage account of tables, queues and logs."
  value       = azurerm_storage_account.cloudo.id
}

output "app_identity_id" {
  description = "Resource id of the Functions app's user-assigned identity."
  value       = azurerm_user_assigned_identity.app.id
}

output "worker_identity_id" {
  description = "Resource id of the workers' user-assigned identity."
  value       = azurerm_user_assigned_identity.worker.id
}

output "function_keys_vault_id" {
  description = "Id of the Key Vault where the Functions host keeps its keys (and the module the Trigger key)."
  value       = azurerm_key_vault.function_keys.id
}

output "container_registry_login_server" {
  description = "Login server of the registry the module creates (create_container_registry), for make push REGISTRY=<it>; null without one."
  value       = one(azurerm_container_registry.cloudo[*].login_server)
}

output "container_registry_id" {
  description = "Resource id of the registry the module creates (create_container_registry); null without one."
  value       = one(azurerm_container_registry.cloudo[*].id)
}

# The original ClouDO module's outputs, under their names, for configurations that read them. Those with
# no counterpart here are left out on purpose, so that a reference to one fails at plan naming it
# (iac/README.md lists them and why).

output "cloudo_orchestrator_url" {
  description = "The original's name for the Functions app's URL (https://<default hostname>); console_url is the same unless public_url is set."
  value       = "https://${azurerm_linux_function_app.cloudo.default_hostname}"
}

output "cloudo_ui_url" {
  description = "The original's name for the console's URL: the console is served by the Functions app (console_url)."
  value       = coalesce(var.public_url, "https://${azurerm_linux_function_app.cloudo.default_hostname}")
}

output "cloudo_action_group_id" {
  description = "The original's name for action_group_id: id of the action group that sends alerts to ClouDO."
  value       = azurerm_monitor_action_group.cloudo.id
}

output "cloudo_action_group_name" {
  description = "The original's name for the name of the action group that sends alerts to ClouDO."
  value       = azurerm_monitor_action_group.cloudo.name
}

output "storage_queues" {
  description = "The original's output of that name: workers is job_queues (each worker capability's job queue); notification is the results queue, which feeds Slack, Opsgenie and PagerDuty."
  value = {
    workers      = local.job_queues
    notification = local.results_queue
  }
}

output "storage_tables" {
  description = "The original's output of that name, for the tables with a counterpart here: runbook_logger is Executions (runs and their status), runbook_schemas RunbookSchemas, workers_registry Workers, audit_logs AuditLog, cloudo_schedules Schedules."
  value = {
    runbook_logger   = azurerm_storage_table.cloudo["${local.ns}Executions"].name
    runbook_schemas  = azurerm_storage_table.cloudo["${local.ns}RunbookSchemas"].name
    workers_registry = azurerm_storage_table.cloudo["${local.ns}Workers"].name
    audit_logs       = azurerm_storage_table.cloudo["${local.ns}AuditLog"].name
    cloudo_schedules = azurerm_storage_table.cloudo["${local.ns}Schedules"].name
  }
}
