# Workers: one Container App per capability, scaled by KEDA on its job queue.

resource "azurerm_container_app_environment" "cloudo" {
  name                       = "${local.name}-cae"
  resource_group_name        = var.resource_group_name
  location                   = var.location
  log_analytics_workspace_id = var.log_analytics_workspace_id
  # private_networking: in the VNet, internal (the workers take ingress from the VNet only: the app's
  # wake-up nudges, network.tf), reaching storage and the vault through their private endpoints
  infrastructure_subnet_id       = local.container_apps_subnet_id
  internal_load_balancer_enabled = local.private_enabled ? true : null
  tags                           = local.tags
}

locals {
  # settings every worker process shares (docker-compose.yml's worker service, in Azure)
  worker_env = merge(var.worker_settings, local.wake_enabled ? {
    # the wake-up listener, behind the app's ingress (its address: CLOUDO_WAKE_URL, per worker app)
    "CLOUDO_WAKE_PORT" = tostring(local.wake_port)
    } : {}, {
    "AzureWebJobsStorage__accountName" = azurerm_storage_account.cloudo.name
    "AzureWebJobsStorage__credential"  = "managedidentity"
    "AzureWebJobsStorage__clientId"    = azurerm_user_assigned_identity.worker.client_id
    "CLOUDO_STORAGE_NAMESPACE"         = var.storage_namespace
    "CLOUDO_GITHUB_REPO"               = local.github.repo
    "CLOUDO_GITHUB_BRANCH"             = local.github.branch
    "CLOUDO_GITHUB_RUNBOOK_PATH"       = local.github.path
    "CLOUDO_CONCURRENCY"               = tostring(var.worker_concurrency)
    # where a worker fetches each run's own federated token (issue 20); the app's default hostname, which
    # private networking resolves to its private endpoint, not a custom domain in front of it
    "CLOUDO_APP_URL" = "https://${local.function_hostname}"
    # the workers' own identity, as the original's module set it; runbooks inherit only the tenant and
    # subscription as defaults: their identity is their own (CLOUDO_APP_URL below, src/core/runbook-env.ts)
    "AZURE_CLIENT_ID"       = azurerm_user_assigned_identity.worker.client_id
    "AZURE_TENANT_ID"       = azurerm_user_assigned_identity.worker.tenant_id
    "AZURE_SUBSCRIPTION_ID" = data.azurerm_subscription.current.subscription_id
    # Scale-in sends SIGTERM to a replica that may be mid-run: its runbooks may finish for the grace
    # period, less 10 s for the worker to record how they ended before the platform's SIGKILL.
    "CLOUDO_SHUTDOWN_GRACE_MS" = tostring((var.worker_shutdown_grace_seconds - 10) * 1000)
    },
    # isolated runs (isolated-runs.tf): where and from what a run's container group is made, managed as
    # the workers' identity; absent when off, so an existing deployment's plan is unchanged
    local.isolated_runs_enabled ? {
      "CLOUDO_ACI_RESOURCE_GROUP_ID" = local.aci_resource_group_id
      "CLOUDO_ACI_CLIENT_ID"         = azurerm_user_assigned_identity.worker.client_id
      "CLOUDO_ACI_LOCATION"          = local.aci_location
      # the image this worker app runs, started in one-shot mode
      "CLOUDO_ACI_IMAGE" = local.worker_image
      # name → {client_id, resource_id} of every runbook identity and `default`
      "CLOUDO_ACI_IDENTITIES" = jsonencode(local.aci_identities)
    } : {},
    local.aci_registry_pull ? {
      "CLOUDO_ACI_REGISTRY_IDENTITY" = azurerm_user_assigned_identity.aci_pull[0].id
    } : {},
    local.aci_subnet_enabled ? {
      "CLOUDO_ACI_SUBNET_ID" = local.aci_subnet_id
    } : {},
  )

  # Container App names: at most 32 characters, no trailing or double hyphen; the hash keeps two long
  # capabilities that share a beginning apart.
  worker_app_names = {
    for w, v in local.workers : w => format("%s-%s-%s",
      replace(substr(local.compact_name, 0, 10), "/-+$/", ""),
      replace(substr(v.suffix, 0, 14), "/-+$/", ""),
      substr(md5(w), 0, 6),
    )
  }

  # Container Apps secrets, each a Key Vault reference read with the worker identity
  worker_secrets = merge(
    local.github_token_set ? { "github-token" = azurerm_key_vault_secret.app["github-token"].versionless_id } : {},
    local.wake_enabled ? { "wake-key" = azurerm_key_vault_secret.app["cloudo-wake-key"].versionless_id } : {},
    { "worker-key" = azurerm_key_vault_secret.app["cloudo-worker-key"].versionless_id },
    local.worker_registry_auth ? { "registry-password" = azurerm_key_vault_secret.app["worker-registry-password"].versionless_id } : {},
  )
  worker_secret_names = toset(concat(
    local.github_token_set ? ["github-token"] : [],
    local.wake_enabled ? ["wake-key"] : [],
    ["worker-key"],
    local.worker_registry_auth ? ["registry-password"] : [],
  ))
}

resource "azurerm_container_app" "worker" {
  for_each                     = local.workers
  name                         = local.worker_app_names[each.key]
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

  # another registry with a user name and password, or the module's registry with the workers' identity
  dynamic "registry" {
    for_each = local.worker_registries
    content {
      server               = registry.value.server
      username             = registry.value.username
      password_secret_name = registry.value.password_secret_name
      identity             = registry.value.identity
    }
  }

  # wake-up nudges from the Functions app: "external" in an environment with an internal load balancer is
  # the VNet, never the internet. Plain HTTP inside the VNet: a nudge carries nothing secret, its signature
  # is what makes it count, and a worker that misses one polls anyway.
  dynamic "ingress" {
    for_each = local.wake_enabled ? [1] : []
    content {
      external_enabled           = true
      target_port                = local.wake_port
      transport                  = "http"
      allow_insecure_connections = true
      traffic_weight {
        latest_revision = true
        percentage      = 100
      }
    }
  }

  template {
    min_replicas                     = var.worker_min_replicas
    max_replicas                     = var.worker_max_replicas
    termination_grace_period_seconds = var.worker_shutdown_grace_seconds
    # how often KEDA looks at the job queue, and how long an empty queue waits before scaling to zero
    polling_interval_in_seconds = var.worker_scale_polling_seconds
    cooldown_period_in_seconds  = var.worker_scale_cooldown_seconds

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

      env {
        name        = "CLOUDO_WORKER_KEY"
        secret_name = "worker-key"
      }

      dynamic "env" {
        for_each = local.wake_enabled ? [1] : []
        content {
          name        = "CLOUDO_WAKE_KEY"
          secret_name = "wake-key"
        }
      }

      # this app's own name under the environment's domain: replicas share it, and the ingress picks one
      dynamic "env" {
        for_each = local.wake_enabled ? [1] : []
        content {
          name  = "CLOUDO_WAKE_URL"
          value = "http://${local.worker_app_names[each.key]}.${azurerm_container_app_environment.cloudo.default_domain}/wake"
        }
      }
    }

    # KEDA azure-queue scaler on this worker's job queue: 0 replicas while it is empty (min_replicas 0).
    # It reads the queue's length as the worker identity (its Storage Queue Data Contributor role on the
    # account), so no key or connection string exists for it.
    custom_scale_rule {
      name             = "job-queue"
      custom_rule_type = "azure-queue"
      identity_id      = azurerm_user_assigned_identity.worker.id
      metadata = {
        accountName = azurerm_storage_account.cloudo.name
        queueName   = local.job_queues[each.key]
        queueLength = tostring(var.worker_concurrency)
        # count the messages being worked on too, or scale-in stops replicas that are mid-run
        queueLengthStrategy = "all"
        cloud               = "AzurePublicCloud"
      }
    }
  }

  # with private_networking, the queue and the vault are reached through their private endpoints
  depends_on = [azurerm_role_assignment.kv_worker, azurerm_role_assignment.storage, azurerm_private_endpoint.cloudo]

  lifecycle {
    precondition {
      condition     = local.worker_image_set
      error_message = "worker_image is required: the schemas (or var.workers) name at least one worker."
    }
    precondition {
      condition     = var.worker_max_replicas >= var.worker_min_replicas
      error_message = "worker_max_replicas must be >= worker_min_replicas."
    }
    precondition {
      condition     = length(distinct(values(local.job_queues))) == length(local.job_queues)
      error_message = "two worker names map to one queue (names differ only in case or in _ . -): rename one."
    }
  }
}
