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
  description = "Principal id of the workers' user-assigned identity (the one granted AKS and subscription roles)."
  value       = azurerm_user_assigned_identity.worker.principal_id
}

output "worker_identity_client_id" {
  description = "Client id of the workers' user-assigned identity (CLOUDO_AKS_CLIENT_ID)."
  value       = azurerm_user_assigned_identity.worker.client_id
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
