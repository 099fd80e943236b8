# `terraform test` of the module with mocked providers: no Azure, no credentials. Each run applies the
# module against the mocks (computed ids and principal ids are generated) and asserts what it would
# deploy: who gets which role where, how the workers scale, TLS/HTTPS, the settings the code reads, and
# that no output carries a secret. test/iac/terraform-test.test.ts runs it, and mutates the module to
# prove that these assertions catch the mistakes they are about.

mock_provider "azurerm" {}
mock_provider "random" {}
mock_provider "time" {}

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
      "Storage Table Data Contributor|${azurerm_storage_account.cloudo.id}|${data.azurerm_client_config.current.object_id}",
    ])
    error_message = "storage data roles: the app needs Table/Queue Data Contributor and Blob Data Owner (host locks and keys), the workers Table/Queue/Blob Data Contributor (the queue role also feeds their KEDA scaler), the deployer Table Data Contributor (tables created without shared keys), on the module's account"
  }

  assert {
    condition = toset([
      for r in [azurerm_role_assignment.kv_deployer, azurerm_role_assignment.kv_deployer_crypto, azurerm_role_assignment.kv_app, azurerm_role_assignment.kv_worker, azurerm_role_assignment.oidc_key_app, azurerm_role_assignment.function_keys_app, azurerm_role_assignment.function_keys_deployer] :
      "${r.role_definition_name}|${r.scope}|${r.principal_id}"
      ]) == toset([
      "Key Vault Secrets Officer|${azurerm_key_vault.cloudo.id}|${data.azurerm_client_config.current.object_id}",
      "Key Vault Crypto Officer|${azurerm_key_vault.cloudo.id}|${data.azurerm_client_config.current.object_id}",
      "Key Vault Secrets User|${azurerm_key_vault.cloudo.id}|${azurerm_user_assigned_identity.app.principal_id}",
      "Key Vault Secrets User|${azurerm_key_vault.cloudo.id}|${azurerm_user_assigned_identity.worker.principal_id}",
      "Key Vault Crypto User|${azurerm_key_vault_key.oidc_signing.resource_versionless_id}|${azurerm_user_assigned_identity.app.principal_id}",
      "Key Vault Secrets Officer|${azurerm_key_vault.function_keys.id}|${azurerm_user_assigned_identity.app.principal_id}",
      "Key Vault Secrets Officer|${azurerm_key_vault.function_keys.id}|${data.azurerm_client_config.current.object_id}",
    ])
    error_message = "Key Vault roles: the deployer writes secrets and the OIDC key, the identities only read the module's vault's secrets, the app alone signs with the OIDC key (on that key only); the app writes only the host keys' vault"
  }

  assert {
    condition = toset(concat(
      [for r in azurerm_role_assignment.aks : "${r.role_definition_name}|${r.scope}|${r.principal_id}"],
      [for r in azurerm_role_assignment.subscription : "${r.role_definition_name}|${r.scope}|${r.principal_id}"],
      [for r in azurerm_role_assignment.custom : "${r.role_definition_name}|${r.scope}|${r.principal_id}"],
      )) == toset([
      "Azure Kubernetes Service Cluster User Role|${var.aks_integration.weu.cluster_id}|${azurerm_user_assigned_identity.runbook.principal_id}",
      "Azure Kubernetes Service RBAC Admin|${var.aks_integration.weu.cluster_id}|${azurerm_user_assigned_identity.runbook.principal_id}",
      "Reader|${data.azurerm_subscription.current.id}|${azurerm_user_assigned_identity.runbook.principal_id}",
      "Contributor|/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-app|${azurerm_user_assigned_identity.runbook.principal_id}",
    ])
    error_message = "subscription and custom roles go to the default runbook identity, AKS roles to it too (never the workers': runs fetch kubeconfigs as their own identity), on the scopes given"
  }
}

# The seed's module block (test/fixtures/iac/original-readme-module-example.tf): the original granted the
# Cluster User Role and RBAC Admin on every cluster of aks_integration, then custom_roles_per_aks; its
# kubectl runbooks keep that access, and a role in both lists is assigned once (ARM refuses a second).
run "aks_grants_of_the_original_module_block" {
  command = apply

  variables {
    aks_integration = {
      weu = { cluster_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/aks-weu/providers/Microsoft.ContainerService/managedClusters/weu" }
      itn = { cluster_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/aks-itn/providers/Microsoft.ContainerService/managedClusters/itn" }
    }
    custom_roles_per_aks = {
      weu = ["Monitoring Reader", "Azure Kubernetes Service Cluster User Role"]
      itn = ["Reader"]
    }
  }

  assert {
    condition = [for r in azurerm_role_assignment.aks : "${r.role_definition_name}|${r.scope}" if r.principal_id == azurerm_user_assigned_identity.runbook.principal_id] == [
      "Azure Kubernetes Service Cluster User Role|${var.aks_integration.itn.cluster_id}",
      "Azure Kubernetes Service RBAC Admin|${var.aks_integration.itn.cluster_id}",
      "Reader|${var.aks_integration.itn.cluster_id}",
      "Azure Kubernetes Service Cluster User Role|${var.aks_integration.weu.cluster_id}",
      "Azure Kubernetes Service RBAC Admin|${var.aks_integration.weu.cluster_id}",
      "Monitoring Reader|${var.aks_integration.weu.cluster_id}",
    ] && length(azurerm_role_assignment.aks) == 6
    error_message = "every cluster of aks_integration gives the default runbook identity (and no one else) the Cluster User Role and RBAC Admin, plus its custom_roles_per_aks, each role once"
  }
}

run "aks_cluster_roles_narrowed" {
  command = apply

  variables {
    aks_cluster_roles    = ["Azure Kubernetes Service Cluster User Role"]
    custom_roles_per_aks = {}
  }

  assert {
    condition = toset([for r in azurerm_role_assignment.aks : "${r.role_definition_name}|${r.scope}|${r.principal_id}"]) == toset([
      "Azure Kubernetes Service Cluster User Role|${var.aks_integration.weu.cluster_id}|${azurerm_user_assigned_identity.runbook.principal_id}",
    ])
    error_message = "aks_cluster_roles replaces the original's grants on every cluster"
  }
}
