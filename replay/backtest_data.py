"""Recorded data for ``yieldopt backtest --replay``: the fetch steps against the replay server.

Loads what the daily flow's fetch steps would load on the last day of the range, through the
same ingestion code against the replay server of ``recordings/``, with one difference: the
/chart history of *every* recorded pool, not only of the pools eligible on the last day
(choosing the universe by the last day's filters would pick pools by their future). It lives
in ``replay`` because the replay server is a test double that domain code must not import; the
backtest itself (``python_models.backtest``) only reads the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from core import db
from core.paths import RECORDINGS_DIR
from ingestion import pipeline
from replay import ReplayServer, replay_environment


def recorded_chart_pools() -> list[str]:
    """Every pool with a recorded /chart history (the file names are the pool ids)."""
    return sorted(
        path.name.split(".")[0] for path in (RECORDINGS_DIR / "defillama" / "chart").glob("*.json*")
    )


def load_recordings(
    info: db.PgConnection,
    as_of: dt.date,
    chart_pools: Sequence[str] | None = None,
    since: dt.date | None = None,
) -> dict[str, int]:
    """Steps 1–4 and 9 against the recorded responses as of ``as_of``; rows per raw table.

    ``chart_pools`` narrows the histories loaded (default: every recorded pool). ``since``,
    the range's first decision date: the ``/lendBorrow`` answer of that day is loaded too, so
    a snapshot is in force from the first day, as the daily run of each day fetches one (the
    recorded ``/lendBorrow`` answers the same at every moment: the per-day history is a paid
    endpoint).
    """
    pools = recorded_chart_pools() if chart_pools is None else list(chart_pools)
    rows: dict[str, int] = {}
    with ReplayServer(RECORDINGS_DIR, as_of=as_of) as server, replay_environment(server):
        for load in (
            pipeline.load_pools,
            pipeline.load_prices,
            pipeline.load_gas,
            pipeline.load_wallets,
        ):
            rows.update(load(as_of, info).rows)
        rows.update(pipeline.load_pool_history(as_of, info, pools).rows)
    if since is not None and since < as_of:
        with ReplayServer(RECORDINGS_DIR, as_of=since) as server, replay_environment(server):
            loaded = pipeline.load_lend_borrow(since, info).rows
        rows = {table: rows.get(table, 0) + loaded.get(table, 0) for table in {*rows, *loaded}}
    return rows
