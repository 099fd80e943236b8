# `terraform test` of the module, mocked providers (see roles.tftest.hcl for why): HTTPS and TLS of the app and storage.

mock_provider "azurerm" {}
mock_provider "random" {}
mock_provider "time" {}

run "https_and_tls" {
  command = apply

  assert {
    condition = (
      azurerm_linux_function_app.cloudo.https_only == true &&
      azurerm_linux_function_app.cloudo.site_config[0].minimum_tls_version == "1.2" &&
      azurerm_linux_function_app.cloudo.site_config[0].scm_minimum_tls_version == "1.2" &&
      azurerm_linux_function_app.cloudo.site_config[0].ftps_state == "Disabled" &&
      azurerm_linux_function_app.cloudo.ftp_publish_basic_authentication_enabled == false &&
      azurerm_linux_function_app.cloudo.webdeploy_publish_basic_authentication_enabled == false
    )
    error_message = "the Functions app: HTTPS only, TLS 1.2 (site and SCM), no FTP(S), no basic-auth publishing"
  }

  assert {
    condition = (
      azurerm_storage_account.cloudo.min_tls_version == "TLS1_2" &&
      azurerm_storage_account.cloudo.https_traffic_only_enabled == true &&
      azurerm_storage_account.cloudo.allow_nested_items_to_be_public == false &&
      azurerm_storage_account.cloudo.shared_access_key_enabled == false &&
      alltrue([for c in azurerm_storage_container.cloudo : c.container_access_type == "private"])
    )
    error_message = "storage: TLS 1.2, HTTPS only, nothing public, no shared keys"
  }
}
