# `terraform test` of the module, mocked providers (see roles.tftest.hcl for why): the settings the code reads, and no secret in any output.

mock_provider "azurerm" {}
mock_provider "random" {}
mock_provider "time" {}

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

  assert {
    condition     = azurerm_linux_function_app.cloudo.app_settings["CLOUDO_AKS_CLUSTERS"] == var.aks_integration.weu.cluster_id
    error_message = "the app lists the clusters of aks_integration: their alerts' runs get AKS credentials under aks_credentials auto"
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

run "aks_clusters_of_the_aks_integration" {
  command = apply

  variables {
    aks_integration = {
      weu = { cluster_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/aks-rg/providers/Microsoft.ContainerService/managedClusters/weu" }
      itn = { cluster_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/aks-itn/providers/Microsoft.ContainerService/managedClusters/itn" }
    }
  }

  assert {
    # split() gives a list, a [...] literal is a tuple: Terraform never finds those equal
    condition = split(",", azurerm_linux_function_app.cloudo.app_settings["CLOUDO_AKS_CLUSTERS"]) == tolist([
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/aks-itn/providers/Microsoft.ContainerService/managedClusters/itn",
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/aks-rg/providers/Microsoft.ContainerService/managedClusters/weu",
    ])
    error_message = "CLOUDO_AKS_CLUSTERS holds every cluster_id of aks_integration, comma-separated"
  }
}

run "no_aks_integration" {
  command = apply

  variables {
    aks_integration      = {}
    custom_roles_per_aks = {}
  }

  assert {
    condition     = azurerm_linux_function_app.cloudo.app_settings["CLOUDO_AKS_CLUSTERS"] == ""
    error_message = "without aks_integration no cluster is listed (the app reads a blank setting as none)"
  }
}
