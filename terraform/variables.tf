variable "project_id" {
  description = "GCP project that hosts the topics, functions and buckets."
  type        = string
}

variable "region" {
  description = "Region of the functions and buckets."
  type        = string
  default     = "europe-west1"
}

variable "topic_prefix" {
  description = "Prepended to every topic, subscription and function name (e.g. \"staging-\"); the functions and publishers read the same value as GLENS_TOPIC_PREFIX."
  type        = string
  default     = ""
}

variable "prefect_api_url" {
  description = "PREFECT_API_URL the functions start runs on (Prefect Cloud workspace URL or a self-hosted server's /api)."
  type        = string
}

variable "prefect_credential_secret" {
  description = "Secret Manager secret id holding the Prefect credential: an API key (Prefect Cloud) or a basic-auth \"user:pass\" string (self-hosted)."
  type        = string
}

variable "prefect_credential_kind" {
  description = "How the functions present the credential: \"api_key\" (PREFECT_API_KEY) or \"basic_auth\" (PREFECT_API_AUTH_STRING)."
  type        = string
  default     = "api_key"

  validation {
    condition     = contains(["api_key", "basic_auth"], var.prefect_credential_kind)
    error_message = "prefect_credential_kind must be api_key or basic_auth."
  }
}

variable "function_source_archive" {
  description = "Object name, in the source bucket, of the functions' zipped source (built by `glens functions package`)."
  type        = string
}

variable "max_delivery_attempts" {
  description = "Deliveries before Pub/Sub moves a message to the route's dead-letter topic (5..100)."
  type        = number
  default     = 5
}

variable "message_retention" {
  description = "How long topics and the dead-letter subscriptions keep messages (operators replay from there)."
  type        = string
  default     = "604800s"
}
