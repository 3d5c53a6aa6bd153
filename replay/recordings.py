"""The recorded API responses, answered as the APIs would have answered at one moment.

The moment is the run's scheduled time on the as-of day (``plans.RUN_TIME``, 02:30 UTC):
nothing dated after it is returned, so a replayed run cannot look ahead and sees what a live
run at that time sees (yesterday's DeFiLlama snapshot, no candle for the day in progress).
Files live under ``recordings/`` (layout in ``recordings/README.md``). This module answers
DeFiLlama yields and EthGasTracker; ``replay.apis`` the APIs whose answers depend on a plan.
Each answer is ``(http_status, json_payload)`` in the real API's shape.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import threading
from pathlib import Path
from typing import Any

from replay.envelopes import defillama, ethgastracker
from replay.plans import RUN_TIME

Answer = tuple[int, Any]

GAS_AVERAGE_HOURS = 168
# DeFiLlama's /pools fields that a pool's latest /chart point replaces.
CHART_FIELDS_ON_POOLS = ("tvlUsd", "apy", "apyBase", "apyReward", "il7d", "apyBase7d")


def parse_time(value: str) -> dt.datetime:
    """ISO-8601 (``Z`` or offset), a date, or Unix seconds, as an aware UTC datetime."""
    if value.isdigit():
        return dt.datetime.fromtimestamp(int(value), dt.UTC)
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


class Recordings:
    """Read-only view of a recordings folder at one moment; files are read once and cached."""

    def __init__(self, root: Path, as_of: dt.date, at: dt.time = RUN_TIME) -> None:
        self.root = Path(root)
        self.as_of = as_of
        self.moment = dt.datetime.combine(as_of, at, dt.UTC)
        self._cache: dict[Path, Any] = {}
        self._lock = threading.Lock()

    def load(self, relative: str) -> Any | None:
        """The decoded JSON of a recorded file (``.json`` or ``.json.gz``), None if absent."""
        path = self.root / relative
        with self._lock:
            if path in self._cache:
                return self._cache[path]
            payload = None
            if path.exists():
                opener = gzip.open if path.suffix == ".gz" else open
                with opener(path, "rt", encoding="utf-8") as handle:
                    payload = json.load(handle)
            self._cache[path] = payload
            return payload

    def is_past(self, moment: dt.datetime) -> bool:
        """Whether ``moment`` is before the store's moment (already known then)."""
        return moment < self.moment

    # --- DeFiLlama yields -----------------------------------------------------------------

    def chart_points(self, pool: str) -> list[dict[str, Any]] | None:
        """The pool's recorded chart up to the moment; None when the pool is unknown."""
        if not pool or "/" in pool or pool.startswith("."):
            return None
        recorded = self.load(f"defillama/chart/{pool}.json.gz")
        if recorded is None:
            return None
        return [p for p in recorded["data"] if self.is_past(parse_time(p["timestamp"]))]

    def defillama_chart(self, pool: str) -> Answer:
        """GET /chart/{pool}. An unknown pool is a success with no points, as DeFiLlama's
        yield-server answers (``controllers/yield.js`` queries by id and returns the rows)."""
        return 200, defillama.success(self.chart_points(pool) or [])

    def defillama_pools(self) -> Answer:
        """GET /pools: the recorded snapshot, each charted pool with its latest values.

        A pool whose chart starts after the moment did not exist yet and is left out; a
        charted pool takes the values of its latest chart point before the moment.
        """
        recorded = self.load("defillama/pools.json.gz")
        if recorded is None:
            return 200, defillama.success([])
        pools = []
        for pool in recorded["data"]:
            points = self.chart_points(pool.get("pool", ""))
            if points is None:
                pools.append(pool)
            elif points:
                pools.append({**pool, **{k: points[-1].get(k) for k in CHART_FIELDS_ON_POOLS}})
        return 200, defillama.success(pools)

    # --- EthGasTracker --------------------------------------------------------------------

    def ethgastracker_average(self) -> Answer:
        """GET /api/gas/average: the 168 hourly averages of the hours ended by the moment."""
        recorded = self.load("ethgastracker/gas_average.json.gz")
        if recorded is None:
            return 404, ethgastracker.error("not found")
        until = self.moment - dt.timedelta(hours=1)  # an hour's average exists once it ends
        since = until - dt.timedelta(hours=GAS_AVERAGE_HOURS)
        hours = [h for h in recorded["data"]["data"] if since < parse_time(h["period"]) <= until]
        hours.sort(key=lambda h: parse_time(h["period"]), reverse=True)
        last = parse_time(hours[0]["period"]) if hours else since
        last_update = int((last + dt.timedelta(minutes=59)).timestamp() * 1000)
        network = recorded["data"].get("network", "mainnet")
        return 200, ethgastracker.average(hours, last_update, network)
