# The module's inputs for every file of iac/tests: terraform test reads this file for each of them.

prefix                    = "cloudo"
env                       = "test"
location                  = "westeurope"
resource_group_name       = "cloudo-test-rg"
application_insights_name = "cloudo-test-appi"
application_insights_rg   = "cloudo-test-rg"
github_repo_info = {
  repo_name    = "contoso/runbooks"
  repo_token   = "ghp_not-a-real-token-0123456789"
  runbook_path = "runbooks"
}
schemas           = "[{\"partition_key\":\"generic\",\"entity\":[{\"id\":\"hello\",\"worker\":\"Runbook\",\"runbook\":\"hello.sh\"},{\"id\":\"restart\",\"worker\":\"aks.ops\",\"runbook\":\"restart.sh\"}]}]"
worker_image      = { image_name = "contoso/cloudo-worker", image_tag = "0123abc" }
slack_integration = { channel = "#ops", token = "xoxb-not-a-real-token" }
opsgenie_api_key  = "opsgenie-not-a-real-key"
# teams of the original ClouDO with their own Slack workspace and Opsgenie team
team_slack_tokens      = { payments = "xoxb-payments-not-a-real-token", "card-eu" = "xoxb-card-eu-not-a-real-token" }
team_opsgenie_api_keys = { payments = "opsgenie-payments-not-a-real-key" }
team_slack_channels    = { payments = "#payments", "card-eu" = "C0123456789" }
signing_key            = "signing-key-not-real-0123456789abcdef0123456789"
aks_integration = {
  weu = { cluster_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/aks-rg/providers/Microsoft.ContainerService/managedClusters/weu" }
}
custom_roles_per_aks      = { weu = ["Azure Kubernetes Service Cluster User Role"] }
custom_roles_subscription = ["Reader"]
custom_role_assignments = [
  { role = "Contributor", scope = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-app" },
]
worker_concurrency = 3
