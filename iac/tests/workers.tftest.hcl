# `terraform test` of the module, mocked providers (see roles.tftest.hcl for why): how the workers scale, and the inputs the platform would refuse.

mock_provider "azurerm" {}
mock_provider "random" {}
mock_provider "time" {}

run "workers_scale_on_their_own_queue" {
  command = apply

  assert {
    condition     = toset(keys(azurerm_container_app.worker)) == toset(["Runbook", "aks.ops"])
    error_message = "one worker app per capability of the schemas"
  }

  assert {
    condition = alltrue([
      for w, q in { "Runbook" = "cloudo-jobs-runbook", "aks.ops" = "cloudo-jobs-aks-ops" } :
      azurerm_container_app.worker[w].template[0].custom_scale_rule[0].custom_rule_type == "azure-queue" &&
      azurerm_container_app.worker[w].template[0].custom_scale_rule[0].metadata.queueName == q &&
      azurerm_container_app.worker[w].template[0].custom_scale_rule[0].metadata.accountName == azurerm_storage_account.cloudo.name &&
      azurerm_container_app.worker[w].template[0].custom_scale_rule[0].metadata.queueLength == "3" &&
      azurerm_container_app.worker[w].template[0].custom_scale_rule[0].metadata.queueLengthStrategy == "all" &&
      azurerm_storage_queue.cloudo[q].name == q
    ])
    error_message = "each worker scales with KEDA's azure-queue scaler on its own job queue, worker_concurrency messages a replica, counting messages being worked on"
  }

  assert {
    condition = alltrue([
      for w in ["Runbook", "aks.ops"] :
      azurerm_container_app.worker[w].template[0].custom_scale_rule[0].identity_id == azurerm_user_assigned_identity.worker.id &&
      contains(azurerm_container_app.worker[w].identity[0].identity_ids, azurerm_user_assigned_identity.worker.id) &&
      length(azurerm_container_app.worker[w].template[0].custom_scale_rule[0].authentication) == 0 &&
      !contains([for s in azurerm_container_app.worker[w].secret : s.name], "storage-connection-string")
    ])
    error_message = "the scaler reads the queue as the worker identity (identity_id, assigned to the app), with no connection-string secret"
  }

  assert {
    condition     = !contains(keys(azurerm_key_vault_secret.app), "storage-connection-string") && azurerm_storage_account.cloudo.shared_access_key_enabled == false
    error_message = "shared keys are off by default and no storage connection string is kept in Key Vault"
  }

  assert {
    condition = alltrue([
      for w in ["Runbook", "aks.ops"] :
      azurerm_container_app.worker[w].template[0].termination_grace_period_seconds <= 600 &&
      { for e in azurerm_container_app.worker[w].template[0].container[0].env : e.name => e.value if e.value != null } == merge(
        { for e in azurerm_container_app.worker[w].template[0].container[0].env : e.name => e.value if e.value != null },
        {
          CLOUDO_WORKER                   = w
          CLOUDO_CONCURRENCY              = "3"
          CLOUDO_SHUTDOWN_GRACE_MS        = tostring((var.worker_shutdown_grace_seconds - 10) * 1000)
          AzureWebJobsStorage__clientId   = azurerm_user_assigned_identity.worker.client_id
          AzureWebJobsStorage__credential = "managedidentity"
        },
      )
    ])
    error_message = "workers: grace period within Container Apps' 600 s, their capability, shutdown budget and identity in the environment"
  }

  assert {
    condition     = toset(keys(azurerm_storage_queue.cloudo)) == toset(["cloudo-results", "cloudo-jobs-runbook", "cloudo-jobs-aks-ops", "cloudo-jobs-runbook-poison", "cloudo-jobs-aks-ops-poison"])
    error_message = "queues: results, and a job and a poison queue per capability"
  }
}

run "shared_keys_opted_in" {
  command = apply

  variables {
    storage_shared_key_enabled = true
  }

  assert {
    condition = azurerm_storage_account.cloudo.shared_access_key_enabled == true && alltrue([
      for w in ["Runbook", "aks.ops"] :
      azurerm_container_app.worker[w].template[0].custom_scale_rule[0].identity_id == azurerm_user_assigned_identity.worker.id &&
      length(azurerm_container_app.worker[w].template[0].custom_scale_rule[0].authentication) == 0
    ]) && !contains(keys(azurerm_key_vault_secret.app), "storage-connection-string")
    error_message = "with shared keys turned on the account accepts them, and still nothing of the module uses one"
  }
}

run "grace_period_over_the_platform_maximum" {
  command = plan

  variables {
    worker_shutdown_grace_seconds = 601
  }

  expect_failures = [var.worker_shutdown_grace_seconds]
}

run "fractional_concurrency" {
  command = plan

  variables {
    worker_concurrency = 2.5
  }

  expect_failures = [var.worker_concurrency]
}
