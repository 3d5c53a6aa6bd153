"""The recorded API responses, answered as the APIs would have answered on the as-of day.

Every answer is composed from the files under ``recordings/`` (layout in ``recordings/README.md``)
with nothing dated after the end of the as-of day (UTC), so a replayed run cannot look ahead.
Each method returns ``(http_status, json_payload)`` in the real API's shape, including the
real API's error answers (missing key, unknown id, result window too large).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from replay.envelopes import coinmarketcap, defillama, etherscan, ethgastracker

Answer = tuple[int, Any]

ETHERSCAN_MAX_RESULT_WINDOW = 10_000
GAS_AVERAGE_HOURS = 168
CMC_DEFAULT_COUNT = 10
# DeFiLlama's /pools fields that a pool's /chart point of the as-of day replaces.
CHART_FIELDS_ON_POOLS = ("tvlUsd", "apy", "apyBase", "apyReward", "il7d", "apyBase7d")


def parse_time(value: str) -> dt.datetime:
    """ISO-8601 (``Z`` or offset), a date, or Unix seconds, as an aware UTC datetime."""
    if value.isdigit():
        return dt.datetime.fromtimestamp(int(value), dt.UTC)
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


class Recordings:
    """Read-only view of a recordings folder as of one day; files are read once and cached."""

    def __init__(self, root: Path, as_of: dt.date) -> None:
        self.root = Path(root)
        self.as_of = as_of
        self.end_of_day = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), dt.UTC)
        self._cache: dict[Path, Any] = {}
        self._lock = threading.Lock()

    def _load(self, relative: str) -> Any | None:
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

    def _is_past(self, moment: dt.datetime) -> bool:
        return moment < self.end_of_day

    # --- DeFiLlama ------------------------------------------------------------------------

    def chart_points(self, pool: str) -> list[dict[str, Any]] | None:
        """The pool's recorded chart up to the as-of day; None when the pool is unknown."""
        if not pool or "/" in pool or pool.startswith("."):
            return None
        recorded = self._load(f"defillama/chart/{pool}.json.gz")
        if recorded is None:
            return None
        return [p for p in recorded["data"] if self._is_past(parse_time(p["timestamp"]))]

    def defillama_chart(self, pool: str) -> Answer:
        """GET /chart/{pool}. An unknown pool gets 404 with DeFiLlama's error envelope."""
        points = self.chart_points(pool)
        if points is None:
            return 404, {"status": "error", "message": f"pool {pool} not found"}
        return 200, defillama.success(points)

    def defillama_pools(self) -> Answer:
        """GET /pools: the recorded snapshot, each charted pool with its as-of-day values.

        A pool whose chart starts after the as-of day did not exist yet and is left out; a
        charted pool takes the values of its latest chart point on or before the day.
        """
        recorded = self._load("defillama/pools.json.gz")
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

    # --- CoinMarketCap --------------------------------------------------------------------

    def _cmc_quotes(self, cmc_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
        recorded = self._load(f"coinmarketcap/ohlcv_historical/{cmc_id}.json.gz")
        if recorded is None:
            return None
        coin = recorded["data"]
        quotes = [q for q in coin["quotes"] if self._is_past(parse_time(q["time_open"]))]
        return coin, quotes

    def _cmc_ids(self, params: Mapping[str, str]) -> list[str] | Answer:
        ids = [i.strip() for i in params.get("id", "").split(",") if i.strip()]
        if not ids:
            return coinmarketcap.error(400, '"id" or "symbol" is required')
        unknown = [i for i in ids if not i.isdigit() or self._cmc_quotes(i) is None]
        if unknown:
            message = f'Invalid value for "id": "{",".join(unknown)}"'
            return coinmarketcap.error(400, message)
        return ids

    def cmc_ohlcv_historical(self, params: Mapping[str, str]) -> Answer:
        """GET /v2/cryptocurrency/ohlcv/historical by id: daily quotes in [time_start, time_end].

        Without ``time_start`` the last ``count`` (default 10) quotes up to ``time_end`` come
        back, as the real API counts backwards from the end.
        """
        ids = self._cmc_ids(params)
        if isinstance(ids, tuple):
            return ids
        start = parse_time(params["time_start"]) if params.get("time_start") else None
        end = parse_time(params["time_end"]) if params.get("time_end") else None
        data = {}
        for cmc_id in ids:
            coin, quotes = self._cmc_quotes(cmc_id)  # type: ignore[misc]
            chosen = [
                q
                for q in quotes
                if (start is None or parse_time(q["time_open"]) >= start)
                and (end is None or parse_time(q["time_open"]) <= end)
            ]
            if start is None:
                chosen = chosen[-int(params.get("count", CMC_DEFAULT_COUNT)) :]
            data[cmc_id] = {**{k: v for k, v in coin.items() if k != "quotes"}, "quotes": chosen}
        body = data[ids[0]] if len(ids) == 1 else data
        return 200, coinmarketcap.success(body)

    def cmc_quotes_latest(self, params: Mapping[str, str]) -> Answer:
        """GET /v2/cryptocurrency/quotes/latest by id, composed from the as-of day's OHLCV."""
        ids = self._cmc_ids(params)
        if isinstance(ids, tuple):
            return ids
        convert = params.get("convert", "USD")
        data = {}
        for cmc_id in ids:
            coin, quotes = self._cmc_quotes(cmc_id)  # type: ignore[misc]
            if not quotes:
                continue
            usd = quotes[-1]["quote"]["USD"]
            data[cmc_id] = {
                "id": coin["id"],
                "name": coin.get("name"),
                "symbol": coin["symbol"],
                "slug": coin.get("slug", coin.get("name", "").lower()),
                "is_active": 1,
                "last_updated": usd["timestamp"],
                "quote": {
                    convert: {
                        "price": usd["close"],
                        "volume_24h": usd.get("volume"),
                        "market_cap": usd.get("market_cap"),
                        "last_updated": usd["timestamp"],
                    }
                },
            }
        return 200, coinmarketcap.success(data)

    # --- EthGasTracker --------------------------------------------------------------------

    def ethgastracker_average(self) -> Answer:
        """GET /api/gas/average: the 168 hourly averages before the end of the as-of day."""
        recorded = self._load("ethgastracker/gas_average.json.gz")
        if recorded is None:
            return 404, ethgastracker.error("not found")
        since = self.end_of_day - dt.timedelta(hours=GAS_AVERAGE_HOURS)
        hours = [
            h
            for h in recorded["data"]["data"]
            if since <= parse_time(h["period"]) < self.end_of_day
        ]
        hours.sort(key=lambda h: parse_time(h["period"]), reverse=True)
        last = parse_time(hours[0]["period"]) if hours else since
        last_update = int((last + dt.timedelta(minutes=59)).timestamp() * 1000)
        network = recorded["data"].get("network", "mainnet")
        return 200, ethgastracker.average(hours, last_update, network)

    # --- Etherscan ------------------------------------------------------------------------

    @staticmethod
    def _notok(result: str) -> Answer:
        return 200, etherscan.notok(result)

    def etherscan(self, params: Mapping[str, str]) -> Answer:
        """GET /v2/api: Etherscan's module/action dispatch, with its envelope and errors."""
        if not params.get("chainid"):
            return self._notok(etherscan.MISSING_CHAIN_ID)
        if params["chainid"] != "1":
            return self._notok(f"Unsupported chainid {params['chainid']} in this replay")
        if not params.get("apikey"):
            return self._notok(etherscan.MISSING_KEY)
        action = (params.get("module", ""), params.get("action", ""))
        address = params.get("address", "").lower()
        if action == ("gastracker", "gasoracle"):
            recorded = self._load("etherscan/gasoracle.json")
            return (200, recorded) if recorded else self._notok("Error! No data")
        if action == ("stats", "dailyavggasprice"):
            return self._daily_avg_gas_price(params)
        if action == ("account", "balance"):
            recorded = self._load(f"etherscan/accounts/{address}/balance.json")
            return 200, recorded or etherscan.ok("0")
        if action == ("account", "tokenbalance"):
            token = params.get("contractaddress", "").lower()
            recorded = self._load(f"etherscan/accounts/{address}/tokenbalance/{token}.json")
            return 200, recorded or etherscan.ok("0")
        if action in (("account", "txlist"), ("account", "tokentx")):
            return self._account_list(address, action[1], params)
        return self._notok("Error! Missing Or invalid Module name / Action name")

    def _daily_avg_gas_price(self, params: Mapping[str, str]) -> Answer:
        recorded = self._load("etherscan/dailyavggasprice.json.gz")
        try:
            start = dt.date.fromisoformat(params["startdate"])
            end = min(dt.date.fromisoformat(params["enddate"]), self.as_of)
        except (KeyError, ValueError):
            return self._notok("Error! Invalid startdate or enddate (yyyy-MM-dd)")
        rows = [
            r
            for r in (recorded or {}).get("result", [])
            if start <= dt.date.fromisoformat(r["UTCDate"]) <= end
        ]
        rows.sort(key=lambda r: r["UTCDate"], reverse=params.get("sort") == "desc")
        if not rows:
            return 200, etherscan.nothing("No data found")
        return 200, etherscan.ok(rows)

    def _account_list(self, address: str, action: str, params: Mapping[str, str]) -> Answer:
        """txlist / tokentx with Etherscan's block range and page/offset paging."""
        try:
            start_block = int(params.get("startblock", 0))
            end_block = int(params.get("endblock", 99_999_999))
            page = int(params.get("page", 1))
            offset = int(params.get("offset", ETHERSCAN_MAX_RESULT_WINDOW))
        except ValueError:
            return self._notok("Error! Invalid parameter value")
        if page < 1 or offset < 1:
            return self._notok("Error! Invalid page or offset")
        if page * offset > ETHERSCAN_MAX_RESULT_WINDOW:
            return self._notok(
                "Result window is too large, PageNo x Offset size must be less than or equal to 10000"
            )
        recorded = self._load(f"etherscan/accounts/{address}/{action}.json.gz")
        rows = [
            r
            for r in (recorded or {}).get("result", [])
            if start_block <= int(r["blockNumber"]) <= end_block
            and self._is_past(dt.datetime.fromtimestamp(int(r["timeStamp"]), dt.UTC))
        ]
        rows.sort(key=lambda r: int(r["blockNumber"]), reverse=params.get("sort") == "desc")
        rows = rows[(page - 1) * offset : page * offset]
        if not rows:
            return 200, etherscan.nothing("No transactions found")
        return 200, etherscan.ok(rows)
