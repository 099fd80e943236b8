# A first ClouDO deployment that needs nothing but a subscription: a resource group, a Log Analytics
# workspace and Application Insights, and the module with the sample schemas (./schemas.json: test,
# test-2, test-3, all on the worker capability "Runbook"). No AKS, no Slack, no Opsgenie.
#
#   terraform init
#   terraform apply -var 'github_repo=<owner>/<repo>' -var 'worker_image={image_name="<owner>/cloudo-worker",image_tag="<tag>"}'
#
# Then deploy the Functions code (README, "Deploying and containers") and open the console_url output.

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

variable "prefix" {
  description = "Prefix of every resource name: 2-16 lower-case letters, digits or hyphens."
  type        = string
  default     = "cloudo"
}

variable "env" {
  description = "Environment short name appended to resource names."
  type        = string
  default     = "dev"
}

variable "location" {
  description = "Azure region."
  type        = string
  default     = "westeurope"
}

variable "github_repo" {
  description = "GitHub repository (owner/repo) whose runbooks/ folder the workers run, public or with github_token."
  type        = string
}

variable "github_token" {
  description = "Token for a private github_repo; empty for a public one."
  type        = string
  default     = ""
  sensitive   = true
}

variable "worker_image" {
  description = "Worker image (workers/Dockerfile) as pushed: registry_url, image_name and image_tag."
  type = object({
    image_name   = string
    image_tag    = string
    registry_url = optional(string, "https://ghcr.io")
  })
}

resource "azurerm_resource_group" "cloudo" {
  name     = "${var.prefix}-${var.env}-rg"
  location = var.location
}

resource "azurerm_log_analytics_workspace" "cloudo" {
  name                = "${var.prefix}-${var.env}-log"
  resource_group_name = azurerm_resource_group.cloudo.name
  location            = azurerm_resource_group.cloudo.location
  sku                 = "PerGB2018"
  retention_in_days   = 30
}

resource "azurerm_application_insights" "cloudo" {
  name                = "${var.prefix}-${var.env}-appi"
  resource_group_name = azurerm_resource_group.cloudo.name
  location            = azurerm_resource_group.cloudo.location
  workspace_id        = azurerm_log_analytics_workspace.cloudo.id
  application_type    = "Node.JS"
}

module "cloudo" {
  source = "../.."

  prefix              = var.prefix
  env                 = var.env
  location            = azurerm_resource_group.cloudo.location
  resource_group_name = azurerm_resource_group.cloudo.name
  # references to the resources, not plain strings: the module reads the component only once it exists
  application_insights_name  = azurerm_application_insights.cloudo.name
  application_insights_rg    = azurerm_application_insights.cloudo.resource_group_name
  log_analytics_workspace_id = azurerm_log_analytics_workspace.cloudo.id
  # the workspace is created here, so its id is unknown at plan: say that diagnostic settings are wanted
  diagnostic_settings_enabled = true

  github_repo_info = {
    repo_name    = var.github_repo
    repo_token   = var.github_token
    runbook_path = "runbooks"
  }

  schemas      = file("${path.module}/schemas.json")
  worker_image = var.worker_image
}

output "console_url" {
  description = "The ClouDO console and API."
  value       = module.cloudo.console_url
}

output "function_app_name" {
  description = "The Functions app to deploy the code package to."
  value       = module.cloudo.function_app_name
}

output "resource_group_name" {
  description = "The resource group holding everything."
  value       = azurerm_resource_group.cloudo.name
}
