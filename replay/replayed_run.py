"""Run a flow against the recordings instead of the internet: the replay as a context.

Used by the entry points that offer a replay, ``yieldopt run --replay`` (and ``backfill``) and
the deployments' ``replay`` parameter (``yieldopt/scheduled.py``), never by the flows: only the
sources' base URLs change, and every step runs the same code as a live day.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from core.paths import RECORDINGS_DIR
from replay import ReplayServer, replay_environment
from replay.coverage import check_replay_date, served_range

progress = logging.getLogger("yieldopt.progress")


def run_date_for(run_date: dt.date | None, replay: bool) -> dt.date:
    """The day to run: the one asked for, else today (UTC) live or the last recorded day.

    A replayed day outside the recordings raises :class:`OutsideRecordings`.
    """
    if not replay:
        return run_date or dt.datetime.now(dt.UTC).date()
    if run_date is None:
        return served_range(RECORDINGS_DIR)[1]
    check_replay_date(RECORDINGS_DIR, run_date)
    return run_date


@contextmanager
def replayed(day: dt.date) -> Iterator[None]:
    """Serve the recorded responses as of ``day`` and point every source at them."""
    with ReplayServer(RECORDINGS_DIR, as_of=day) as server, replay_environment(server):
        progress.info("replaying recorded API responses as of %s from %s", day, RECORDINGS_DIR)
        yield
