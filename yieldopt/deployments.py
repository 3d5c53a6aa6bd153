"""``yieldopt serve``: the deployments of ``prefect.yaml``, served from one process.

The schedules live only in ``prefect.yaml``; serving on one machine reads them from there,
so ``prefect deploy --all`` with a work pool and ``yieldopt serve`` run the same schedules.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from prefect.flows import load_flow_from_entrypoint

from core.paths import PROJECT_ROOT

PREFECT_YAML = PROJECT_ROOT / "prefect.yaml"


def declared_deployments(path: Path = PREFECT_YAML) -> list[dict[str, Any]]:
    """The ``deployments`` entries of ``prefect.yaml``."""
    return yaml.safe_load(path.read_text())["deployments"]


def runner_deployments(path: Path = PREFECT_YAML) -> list[Any]:
    """Each declared deployment as a runnable deployment with its schedules and parameters."""
    deployments = []
    for declared in declared_deployments(path):
        flow = load_flow_from_entrypoint(str(PROJECT_ROOT / declared["entrypoint"]))
        deployments.append(
            flow.to_deployment(
                name=declared["name"],
                cron=[schedule["cron"] for schedule in declared.get("schedules", [])],
                parameters=declared.get("parameters", {}),
                description=declared.get("description"),
            )
        )
    return deployments
