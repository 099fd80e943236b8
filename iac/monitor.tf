# Action group: Azure Monitor alerts call the Trigger endpoint with the common alert schema, either with
# the function key in the URL or as a Secure Webhook (Entra ID token, CLOUDO_WEBHOOK_* on the app).

locals {
  trigger_base_url = "https://${azurerm_linux_function_app.cloudo.default_hostname}/api/Trigger"
  trigger_url = (var.secure_webhook == null
    ? "${local.trigger_base_url}?code=${one(data.azurerm_function_app_host_keys.cloudo[*].default_function_key)}"
    : local.trigger_base_url
  )
}

resource "azurerm_monitor_action_group" "cloudo" {
  name                = "${local.name}-ag"
  resource_group_name = var.resource_group_name
  short_name          = var.action_group_short_name
  tags                = local.tags

  webhook_receiver {
    name                    = "cloudo-trigger"
    service_uri             = local.trigger_url
    use_common_alert_schema = true

    dynamic "aad_auth" {
      for_each = var.secure_webhook == null ? [] : [var.secure_webhook]
      content {
        object_id      = aad_auth.value.object_id
        identifier_uri = aad_auth.value.identifier_uri
        tenant_id      = coalesce(aad_auth.value.tenant_id, local.tenant_id)
      }
    }
  }
}
