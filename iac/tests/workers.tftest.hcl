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
      azurerm_container_app.worker[w].template[0].custom_scale_rule[0].authentication[0].secret_name == "storage-connection-string" &&
      azurerm_container_app.worker[w].template[0].custom_scale_rule[0].authentication[0].trigger_parameter == "connection"
    ])
    error_message = "the scaler authenticates with the Key Vault-backed connection secret (azurerm 4.55 has no identity_id on custom_scale_rule)"
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
