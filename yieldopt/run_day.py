"""``yieldopt run`` and ``backfill``: one day of the daily flow from the command line.

Everything that can be refused before step 1 is refused here, in one line each: a bad
strategy file, a replay date outside the recordings, a Prefect API that does not answer.
"""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import nullcontext
from pathlib import Path

from core import db
from core.config import ConfigError, load_config
from flows.daily import daily_flow
from flows.replayed import replayed, run_date_for
from replay.coverage import OutsideRecordings
from yieldopt.prefect_api import PrefectUnavailable, ensure_api

progress = logging.getLogger("yieldopt.progress")


def run_daily(
    run_date: dt.date | None = None, replay: bool = False, config_path: Path | None = None
) -> dt.date | None:
    """Validate, then run the flow; the day run when every step succeeded, else None.

    The day defaults to today (UTC), or with ``replay`` to the last day the recordings serve.
    """
    try:
        config = load_config(config_path)
        day = run_date_for(run_date, replay)
        ensure_api()
    except (ConfigError, OutsideRecordings, PrefectUnavailable) as error:
        progress.error("%s", error)
        return None
    db.apply_to_environment(db.connection_info())
    with replayed(day) if replay else nullcontext():
        state = daily_flow(run_date=day, parameters=config.snapshot(), return_state=True)
    return day if state.is_completed() else None
