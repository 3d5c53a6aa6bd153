"""Helpers of the dbt tests (imported by ``conftest.py`` and the test modules).

``run_dbt`` runs dbt in-process (``dbtRunner``) against a given database with the strategy's
vars and a run date, into a private target folder so a developer's ``dbt_project/target`` is
never touched.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any
from unittest.mock import patch

from core import db
from core.config import StrategyConfig
from core.paths import DBT_PROJECT_DIR, PROJECT_ROOT

# The last day of the recorded pool histories (the Makefile's DEMO_DATE).
RAW_AS_OF = dt.date(2025, 6, 5)


def recorded_wallets(recordings: Path) -> list[str]:
    """Wallets are the recorded Etherscan accounts with a balance or a transaction list
    (pool reserve contracts only have token balances)."""
    accounts = recordings / "etherscan" / "accounts"
    if not accounts.is_dir():
        return []
    return sorted(
        folder.name
        for folder in accounts.iterdir()
        if any(folder.glob("txlist.json*")) or any(folder.glob("balance.json*"))
    )


def recorded_chart_pools(recordings: Path) -> list[str]:
    """Pools with a recorded ``/chart`` history (file names are the pool ids)."""
    return sorted(
        path.name.split(".")[0] for path in (recordings / "defillama" / "chart").glob("*.json*")
    )


def run_dbt(
    info: db.PgConnection,
    args: list[str],
    run_date: str,
    target_path: Path,
    **extra_vars: Any,
) -> Any:
    """``dbt <args>`` on ``info``'s database with the strategy's default vars and ``run_date``;
    returns dbt's result object (``.success``, ``.result``)."""
    from dbt.cli.main import dbtRunner

    dbt_vars = {**StrategyConfig().dbt_vars(), "run_date": run_date, **extra_vars}
    with patch.dict(os.environ, info.libpq_env()):
        outcome = dbtRunner().invoke(
            [
                *args,
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(PROJECT_ROOT),
                "--target-path",
                str(target_path),
                "--log-path",
                str(target_path / "logs"),
                "--no-partial-parse",
                "--vars",
                json.dumps(dbt_vars),
            ]
        )
    if outcome.exception is not None:
        raise outcome.exception
    return outcome


def failed_nodes(outcome: Any) -> list[str]:
    """Names and messages of the nodes that errored or failed in a dbt result."""
    return [
        f"{result.node.name}: {result.status} {result.message or ''}".strip()
        for result in (getattr(outcome.result, "results", None) or [])
        if str(result.status) in {"error", "fail", "runtime error"}
    ]
