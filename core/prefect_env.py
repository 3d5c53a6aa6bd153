"""Where Prefect keeps its state, decided before Prefect is first imported.

Prefect reads its settings once, at import. A project that must start on a fresh machine with
no state outside the repository keeps Prefect's home (its SQLite database, profiles, local
result storage) under ``.yieldopt/prefect`` — unless the user chose a home (``PREFECT_HOME``)
or a server (``PREFECT_API_URL``), which then win.
"""

from __future__ import annotations

import os

from core.paths import STATE_DIR

PREFECT_STATE_DIR = STATE_DIR / "prefect"


def use_project_prefect_home() -> None:
    """Point ``PREFECT_HOME`` inside the project unless the user chose a home or a server."""
    if not {"PREFECT_HOME", "PREFECT_API_URL"} & os.environ.keys():
        PREFECT_STATE_DIR.mkdir(parents=True, exist_ok=True)
        os.environ["PREFECT_HOME"] = str(PREFECT_STATE_DIR)
