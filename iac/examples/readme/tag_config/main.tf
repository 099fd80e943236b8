# Stand-in for the consumer's tag module the README example refers to (module.tag_config.tags).

variable "env" {
  description = "Environment short name."
  type        = string
}

output "tags" {
  description = "Tags of every resource."
  value = {
    CreatedBy   = "Terraform"
    Environment = var.env
    Source      = "cloudo/iac/examples/readme"
  }
}
