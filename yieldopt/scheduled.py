"""The deployments' entry point (``prefect.yaml``): the daily run for the scheduled day.

A scheduled run has no command line: it reads the strategy file, takes today's UTC date
(or a ``run_date`` given with the run), and with ``replay`` runs against the recordings —
how a deployment is tried out on a machine with no API keys or no internet.
"""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from prefect import flow

from core import db
from core.config import load_config
from flows.daily import daily_flow
from replay.replayed_run import replayed, run_date_for


@flow(name="daily-scheduled")
def scheduled_daily_flow(
    config_path: str | None = None, run_date: dt.date | None = None, replay: bool = False
) -> dict[str, Any]:
    """The daily flow for ``run_date`` (default: today, UTC; the last recorded day with replay)."""
    config = load_config(Path(config_path) if config_path else None)
    db.apply_to_environment(db.connection_info())
    day = run_date_for(run_date, replay)
    with replayed(day) if replay else nullcontext():
        return daily_flow(run_date=day, parameters=config.snapshot())
