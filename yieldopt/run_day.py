"""``yieldopt run`` and ``backfill``: one day of the daily flow from the command line.

Everything that can be refused before step 1 is refused here, in one line each: a bad
strategy file, a replay date outside the recordings, a Prefect API that does not answer.
"""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from core import db
from core.config import ConfigError, StrategyConfig, load_config
from flows.daily import daily_flow
from replay.coverage import OutsideRecordings
from replay.replayed_run import replayed, run_date_for
from yieldopt.prefect_api import PrefectUnavailable, ensure_api

progress = logging.getLogger("yieldopt.progress")


REFUSALS = (ConfigError, OutsideRecordings, PrefectUnavailable)


@dataclass(frozen=True)
class PreparedDay:
    """A day that passed every check before step 1: its date and validated configuration."""

    day: dt.date
    config: StrategyConfig
    replay: bool


def prepare_day(
    run_date: dt.date | None = None, replay: bool = False, config_path: Path | None = None
) -> PreparedDay:
    """Refuse what can be refused before step 1 (raises one of :data:`REFUSALS`).

    The day defaults to today (UTC), or with ``replay`` to the last day the recordings serve.
    """
    config = load_config(config_path)
    day = run_date_for(run_date, replay)
    ensure_api()
    return PreparedDay(day, config, replay)


def run_prepared(prepared: PreparedDay) -> bool:
    """The daily flow for a prepared day; True when every step succeeded."""
    db.apply_to_environment(db.connection_info())
    with replayed(prepared.day) if prepared.replay else nullcontext():
        state = daily_flow(
            run_date=prepared.day, parameters=prepared.config.snapshot(), return_state=True
        )
    return state.is_completed()


def run_daily(
    run_date: dt.date | None = None, replay: bool = False, config_path: Path | None = None
) -> bool:
    """Prepare and run one day; a refusal is one line on the progress log, and False."""
    try:
        prepared = prepare_day(run_date, replay, config_path)
    except REFUSALS as error:
        progress.error("%s", error)
        return False
    return run_prepared(prepared)
