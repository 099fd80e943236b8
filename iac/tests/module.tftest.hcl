# `terraform test` of the module with mocked providers: no Azure, no credentials. Each run applies the
# module against the mocks (computed ids and principal ids are generated) and asserts what it would
# deploy: who gets which role where, how the workers scale, TLS/HTTPS, the settings the code reads, and
# that no output carries a secret. test/iac/terraform-test.test.ts runs it, and mutates the module to
# prove that these assertions catch the mistakes they are about.

mock_provider "azurerm" {}
mock_provider "random" {}
mock_provider "time" {}

variables {
  prefix                    = "cloudo"
  env                       = "test"
  location                  = "westeurope"
  resource_group_name       = "cloudo-test-rg"
  application_insights_name = "cloudo-test-appi"
  application_insights_rg   = "cloudo-test-rg"
  github_repo_info = {
    repo_name    = "contoso/runbooks"
    repo_token   = "ghp_not-a-real-token-0123456789"
    runbook_path = "runbooks"
  }
  schemas           = "[{\"partition_key\":\"generic\",\"entity\":[{\"id\":\"hello\",\"worker\":\"Runbook\",\"runbook\":\"hello.sh\"},{\"id\":\"restart\",\"worker\":\"aks.ops\",\"runbook\":\"restart.sh\"}]}]"
  worker_image      = { image_name = "contoso/cloudo-worker", image_tag = "0123abc" }
  slack_integration = { channel = "#ops", token = "xoxb-not-a-real-token" }
  opsgenie_api_key  = "opsgenie-not-a-real-key"
  signing_key       = "signing-key-not-real-0123456789abcdef0123456789"
  aks_integration = {
    weu = { cluster_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/aks-rg/providers/Microsoft.ContainerService/managedClusters/weu" }
  }
  custom_roles_per_aks      = { weu = ["Azure Kubernetes Service Cluster User Role"] }
  custom_roles_subscription = ["Reader"]
  custom_role_assignments = [
    { role = "Contributor", scope = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-app" },
  ]
  worker_concurrency = 3
}

run "roles" {
  command = apply

  assert {
    condition = toset([for r in azurerm_role_assignment.storage : "${r.role_definition_name}|${r.scope}|${r.principal_id}"]) == toset([
      "Storage Table Data Contributor|${azurerm_storage_account.cloudo.id}|${azurerm_user_assigned_identity.app.principal_id}",
      "Storage Queue Data Contributor|${azurerm_storage_account.cloudo.id}|${azurerm_user_assigned_identity.app.principal_id}",
      "Storage Blob Data Owner|${azurerm_storage_account.cloudo.id}|${azurerm_user_assigned_identity.app.principal_id}",
      "Storage Table Data Contributor|${azurerm_storage_account.cloudo.id}|${azurerm_user_assigned_identity.worker.principal_id}",
      "Storage Queue Data Contributor|${azurerm_storage_account.cloudo.id}|${azurerm_user_assigned_identity.worker.principal_id}",
      "Storage Blob Data Contributor|${azurerm_storage_account.cloudo.id}|${azurerm_user_assigned_identity.worker.principal_id}",
    ])
    error_message = "storage data roles: the app needs Table/Queue Data Contributor and Blob Data Owner (host locks and keys), the workers Table/Queue/Blob Data Contributor, on the module's account"
  }

  assert {
    condition = toset([
      for r in [azurerm_role_assignment.kv_deployer, azurerm_role_assignment.kv_app, azurerm_role_assignment.kv_worker, azurerm_role_assignment.function_keys_app, azurerm_role_assignment.function_keys_deployer] :
      "${r.role_definition_name}|${r.scope}|${r.principal_id}"
      ]) == toset([
      "Key Vault Secrets Officer|${azurerm_key_vault.cloudo.id}|${data.azurerm_client_config.current.object_id}",
      "Key Vault Secrets User|${azurerm_key_vault.cloudo.id}|${azurerm_user_assigned_identity.app.principal_id}",
      "Key Vault Secrets User|${azurerm_key_vault.cloudo.id}|${azurerm_user_assigned_identity.worker.principal_id}",
      "Key Vault Secrets Officer|${azurerm_key_vault.function_keys.id}|${azurerm_user_assigned_identity.app.principal_id}",
      "Key Vault Secrets Officer|${azurerm_key_vault.function_keys.id}|${data.azurerm_client_config.current.object_id}",
    ])
    error_message = "Key Vault roles: the deployer writes secrets, the identities only read the module's vault; the app writes only the host keys' vault"
  }

  assert {
    condition = toset(concat(
      [for r in azurerm_role_assignment.aks : "${r.role_definition_name}|${r.scope}|${r.principal_id}"],
      [for r in azurerm_role_assignment.subscription : "${r.role_definition_name}|${r.scope}|${r.principal_id}"],
      [for r in azurerm_role_assignment.custom : "${r.role_definition_name}|${r.scope}|${r.principal_id}"],
      )) == toset([
      "Azure Kubernetes Service Cluster User Role|${var.aks_integration.weu.cluster_id}|${azurerm_user_assigned_identity.worker.principal_id}",
      "Reader|${data.azurerm_subscription.current.id}|${azurerm_user_assigned_identity.worker.principal_id}",
      "Contributor|/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-app|${azurerm_user_assigned_identity.worker.principal_id}",
    ])
    error_message = "AKS, subscription and custom roles go to the worker identity, on the scopes given"
  }
}

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

run "https_and_tls" {
  command = apply

  assert {
    condition = (
      azurerm_linux_function_app.cloudo.https_only == true &&
      azurerm_linux_function_app.cloudo.site_config[0].minimum_tls_version == "1.2" &&
      azurerm_linux_function_app.cloudo.site_config[0].scm_minimum_tls_version == "1.2" &&
      azurerm_linux_function_app.cloudo.site_config[0].ftps_state == "Disabled" &&
      azurerm_linux_function_app.cloudo.ftp_publish_basic_authentication_enabled == false &&
      azurerm_linux_function_app.cloudo.webdeploy_publish_basic_authentication_enabled == false
    )
    error_message = "the Functions app: HTTPS only, TLS 1.2 (site and SCM), no FTP(S), no basic-auth publishing"
  }

  assert {
    condition = (
      azurerm_storage_account.cloudo.min_tls_version == "TLS1_2" &&
      azurerm_storage_account.cloudo.https_traffic_only_enabled == true &&
      azurerm_storage_account.cloudo.allow_nested_items_to_be_public == false &&
      alltrue([for c in azurerm_storage_container.cloudo : c.container_access_type == "private"])
    )
    error_message = "storage: TLS 1.2, HTTPS only, nothing public"
  }
}

run "app_settings_the_code_reads" {
  command = apply

  assert {
    condition = (
      azurerm_linux_function_app.cloudo.app_settings["CLOUDO_ENV"] == "production" &&
      azurerm_linux_function_app.cloudo.app_settings["AzureWebJobsStorage__credential"] == "managedidentity" &&
      azurerm_linux_function_app.cloudo.app_settings["AzureWebJobsStorage__clientId"] == azurerm_user_assigned_identity.app.client_id &&
      azurerm_linux_function_app.cloudo.app_settings["CLOUDO_PUBLIC_URL"] == "https://cloudo-test-cloudo-fn.azurewebsites.net" &&
      azurerm_linux_function_app.cloudo.app_settings["CLOUDO_SCHEMAS_JSON"] == var.schemas &&
      azurerm_linux_function_app.cloudo.app_settings["CLOUDO_TRIGGER_AUTH_LEVEL"] == "function" &&
      azurerm_linux_function_app.cloudo.app_settings["CLOUDO_TRUST_EASY_AUTH"] == "false" &&
      azurerm_linux_function_app.cloudo.app_settings["CLOUDO_RETENTION_DAYS"] == "90" &&
      azurerm_linux_function_app.cloudo.app_settings["WEBSITE_RUN_FROM_PACKAGE"] == "1" &&
      azurerm_linux_function_app.cloudo.app_settings["SLACK_CHANNEL_DEFAULT"] == "#ops" &&
      azurerm_linux_function_app.cloudo.app_settings["PAGERDUTY_ROUTING_KEY"] == "" &&
      azurerm_linux_function_app.cloudo.app_settings["AzureWebJobsSecretStorageType"] == "keyvault" &&
      azurerm_linux_function_app.cloudo.app_settings["AzureWebJobsSecretStorageKeyVaultUri"] == azurerm_key_vault.function_keys.vault_uri
    )
    error_message = "the Functions app's settings are the names and values the code reads"
  }

  assert {
    condition = alltrue([
      for name, secret in { CLOUDO_SIGNING_KEY = "cloudo-signing-key", SLACK_TOKEN = "slack-token", OPSGENIE_API_KEY = "opsgenie-api-key" } :
      azurerm_linux_function_app.cloudo.app_settings[name] == "@Microsoft.KeyVault(SecretUri=${azurerm_key_vault_secret.app[secret].versionless_id})"
    ])
    error_message = "secrets reach the app only as Key Vault references"
  }

  assert {
    condition     = azurerm_linux_function_app.cloudo.app_settings["CLOUDO_FUNCTION_KEY_NAMES"] == "actiongroup=sha256:${substr(sha256(nonsensitive(random_password.trigger_key[0].result)), 0, 12)}"
    error_message = "the audit log names the action group's Trigger key by its fingerprint"
  }
}

run "no_secret_in_outputs" {
  command = apply

  assert {
    condition     = issensitive(output.trigger_url)
    error_message = "trigger_url carries the Trigger key: it must stay a sensitive output"
  }

  assert {
    condition = alltrue([
      for v in [
        output.console_url, output.function_app_name, output.action_group_id, output.storage_account_name,
        output.key_vault_id, jsonencode(output.job_queues), jsonencode(output.queue_names), jsonencode(output.worker_apps),
        output.function_app_id, jsonencode(output.worker_app_ids), output.storage_account_id, output.function_keys_vault_id,
        output.app_identity_principal_id, output.worker_identity_principal_id, output.worker_identity_client_id,
      ] :
      !issensitive(v) && alltrue([
        for secret in [
          nonsensitive(var.signing_key), nonsensitive(var.slack_integration.token), nonsensitive(var.opsgenie_api_key),
          nonsensitive(var.github_repo_info.repo_token), nonsensitive(random_password.trigger_key[0].result),
        ] : !strcontains(v, secret)
      ])
    ])
    error_message = "no output other than trigger_url holds a secret"
  }

  assert {
    condition     = azurerm_key_vault_secret.trigger_key[0].name == "function--Trigger--actiongroup" && azurerm_key_vault_secret.trigger_key[0].key_vault_id == azurerm_key_vault.function_keys.id
    error_message = "the action group's key is a key of the Trigger function only (never the master or host key), in the host keys' vault"
  }
}

run "secure_webhook_instead_of_a_key" {
  command = apply

  variables {
    secure_webhook = {
      object_id      = "11111111-2222-3333-4444-555555555555"
      identifier_uri = "api://cloudo-webhook"
    }
  }

  assert {
    condition = (
      length(random_password.trigger_key) == 0 &&
      !strcontains(nonsensitive(output.trigger_url), "code=") &&
      azurerm_monitor_action_group.cloudo.webhook_receiver[0].aad_auth[0].object_id == "11111111-2222-3333-4444-555555555555" &&
      azurerm_linux_function_app.cloudo.app_settings["CLOUDO_TRIGGER_AUTH_LEVEL"] == "anonymous"
    )
    error_message = "with secure_webhook the action group authenticates with Entra ID and carries no key"
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
