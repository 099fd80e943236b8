# `terraform test` of the module, mocked providers (see roles.tftest.hcl for why): runbooks act as their
# own identities (runbook-identity.tf), each trusting ClouDO's OIDC issuer for its schemas' subjects only,
# and none of what runbooks may do lands on the workers' identity, which holds ClouDO's own storage.

mock_provider "azurerm" {}
mock_provider "random" {}
mock_provider "time" {}

run "default_runbook_identity" {
  command = apply

  assert {
    condition = (
      azurerm_federated_identity_credential.runbook_default.user_assigned_identity_id == azurerm_user_assigned_identity.runbook.id &&
      azurerm_federated_identity_credential.runbook_default.issuer == "https://cloudo-test-cloudo-fn.azurewebsites.net/api" &&
      azurerm_federated_identity_credential.runbook_default.subject == "cloudo:runbook-identity:default" &&
      one(azurerm_federated_identity_credential.runbook_default.audience) == "api://AzureADTokenExchange" &&
      azurerm_user_assigned_identity.runbook.name == "cloudo-test-cloudo-runbook-id"
    )
    error_message = "the default runbook identity trusts the app's issuer (<public url>/api) for the one default subject, audience api://AzureADTokenExchange"
  }

  assert {
    condition     = length(azurerm_federated_identity_credential.runbook_schema) == 0 && length(azurerm_user_assigned_identity.runbook_named) == 0
    error_message = "without runbook_identities there is no other runbook identity nor credential"
  }

  assert {
    condition = (
      azurerm_linux_function_app.cloudo.app_settings["CLOUDO_OIDC_ISSUER"] == azurerm_federated_identity_credential.runbook_default.issuer &&
      azurerm_linux_function_app.cloudo.app_settings["CLOUDO_RUNBOOK_CLIENT_ID"] == azurerm_user_assigned_identity.runbook.client_id &&
      azurerm_linux_function_app.cloudo.app_settings["CLOUDO_RUNBOOK_IDENTITIES"] == "{}" &&
      azurerm_linux_function_app.cloudo.app_settings["AZURE_TENANT_ID"] == data.azurerm_client_config.current.tenant_id
    )
    error_message = "the app issues tokens as the issuer the credentials trust, and knows the default identity and the tenant"
  }

  assert {
    condition = toset(concat(
      [for r in azurerm_role_assignment.subscription : "${r.role_definition_name}|${r.scope}|${r.principal_id}"],
      [for r in azurerm_role_assignment.custom : "${r.role_definition_name}|${r.scope}|${r.principal_id}"],
      )) == toset([
      "Reader|${data.azurerm_subscription.current.id}|${azurerm_user_assigned_identity.runbook.principal_id}",
      "Contributor|/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-app|${azurerm_user_assigned_identity.runbook.principal_id}",
    ])
    error_message = "custom_roles_subscription and custom_role_assignments without principal_id go to the default runbook identity"
  }

  assert {
    condition = alltrue([
      for r in concat(values(azurerm_role_assignment.subscription), values(azurerm_role_assignment.custom)) :
      r.principal_id != azurerm_user_assigned_identity.worker.principal_id
    ])
    error_message = "no role of what runbooks may do lands on the workers' identity (it holds ClouDO's own storage)"
  }

  assert {
    condition = toset([
      for r in azurerm_role_assignment.aks : "${r.role_definition_name}|${r.principal_id}" if r.scope == var.aks_integration.weu.cluster_id
      ]) == toset([
      "Azure Kubernetes Service Cluster User Role|${azurerm_user_assigned_identity.runbook.principal_id}",
      "Azure Kubernetes Service RBAC Admin|${azurerm_user_assigned_identity.runbook.principal_id}",
    ])
    error_message = "the AKS roles go to the default runbook identity"
  }

  assert {
    condition = length(azurerm_role_assignment.aks) > 0 && alltrue([
      for r in concat(values(azurerm_role_assignment.aks), values(azurerm_role_assignment.runbook_aks)) :
      r.principal_id != azurerm_user_assigned_identity.worker.principal_id
    ])
    error_message = "no AKS role assignment's principal is the workers' identity: runs fetch their cluster's credentials and run kubectl as their own identity"
  }

  assert {
    condition     = output.runbook_identity_client_id == azurerm_user_assigned_identity.runbook.client_id && output.runbook_identity_principal_id == azurerm_user_assigned_identity.runbook.principal_id && output.runbook_identities == {}
    error_message = "the outputs name the default runbook identity"
  }
}

# The key that signs runs' federated tokens (keyvault.tf): in the module's vault, non-exportable, named to
# the app without a version, and usable by the app alone.
run "oidc_signing_key" {
  command = apply

  assert {
    condition = (
      azurerm_key_vault_key.oidc_signing.key_vault_id == azurerm_key_vault.cloudo.id &&
      azurerm_key_vault_key.oidc_signing.key_type == "RSA" &&
      azurerm_key_vault_key.oidc_signing.key_size >= 2048 &&
      contains(azurerm_key_vault_key.oidc_signing.key_opts, "sign") &&
      length(setsubtract(azurerm_key_vault_key.oidc_signing.key_opts, ["sign", "verify"])) == 0
    )
    error_message = "the OIDC signing key is an RSA key of 2048 bits or more in the module's vault, for sign (and verify) only"
  }

  assert {
    condition = (
      one(azurerm_key_vault_key.oidc_signing.rotation_policy).automatic[0].time_after_creation == "P90D" &&
      one(azurerm_key_vault_key.oidc_signing.rotation_policy).expire_after == "P180D"
    )
    error_message = "Key Vault rotates the key every 90 days, and a version expires well after its successor signs (180 days)"
  }

  assert {
    condition = (
      azurerm_linux_function_app.cloudo.app_settings["CLOUDO_OIDC_KEY_ID"] == azurerm_key_vault_key.oidc_signing.versionless_id &&
      azurerm_linux_function_app.cloudo.app_settings["CLOUDO_OIDC_KEY_ID"] != azurerm_key_vault_key.oidc_signing.id
    )
    error_message = "CLOUDO_OIDC_KEY_ID is the key's versionless id (the app refuses a versioned one, which would never rotate)"
  }

  assert {
    condition = toset([
      for r in [azurerm_role_assignment.oidc_key_app] : "${r.role_definition_name}|${r.scope}|${r.principal_id}"
      ]) == toset([
      "Key Vault Crypto User|${azurerm_key_vault_key.oidc_signing.resource_versionless_id}|${azurerm_user_assigned_identity.app.principal_id}",
    ])
    error_message = "the app identity has Key Vault Crypto User (get, list, sign) on the signing key itself"
  }

  assert {
    condition = alltrue([
      for r in concat(
        [azurerm_role_assignment.kv_deployer, azurerm_role_assignment.kv_deployer_crypto, azurerm_role_assignment.kv_app, azurerm_role_assignment.kv_worker, azurerm_role_assignment.oidc_key_app],
        values(azurerm_role_assignment.storage), values(azurerm_role_assignment.custom), values(azurerm_role_assignment.subscription),
      ) : !(r.principal_id == azurerm_user_assigned_identity.worker.principal_id && startswith(coalesce(r.role_definition_name, "-"), "Key Vault Crypto"))
    ])
    error_message = "the workers' identity has no Key Vault crypto role: a worker that could sign would mint tokens for any runbook identity"
  }
}

run "named_runbook_identities" {
  command = apply

  variables {
    public_url = "https://ops.example.com"
    runbook_identities = {
      payments = {
        schemas = ["generic:hello", "generic:restart"]
        roles = [
          { role = "Reader", scope = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/payments" },
          { role = "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7", scope = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/payments-2" },
        ]
        aks = ["weu"]
      }
      "k8s-reader" = { schemas = ["aks:pods.list"] }
    }
  }

  assert {
    condition = {
      for k, c in azurerm_federated_identity_credential.runbook_schema : k => [c.user_assigned_identity_id, c.subject, c.issuer, tolist(c.audience)[0]]
      } == {
      "payments|generic:hello"   = [azurerm_user_assigned_identity.runbook_named["payments"].id, "cloudo:schema:generic:hello", "https://ops.example.com/api", "api://AzureADTokenExchange"]
      "payments|generic:restart" = [azurerm_user_assigned_identity.runbook_named["payments"].id, "cloudo:schema:generic:restart", "https://ops.example.com/api", "api://AzureADTokenExchange"]
      "k8s-reader|aks:pods.list" = [azurerm_user_assigned_identity.runbook_named["k8s-reader"].id, "cloudo:schema:aks:pods.list", "https://ops.example.com/api", "api://AzureADTokenExchange"]
    }
    error_message = "one federated credential per (identity, schema), on that identity, trusting the public URL's issuer for cloudo:schema:<partition>:<id>"
  }

  assert {
    condition = alltrue([
      for c in azurerm_federated_identity_credential.runbook_schema : can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$", c.name))
    ]) && length(distinct([for c in azurerm_federated_identity_credential.runbook_schema : c.name])) == 3
    error_message = "credential names are what Entra accepts (3-120 letters, digits, - and _) and distinct"
  }

  assert {
    condition = (
      azurerm_federated_identity_credential.runbook_default.issuer == "https://ops.example.com/api" &&
      azurerm_linux_function_app.cloudo.app_settings["CLOUDO_OIDC_ISSUER"] == "https://ops.example.com/api" &&
      jsondecode(azurerm_linux_function_app.cloudo.app_settings["CLOUDO_RUNBOOK_IDENTITIES"]) == {
        payments     = azurerm_user_assigned_identity.runbook_named["payments"].client_id
        "k8s-reader" = azurerm_user_assigned_identity.runbook_named["k8s-reader"].client_id
      }
    )
    error_message = "the app maps each identity name to its client id, and issues as the public URL the credentials trust"
  }

  assert {
    condition = (
      { for k, r in azurerm_role_assignment.runbook : k => [r.scope, r.principal_id] } == {
        "payments|Reader|/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/payments" = [
          "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/payments", azurerm_user_assigned_identity.runbook_named["payments"].principal_id
        ]
        "payments|/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7|/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/payments-2" = [
          "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/payments-2", azurerm_user_assigned_identity.runbook_named["payments"].principal_id
        ]
      } &&
      azurerm_role_assignment.runbook["payments|Reader|/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/payments"].role_definition_name == "Reader" &&
      azurerm_role_assignment.runbook["payments|/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7|/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/payments-2"].role_definition_id == "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7" &&
      toset([for r in azurerm_role_assignment.runbook_aks : "${r.role_definition_name}|${r.scope}|${r.principal_id}"]) == toset([
        "Azure Kubernetes Service Cluster User Role|${var.aks_integration.weu.cluster_id}|${azurerm_user_assigned_identity.runbook_named["payments"].principal_id}",
        "Azure Kubernetes Service RBAC Admin|${var.aks_integration.weu.cluster_id}|${azurerm_user_assigned_identity.runbook_named["payments"].principal_id}",
      ])
    )
    error_message = "an identity's roles and its clusters' aks_cluster_roles go to that identity only"
  }

  assert {
    condition     = output.runbook_identities.payments.client_id == azurerm_user_assigned_identity.runbook_named["payments"].client_id && output.runbook_identities["k8s-reader"].principal_id == azurerm_user_assigned_identity.runbook_named["k8s-reader"].principal_id
    error_message = "the outputs name each runbook identity's client and principal ids"
  }
}

run "runbook_identity_name_refused" {
  command = plan

  variables {
    runbook_identities = { "Payments_EU" = {} }
  }

  expect_failures = [var.runbook_identities]
}

run "default_as_a_runbook_identity_name_refused" {
  command = plan

  variables {
    runbook_identities = { default = {} }
  }

  expect_failures = [var.runbook_identities]
}

run "guid_as_a_runbook_identity_name_refused" {
  command = plan

  variables {
    runbook_identities = { "0b6c5a5e-2f3d-4c1a-9e8f-7a6b5c4d3e2f" = {} }
  }

  expect_failures = [var.runbook_identities]
}

run "more_schemas_than_entra_allows_refused" {
  command = plan

  variables {
    runbook_identities = { many = { schemas = [for i in range(21) : "generic:s${i}"] } }
  }

  expect_failures = [var.runbook_identities]
}

run "schema_without_partition_refused" {
  command = plan

  variables {
    runbook_identities = { payments = { schemas = ["hello"] } }
  }

  expect_failures = [var.runbook_identities]
}

run "schema_under_two_identities_refused" {
  command = plan

  variables {
    runbook_identities = {
      a = { schemas = ["generic:hello"] }
      b = { schemas = ["generic:hello"] }
    }
  }

  expect_failures = [var.runbook_identities]
}

run "role_scope_outside_a_subscription_refused" {
  command = plan

  variables {
    runbook_identities = { payments = { roles = [{ role = "Reader", scope = "/resourceGroups/payments" }] } }
  }

  expect_failures = [var.runbook_identities]
}

run "aks_key_not_in_aks_integration_refused" {
  command = plan

  variables {
    runbook_identities = { payments = { aks = ["itn"] } }
  }

  expect_failures = [azurerm_role_assignment.runbook_aks]
}
