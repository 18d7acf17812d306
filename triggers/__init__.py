"""Thin Cloud Functions: a Pub/Sub event in, a Prefect deployment run out."""
