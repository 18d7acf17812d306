# Everything per event type comes from the event catalog (events/catalog.py, exported as
# events/catalog.json by `glens events schema`): adding an event type adds its topic,
# dead-letter topic, subscriptions and function here without editing this file.
locals {
  catalog = jsondecode(file("${path.module}/../events/catalog.json"))
  routes  = { for route in local.catalog.routes : route.event_type => route }

  credential_env = var.prefect_credential_kind == "api_key" ? "PREFECT_API_KEY" : "PREFECT_API_AUTH_STRING"
}

data "google_project" "this" {}

# --- topics -------------------------------------------------------------------------------

resource "google_pubsub_topic" "event" {
  for_each = local.routes

  name                       = "${var.topic_prefix}${each.value.topic}"
  message_retention_duration = var.message_retention
  labels                     = { app = "glens", event_type = replace(each.key, ".", "_") }
}

resource "google_pubsub_topic" "dead_letter" {
  for_each = local.routes

  name                       = "${var.topic_prefix}${each.value.dead_letter_topic}"
  message_retention_duration = var.message_retention
  labels                     = { app = "glens", role = "dead_letter" }
}

# Operators list and replay dead letters from here (`glens dlq list|replay`).
resource "google_pubsub_subscription" "dead_letter_hold" {
  for_each = local.routes

  name                       = "${var.topic_prefix}${each.value.dead_letter_subscription}"
  topic                      = google_pubsub_topic.dead_letter[each.key].id
  message_retention_duration = var.message_retention
  retain_acked_messages      = false
  ack_deadline_seconds       = 60
  expiration_policy {
    ttl = "" # never expires
  }
}

# --- functions ----------------------------------------------------------------------------

resource "google_service_account" "trigger" {
  account_id   = "glens-triggers"
  display_name = "glens event triggers (Cloud Functions)"
}

resource "google_service_account" "push" {
  account_id   = "glens-pubsub-push"
  display_name = "Pub/Sub push identity for the glens triggers"
}

resource "google_storage_bucket" "function_source" {
  name                        = "${var.project_id}-${var.topic_prefix}glens-functions-source"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  versioning {
    enabled = true
  }
}

resource "google_cloudfunctions2_function" "trigger" {
  for_each = local.routes

  name        = "${var.topic_prefix}${each.value.function}"
  location    = var.region
  description = "${each.key} -> Prefect deployment ${each.value.deployment}"

  build_config {
    runtime     = "python311"
    entry_point = each.value.entry_point
    source {
      storage_source {
        bucket = google_storage_bucket.function_source.name
        object = var.function_source_archive
      }
    }
  }

  service_config {
    available_memory                 = "256M"
    timeout_seconds                  = 60
    max_instance_count               = 20
    max_instance_request_concurrency = 1
    ingress_settings                 = "ALLOW_INTERNAL_ONLY"
    service_account_email            = google_service_account.trigger.email
    environment_variables = {
      PREFECT_API_URL    = var.prefect_api_url
      GLENS_GCP_PROJECT  = var.project_id
      GLENS_TOPIC_PREFIX = var.topic_prefix
    }
    secret_environment_variables {
      key        = local.credential_env
      project_id = var.project_id
      secret     = var.prefect_credential_secret
      version    = "latest"
    }
  }
}

# Push subscriptions we own (instead of an Eventarc trigger) so that the dead-letter policy
# and retry backoff are ours: transient failures are redelivered with backoff, and after
# max_delivery_attempts the message lands on the route's dead-letter topic.
resource "google_pubsub_subscription" "trigger" {
  for_each = local.routes

  name                       = "${var.topic_prefix}${each.value.subscription}"
  topic                      = google_pubsub_topic.event[each.key].id
  ack_deadline_seconds       = 60
  message_retention_duration = var.message_retention

  push_config {
    push_endpoint = google_cloudfunctions2_function.trigger[each.key].service_config[0].uri
    oidc_token {
      service_account_email = google_service_account.push.email
    }
  }

  retry_policy {
    minimum_backoff = "5s"
    maximum_backoff = "300s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter[each.key].id
    max_delivery_attempts = var.max_delivery_attempts
  }

  expiration_policy {
    ttl = ""
  }
}

# --- IAM ------------------------------------------------------------------------------------

resource "google_cloud_run_service_iam_member" "push_invokes_trigger" {
  for_each = local.routes

  location = var.region
  service  = google_cloudfunctions2_function.trigger[each.key].service_config[0].service
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.push.email}"
}

# The functions dead-letter permanent failures themselves (with the reason in attributes).
resource "google_pubsub_topic_iam_member" "trigger_publishes_dead_letters" {
  for_each = local.routes

  topic  = google_pubsub_topic.dead_letter[each.key].id
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.trigger.email}"
}

# Pub/Sub's service agent moves messages past max_delivery_attempts.
resource "google_pubsub_topic_iam_member" "pubsub_agent_publishes_dead_letters" {
  for_each = local.routes

  topic  = google_pubsub_topic.dead_letter[each.key].id
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

resource "google_pubsub_subscription_iam_member" "pubsub_agent_forwards" {
  for_each = local.routes

  subscription = google_pubsub_subscription.trigger[each.key].id
  role         = "roles/pubsub.subscriber"
  member       = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

resource "google_secret_manager_secret_iam_member" "trigger_reads_prefect_credential" {
  secret_id = var.prefect_credential_secret
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.trigger.email}"
}

# --- storage for run results and reports --------------------------------------------------

resource "google_storage_bucket" "reports" {
  name                        = "${var.project_id}-${var.topic_prefix}glens-reports"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  lifecycle_rule {
    condition {
      age = 400
    }
    action {
      type = "Delete"
    }
  }
}
