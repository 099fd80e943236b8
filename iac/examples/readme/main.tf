# The README's module example as a root module: `terraform init && terraform plan` in this folder.
# Everything around the module block stands in for what the consumer's configuration already has (AKS
# clusters, Application Insights, a Key Vault with a registry token). The original read the schemas from
# "YOUR_PATH/schemas.json.tpl"; this one ships that file (the sample schemas test, test-2, test-3) beside it.
# For a first deployment without those, start from ../default.

terraform {
  required_version = ">= 1.5"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.73"
    }
  }
}

provider "azurerm" {
  features {}
  # the module's storage account accepts no shared keys: the provider creates its tables as you
  storage_use_azuread = true
}

variable "env" {
  description = "Environment short name."
  type        = string
  default     = "dev"
}

variable "location" {
  description = "Azure region."
  type        = string
  default     = "westeurope"
}

locals {
  product = "cloudo"
}

module "tag_config" {
  source = "./tag_config"
  env    = var.env
}

resource "azurerm_resource_group" "rg" {
  name     = "${local.product}-${var.env}-rg"
  location = var.location
}

data "azurerm_application_insights" "app_insight" {
  name                = "${local.product}-${var.env}-appi"
  resource_group_name = "${local.product}-${var.env}-monitor-rg"
}

data "azurerm_kubernetes_cluster" "aks_weu" {
  name                = "${local.product}-${var.env}-weu-aks"
  resource_group_name = "${local.product}-${var.env}-weu-aks-rg"
}

data "azurerm_kubernetes_cluster" "aks_itn" {
  name                = "${local.product}-${var.env}-itn-aks"
  resource_group_name = "${local.product}-${var.env}-itn-aks-rg"
}

data "azurerm_key_vault" "kv" {
  name                = "${local.product}-${var.env}-kv"
  resource_group_name = "${local.product}-${var.env}-sec-rg"
}

data "azurerm_key_vault_secret" "github_pat" {
  name         = "github-pat"
  key_vault_id = data.azurerm_key_vault.kv.id
}

module "cloudo" {
  source = "../.."

  prefix                    = local.product
  env                       = var.env
  location                  = var.location
  resource_group_name       = azurerm_resource_group.rg.name
  service_plan_sku          = "B1"
  application_insights_name = data.azurerm_application_insights.app_insight.name
  application_insights_rg   = data.azurerm_application_insights.app_insight.resource_group_name

  # Runbooks refer repository
  github_repo_info = {
    repo_name    = "organizzation/your_repo"
    repo_branch  = "main"
    repo_token   = "<TOKEN_IF_PRIVATE>"
    runbook_path = "your repo path where is the runbook collection. (e.g. src/runbook)"
  }

  # Multi-AKS cluster integration for RBAC service account profile.
  aks_integration = {
    weu = {
      cluster_id = data.azurerm_kubernetes_cluster.aks_weu.id
    },
    itn = {
      cluster_id = data.azurerm_kubernetes_cluster.aks_itn.id
    }
  }

  custom_roles_per_aks = {
    "weu" = [
      "Monitoring Reader",
      "Azure Kubernetes Service Cluster User Role"
    ]
    "itn" = [
      "Reader"
    ]
  }

  custom_roles_subscription = [
    "Reader",
    "Storage Blob Data Reader"
  ]

  custom_role_assignments = [
    {
      // Example: Assign by role name to a resource group
      role  = "Contributor"
      scope = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-app"
    },
    {
      // Example: Assign by role name to a specific resource
      role  = "Storage Blob Data Reader"
      scope = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-app/providers/Microsoft.Storage/storageAccounts/mystg"
    },
    {
      // Example: Assign by role_definition_id (built-in or custom role)
      role  = "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe"
      scope = "/subscriptions/00000000-0000-0000-0000-000000000000"
    },
    {
      // Example: Override principal_id
      role         = "Reader"
      scope        = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ops"
      principal_id = "11111111-2222-3333-4444-555555555555"
    }
  ]

  app_service_logs = {
    retention_period_days = 3
    disk_quota_mb         = 35
  }

  slack_integration = {
    channel = "#your_slack_channel"
    token   = "APP_TOKEN"
  }

  opsgenie_api_key = "API_KEY_OPSGENIE"


  schemas = file("${path.module}/schemas.json.tpl")

  orchestrator_image = {
    image_name        = "pagopa/cloudo-orchestrator"
    image_tag         = "VERSION"
    registry_url      = "https://ghcr.io"
    registry_username = "payments-cloud-bot"
    registry_password = data.azurerm_key_vault_secret.github_pat.value
  }

  worker_image = {
    image_name        = "pagopa/cloudo-worker"
    image_tag         = "VERSION"
    registry_url      = "https://ghcr.io"
    registry_username = "payments-cloud-bot"
    registry_password = data.azurerm_key_vault_secret.github_pat.value
  }

  tags = module.tag_config.tags
}
