"""How flows are deployed and run: the local stack, Prefect wiring and the operators CLI."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
"""The checkout: flows run from here locally, functions are served from here."""

LOCAL_WORK_POOL = "glens-local"
"""The process work pool of the local stack (production: prefect.yaml's pool)."""
