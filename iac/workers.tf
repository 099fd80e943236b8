# Workers: one Container App per capability, scaled by KEDA on its job queue, and a scheduled job that
# imports var.schemas into the schema registry with the workers' own importer (cloudo schemas import).

resource "azurerm_container_app_environment" "cloudo" {
  name                       = "${local.name}-cae"
  resource_group_name        = var.resource_group_name
  location                   = var.location
  log_analytics_workspace_id = var.log_analytics_workspace_id
  tags                       = local.tags
}

locals {
  # settings every worker process shares (docker-compose.yml's worker service, in Azure)
  worker_env = {
    "AzureWebJobsStorage__accountName" = azurerm_storage_account.cloudo.name
    "AzureWebJobsStorage__credential"  = "managedidentity"
    "AzureWebJobsStorage__clientId"    = azurerm_user_assigned_identity.worker.client_id
    "CLOUDO_STORAGE_NAMESPACE"         = var.storage_namespace
    "CLOUDO_GITHUB_REPO"               = local.github.repo
    "CLOUDO_GITHUB_BRANCH"             = local.github.branch
    "CLOUDO_GITHUB_RUNBOOK_PATH"       = local.github.path
    "CLOUDO_CONCURRENCY"               = tostring(var.worker_concurrency)
    # per-run AKS credentials with the worker identity (workers/aks-credentials.ts)
    "CLOUDO_AKS_CLIENT_ID" = azurerm_user_assigned_identity.worker.client_id
    # SIGTERM: running runbooks may finish for this long (Container Apps waits 30 s by default)
    "CLOUDO_SHUTDOWN_GRACE_MS" = "20000"
  }

  # Container Apps secrets, each a Key Vault reference read with the worker identity
  worker_secrets = merge(
    local.github_token_set ? { "github-token" = azurerm_key_vault_secret.app["github-token"].versionless_id } : {},
    local.worker_registry_auth ? { "registry-password" = azurerm_key_vault_secret.app["worker-registry-password"].versionless_id } : {},
    var.storage_shared_key_enabled ? { "storage-connection-string" = azurerm_key_vault_secret.app["storage-connection-string"].versionless_id } : {},
  )
  worker_secret_names = toset(concat(
    local.github_token_set ? ["github-token"] : [],
    local.worker_registry_auth ? ["registry-password"] : [],
    var.storage_shared_key_enabled ? ["storage-connection-string"] : [],
  ))
}

resource "azurerm_container_app" "worker" {
  for_each                     = local.workers
  name                         = substr("${local.compact_name}-wk-${each.value.suffix}", 0, 32)
  resource_group_name          = var.resource_group_name
  container_app_environment_id = azurerm_container_app_environment.cloudo.id
  revision_mode                = "Single"
  tags                         = local.tags

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.worker.id]
  }

  dynamic "secret" {
    for_each = local.worker_secret_names
    content {
      name                = secret.value
      key_vault_secret_id = local.worker_secrets[secret.value]
      identity            = azurerm_user_assigned_identity.worker.id
    }
  }

  dynamic "registry" {
    for_each = local.worker_registry_auth ? [1] : []
    content {
      server               = local.worker_registry_server
      username             = local.worker_registry_username
      password_secret_name = "registry-password"
    }
  }

  template {
    min_replicas = var.worker_min_replicas
    max_replicas = var.worker_max_replicas

    container {
      name   = "worker"
      image  = local.worker_image
      cpu    = var.worker_resources.cpu
      memory = var.worker_resources.memory

      env {
        name  = "CLOUDO_WORKER"
        value = each.key
      }

      dynamic "env" {
        for_each = local.worker_env
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = local.github_token_set ? [1] : []
        content {
          name        = "CLOUDO_GITHUB_TOKEN"
          secret_name = "github-token"
        }
      }
    }

    # KEDA azure-queue scaler on this worker's job queue: 0 replicas while it is empty (min_replicas 0)
    dynamic "custom_scale_rule" {
      for_each = var.storage_shared_key_enabled ? [1] : []
      content {
        name             = "job-queue"
        custom_rule_type = "azure-queue"
        metadata = {
          accountName = azurerm_storage_account.cloudo.name
          queueName   = local.job_queues[each.key]
          queueLength = tostring(var.worker_concurrency)
          cloud       = "AzurePublicCloud"
        }

        authentication {
          secret_name       = "storage-connection-string"
          trigger_parameter = "connection"
        }
      }
    }
  }

  depends_on = [azurerm_role_assignment.kv_worker, azurerm_role_assignment.storage]

  lifecycle {
    precondition {
      condition     = local.worker_image_set
      error_message = "worker_image is required: the schemas (or var.workers) name at least one worker."
    }
    precondition {
      condition     = var.storage_shared_key_enabled || var.worker_min_replicas >= 1
      error_message = "with storage_shared_key_enabled = false the queue scaler cannot run: set worker_min_replicas >= 1."
    }
    precondition {
      condition     = var.worker_max_replicas >= var.worker_min_replicas
      error_message = "worker_max_replicas must be >= worker_min_replicas."
    }
  }
}

resource "azurerm_container_app_job" "schemas_import" {
  count                        = local.worker_image_set ? 1 : 0
  name                         = substr("${local.compact_name}-schemas-import", 0, 32)
  resource_group_name          = var.resource_group_name
  location                     = var.location
  container_app_environment_id = azurerm_container_app_environment.cloudo.id
  replica_timeout_in_seconds   = 300
  replica_retry_limit          = 1
  tags                         = local.tags

  schedule_trigger_config {
    cron_expression          = var.schemas_import_cron
    parallelism              = 1
    replica_completion_count = 1
  }

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.worker.id]
  }

  dynamic "secret" {
    for_each = local.worker_registry_auth ? [1] : []
    content {
      name                = "registry-password"
      key_vault_secret_id = local.worker_secrets["registry-password"]
      identity            = azurerm_user_assigned_identity.worker.id
    }
  }

  dynamic "registry" {
    for_each = local.worker_registry_auth ? [1] : []
    content {
      server               = local.worker_registry_server
      username             = local.worker_registry_username
      password_secret_name = "registry-password"
    }
  }

  template {
    container {
      name    = "schemas-import"
      image   = local.worker_image
      cpu     = 0.25
      memory  = "0.5Gi"
      command = ["/bin/bash", "-c", "printf '%s' \"$CLOUDO_SCHEMAS_JSON\" > /tmp/schemas.json && exec node dist/src/cli/main.js schemas import /tmp/schemas.json"]

      env {
        name  = "CLOUDO_SCHEMAS_JSON"
        value = var.schemas
      }

      env {
        name  = "AzureWebJobsStorage__accountName"
        value = azurerm_storage_account.cloudo.name
      }

      env {
        name  = "AzureWebJobsStorage__credential"
        value = "managedidentity"
      }

      env {
        name  = "AzureWebJobsStorage__clientId"
        value = azurerm_user_assigned_identity.worker.client_id
      }

      env {
        name  = "CLOUDO_STORAGE_NAMESPACE"
        value = var.storage_namespace
      }
    }
  }

  depends_on = [azurerm_role_assignment.kv_worker, azurerm_role_assignment.storage, azurerm_storage_table.cloudo]
}
