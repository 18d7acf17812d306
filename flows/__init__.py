"""Prefect flows of glens-flows, one module per flow."""
