# Runbooks' own Azure identities (workload identity federation, ClouDO as the OIDC issuer).
#
# Runbooks are untrusted relative to ClouDO: they must never act as the workers' identity, which holds data
# roles on ClouDO's own storage (executions, tokens, the audit log). For each run the Functions app mints
# a token (issuer `<public url>/api`, audience api://AzureADTokenExchange) whose subject names the run's
# schema; Entra exchanges it for an access token of the identity that trusts that subject, and only that.

locals {
  # the issuer the app publishes (CLOUDO_OIDC_ISSUER) and every credential trusts: one value, so the two
  # cannot drift; public_url is known at plan time, so neither depends on the app resource
  oidc_issuer     = "${local.public_url}/api"
  oidc_audience   = "api://AzureADTokenExchange"
  default_subject = "cloudo:runbook-identity:default"

  # one federated credential per (identity, schema): its name is readable, bounded (Entra: 3-120 of
  # letters, digits, "-" and "_") and unique through the subject's hash, since "." and ":" are folded
  runbook_credentials = merge([
    for name, identity in var.runbook_identities : {
      for schema in identity.schemas : "${name}|${schema}" => {
        identity = name
        subject  = "cloudo:schema:${schema}"
        name     = "schema-${substr(replace(schema, "/[^A-Za-z0-9_-]/", "-"), 0, 100)}-${substr(sha1(schema), 0, 8)}"
      }
    }
  ]...)

  # keyed by content, not position: reordering a list must not recreate assignments
  runbook_role_assignments = merge([
    for name, identity in var.runbook_identities : {
      for r in identity.roles : "${name}|${r.role}|${r.scope}" => {
        identity = name
        scope    = r.scope
        role     = r.role
        by_id    = startswith(r.role, "/")
      }
    }
  ]...)

  # an identity's `aks` clusters: the roles the original granted on a cluster (aks_cluster_roles)
  runbook_aks_role_assignments = merge([
    for name, identity in var.runbook_identities : {
      for pair in setproduct(identity.aks, var.aks_cluster_roles) : "${name}|${pair[0]}|${pair[1]}" => {
        identity = name
        cluster  = pair[0]
        scope    = try(var.aks_integration[pair[0]].cluster_id, "")
        role     = pair[1]
      }
    }
  ]...)

  # what the app resolves a schema's `identity` name with (src/core/runbook-identity.ts)
  runbook_identity_client_ids = { for name, identity in azurerm_user_assigned_identity.runbook_named : name => identity.client_id }
}

# The identity of every run whose schema names none: what custom_role_assignments (without principal_id),
# custom_roles_subscription and the AKS roles grant, "what runbooks may do" in the original's module block.
resource "azurerm_user_assigned_identity" "runbook" {
  name                = "${local.name}-runbook-id"
  resource_group_name = var.resource_group_name
  location            = var.location
  tags                = local.tags
}

resource "azurerm_user_assigned_identity" "runbook_named" {
  for_each            = var.runbook_identities
  name                = "${local.name}-rb-${each.key}-id"
  resource_group_name = var.resource_group_name
  location            = var.location
  tags                = local.tags
}

# One subject for all default runs: the identity is shared by definition, so per-schema subjects would
# grant nothing more and would spend Entra's limit of 20 credentials per identity.
resource "azurerm_federated_identity_credential" "runbook_default" {
  name                      = "cloudo-runbook-default"
  user_assigned_identity_id = azurerm_user_assigned_identity.runbook.id
  issuer                    = local.oidc_issuer
  audience                  = [local.oidc_audience]
  subject                   = local.default_subject
}

resource "azurerm_federated_identity_credential" "runbook_schema" {
  for_each                  = local.runbook_credentials
  name                      = each.value.name
  user_assigned_identity_id = azurerm_user_assigned_identity.runbook_named[each.value.identity].id
  issuer                    = local.oidc_issuer
  audience                  = [local.oidc_audience]
  subject                   = each.value.subject
}

resource "azurerm_role_assignment" "runbook" {
  for_each             = local.runbook_role_assignments
  scope                = each.value.scope
  role_definition_name = each.value.by_id ? null : each.value.role
  role_definition_id   = each.value.by_id ? each.value.role : null
  principal_id         = azurerm_user_assigned_identity.runbook_named[each.value.identity].principal_id
  # a brand-new identity may not have replicated yet: saying what it is lets ARM wait for it
  principal_type = "ServicePrincipal"
}

resource "azurerm_role_assignment" "runbook_aks" {
  for_each             = local.runbook_aks_role_assignments
  scope                = each.value.scope
  role_definition_name = each.value.role
  principal_id         = azurerm_user_assigned_identity.runbook_named[each.value.identity].principal_id
  principal_type       = "ServicePrincipal"

  lifecycle {
    precondition {
      condition     = each.value.scope != ""
      error_message = "runbook_identities[\"${each.value.identity}\"].aks names \"${each.value.cluster}\", which is not a key of aks_integration."
    }
  }
}
