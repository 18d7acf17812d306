output "topics" {
  description = "Event type -> topic id."
  value       = { for k, t in google_pubsub_topic.event : k => t.id }
}

output "dead_letter_subscriptions" {
  description = "Event type -> subscription operators read dead letters from."
  value       = { for k, s in google_pubsub_subscription.dead_letter_hold : k => s.id }
}

output "function_uris" {
  description = "Event type -> the function's HTTPS endpoint (internal ingress)."
  value       = { for k, f in google_cloudfunctions2_function.trigger : k => f.service_config[0].uri }
}

output "reports_bucket" {
  description = "Set GLENS_REPORTS_URL to gs://<this>/reports on the workers."
  value       = google_storage_bucket.reports.name
}
