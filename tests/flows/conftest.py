"""Flow tests run real Prefect flows against a temporary Prefect API (``prefect_api``, once
per session, in tests/conftest.py)."""
