"""How flows are deployed and run: the local stack, Prefect wiring and the operators CLI."""
