# Shared names and values. Table, queue and container names mirror src/core/resource-names.ts
# (resourceNames(namespace)); test/unit/iac/module.test.ts checks they stay equal.

data "azurerm_client_config" "current" {}

data "azurerm_subscription" "current" {}

data "azurerm_application_insights" "this" {
  name                = var.application_insights_name
  resource_group_name = var.application_insights_rg
}

locals {
  name = "${var.prefix}-${var.env}-cloudo"
  # storage accounts and key vaults allow only short names: letters and digits (vault: 3-24, hyphens ok)
  compact_name = replace(lower("${var.prefix}${var.env}"), "/[^a-z0-9]/", "")
  # name_suffix ends every globally unique name (storage, vaults, app host name, registry), within its limit
  name_suffix          = var.name_suffix
  name_suffix_dash     = var.name_suffix == "" ? "" : "-${var.name_suffix}"
  storage_account_name = "${substr("${local.compact_name}cloudost", 0, 24 - length(local.name_suffix))}${local.name_suffix}"
  key_vault_name       = "${replace(substr("${local.compact_name}-cloudo-kv", 0, 24 - length(local.name_suffix)), "/-+$/", "")}${local.name_suffix}"
  # the Functions host's keys (monitor.tf)
  function_keys_vault_name = "${replace(substr("${local.compact_name}-cloudo-fk", 0, 24 - length(local.name_suffix)), "/-+$/", "")}${local.name_suffix}"

  tenant_id = data.azurerm_client_config.current.tenant_id

  # resourceNames(namespace): tables take the namespace as is, queues and containers "<namespace>-"
  ns   = var.storage_namespace
  dash = var.storage_namespace == "" ? "" : "${var.storage_namespace}-"

  tables = [
    "${local.ns}RunbookSchemas",
    "${local.ns}Executions",
    "${local.ns}ApiTokens",
    "${local.ns}AuditLog",
    "${local.ns}AlertDeliveries",
    "${local.ns}RunLocks",
    "${local.ns}Workers",
    "${local.ns}Notifications",
    "${local.ns}Pages",
    "${local.ns}PendingApprovals",
    "${local.ns}Schedules",
  ]
  logs_container           = "${local.dash}execution-logs"
  alert_payloads_container = "${local.dash}alert-payloads"
  containers               = [local.logs_container, local.alert_payloads_container]
  results_queue            = "${local.dash}cloudo-results"

  # schema entries of var.schemas, each with its partition
  schema_entries = flatten([
    for p in jsondecode(var.schemas) : [
      for e in p.entity : merge(e, { partition_key = p.partition_key })
    ]
  ])

  # one worker app and one job queue per capability (workerQueueSuffix: lower case, "_"/"." → "-")
  worker_names = toset(concat([for e in local.schema_entries : e.worker], var.workers))
  workers = {
    for w in local.worker_names : w => {
      suffix = replace(replace(replace(lower(w), "/[_.]/", "-"), "/-{2,}/", "-"), "/-+$/", "")
    }
  }
  job_queues    = { for w, v in local.workers : w => "${local.dash}cloudo-jobs-${v.suffix}" }
  poison_queues = { for w, v in local.workers : w => "${local.dash}cloudo-jobs-${v.suffix}-poison" }
  queues        = concat([local.results_queue], values(local.job_queues), values(local.poison_queues))

  # which optional secrets exist (only whether they are set is revealed, never the values)
  slack_enabled     = nonsensitive(var.slack_integration != null)
  slack_interactive = nonsensitive(var.slack_integration != null && var.slack_signing_secret != null && var.slack_signing_secret != "")
  opsgenie_enabled  = nonsensitive(var.opsgenie_api_key != null && var.opsgenie_api_key != "")
  pagerduty_enabled = nonsensitive(var.pagerduty_routing_key != null && var.pagerduty_routing_key != "")
  github_token_set  = nonsensitive(try(var.github_repo_info.repo_token, "") != "" && try(var.github_repo_info.repo_token, "") != null)
  easy_auth_enabled = nonsensitive(var.easy_auth != null)

  orchestrator_image_set = nonsensitive(var.orchestrator_image != null)
  worker_image_set       = nonsensitive(var.worker_image != null)
  worker_registry_auth = nonsensitive(
    var.worker_image != null && try(var.worker_image.registry_password, null) != null
  )
  # registry_url not given: the module's registry when it creates one (acr.tf), otherwise ghcr.io
  worker_registry_host = local.worker_image_set ? nonsensitive(
    try(var.worker_image.registry_url, null) == null
    ? (local.container_registry_enabled ? local.container_registry_host : "ghcr.io")
    : replace(var.worker_image.registry_url, "/^https?:\\/\\//", "")
  ) : ""
  # the workers pull from the module's registry with their identity (AcrPull), never with a password
  worker_registry_identity = local.container_registry_enabled && local.worker_image_set && !local.worker_registry_auth && local.worker_registry_host == local.container_registry_host
  worker_registry_server   = local.worker_registry_identity ? local.container_registry_login_server : local.worker_registry_host
  worker_image = local.worker_image_set ? nonsensitive(format("%s/%s:%s",
    local.worker_registry_server,
    var.worker_image.image_name,
    var.worker_image.image_tag,
  )) : ""
  worker_registry_username = local.worker_registry_auth ? nonsensitive(var.worker_image.registry_username) : ""
  # Container Apps registry blocks: a user name and a Key Vault-held password for another registry, or
  # the workers' identity for the module's registry
  worker_registries = concat(
    local.worker_registry_auth ? [{
      server = local.worker_registry_server, username = local.worker_registry_username, password_secret_name = "registry-password", identity = null
    }] : [],
    local.worker_registry_identity ? [{
      server = local.worker_registry_server, username = null, password_secret_name = null, identity = azurerm_user_assigned_identity.worker.id
    }] : [],
  )

  # the Functions app's image: from the module's registry (registry_url not given, or naming it) it is
  # pulled with the app identity; otherwise as before (public, or with the given user name and password)
  orchestrator_registry_host = local.orchestrator_image_set ? nonsensitive(
    try(var.orchestrator_image.registry_url, null) == null
    ? (local.container_registry_enabled ? local.container_registry_host : "ghcr.io")
    : replace(var.orchestrator_image.registry_url, "/^https?:\\/\\//", "")
  ) : ""
  orchestrator_registry_identity = (local.container_registry_enabled && local.orchestrator_image_set &&
    nonsensitive(try(var.orchestrator_image.registry_password, null) == null) &&
  local.orchestrator_registry_host == local.container_registry_host)
  orchestrator_registry_url = local.orchestrator_registry_identity ? "https://${local.container_registry_login_server}" : (
    local.orchestrator_image_set ? nonsensitive(coalesce(try(var.orchestrator_image.registry_url, null), "https://${local.orchestrator_registry_host}")) : null
  )

  github = {
    repo   = nonsensitive(var.github_repo_info.repo_name)
    branch = nonsensitive(coalesce(var.github_repo_info.repo_branch, "main"))
    path   = nonsensitive(var.github_repo_info.runbook_path == null ? "" : var.github_repo_info.runbook_path)
  }

  # "@Microsoft.KeyVault(SecretUri=...)": the Functions host resolves it with key_vault_reference_identity_id
  kv_ref = { for k, s in azurerm_key_vault_secret.app : k => "@Microsoft.KeyVault(SecretUri=${s.versionless_id})" }

  function_app_name = "${local.name}-fn${local.name_suffix_dash}"
  function_hostname = "${local.function_app_name}.azurewebsites.net"
  # a custom domain bound to the app (public_url) is the address links and the console use
  public_url = coalesce(var.public_url, "https://${local.function_hostname}")

  tags = merge(var.tags, { "cloudo:component" = "cloudo" })
}
