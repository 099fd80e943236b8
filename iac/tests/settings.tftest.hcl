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

# The original ClouDO's per-team inputs (terraform.tfvars sets payments and card-eu): one app setting per
# team, named as src/core/team-notify-settings.ts reads it, secrets as Key Vault references only.
run "team_notification_settings" {
  command = apply

  assert {
    condition = alltrue([
      for name, secret in {
        SLACK_TOKEN_PAYMENTS      = "team-slack-token-payments"
        SLACK_TOKEN_CARD_EU       = "team-slack-token-card-eu"
        OPSGENIE_API_KEY_PAYMENTS = "team-opsgenie-api-key-payments"
      } :
      azurerm_linux_function_app.cloudo.app_settings[name] == "@Microsoft.KeyVault(SecretUri=${azurerm_key_vault_secret.app[secret].versionless_id})"
    ])
    error_message = "a team's Slack token and Opsgenie key reach the app as SLACK_TOKEN_<TEAM> / OPSGENIE_API_KEY_<TEAM> Key Vault references"
  }

  assert {
    condition = (
      nonsensitive(azurerm_key_vault_secret.app["team-slack-token-payments"].value) == "xoxb-payments-not-a-real-token" &&
      nonsensitive(azurerm_key_vault_secret.app["team-slack-token-card-eu"].value) == "xoxb-card-eu-not-a-real-token" &&
      nonsensitive(azurerm_key_vault_secret.app["team-opsgenie-api-key-payments"].value) == "opsgenie-payments-not-a-real-key"
    )
    error_message = "each team's secret is stored in Key Vault under its own name"
  }

  assert {
    condition = (
      azurerm_linux_function_app.cloudo.app_settings["SLACK_CHANNEL_PAYMENTS"] == "#payments" &&
      azurerm_linux_function_app.cloudo.app_settings["SLACK_CHANNEL_CARD_EU"] == "C0123456789" &&
      azurerm_linux_function_app.cloudo.app_settings["OPSGENIE_REGION"] == "us" &&
      !contains(keys(azurerm_linux_function_app.cloudo.app_settings), "OPSGENIE_API_KEY_CARD_EU")
    )
    error_message = "team channels are plain settings, a team without a key of its own gets none, and the region defaults to us"
  }

  assert {
    condition = alltrue([
      for value in values(azurerm_linux_function_app.cloudo.app_settings) : alltrue([
        for secret in concat(values(nonsensitive(var.team_slack_tokens)), values(nonsensitive(var.team_opsgenie_api_keys))) :
        !strcontains(value, secret)
      ])
    ])
    error_message = "no team secret is a plain app setting"
  }
}

run "opsgenie_region_eu" {
  command = plan

  variables {
    opsgenie_region = "eu"
  }

  assert {
    condition     = azurerm_linux_function_app.cloudo.app_settings["OPSGENIE_REGION"] == "eu"
    error_message = "opsgenie_region reaches the app as OPSGENIE_REGION"
  }
}

run "opsgenie_region_refused" {
  command = plan

  variables {
    opsgenie_region = "apac"
  }

  expect_failures = [var.opsgenie_region]
}

run "team_name_that_makes_no_setting_refused" {
  command = plan

  variables {
    team_slack_tokens = { "pay.ments" = "xoxb-x" }
  }

  expect_failures = [var.team_slack_tokens]
}

run "teams_naming_the_same_setting_refused" {
  command = plan

  variables {
    team_opsgenie_api_keys = { "card-eu" = "k1", "CARD_EU" = "k2" }
  }

  expect_failures = [var.team_opsgenie_api_keys]
}

run "team_channel_slack_would_refuse" {
  command = plan

  variables {
    team_slack_channels = { payments = "payments team" }
  }

  expect_failures = [var.team_slack_channels]
}
