# Inputs of the ClouDO module. Names and shapes follow the README's `module "cloudo"` example, so a
# configuration written for the original module works by changing only `source`.

variable "prefix" {
  description = "Prefix of every resource name (e.g. the product name): 2-16 lower-case letters, digits or hyphens, starting with a letter."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.prefix)) && !endswith(var.prefix, "-")
    error_message = "prefix must be 2-16 lower-case letters, digits or hyphens, start with a letter and not end with a hyphen."
  }
}

variable "env" {
  description = "Environment short name appended to resource names (e.g. dev, uat, prod): 1-8 lower-case letters or digits."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{0,7}$", var.env))
    error_message = "env must be 1-8 lower-case letters or digits, starting with a letter (e.g. dev, uat, prod)."
  }
}

variable "location" {
  description = "Azure region of every resource (e.g. westeurope, italynorth)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9 ]+$", lower(var.location)))
    error_message = "location must be an Azure region name such as westeurope."
  }
}

variable "resource_group_name" {
  description = "Existing resource group that receives every resource of the module."
  type        = string

  validation {
    condition     = length(var.resource_group_name) > 0 && length(var.resource_group_name) <= 90
    error_message = "resource_group_name must be 1-90 characters."
  }
}

variable "service_plan_sku" {
  description = "SKU of the Linux App Service plan of the Functions app (Basic, Standard, Premium v2/v3 or Elastic Premium; Consumption is not supported: it needs a key-based content share)."
  type        = string
  default     = "B1"

  validation {
    condition     = can(regex("^(B[1-3]|S[1-3]|P[0-5]v[23]|P[1-3]mv3|EP[1-3])$", var.service_plan_sku))
    error_message = "service_plan_sku must be a dedicated or elastic premium Linux SKU such as B1, S1, P1v3 or EP1 (Y1/FC1 are not supported)."
  }
}

variable "application_insights_name" {
  description = "Name of an existing Application Insights component the Functions app reports to."
  type        = string
}

variable "application_insights_rg" {
  description = "Resource group of the existing Application Insights component."
  type        = string
}

variable "github_repo_info" {
  description = "GitHub repository the workers take the runbooks from: repo_name as owner/repo, repo_branch, repo_token (empty for a public repository; stored in Key Vault) and runbook_path (folder of the runbooks inside the repository)."
  type = object({
    repo_name    = string
    repo_branch  = optional(string, "main")
    repo_token   = optional(string, "")
    runbook_path = optional(string, "")
  })
  sensitive = true

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repo_info.repo_name))
    error_message = "github_repo_info.repo_name must be owner/repo (e.g. acme/runbooks)."
  }

  validation {
    condition     = length(trimspace(coalesce(var.github_repo_info.repo_branch, "main"))) > 0
    error_message = "github_repo_info.repo_branch must not be empty."
  }
}

variable "aks_integration" {
  description = "AKS clusters the workers may reach, by a short key (e.g. weu): cluster_id is the cluster's resource id. The default runbook identity (never the workers') gets aks_cluster_roles and the roles of custom_roles_per_aks on each cluster, and alerts about these clusters (or anything in them) give runs of aks_credentials auto schemas a KUBECONFIG (app setting CLOUDO_AKS_CLUSTERS)."
  type = map(object({
    cluster_id = string
  }))
  default = {}

  validation {
    condition = alltrue([
      for k, v in var.aks_integration :
      can(regex("(?i)^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.ContainerService/managedClusters/[^/]+$", v.cluster_id))
    ])
    error_message = "every aks_integration cluster_id must be a managed cluster id: /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.ContainerService/managedClusters/<name>."
  }
}

variable "aks_cluster_roles" {
  description = "Roles granted on every cluster of aks_integration, as the original module granted: to the default runbook identity and to each runbook_identities entry on the clusters of its aks, never to the workers' identity: a run fetches its kubeconfig and runs kubectl as its own identity (kubelogin -l workloadidentity). The Cluster User Role lets a run fetch a kubeconfig (az aks get-credentials), RBAC Admin lets kubectl act in every namespace of a cluster using Azure RBAC for Kubernetes: narrow this (e.g. to the Cluster User Role plus namespace-scoped grants of your own) where runbooks need less."
  type        = list(string)
  default     = ["Azure Kubernetes Service Cluster User Role", "Azure Kubernetes Service RBAC Admin"]
}

variable "custom_roles_per_aks" {
  description = "Role names granted on each cluster of aks_integration, by the same key: to the default runbook identity (see aks_cluster_roles)."
  type        = map(list(string))
  default     = {}
}

variable "custom_roles_subscription" {
  description = "Role names granted on the current subscription to the default runbook identity (what runbooks whose schema names no identity may do); the original module granted them to its workers."
  type        = list(string)
  default     = []
}

variable "custom_role_assignments" {
  description = "Extra role assignments: role is a role name or a role definition id (/subscriptions/.../providers/Microsoft.Authorization/roleDefinitions/<guid>), scope an Azure resource id; principal_id defaults to the default runbook identity (what runbooks whose schema names no identity may do; the original module granted these to its workers)."
  type = list(object({
    role         = string
    scope        = string
    principal_id = optional(string)
  }))
  default = []

  validation {
    condition     = alltrue([for a in var.custom_role_assignments : can(regex("^/subscriptions/[^/]+", a.scope))])
    error_message = "every custom_role_assignments scope must start with /subscriptions/<id>."
  }

  validation {
    condition = alltrue([
      for a in var.custom_role_assignments :
      !startswith(a.role, "/") || can(regex("(?i)/providers/Microsoft\\.Authorization/roleDefinitions/[0-9a-f-]{36}$", a.role))
    ])
    error_message = "a custom_role_assignments role starting with / must be a role definition id ending in /providers/Microsoft.Authorization/roleDefinitions/<guid>."
  }

  validation {
    condition = alltrue([
      for a in var.custom_role_assignments :
      a.principal_id == null || can(regex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", a.principal_id))
    ])
    error_message = "custom_role_assignments principal_id must be an object id (GUID)."
  }
}

variable "runbook_identities" {
  description = "Azure identities of runbooks, by a name a schema's identity field gives (^[a-z0-9][a-z0-9-]{0,62}$, not default): one user-assigned identity each, trusting ClouDO's OIDC issuer (<public url>/api) for the runs of its schemas (\"<partition_key>:<id>\", at most 20: Entra's limit of federated credentials per identity; a schema under one identity only). roles are its role assignments (role name or role definition id, scope an Azure resource id), aks the keys of aks_integration on whose clusters it gets aks_cluster_roles. Runs of schemas naming no identity act as the default runbook identity (outputs runbook_identity_*)."
  type = map(object({
    roles = optional(list(object({
      role  = string
      scope = string
    })), [])
    schemas = optional(list(string), [])
    aks     = optional(list(string), [])
  }))
  default = {}

  validation {
    condition = alltrue([
      for name in keys(var.runbook_identities) :
      can(regex("^[a-z0-9][a-z0-9-]{0,62}$", name)) && name != "default" && !can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", name))
    ])
    error_message = "every runbook_identities name must match ^[a-z0-9][a-z0-9-]{0,62}$, be no GUID (a schema's GUID is a client id) and not be \"default\" (runs of schemas naming none act as the default runbook identity)."
  }

  validation {
    condition     = alltrue([for name, i in var.runbook_identities : length(i.schemas) <= 20])
    error_message = "a runbook_identities entry may list at most 20 schemas: Entra allows 20 federated credentials per identity (split the schemas over more identities)."
  }

  validation {
    condition = alltrue(flatten([
      for name, i in var.runbook_identities : [for s in i.schemas : can(regex("^[A-Za-z0-9._:-]{1,128}:[A-Za-z0-9._:-]{1,128}$", s))]
    ]))
    error_message = "every runbook_identities schema must be \"<partition_key>:<id>\" of a schema (letters, digits, \".\", \"_\", \":\" or \"-\")."
  }

  validation {
    condition = length(flatten([for i in values(var.runbook_identities) : i.schemas])) == length(distinct(flatten([
      for i in values(var.runbook_identities) : i.schemas
    ])))
    error_message = "a schema may be listed under one runbook_identities entry only (and once): its runs would otherwise get the roles of several identities."
  }

  validation {
    condition     = alltrue(flatten([for name, i in var.runbook_identities : [for r in i.roles : can(regex("^/subscriptions/[^/]+", r.scope))]]))
    error_message = "every runbook_identities role scope must start with /subscriptions/<id>."
  }

  validation {
    condition = alltrue(flatten([
      for name, i in var.runbook_identities : [
        for r in i.roles : !startswith(r.role, "/") || can(regex("(?i)/providers/Microsoft\\.Authorization/roleDefinitions/[0-9a-f-]{36}$", r.role))
      ]
    ]))
    error_message = "a runbook_identities role starting with / must be a role definition id ending in /providers/Microsoft.Authorization/roleDefinitions/<guid>."
  }
}

variable "app_service_logs" {
  description = "File-system HTTP logs of the Functions app: retention in days and disk quota in MB."
  type = object({
    retention_period_days = optional(number, 3)
    disk_quota_mb         = optional(number, 35)
  })
  default = {}

  validation {
    condition     = var.app_service_logs.retention_period_days >= 0 && var.app_service_logs.disk_quota_mb >= 25 && var.app_service_logs.disk_quota_mb <= 100
    error_message = "app_service_logs.retention_period_days must be >= 0 and disk_quota_mb 25-100."
  }
}

variable "slack_integration" {
  description = "Slack notifications: default channel and bot token (stored in Key Vault). Null disables Slack."
  type = object({
    channel = optional(string, "#cloudo")
    token   = string
  })
  default   = null
  sensitive = true
}

variable "slack_signing_secret" {
  description = "Signing secret of the Slack app (stored in Key Vault, app setting SLACK_SIGNING_SECRET): approval messages get Approve/Reject buttons, whose clicks Slack sends to /api/slack/interactions, signed with it (set that Request URL under Interactivity, and give the bot users:read.email). Used only with slack_integration. Null (default) leaves decisions to the run page."
  type        = string
  default     = null
  sensitive   = true
}

variable "opsgenie_api_key" {
  description = "Opsgenie / JSM API key (stored in Key Vault). Null disables Opsgenie."
  type        = string
  default     = null
  sensitive   = true
}

variable "opsgenie_region" {
  description = "Opsgenie instance of the API keys (OPSGENIE_REGION): \"us\" (api.opsgenie.com) or \"eu\" (api.eu.opsgenie.com). A key starting eu_ is sent to the EU instance either way, as the original ClouDO did."
  type        = string
  default     = "us"

  validation {
    condition     = contains(["us", "eu"], var.opsgenie_region)
    error_message = "opsgenie_region must be \"us\" or \"eu\"."
  }
}

# Teams name app settings (SLACK_TOKEN_<TEAM>: upper-cased, "-" as "_") and Key Vault secrets
# (team-slack-token-<team>: lower-cased, "_" as "-"): a key must make both, and two keys must not make the
# same setting. "default" is the defaults' own name (SLACK_TOKEN_DEFAULT is an alias of SLACK_TOKEN).
variable "team_slack_tokens" {
  description = "Slack bot tokens of teams with a workspace or app of their own, by team (as /api/Trigger/{team} names it): stored in Key Vault, app settings SLACK_TOKEN_<TEAM> (TEAM upper-cased, - as _). The team's runs, and rules naming the team, post with it; other teams use slack_integration's token. As in the original ClouDO."
  type        = map(string)
  default     = {}
  sensitive   = true

  validation {
    condition = alltrue([
      for team in nonsensitive(keys(var.team_slack_tokens)) : can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", team)) && lower(team) != "default"
    ]) && length(distinct([for team in nonsensitive(keys(var.team_slack_tokens)) : upper(replace(team, "-", "_"))])) == length(nonsensitive(keys(var.team_slack_tokens)))
    error_message = "team_slack_tokens: each team must be 1-64 letters, digits, \"_\" or \"-\" (not \"default\"), and no two may differ only in case or \"-\"/\"_\" (they would name the same SLACK_TOKEN_<TEAM>)."
  }

  validation {
    condition     = alltrue([for token in values(var.team_slack_tokens) : nonsensitive(token != "")])
    error_message = "team_slack_tokens: a token must not be empty (leave the team out to use slack_integration's token)."
  }
}

variable "team_opsgenie_api_keys" {
  description = "Opsgenie / JSM API keys of teams paged in an Opsgenie team of their own, by team (as /api/Trigger/{team} names it): stored in Key Vault, app settings OPSGENIE_API_KEY_<TEAM> (TEAM upper-cased, - as _). The team's runs, and rules naming the team, page with it; other teams use opsgenie_api_key. As in the original ClouDO."
  type        = map(string)
  default     = {}
  sensitive   = true

  validation {
    condition = alltrue([
      for team in nonsensitive(keys(var.team_opsgenie_api_keys)) : can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", team)) && lower(team) != "default"
    ]) && length(distinct([for team in nonsensitive(keys(var.team_opsgenie_api_keys)) : upper(replace(team, "-", "_"))])) == length(nonsensitive(keys(var.team_opsgenie_api_keys)))
    error_message = "team_opsgenie_api_keys: each team must be 1-64 letters, digits, \"_\" or \"-\" (not \"default\"), and no two may differ only in case or \"-\"/\"_\" (they would name the same OPSGENIE_API_KEY_<TEAM>)."
  }

  validation {
    condition     = alltrue([for key in values(var.team_opsgenie_api_keys) : nonsensitive(key != "")])
    error_message = "team_opsgenie_api_keys: a key must not be empty (leave the team out to use opsgenie_api_key)."
  }
}

variable "team_slack_channels" {
  description = "Slack channel of each team (#name or channel id), by team: app settings SLACK_CHANNEL_<TEAM> (TEAM upper-cased, - as _). The team's runs post there when no routing rule names a channel. As in the original ClouDO."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([
      for team, channel in var.team_slack_channels :
      can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", team)) && lower(team) != "default" &&
      (can(regex("^#[a-z0-9_-]{1,80}$", channel)) || can(regex("^[CG][A-Z0-9]{8,20}$", channel)))
    ]) && length(distinct([for team in keys(var.team_slack_channels) : upper(replace(team, "-", "_"))])) == length(var.team_slack_channels)
    error_message = "team_slack_channels: each team must be 1-64 letters, digits, \"_\" or \"-\" (not \"default\", no two differing only in case or \"-\"/\"_\"), each channel \"#name\" (lower-case letters, digits, \"-\", \"_\") or a channel id."
  }
}

variable "pagerduty_routing_key" {
  description = "PagerDuty Events v2 routing key (stored in Key Vault). Null disables PagerDuty."
  type        = string
  default     = null
  sensitive   = true
}

variable "schemas" {
  description = "Content of a schemas file (JSON, the format of schemas/schemas.json): the Functions app imports it into the schema registry when it starts (CLOUDO_SCHEMAS_JSON), and its workers decide which worker apps and queues exist."
  type        = string
  default     = "[]"

  validation {
    condition     = can(jsondecode(var.schemas)) && can([for p in jsondecode(var.schemas) : [for e in p.entity : e.worker]])
    error_message = "schemas must be a JSON array of { partition_key, entity: [ { id, worker, ... } ] }."
  }

  validation {
    condition = alltrue(flatten([
      for p in try(jsondecode(var.schemas), []) : [
        for e in try(p.entity, []) : can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,29}$", e.worker))
      ]
    ]))
    error_message = "every schema worker must match ^[A-Za-z0-9][A-Za-z0-9_.-]{0,29}$."
  }
}

variable "schemas_prune" {
  description = "Whether importing var.schemas also deletes the registry's schemas it does not hold (CLOUDO_SCHEMAS_PRUNE). False keeps schemas imported by other means, such as cloudo schemas import."
  type        = bool
  default     = false
}

variable "workers" {
  description = "Worker capabilities deployed besides those named by the schemas (e.g. [\"Runbook\"] before any schema exists)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for w in var.workers : can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,29}$", w))])
    error_message = "every worker must match ^[A-Za-z0-9][A-Za-z0-9_.-]{0,29}$."
  }
}

variable "orchestrator_image" {
  description = "Container image of the Functions app (the repository's Dockerfile). registry_url defaults to the module's registry (create_container_registry; pulled with the app identity) or else https://ghcr.io. Null runs the Node 22 stack and expects the code as a package (functions_package_path, functions_package_url or a zip deploy)."
  type = object({
    image_name        = string
    image_tag         = string
    registry_url      = optional(string)
    registry_username = optional(string)
    registry_password = optional(string)
  })
  default   = null
  sensitive = true

  validation {
    condition     = var.orchestrator_image == null || can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.orchestrator_image.image_tag))
    error_message = "orchestrator_image.image_tag must be a valid tag (letters, digits, _ . -; at most 128; no leading . or -)."
  }

  validation {
    condition     = var.orchestrator_image == null || try(var.orchestrator_image.registry_url, null) == null || can(regex("^https?://", var.orchestrator_image.registry_url))
    error_message = "orchestrator_image.registry_url must start with https:// (e.g. https://ghcr.io)."
  }

  validation {
    condition     = var.orchestrator_image == null || (try(var.orchestrator_image.registry_username, null) == null) == (try(var.orchestrator_image.registry_password, null) == null)
    error_message = "orchestrator_image.registry_username and registry_password go together: set both or neither."
  }
}

variable "worker_image" {
  description = "Container image of the workers (workers/Dockerfile). registry_url defaults to the module's registry (create_container_registry; pulled with the workers' identity) or else https://ghcr.io. Required when any worker is deployed."
  type = object({
    image_name        = string
    image_tag         = string
    registry_url      = optional(string)
    registry_username = optional(string)
    registry_password = optional(string)
  })
  default   = null
  sensitive = true

  validation {
    condition     = var.worker_image == null || can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.worker_image.image_tag))
    error_message = "worker_image.image_tag must be a valid tag (letters, digits, _ . -; at most 128; no leading . or -)."
  }

  validation {
    condition     = var.worker_image == null || try(var.worker_image.registry_url, null) == null || can(regex("^https?://", var.worker_image.registry_url))
    error_message = "worker_image.registry_url must start with https:// (e.g. https://ghcr.io)."
  }

  validation {
    condition     = var.worker_image == null || (try(var.worker_image.registry_username, null) == null) == (try(var.worker_image.registry_password, null) == null)
    error_message = "worker_image.registry_username and registry_password go together: set both or neither."
  }
}

variable "functions_package_url" {
  description = "URL of the Functions app package (WEBSITE_RUN_FROM_PACKAGE) when orchestrator_image is null; null leaves deployment to CI (zip deploy)."
  type        = string
  default     = null
}

variable "signing_key" {
  description = "Key signing approval links (CLOUDO_SIGNING_KEY, 32+ random characters); null generates one. Stored in Key Vault."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.signing_key == null || length(coalesce(var.signing_key, "x")) >= 32
    error_message = "signing_key must be at least 32 characters (openssl rand -base64 48)."
  }
}

variable "storage_namespace" {
  description = "Prefix of every table, queue and container name (CLOUDO_STORAGE_NAMESPACE): 1-12 lower-case letters and digits, or empty for none."
  type        = string
  default     = ""

  validation {
    condition     = var.storage_namespace == "" || can(regex("^[a-z][a-z0-9]{0,11}$", var.storage_namespace))
    error_message = "storage_namespace must be empty or 1-12 lower-case letters and digits starting with a letter."
  }
}

variable "storage_shared_key_enabled" {
  description = "Whether the storage account accepts shared keys (account keys, SAS). Nothing the module deploys uses them: the apps and the workers' KEDA queue scaler authenticate with their identities. False (default) needs storage_use_azuread = true in the azurerm provider block (the provider creates the tables through the data plane); true only for tools of your own that need a key."
  type        = bool
  default     = false
}

variable "retention_days" {
  description = "Days an ended run is kept (CLOUDO_RETENTION_DAYS): Housekeeping then deletes its row, log, alert payloads, notification ledger and delivery key. A lifecycle policy deletes blobs of execution-logs and alert-payloads 7 days after that, should any outlive their run."
  type        = number
  default     = 90

  validation {
    condition     = var.retention_days >= 1 && var.retention_days <= 3650 && floor(var.retention_days) == var.retention_days
    error_message = "retention_days must be a whole number of days, 1-3650."
  }
}

variable "audit_retention_days" {
  description = "Days an audit log entry is kept (CLOUDO_AUDIT_RETENTION_DAYS); Housekeeping deletes older ones."
  type        = number
  default     = 365

  validation {
    condition     = var.audit_retention_days >= 1 && var.audit_retention_days <= 3650 && floor(var.audit_retention_days) == var.audit_retention_days
    error_message = "audit_retention_days must be a whole number of days, 1-3650."
  }
}

variable "worker_min_replicas" {
  description = "Fewest replicas of each worker app; 0 lets a worker scale to zero when its queue is empty."
  type        = number
  default     = 0

  validation {
    condition     = var.worker_min_replicas >= 0 && var.worker_min_replicas <= 30 && floor(var.worker_min_replicas) == var.worker_min_replicas
    error_message = "worker_min_replicas must be a whole number 0-30."
  }
}

variable "worker_max_replicas" {
  description = "Most replicas of each worker app."
  type        = number
  default     = 5

  validation {
    condition     = var.worker_max_replicas >= 1 && var.worker_max_replicas <= 300 && floor(var.worker_max_replicas) == var.worker_max_replicas
    error_message = "worker_max_replicas must be a whole number 1-300."
  }
}

variable "worker_resources" {
  description = "CPU cores and memory of one worker replica (a valid Container Apps pair, e.g. 1 and 2Gi)."
  type = object({
    cpu    = optional(number, 1)
    memory = optional(string, "2Gi")
  })
  default = {}
}

variable "worker_concurrency" {
  description = "Runs one worker replica executes at once (CLOUDO_CONCURRENCY, 1-64)."
  type        = number
  default     = 4

  validation {
    condition     = var.worker_concurrency >= 1 && var.worker_concurrency <= 64 && floor(var.worker_concurrency) == var.worker_concurrency
    error_message = "worker_concurrency must be a whole number from 1 to 64."
  }
}

variable "log_analytics_workspace_id" {
  description = "Log Analytics workspace id of the Container Apps environment's logs and of the diagnostic settings (platform logs and metrics of the Functions app, storage and its blob, queue and table services, both Key Vaults, the Container Apps environment and the registry); null sends none."
  type        = string
  default     = null
}

variable "easy_auth" {
  description = "App Service Authentication (Entra ID) for the console: client_id of the app registration, its client_secret (stored in Key Vault), tenant_id (default the current tenant) and extra allowed_audiences. Null leaves Easy Auth off (CLOUDO_TRUST_EASY_AUTH=false)."
  type = object({
    client_id         = string
    client_secret     = string
    tenant_id         = optional(string)
    allowed_audiences = optional(list(string), [])
  })
  default   = null
  sensitive = true
}

variable "secure_webhook" {
  description = "Azure Monitor Secure Webhook (Entra ID bearer tokens) for the action group instead of a function key in the URL: object_id of the app registration's service principal, identifier_uri (audience of v1 tokens), application_id (the registration's client id, audience of v2 tokens), tenant_id (default the current tenant), allowed_app_ids (apps whose tokens are accepted; default Azure Monitor's action groups, 461e8683-5575-4561-ac7f-899cc907d62a) and app_role (required on tokens when allowed_app_ids is empty; default ActionGroupsSecureWebhook). A webhook token may only call Trigger. Null uses the function key."
  type = object({
    object_id       = string
    identifier_uri  = string
    application_id  = optional(string)
    tenant_id       = optional(string)
    allowed_app_ids = optional(list(string), ["461e8683-5575-4561-ac7f-899cc907d62a"])
    app_role        = optional(string, "ActionGroupsSecureWebhook")
  })
  default = null

  validation {
    condition     = var.secure_webhook == null || can(regex("^[0-9a-fA-F-]{36}$", var.secure_webhook.object_id))
    error_message = "secure_webhook.object_id must be an object id (GUID)."
  }
}

variable "action_group_short_name" {
  description = "Short name of the action group (at most 12 characters)."
  type        = string
  default     = "cloudo"

  validation {
    condition     = length(var.action_group_short_name) >= 1 && length(var.action_group_short_name) <= 12
    error_message = "action_group_short_name must be 1-12 characters."
  }
}

variable "key_vault_purge_protection_enabled" {
  description = "Purge protection of the module's Key Vault (cannot be turned off once on)."
  type        = bool
  default     = false
}

variable "routing_rules" {
  description = "Notification routing rules as JSON (see schemas/routing-rules.example.json); empty for the built-in default."
  type        = string
  default     = ""

  validation {
    condition     = var.routing_rules == "" || can(jsondecode(var.routing_rules))
    error_message = "routing_rules must be empty or a JSON document."
  }
}

variable "cors_origins" {
  description = "Origins allowed to call the API from a browser (e.g. https://ops.example.com); none by default."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for o in var.cors_origins : can(regex("^https?://[^/*]+$", o))])
    error_message = "cors_origins must be origins like https://ops.example.com: no path, no wildcard."
  }
}

variable "function_key_names" {
  description = "Names the audit log gives Functions keys, by fingerprint: { default = \"sha256:<12 hex>\", master = \"sha256:...\" }, as `cloudo keys fingerprints` prints them from `az functionapp keys list`. A key not named is recorded by its fingerprint. Fingerprints only, never key values."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([
      for name, fingerprint in var.function_key_names :
      can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", name)) && can(regex("^sha256:[0-9a-f]{12}$", fingerprint))
    ])
    error_message = "function_key_names maps key names (letters, digits, _ . -) to fingerprints sha256:<12 hex digits> (cloudo keys fingerprints), never to key values."
  }
}

variable "tags" {
  description = "Tags applied to every resource."
  type        = map(string)
  default     = {}
}

variable "app_settings" {
  description = "Extra settings of the Functions app (e.g. CLOUDO_STALE_WORKER_MS); the settings this module manages win over these. Not for secrets: they would be plain app settings."
  type        = map(string)
  default     = {}
}

variable "worker_settings" {
  description = "Extra environment of every worker (e.g. CLOUDO_LOG_MAX_BYTES, CLOUDO_RUNBOOK_ENV_PASSTHROUGH); the settings this module manages win over these. Not for secrets."
  type        = map(string)
  default     = {}
}

variable "worker_shutdown_grace_seconds" {
  description = "How long a worker replica being stopped (scale-in, new revision) lets its running runbooks finish before they are killed and recorded as such; Container Apps allows at most 600."
  type        = number
  default     = 600

  validation {
    condition     = var.worker_shutdown_grace_seconds >= 30 && var.worker_shutdown_grace_seconds <= 600
    error_message = "worker_shutdown_grace_seconds must be between 30 and 600."
  }
}

variable "storage_replication_type" {
  description = "Replication of the storage account (LRS, ZRS, GRS, RAGRS, GZRS, RAGZRS); ZRS is not offered in every region."
  type        = string
  default     = "ZRS"

  validation {
    condition     = contains(["LRS", "ZRS", "GRS", "RAGRS", "GZRS", "RAGZRS"], var.storage_replication_type)
    error_message = "storage_replication_type must be one of LRS, ZRS, GRS, RAGRS, GZRS, RAGZRS."
  }
}

variable "role_propagation_wait" {
  description = "How long the first apply waits after creating role assignments before using them (Key Vault secrets, Key Vault references, tables): Azure RBAC takes minutes to take effect."
  type        = string
  default     = "90s"

  validation {
    condition     = can(regex("^[0-9]+(s|m)$", var.role_propagation_wait))
    error_message = "role_propagation_wait must be a duration such as 90s or 2m."
  }
}

variable "trigger_key_name" {
  description = "Name of the Trigger function key the module creates for the action group when secure_webhook is null (letters and digits; the audit log shows it by this name)."
  type        = string
  default     = "actiongroup"

  validation {
    condition     = can(regex("^[A-Za-z0-9]{1,64}$", var.trigger_key_name))
    error_message = "trigger_key_name must be 1-64 letters or digits."
  }
}

variable "worker_scale_polling_seconds" {
  description = "How often (seconds) KEDA checks each worker's job queue: a run waits up to this long for a worker scaled to zero to start."
  type        = number
  default     = 30

  validation {
    condition     = var.worker_scale_polling_seconds >= 1 && var.worker_scale_polling_seconds <= 3600 && floor(var.worker_scale_polling_seconds) == var.worker_scale_polling_seconds
    error_message = "worker_scale_polling_seconds must be a whole number between 1 and 3600."
  }
}

variable "worker_scale_cooldown_seconds" {
  description = "How long (seconds) a worker's job queue must stay empty before its app scales back to worker_min_replicas."
  type        = number
  default     = 300

  validation {
    condition     = var.worker_scale_cooldown_seconds >= 0 && var.worker_scale_cooldown_seconds <= 86400 && floor(var.worker_scale_cooldown_seconds) == var.worker_scale_cooldown_seconds
    error_message = "worker_scale_cooldown_seconds must be a whole number between 0 and 86400."
  }
}

variable "create_container_registry" {
  description = "Whether the module creates an Azure Container Registry (admin user off) for the images of `make push`, with AcrPull for the app's and the workers' identities. Images whose registry_url is not given then come from it, pulled with those identities: no registry password anywhere."
  type        = bool
  default     = false
}

variable "container_registry_name" {
  description = "Name of the registry create_container_registry creates (5-50 letters and digits, globally unique); null names it <prefix><env>cloudoacr<name_suffix>."
  type        = string
  default     = null

  validation {
    condition     = var.container_registry_name == null || can(regex("^[a-zA-Z0-9]{5,50}$", coalesce(var.container_registry_name, "x")))
    error_message = "container_registry_name must be 5-50 letters and digits."
  }
}

variable "container_registry_sku" {
  description = "SKU of the registry create_container_registry creates: Basic, Standard or Premium."
  type        = string
  default     = "Basic"

  validation {
    condition     = contains(["Basic", "Standard", "Premium"], var.container_registry_sku)
    error_message = "container_registry_sku must be Basic, Standard or Premium."
  }
}

variable "functions_package_path" {
  description = "Path of the Functions package `npm run package` writes (dist/cloudo-functions.zip): the module deploys it (zip deploy, run from package). The provider deploys again only when this path changes, not when the file's content does: give each build its own file name, or deploy it with az functionapp deployment source config-zip. Null leaves deployment to that command (or functions_package_url); not with orchestrator_image."
  type        = string
  default     = null

  validation {
    condition     = var.functions_package_path == null || endswith(coalesce(var.functions_package_path, "x"), ".zip")
    error_message = "functions_package_path must be the path of a .zip file (dist/cloudo-functions.zip)."
  }
}

variable "public_url" {
  description = "Address of the console and API when a custom domain is bound to the Functions app (https://ops.example.com, no path): CLOUDO_PUBLIC_URL, the links in notifications and the console_url output. Null uses https://<app>.azurewebsites.net. Binding the domain and its certificate is left to you."
  type        = string
  default     = null

  validation {
    condition     = var.public_url == null || can(regex("^https://[A-Za-z0-9.-]+(:[0-9]+)?$", coalesce(var.public_url, "x")))
    error_message = "public_url must be https://<host> with no path or trailing slash (e.g. https://ops.example.com)."
  }
}

variable "name_suffix" {
  description = "Appended to the globally unique names (storage account, Key Vaults, the Functions app's host name, the registry) when another subscription already uses them: 1-6 lower-case letters and digits, or empty for none."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^[a-z0-9]{0,6}$", var.name_suffix))
    error_message = "name_suffix must be at most 6 lower-case letters and digits."
  }
}

variable "diagnostic_settings_enabled" {
  description = "Whether the module creates the diagnostic settings to log_analytics_workspace_id. Null (default) creates them when log_analytics_workspace_id is set, which then must be known at plan (a literal id or a data source); set true when the workspace is created in the same configuration."
  type        = bool
  default     = null
}

variable "private_networking" {
  description = "Private networking; null (default) keeps every service on its public endpoint. Set, the module creates a VNet of address_space (a /22 or larger, e.g. 10.60.0.0/22): a /23 subnet for the Container Apps environment (internal: the workers take ingress from the VNet only, for the Functions app's wake-up nudges, their names in a private DNS zone of the environment's domain), a /24 delegated to Microsoft.Web/serverFarms for the Functions app's VNet integration (all its traffic routed through the VNet), a /24 for private endpoints of the storage account (blob, queue, table) and both Key Vaults, with privatelink DNS zones linked to the VNet, and with isolated_runs a fifth /24 delegated to Microsoft.ContainerInstance/containerGroups (the address space must then be a /21 or larger). Their public network access is then off, so Terraform itself must run from inside the VNet (or a network peered to it, resolving the privatelink zones) to write tables and secrets, or list its public IPs or CIDR ranges in deployer_ip_ranges, which keeps public access on for those only. The Functions app stays reachable publicly (console, API, Azure Monitor's webhook)."
  type = object({
    address_space      = string
    deployer_ip_ranges = optional(list(string), [])
  })
  default = null

  validation {
    condition = var.private_networking == null || (
      can(cidrhost(var.private_networking.address_space, 0)) &&
      can(tonumber(split("/", var.private_networking.address_space)[1])) &&
      try(tonumber(split("/", var.private_networking.address_space)[1]) >= 8 && tonumber(split("/", var.private_networking.address_space)[1]) <= 22, false)
    )
    error_message = "private_networking.address_space must be an IPv4 CIDR range of /22 or larger (e.g. 10.60.0.0/22)."
  }

  validation {
    condition     = var.private_networking == null || alltrue([for r in try(var.private_networking.deployer_ip_ranges, []) : can(regex("^[0-9]{1,3}(\\.[0-9]{1,3}){3}(/[0-9]{1,2})?$", r))])
    error_message = "private_networking.deployer_ip_ranges holds public IPv4 addresses or CIDR ranges (e.g. 203.0.113.7 or 203.0.113.0/28)."
  }
}

variable "isolated_runs" {
  description = "Isolated runs: a run of a schema with isolation: container runs in an Azure Container Instances container group of its own, created by the worker that claims it (the worker image in one-shot mode, the run's runbook identity attached, no public IP) and deleted after it; the Functions app's housekeeping deletes groups left behind. enabled = false (default) creates nothing and sets no setting. Enabled, the groups go to resource_group_name (an existing resource group of the same subscription; default: the module's), where the workers get a custom role with Microsoft.ContainerInstance/containerGroups/* and the app one with read and delete only; the workers may attach (userAssignedIdentities/assign/action) each runbook identity and nothing else of yours; with create_container_registry the groups pull the worker image with an identity of their own that holds AcrPull only (ACI attaches the pulling identity to the group, so never the workers'); with private_networking the groups join a subnet delegated to them (the workers get subnets/join/action on it only). The worker image must be one the groups can pull: the module's registry or a public one."
  type = object({
    enabled             = bool
    resource_group_name = optional(string)
  })
  default  = { enabled = false }
  nullable = false

  validation {
    condition     = var.isolated_runs.resource_group_name == null || can(regex("^[-\\w._()]{0,89}[-\\w_()]$", var.isolated_runs.resource_group_name))
    error_message = "isolated_runs.resource_group_name must be a resource group's name: 1-90 letters, digits, -, _, ., ( or ), not ending in a period."
  }
}
