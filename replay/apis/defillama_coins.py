"""DeFiLlama coins API answers from the recordings (the free price path).

``GET /chart/{coins}``: points every ``period`` (default 24h) from ``start`` for ``span``
points, or back from ``end``; each grid time takes the nearest recorded point within
``searchWidth`` (default a tenth of the period); nothing after the moment. The coins server
caps a call at about 500 points per coin (the MNEMON fixtures' notes). ``POST /mcaps``: each
known coin's latest market cap at the moment (or at ``timestamp``). Unknown coins are left
out of both answers, as DeFiLlama does.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Mapping
from typing import Any

from replay.envelopes import defillama_coins
from replay.recordings import Answer, Recordings

MAX_POINTS = 500
UNITS = {"m": 60, "h": 3600, "d": 86_400, "w": 604_800}


def duration(text: str) -> int | None:
    """``"1h"``, ``"4h"``, ``"1d"``, ``"30m"``, ``"1w"`` in seconds (None: not a duration)."""
    match = re.fullmatch(r"(\d+)([mhdwMHDW])", text.strip())
    return int(match[1]) * UNITS[match[2].lower()] if match else None


def _coin_file(coin: str, kind: str) -> str | None:
    chain, _, name = coin.partition(":")
    if chain != "coingecko" or not re.fullmatch(r"[a-z0-9-]+", name):
        return None
    return f"defillama_coins/{kind}/{name}.json.gz"


def answer(
    store: Recordings, method: str, path: str, params: Mapping[str, str], body: bytes
) -> Answer | None:
    """The answer to ``method path`` (None: no such endpoint)."""
    if method == "GET" and path.startswith("/chart/"):
        return chart(store, path.removeprefix("/chart/"), params)
    if method == "POST" and path == "/mcaps":
        return market_caps(store, body)
    return None


def chart(store: Recordings, coins: str, params: Mapping[str, str]) -> Answer:
    period = duration(params.get("period", "24h"))
    if period is None:
        return 400, {"message": f"invalid period {params.get('period')!r}"}
    width = duration(params["searchWidth"]) if params.get("searchWidth") else period // 10
    try:
        span = int(params.get("span", 0))
        start = int(params["start"]) if params.get("start") else None
        end = int(params["end"]) if params.get("end") else None
    except ValueError:
        return 400, {"message": "start, end and span must be integers"}
    now = int(store.moment.timestamp())
    if start is not None:
        count = span or (now - start) // period + 1
        grid = [start + k * period for k in range(min(count, MAX_POINTS))]
    else:
        last = min(end or now, now)
        grid = [last - k * period for k in range(min(span or 1, MAX_POINTS))][::-1]
    answered = {}
    for coin in dict.fromkeys(c.strip() for c in coins.split(",") if c.strip()):
        relative = _coin_file(coin, "chart")
        recorded = store.load(relative) if relative else None
        if recorded is None or coin not in recorded["coins"]:
            continue
        meta = recorded["coins"][coin]
        points = [p for p in meta["prices"] if p["timestamp"] <= now]
        stamps = [p["timestamp"] for p in points]
        chosen = []
        for moment in grid:
            if moment > now:
                break
            nearest = _nearest(stamps, moment)
            close = nearest is not None and abs(stamps[nearest] - moment) <= (width or 0)
            if close and (not chosen or chosen[-1] is not points[nearest]):
                chosen.append(points[nearest])
        coin_meta = {k: v for k, v in meta.items() if k != "prices"}
        answered[coin] = {**coin_meta, "prices": chosen}
    return 200, defillama_coins.chart(answered)


def _nearest(stamps: list[int], moment: int) -> int | None:
    if not stamps:
        return None
    i = bisect.bisect_left(stamps, moment)
    candidates = [j for j in (i - 1, i) if 0 <= j < len(stamps)]
    return min(candidates, key=lambda j: abs(stamps[j] - moment))


def market_caps(store: Recordings, body: bytes) -> Answer:
    try:
        request = json.loads(body or b"{}")
        coins = list(request["coins"])
        at = int(request.get("timestamp") or store.moment.timestamp())
    except (ValueError, KeyError, TypeError):
        return 400, {"message": 'body must be {"coins": [...], "timestamp"?: unix seconds}'}
    at = min(at, int(store.moment.timestamp()))
    entries = {}
    for coin in coins:
        relative = _coin_file(str(coin), "mcaps")
        history: list[dict[str, Any]] = (store.load(relative) if relative else None) or []
        known = [h for h in history if h["timestamp"] <= at]
        if known:
            entries[coin] = {"mcap": known[-1]["mcap"], "timestamp": known[-1]["timestamp"]}
    return 200, defillama_coins.mcaps(entries)
